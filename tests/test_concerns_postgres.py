"""Concerns with two people at once, on PostgreSQL's real row locks: two
members of the organisation raising a concern about the same letter give
one concern (the other is told); two officials deciding one concern give
one decision (the other is told, and nothing of theirs is written)."""

import pytest

from accreditation.models import CaseEvent
from feedback.models import Concern, ConcernState
from feedback.services import concerns
from tests.casework import person_with
from tests.factories import MembershipFactory
from tests.test_concerns import not_accredited
from tests.test_journey_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_members_at_once_raise_one_concern():
    case = not_accredited()
    first, second = (MembershipFactory(organisation=case.organisation).user for _ in range(2))

    def raising(member):
        return lambda: concerns.raise_concern(
            type(case).objects.get(pk=case.pk), member, f"A concern from {member.email}."
        )

    results = run_together(raising(first), raising(second))

    refused = [result for result in results if isinstance(result, concerns.ConcernRefused)]
    made = [result for result in results if isinstance(result, Concern)]
    assert len(refused) == 1 and len(made) == 1, results
    assert "waiting for a decision" in str(refused[0])
    assert Concern.objects.get().pk == made[0].pk
    assert CaseEvent.objects.filter(case=case, action="concern_raised").count() == 1


def test_two_officials_at_once_give_one_decision():
    case = not_accredited()
    concern = concerns.raise_concern(
        case, MembershipFactory(organisation=case.organisation).user, "Our concern."
    )
    first, second = person_with("decision_official"), person_with("decision_official")

    def deciding(official, upheld):
        return lambda: concerns.decide(
            Concern.objects.select_related("case").get(pk=concern.pk),
            official,
            upheld=upheld,
            response="Decided on the evidence.",
        )

    results = run_together(deciding(first, True), deciding(second, False))

    refused = [result for result in results if isinstance(result, concerns.ConcernRefused)]
    made = [result for result in results if isinstance(result, Concern)]
    assert len(refused) == 1 and len(made) == 1, results
    assert "already been decided" in str(refused[0])
    concern.refresh_from_db()
    assert concern.state == made[0].state
    decided = CaseEvent.objects.filter(
        case=case, action__in=("uphold_concern", "concern_not_upheld")
    )
    assert decided.count() == 1
    case.refresh_from_db()
    expected = "in_assessment" if concern.state == ConcernState.UPHELD else "not_accredited"
    assert case.status == expected
