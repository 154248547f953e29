"""Records retention on the register (issue 13, item 5): the text of a
provider's responses to a notice of revocation, kept beside the entry's
append-only history, and the co-partner's contact details and answers in a
change of co-partner, each removed by ``apply_retention`` once past their
period (from the entry's revocation, or the change's decision), with a
``records_removed`` event on the entry's history."""

import importlib

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse

from accreditation import clock
from accreditation.services import retention
from register.models import (
    ChangeState,
    CoPartnerAnswer,
    CoPartnerChange,
    EventKind,
    NoticeResponse,
    RegisterEvent,
)
from register.services import co_partners, revocation
from tests.casework import person_with, sign_in_verified
from tests.factories import MembershipFactory, ProposalFactory, RegisterEntryFactory
from tests.test_co_partners import scores_of, submitted
from tests.test_retention import YEARS, later, run, verify

pytestmark = pytest.mark.django_db

AFTER = {"days": 90}
"""Past the response period, after which the entry was revoked."""

WORDS = "We took on Hill Primary in September; its head, Pat Hill, agrees."


def tombstones(entry):
    return RegisterEvent.objects.filter(entry=entry, kind=EventKind.RECORDS_REMOVED)


@pytest.fixture
def revoked():
    """An entry given notice, responded to and revoked: the response's event."""
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    official = person_with("decision_official")
    entry = revocation.give_notice(entry, reason="It no longer leads any school.", actor=official)
    event = revocation.respond(entry, text=WORDS, actor=member)
    with time_machine.travel(entry.response_due, tick=False):
        revocation.revoke(entry, reason="The response did not change it.", actor=official)
    return event


@pytest.fixture
def decided():
    """A change of co-partner the casework officer decided meets the criteria."""
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    change = submitted(entry, member)
    officer = person_with("casework_officer")
    return co_partners.decide(
        change, actor=officer, scores=scores_of(change), meets=True, reason=""
    )


def test_the_response_is_kept_beside_the_history_which_records_only_the_fact(revoked):
    assert revoked.details == {} and revoked.actor is not None
    assert NoticeResponse.objects.get(event=revoked).text == WORDS


def test_nothing_is_listed_or_removed_before_the_period_ends(revoked, decided):
    with later(YEARS - 1):
        assert "Nothing is past its retention period." in run("--delete")
    with later(YEARS):  # seven years after the response, not yet after the revocation
        assert "responses to notices of revocation" not in run()
    assert NoticeResponse.objects.get(event=revoked).text == WORDS
    decided.refresh_from_db()
    assert decided.contact_email and decided.records_removed_at is None
    assert not RegisterEvent.objects.filter(kind=EventKind.RECORDS_REMOVED).exists()


def test_the_list_names_the_entries_and_changes_nothing(revoked, decided):
    with later(YEARS, **AFTER):
        output = run()
    assert f"Register entry of {revoked.entry.name}: responses to notices of revocation" in output
    assert (
        f"Register entry of {decided.entry.name}: co-partners' contact details and answers"
        in output
    )
    assert "2 register entry(s) hold records past retention" in output
    assert NoticeResponse.objects.get(event=revoked).text == WORDS
    assert CoPartnerChange.objects.get(pk=decided.pk).contact_name == "Rita River"


def test_delete_removes_the_response_and_leaves_a_tombstone(revoked, client):
    case = ProposalFactory(status="in_assessment")  # a timeline for verify_timeline to check
    with later(YEARS, **AFTER):
        output = run("--delete")
    assert "Removed from 1 register entry(s): 1 responses to notices of revocation" in output
    response = NoticeResponse.objects.get(event=revoked)
    assert response.text == "" and response.removed_at is not None
    assert RegisterEvent.objects.filter(pk=revoked.pk, kind=EventKind.RESPONSE_RECEIVED).exists()
    [tombstone] = tombstones(revoked.entry)
    assert tombstone.actor is None and tombstone.details == {
        "removed": {"revocation_responses": 1},
        "retention_years": {"revocation_responses": YEARS},
    }
    assert "Timeline intact" in verify() and case.pk
    with later(YEARS, **AFTER):
        assert "Nothing is past its retention period." in run("--delete")

    sign_in_verified(client, person_with("decision_official"))
    page = client.get(reverse("staff-register-revoke", args=[revoked.entry.pk])).text
    assert WORDS not in page
    assert "The response was removed at the end of its retention period." in page
    assert "Records removed at the end of their retention period" in page


def test_the_staff_page_shows_the_response_while_it_is_kept(revoked, client):
    sign_in_verified(client, person_with("decision_official"))
    page = client.get(reverse("staff-register-revoke", args=[revoked.entry.pk])).text
    assert WORDS.replace("'", "&#x27;") in page


def test_a_response_on_an_entry_still_on_the_register_is_kept():
    """Notice withdrawn: the entry goes on, and so does the response."""
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    official = person_with("decision_official")
    entry = revocation.give_notice(entry, reason="It no longer leads any school.", actor=official)
    event = revocation.respond(entry, text=WORDS, actor=member)
    revocation.withdraw_notice(entry, actor=official)
    with later(YEARS + 3):
        assert "Nothing is past its retention period." in run("--delete")
    assert NoticeResponse.objects.get(event=event).text == WORDS


def test_delete_removes_the_co_partners_contact_and_answers(decided, client):
    with later(YEARS):
        output = run("--delete")
    assert "co-partners' contact details and answers" in output
    decided.refresh_from_db()
    assert (decided.contact_name, decided.contact_email) == ("", "")
    assert decided.records_removed_at is not None
    assert decided.name == "Riverside Primary School" and decided.state == ChangeState.MEETS
    assert not CoPartnerAnswer.objects.filter(change=decided).exclude(text="").exists()
    assert decided.scores.count() == 3  # the officer's scores stay
    [tombstone] = tombstones(decided.entry)
    assert tombstone.details["removed"] == {"co_partner_changes": 1}
    with later(YEARS):
        assert "Nothing is past its retention period." in run("--delete")

    sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-co-partner-change", args=[decided.pk])).text
    assert "rita@riverside.example.org" not in page and "Evidence for" not in page
    assert "Removed at the end of its retention period" in page


def test_a_change_not_decided_is_kept():
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    change = submitted(entry, member)
    with later(YEARS + 3):
        assert "Nothing is past its retention period." in run("--delete")
    change.refresh_from_db()
    assert change.contact_email and change.records_removed_at is None


def test_each_register_record_type_follows_its_own_period(revoked, decided):
    policy = {"retention_by_record_type": [["co_partner_changes", 10]]}
    with override_settings(POLICY=policy), later(YEARS, **AFTER):
        due = retention.register_past_retention()
    assert [item.record_types for item in due] == [["revocation_responses"]]
    assert set(retention.RECORD_TYPES) >= {"revocation_responses", "co_partner_changes"}


def test_the_migration_moves_responses_out_of_the_history():
    """A response written before the text moved: its event's details held it."""
    migration = importlib.import_module("register.migrations.0005_revocation_responses_apart")
    entry = RegisterEntryFactory()
    event = RegisterEvent.objects.create(
        entry=entry,
        kind=EventKind.RESPONSE_RECEIVED,
        accreditation_type=entry.accreditation_type,
        details={"response": WORDS},
        created_at=clock.now(),
    )
    state = MigrationExecutor(connection).loader.project_state(
        ("register", "0005_revocation_responses_apart")
    )
    migration.move_responses_out_of_the_history(state.apps, None)
    event = RegisterEvent.objects.get(pk=event.pk)
    assert event.details == {} and event.response.text == WORDS
    migration.move_responses_back(state.apps, None)
    assert RegisterEvent.objects.get(pk=event.pk).details == {"response": WORDS}
    assert not NoticeResponse.objects.exists()
