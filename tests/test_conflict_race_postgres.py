"""An assessor declaring a conflict while a casework officer assigns them
to a case of that organisation, on PostgreSQL's real row locks: whichever
commits first, the assessor never ends up assessing a case they are in
conflict with. The assignment is refused, or it is made and then stood
down."""

import threading

import pytest
from django.db import connection, transaction

from accreditation.roles import Role
from assessments.models import Assignment
from assessments.services import assignment, conflicts
from tests.factories import OrganisationFactory, ProposalFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HELD = 0.5
"""How long the first transaction stays open once the second has started:
long enough for the second to reach the lock it must wait on."""


@pytest.fixture
def people():
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    assessor = UserFactory(roles=[Role.ASSESSOR])
    case = ProposalFactory(
        round=RoundFactory(), status="in_assessment", organisation=OrganisationFactory()
    )
    return officer, assessor, case


def in_thread(work, outcome):
    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def current(case, assessor):
    return Assignment.objects.filter(case=case, assessor=assessor, ended_at__isnull=True)


def test_an_assignment_made_while_the_conflict_is_being_declared_is_refused(people):
    officer, assessor, case = people
    second = {}
    with transaction.atomic():
        conflicts.declare(assessor, reason="My sister chairs it.", organisation=case.organisation)
        thread = in_thread(lambda: assignment.assign(case, assessor, "first", officer), second)
        thread.join(HELD)
        assert thread.is_alive(), "the assignment waits for the declaration"
    thread.join(10)
    assert isinstance(second.get("error"), assignment.AssignmentRefused)
    assert "conflict of interest" in str(second["error"])
    assert not current(case, assessor).exists()


def test_a_conflict_declared_while_the_assignment_is_being_made_stands_it_down(people):
    officer, assessor, case = people
    second = {}
    with transaction.atomic():
        assignment.assign(case, assessor, "first", officer)
        thread = in_thread(
            lambda: conflicts.declare(
                assessor, reason="My sister chairs it.", organisation=case.organisation
            ),
            second,
        )
        thread.join(HELD)
        assert thread.is_alive(), "the declaration waits for the assignment"
    thread.join(10)
    assert second["result"].stood_down == [case.reference]
    assert not current(case, assessor).exists()


def test_a_conflict_declared_while_the_case_is_being_referred_back_stands_the_assessor_down():
    """The case was with the Advisory Group when the declaration began (an
    assessment already made stays): the declaration waits for the referral
    to commit, then sees the case back in assessment."""
    from advisory_group.services import advice
    from tests.test_advisory_group import asg_case, hold, new_meeting

    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    meeting = new_meeting(UserFactory(roles=[Role.CASEWORK_OFFICER]), group)
    case = asg_case()
    item = case.agenda_items.get()
    hold(meeting, *group)
    assessor = Assignment.objects.get(case=case, kind="first", ended_at__isnull=True).assessor
    second = {}
    with transaction.atomic():
        advice.record_advice(item, advice="refer_back", comment="Look at 2B.", actor=group[0])
        thread = in_thread(
            lambda: conflicts.declare(
                assessor, reason="My sister chairs it.", organisation=case.organisation
            ),
            second,
        )
        thread.join(HELD)
        assert thread.is_alive(), "the declaration waits for the referral"
    thread.join(10)
    assert second["result"].stood_down == [case.reference]
    assert not current(case, assessor).exists()
