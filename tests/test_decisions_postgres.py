"""Two decision officials deciding one case at once, on PostgreSQL's real
row locks: one decision is recorded, the other official is told the case
was already decided, and nothing of theirs is written."""

import pytest

from accreditation import clock
from accreditation.models import CaseEvent
from accreditation.services import decisions
from accreditation.workflow import Action, Status
from tests.casework import person_with
from tests.factories import ProposalFactory
from tests.test_journey_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officials_at_once_give_one_decision():
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    first, second = person_with("decision_official"), person_with("decision_official")

    def deciding(official, outcome):
        return lambda: decisions.decide(
            type(case).objects.get(pk=case.pk),
            official,
            outcome=outcome,
            decision_date=clock.today(),
            reasons="Decided on the evidence." if outcome == Action.NOT_ACCREDIT else "",
        )

    results = run_together(deciding(first, Action.ACCREDIT), deciding(second, Action.NOT_ACCREDIT))

    refused = [result for result in results if isinstance(result, decisions.DecisionRefused)]
    made = [result for result in results if isinstance(result, CaseEvent)]
    assert len(refused) == 1 and len(made) == 1, results
    assert "already been decided" in str(refused[0])
    assert refused[0].field is None
    [event] = CaseEvent.objects.filter(case=case, action__in=(Action.ACCREDIT, Action.NOT_ACCREDIT))
    assert event.pk == made[0].pk
    case.refresh_from_db()
    assert case.status == event.to_status
