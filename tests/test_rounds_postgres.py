"""Rounds on PostgreSQL's real row locks: two schedulers creating next
term's round at once, and a submission racing the round's cancellation."""

from datetime import UTC, datetime

import pytest
import time_machine

from accreditation.models import AccreditationType, ActivityEntry, Round, Term
from accreditation.roles import Role
from accreditation.services import rounds as services
from accreditation.workflow import Status
from proposals.models import Proposal
from proposals.services import applicant
from tests.factories import MembershipFactory, RoundFactory, UserFactory
from tests.journey_helpers import complete
from tests.test_journey_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_schedulers_create_next_terms_round_once():
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=UTC), tick=False):
        results = run_together(*[services.create_next_round] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    created = [r for r in results if r is not None]
    assert len(created) == 1
    assert list(Round.objects.values_list("term", "year")) == [(Term.SUMMER, 2027)]
    assert ActivityEntry.objects.filter(action="round_created_from_calendar").count() == 1


def test_two_officers_creating_overlapping_rounds_get_one():
    officers = [UserFactory(roles=[Role.CASEWORK_OFFICER]) for _ in range(2)]
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=UTC), tick=False):
        spring = services.defaults_for(Term.SPRING, 2028)
        summer = {**spring, "term": Term.SUMMER}
        results = run_together(
            lambda: services.create_round(officers[0], spring),
            lambda: services.create_round(officers[1], summer),
        )
    assert Round.objects.count() == 1
    assert sum(isinstance(r, Round) for r in results) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_submission_racing_the_cancellation_is_one_or_the_other(attempt):
    membership = MembershipFactory(organisation__address="1 Oak Lane")
    round_ = RoundFactory()
    draft = applicant.start_proposal(
        organisation=membership.organisation,
        period=round_,
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    complete(draft, membership.user)
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    results = run_together(
        lambda: applicant.submit(draft, membership.user),
        lambda: services.cancel_round(officer, round_, "Clashes with the elections"),
    )
    draft = Proposal.objects.get(pk=draft.pk)
    round_.refresh_from_db()
    submitted, cancelled = results
    if draft.status == Status.SUBMITTED:
        assert isinstance(cancelled, services.CannotCancel), results
        assert round_.cancelled_at is None
    else:
        assert draft.status == Status.DRAFT and draft.reference is None
        assert isinstance(submitted, Exception), results
        assert round_.cancelled_at is not None
