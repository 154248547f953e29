"""The staff homes' counts are kept between visits until anything is written
to the database (but a session, a sign-in attempt or a second factor's use)
or the day changes; a count that changes with the time of day is counted
on every visit. Every write is seen, however it is made: a model's save, a
bulk update, raw SQL, another connection's. A transaction that has written
keeps nothing: what it counted may yet be rolled back.

These tests commit what they write (``transaction=True``): inside the
transaction every other test runs in, nothing is ever kept."""

import threading
from datetime import time, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation import clock, homes
from accreditation.roles import Role
from accreditation.workflow import Status
from proposals.models import Proposal
from tests.casework import person_with, sign_in_verified
from tests.factories import InvitationFactory, ProposalFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOME = reverse("staff-home")
WAITING = "Cases waiting for information from the applicant"
PAST_TARGET = "Cases past their target date"


@pytest.fixture(autouse=True)
def nothing_kept_before():
    homes.COUNTS_KEPT.changed()


def counted(client):
    """{label: count} of the home, and whether it read any case to count them."""
    with CaptureQueriesContext(connection) as read:
        response = client.get(HOME)
    assert response.status_code == 200
    found = {
        need["label"]: need["count"]
        for section in response.context["sections"]
        for need in section["needs"]
    }
    return found, any("proposals_proposal" in query["sql"] for query in read.captured_queries)


@pytest.fixture
def officer(client):
    person = person_with("casework_officer")
    sign_in_verified(client, person)
    return person


def test_counts_asked_again_are_kept_and_read_nothing_but_who_is_asking(client, officer):
    ProposalFactory(status=Status.INFORMATION_REQUESTED)
    first, read = counted(client)
    assert first[WAITING] == 1 and read
    with CaptureQueriesContext(connection) as again:
        client.get(HOME)
    assert again, "the session and the person are still read"
    assert not [q for q in again.captured_queries if "COUNT(" in q["sql"]]


def test_a_models_save_shows_at_once(client, officer):
    ProposalFactory(status=Status.INFORMATION_REQUESTED)
    assert counted(client)[0][WAITING] == 1
    ProposalFactory(status=Status.INFORMATION_REQUESTED)
    assert counted(client)[0][WAITING] == 2


def test_a_bulk_update_with_no_signal_shows_at_once(client, officer):
    cases = [ProposalFactory(status=Status.INFORMATION_REQUESTED) for _ in range(2)]
    assert counted(client)[0][WAITING] == 2
    Proposal.objects.filter(pk=cases[0].pk).update(status=Status.IN_ASSESSMENT)
    assert counted(client)[0][WAITING] == 1


def test_raw_sql_shows_at_once(client, officer):
    case = ProposalFactory(status=Status.INFORMATION_REQUESTED)
    assert counted(client)[0][WAITING] == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE proposals_proposal SET status = %s WHERE id = %s",
            [Status.IN_ASSESSMENT.value, case.pk],
        )
    assert counted(client)[0][WAITING] == 0


def test_a_write_on_another_connection_shows_at_once(client, officer):
    """As a worker's would: a thread has its own connection, and the write
    is seen there too."""
    assert counted(client)[0][WAITING] == 0

    def elsewhere():
        try:
            ProposalFactory(status=Status.INFORMATION_REQUESTED)
        finally:
            connection.close()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert counted(client)[0][WAITING] == 1


def test_a_session_written_leaves_the_counts_kept(client, officer):
    counted(client)
    session = client.session
    session["seen"] = True
    session.save()
    assert counted(client)[1] is False


def test_counts_read_by_a_transaction_that_is_rolled_back_are_not_kept(client, officer):
    assert counted(client)[0][WAITING] == 0

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        ProposalFactory(status=Status.INFORMATION_REQUESTED)
        during = {
            need["label"]: need["count"]
            for section in homes.sections(officer)
            for need in section["needs"]
        }
        assert during[WAITING] == 1
        raise RolledBack
    assert counted(client)[0][WAITING] == 0


def test_a_case_passing_its_target_at_midnight_is_counted_the_next_day(client):
    today = clock.today()
    late_evening = clock.at(today, time(23, 59, 30))
    with time_machine.travel(late_evening, tick=False) as traveller:
        sign_in_verified(client, person_with("casework_officer"))
        period = RoundFactory(
            opens_at=late_evening - timedelta(days=90),
            deadline=late_evening - timedelta(days=60),
            assessment_due=today,
        )
        ProposalFactory(status=Status.INFORMATION_REQUESTED, round=period)
        assert counted(client)[0][PAST_TARGET] == 0
        traveller.shift(timedelta(minutes=1))
        assert clock.today() == today + timedelta(days=1)
        assert counted(client)[0][PAST_TARGET] == 1


def test_a_count_that_changes_with_the_time_of_day_is_counted_each_visit(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    sign_in_verified(client, admin)
    label = "Staff invitations waiting to be accepted"
    soon = timezone.now() + timedelta(minutes=5)
    InvitationFactory(expires_at=soon)
    assert counted(client)[0][label] == 1
    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        assert counted(client)[0][label] == 0


def test_a_role_given_shows_at_once(client):
    """A many-to-many added (an ``INSERT ... ON CONFLICT`` on PostgreSQL,
    ``INSERT OR IGNORE`` on SQLite) is a write like any other."""
    from django.contrib.auth.models import Group

    sign_in_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    before = counted(client)[0]["Staff users"]
    newcomer = UserFactory(roles=[])
    assert counted(client)[0]["Staff users"] == before
    newcomer.groups.add(Group.objects.get(name=Role.ASSESSOR))
    assert counted(client)[0]["Staff users"] == before + 1


def test_counts_read_after_a_savepoint_rolled_back_are_kept(client, officer):
    """What a rolled-back savepoint wrote is gone, and so is its mark: the
    transaction has written nothing, and keeps what it counts."""
    with transaction.atomic():
        with pytest.raises(ValueError), transaction.atomic():
            ProposalFactory(status=Status.INFORMATION_REQUESTED)
            assert homes.COUNTS_KEPT.changing()
            raise ValueError
        assert not homes.COUNTS_KEPT.changing()
    assert counted(client)[0][WAITING] == 0
    assert counted(client)[1] is False


def test_one_replacement_a_transaction_once_it_commits(monkeypatch):
    replaced = []
    monkeypatch.setattr(homes.COUNTS_KEPT, "_replace", lambda: replaced.append(1))
    with transaction.atomic():
        ProposalFactory(status=Status.INFORMATION_REQUESTED)
        ProposalFactory(status=Status.INFORMATION_REQUESTED)
        assert replaced == []
    assert replaced == [1]
    ProposalFactory(status=Status.INFORMATION_REQUESTED)  # each its own transaction
    assert len(replaced) > 1
