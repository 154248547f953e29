"""The revocation notice and the revocation letter: issued once each by the
worker when a decision official gives notice and when they revoke, on the
same letterhead as every letter (tagged PDF/UA-1, signed by the official),
stored with their hash, on the case's timeline, e-mailed as a link,
downloadable by the organisation and staff, in the letters register and
checkable by anyone."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accreditation import clock
from accreditation.models import CaseEvent, OutboxMessage
from accreditation.models.organisations import contact_addresses
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from feedback.queries.register import issued_letters
from feedback.services import letters
from feedback.tasks import issue_owed_letters, issue_revocation_letters
from register.models import EventKind, RegisterEntry
from register.services import revocation
from tests.casework import person_with, sign_in_verified
from tests.factories import MembershipFactory, ProposalFactory
from tests.test_letters import assert_accessible, eager, text_of

pytestmark = pytest.mark.django_db

REASON = "It no longer leads improvement in any school."
DECISION = "Its response named no school that it leads."


@pytest.fixture
def official():
    return person_with("decision_official", full_name="Rowan Revoker")


@pytest.fixture
def entry():
    case = ProposalFactory(
        status=Status.ACCREDITED, organisation__name="Hillside Learning Partnership"
    )
    MembershipFactory(organisation=case.organisation, is_contact=True, user__email="ch@example.org")
    letters.issue(case.pk)  # its decision letter
    return RegisterEntry.objects.get(case=case)


def test_notice_then_revocation_each_issue_their_letter_once(
    entry, official, monkeypatch, django_capture_on_commit_callbacks
):
    eager(monkeypatch)
    case = entry.case
    with django_capture_on_commit_callbacks(execute=True):
        revocation.give_notice(entry, reason=REASON, actor=official)
    entry.refresh_from_db()
    notice = Letter.objects.get(case=case, purpose=LetterPurpose.REVOCATION_NOTICE)
    assert notice.signatory == official
    assert notice.register_event.kind == EventKind.NOTICE_GIVEN
    title = f"Notice that your accreditation may be revoked: {case.reference}"
    assert_accessible(bytes(notice.pdf), title)
    text = " ".join(text_of(bytes(notice.pdf)).split())
    for expected in (
        case.reference,
        "Hillside Learning Partnership",
        "Rowan Revoker",
        REASON,
        # The time too: a response after it is refused.
        f"until {clock.describe_deadline(entry.response_due)} (UK time)",
    ):
        assert expected in text
    assert OutboxMessage.objects.filter(
        to="ch@example.org", key=f"letter:{case.pk}:{notice.occasion}"
    ).exists()

    with time_machine.travel(entry.response_due + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            revocation.revoke(entry, reason=DECISION, actor=official)
    revoked = Letter.objects.get(case=case, purpose=LetterPurpose.REVOCATION)
    assert_accessible(bytes(revoked.pdf), f"Your accreditation has been revoked: {case.reference}")
    text = text_of(bytes(revoked.pdf))
    assert "revoked your organisation's accreditation" in text
    assert DECISION in text and "Rowan Revoker" in text and case.reference in text
    # Again, and the sweeper: nothing new.
    events = list(entry.events.filter(kind__in=["notice_given", "revoked"]).values_list("pk"))
    issue_revocation_letters([pk for (pk,) in events])
    assert issue_owed_letters() == {"issued": 0}
    assert Letter.objects.filter(case=case).count() == 3
    assert CaseEvent.objects.filter(case=case, action="letter_issued").count() == 3
    # Checkable, and in the letters register with their hash.
    assert letters.verify(bytes(revoked.pdf)) == revoked
    assert letters.find(case.reference, notice.sha256) == notice
    officer = person_with("casework_officer")
    assert {notice, revoked} <= set(issued_letters(officer))


def told(step, *args, **kwargs):
    """The e-mails queued by a step of revocation and the letter it issued."""
    before = list(OutboxMessage.objects.values_list("pk", flat=True))
    step(*args, **kwargs)
    return OutboxMessage.objects.exclude(pk__in=before).order_by("pk")


def test_each_step_of_revocation_is_told_in_one_email_that_links_its_letter(
    entry, official, monkeypatch, django_capture_on_commit_callbacks
):
    """The register's news and the letter's link in one e-mail per contact,
    not two."""
    eager(monkeypatch)
    case = entry.case
    contacts = contact_addresses(case.organisation_id)
    assert len(contacts) > 1
    status_link = reverse("proposal-status", args=[case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sent = told(revocation.give_notice, entry, reason=REASON, actor=official)
    notice = Letter.objects.get(case=case, purpose=LetterPurpose.REVOCATION_NOTICE)
    key = f"letter:{case.pk}:{notice.occasion}"
    assert sorted(sent.values_list("to", "key")) == [(to, key) for to in contacts]
    entry.refresh_from_db()
    due = entry.response_due
    for message in sent:
        assert message.subject == "Notice that your accreditation may be revoked"
        # The heading is the subject, without the service's name.
        assert f"– {settings.SERVICE_NAME}" not in message.html_body
        for body in (message.body, message.html_body):
            assert REASON in body
            assert f"until {clock.describe(due)} (UK time)" in body
            assert "stays on the public register" in body
            assert status_link in body and reverse("letter-check") in body
            # Answered through the service, never to the no-reply address.
            assert reverse("provider-entry") in body and "replying" not in body

    with time_machine.travel(entry.response_due + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            sent = told(revocation.revoke, entry, reason=DECISION, actor=official)
    revoked = Letter.objects.get(case=case, purpose=LetterPurpose.REVOCATION)
    key = f"letter:{case.pk}:{revoked.occasion}"
    assert sorted(sent.values_list("to", "key")) == [(to, key) for to in contacts]
    for message in sent:
        assert message.subject == "Your accreditation has been revoked"
        assert f"– {settings.SERVICE_NAME}" not in message.html_body
        for body in (message.body, message.html_body):
            assert DECISION in body and REASON not in body
            assert "removed from the public register" in body
            assert status_link in body


def test_the_notice_email_gives_the_end_of_the_response_period_to_the_minute(
    entry, official, monkeypatch, django_capture_on_commit_callbacks
):
    """A notice given at 5:09:48pm ends 28 days later at 5:09:48pm: the
    e-mail says 5:09pm, never a time after a response is refused, and no
    seconds."""
    eager(monkeypatch)
    with (
        time_machine.travel("2026-06-01T17:09:48+01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = told(revocation.give_notice, entry, reason=REASON, actor=official)
    assert sent
    for message in sent:
        for body in (message.body, message.html_body):
            assert "You can respond until 5:09pm on 29 June 2026 (UK time)." in body
            assert "5:09:48" not in body


def test_a_notice_whose_task_was_lost_is_issued_by_the_sweeper_as_it_was_given(entry, official):
    revocation.give_notice(entry, reason=REASON, actor=official)
    revocation.withdraw_notice(entry, actor=official)  # before the worker ran
    assert len(letters.owed_revocation_letters()) == 1
    assert issue_owed_letters() == {"issued": 1}
    notice = Letter.objects.get(purpose=LetterPurpose.REVOCATION_NOTICE)
    assert REASON in text_of(bytes(notice.pdf))
    assert list(letters.owed_revocation_letters()) == []


def test_the_organisation_and_staff_download_the_notice(client, entry, official):
    revocation.give_notice(entry, reason=REASON, actor=official)
    issue_owed_letters()
    notice = Letter.objects.get(purpose=LetterPurpose.REVOCATION_NOTICE)
    case = entry.case
    client.force_login(MembershipFactory(organisation=case.organisation).user)
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    url = reverse("letter-download", args=[case.pk, notice.pk])
    assert "Download your notice of revocation (PDF)" in status and url in status
    assert client.get(url).content == bytes(notice.pdf)
    client.logout()
    sign_in_verified(client, person_with("casework_officer"))
    assert client.get(reverse("staff-letter-download", args=[case.pk, notice.pk])).content == (
        bytes(notice.pdf)
    )
    assert CaseEvent.objects.filter(case=case, action="letter_downloaded").count() == 2
    client.logout()
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404


def test_a_notice_is_kept_from_the_letter_check_of_the_decision_and_its_withdrawal_is_said(
    client, entry, official
):
    """The register keeps notices to the provider: whoever checks its
    decision letter (a local authority, say) is not told of one. The notice
    itself, checked or listed, says when it was withdrawn."""
    decision = Letter.objects.get(case=entry.case, purpose=LetterPurpose.DECISION)
    with time_machine.travel(clock.now() + timedelta(days=1)):
        revocation.give_notice(entry, reason=REASON, actor=official)
        issue_owed_letters()
    notice = Letter.objects.get(purpose=LetterPurpose.REVOCATION_NOTICE)
    withdrawn_on = clock.now() + timedelta(days=3)
    with time_machine.travel(withdrawn_on):
        revocation.withdraw_notice(entry, actor=official)
    check = reverse("letter-check")
    page = client.post(check, {"reference": entry.case.reference, "sha256": decision.sha256}).text
    assert "This is a letter we issued" in page
    assert 'id="later-letter"' not in page and "revocation" not in page.lower()
    said = f"This notice was withdrawn on {withdrawn_on:%-d %B %Y}."
    page = client.post(check, {"reference": entry.case.reference, "sha256": notice.sha256}).text
    assert said in page
    client.force_login(MembershipFactory(organisation=entry.case.organisation).user)
    status = client.get(reverse("proposal-status", args=[entry.case.pk])).text
    assert said in status
    client.logout()
    sign_in_verified(client, person_with("casework_officer"))
    assert said in client.get(reverse("staff-case", args=[entry.case.pk])).text


def test_once_revoked_the_applicant_no_longer_reads_accredited(client, entry, official):
    case = entry.case
    member = MembershipFactory(organisation=case.organisation).user
    client.force_login(member)
    dashboard = reverse("proposal-dashboard")
    status = reverse("proposal-status", args=[case.pk])
    assert ">Accredited</strong>" in client.get(dashboard).text
    entry = revocation.give_notice(entry, reason=REASON, actor=official)
    with time_machine.travel(entry.response_due + timedelta(minutes=1)):
        revocation.revoke(entry, reason=DECISION, actor=official)
        revoked_on = clock.now()
    for url in (dashboard, status):
        page = client.get(url).text
        assert ">Accreditation revoked</strong>" in page and ">Accredited</strong>" not in page
    assert (
        f"Your organisation’s accreditation was revoked on {revoked_on:%-d %B %Y}"
        in client.get(status).text
    )
