"""Records retention (issue 13, item 5): the command lists what of a closed
case is past its period and, with --delete, removes it, leaving a tombstone
on the timeline that the chain check accepts."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.http import Http404
from django.test import override_settings

from accreditation import clock
from accreditation.models import CaseEvent, OutboxMessage
from accreditation.services import retention
from assessments.models import RequestDocument, RequestQuestion
from feedback.models import Letter
from feedback.views.letters import pdf_response
from proposals.models import Answer, CoPartner, Evidence, Proposal
from tests.casework import person_with, walk_to
from tests.factories import (
    AnswerFactory,
    CoPartnerFactory,
    EvidenceFactory,
    LetterFactory,
    ProposalFactory,
)
from tests.test_case_page import answer_a_request

pytestmark = pytest.mark.django_db

YEARS = 7


def run(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def verify():
    out = io.StringIO()
    call_command("verify_timeline", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def closed_case(settings, tmp_path):
    """A case decided not accredited, with answers, a document, a request's
    answer and document, and its letter."""
    settings.MEDIA_ROOT = tmp_path
    case = ProposalFactory(status="in_assessment")
    AnswerFactory(proposal=case)
    document = EvidenceFactory(proposal=case)
    request = answer_a_request(
        case, person_with("assessor", case), "How many pupils?", "census.pdf"
    )
    LetterFactory(case=case, purpose="feedback", issued_at=clock.now(), pdf=b"%PDF-1.7 letter")
    case.refresh_from_db()
    case = walk_to(case, "not_accredited")
    return case, document, request


def later(years, days=1):
    return time_machine.travel(clock.now() + timedelta(days=365 * years + 2 + days), tick=False)


def test_nothing_is_listed_or_removed_before_the_period_ends(closed_case):
    case, document, _request = closed_case
    with later(YEARS - 1):
        assert "Nothing is past its retention period." in run("--delete")
    assert Answer.objects.filter(proposal=case).exists()
    assert Evidence.objects.filter(proposal=case).exists()


def test_the_list_changes_nothing(closed_case):
    case, _document, _request = closed_case
    before = CaseEvent.objects.filter(case=case).count()
    with later(YEARS):
        output = run()
    assert case.reference in output
    assert "answers to the criteria, supporting documents" in output
    assert "Run again with --delete" in output
    assert Answer.objects.filter(proposal=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == before


def test_delete_removes_the_records_and_leaves_a_tombstone_the_chain_accepts(
    closed_case, django_capture_on_commit_callbacks
):
    case, document, request = closed_case
    stored = document.file.name
    sent = RequestDocument.objects.get(request=request).file.name
    open_case = ProposalFactory(status="in_assessment")
    AnswerFactory(proposal=open_case)
    with later(YEARS), django_capture_on_commit_callbacks(execute=True):
        output = run("--delete")
    assert "Removed from 1 case(s)" in output

    assert not Answer.objects.filter(proposal=case).exists()
    assert not Evidence.objects.filter(proposal=case).exists()
    assert not document.file.storage.exists(stored)
    assert not RequestQuestion.objects.filter(request=request).exclude(answer="").exists()
    assert not RequestDocument.objects.filter(request=request).exists()
    assert not document.file.storage.exists(sent)
    assert RequestQuestion.objects.filter(request=request).exists()  # staff's questions stay
    letter = Letter.objects.get(case=case)
    assert bytes(letter.pdf) == b"" and letter.sha256  # the check still knows it
    assert Answer.objects.filter(proposal=open_case).exists()  # not closed: kept

    tombstone = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert tombstone.action == "records_removed" and tombstone.actor is None
    assert tombstone.details["removed"] == {
        "answers": 1,
        "documents": 1,
        "information_requests": 2,
        "letters": 1,
        "profile": 1,
    }
    assert "Timeline intact" in verify()
    with later(YEARS):
        assert "Nothing is past its retention period." in run("--delete")


def test_a_period_per_record_type(closed_case):
    case, _document, _request = closed_case
    with override_settings(POLICY={"retention_by_record_type": [["letters", 10]]}):
        with later(YEARS):
            due = retention.past_retention()
    assert [item.record_types for item in due] == [
        ["answers", "documents", "information_requests", "profile"]
    ]


def test_the_submitted_profile_and_the_co_partners_contact_are_removed(
    closed_case, client, django_capture_on_commit_callbacks
):
    """The profile snapshot and the co-partner's contact are personal data
    held with the case: gone with the rest, the co-partner itself kept."""
    from django.urls import reverse

    from tests.casework import sign_in_verified

    case, _document, _request = closed_case
    # A company applying with an educational co-partner.
    type(case.organisation).objects.filter(pk=case.organisation_id).update(
        kind="private_or_third_sector"
    )
    Proposal.objects.filter(pk=case.pk).update(route="with_co_partner")
    CoPartnerFactory(proposal=case, contact_name="Pat Partner", contact_email="pat@example.org")
    assert Proposal.objects.get(pk=case.pk).submitted_profile is not None
    with later(YEARS):
        assert "the organisation's profile as submitted, the co-partner's contact details" in run()
    with later(YEARS), django_capture_on_commit_callbacks(execute=True):
        run("--delete")
    case = Proposal.objects.get(pk=case.pk)
    assert case.submitted_profile is None
    partner = CoPartner.objects.get(proposal=case)
    assert (partner.name, partner.contact_name, partner.contact_email) == (
        "Partner Academy Trust",
        "",
        "",
    )
    tombstone = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert tombstone.details["removed"]["profile"] == 1
    assert tombstone.details["removed"]["co_partner_contact"] == 1
    assert "Timeline intact" in verify()
    page = sign_in_verified(client, person_with("casework_officer")).get(
        reverse("staff-case", args=[case.pk])
    )
    assert "Partner Academy Trust" in page.text and "pat@example.org" not in page.text


def test_e_mails_sent_or_failed_before_the_period_are_deleted():
    """The outbox keeps each message for the period from when it was sent
    (or given up on); one waiting to be sent is never past retention."""
    now = clock.now()
    old = now - timedelta(days=365 * YEARS + 10)
    sent = OutboxMessage.objects.create(to="a@example.org", subject="Old", body="b", sent_at=old)
    failed = OutboxMessage.objects.create(
        to="b@example.org", subject="Failed", body="b", failed_at=old
    )
    recent = OutboxMessage.objects.create(
        to="c@example.org", subject="Recent", body="b", sent_at=now - timedelta(days=365)
    )
    waiting = OutboxMessage.objects.create(
        to="d@example.org", subject="Waiting", body="b", created_at=old, send_after=old
    )
    output = run()
    assert "2 email(s) in the outbox are past retention" in output
    assert OutboxMessage.objects.count() == 4
    assert "Removed 2 email(s) from the outbox." in run("--delete")
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxMessage.objects.filter(pk__in=[sent.pk, failed.pk]).exists()
    assert "Nothing is past its retention period." in run("--delete")


def test_e_mails_follow_their_own_period_when_the_policy_gives_one():
    old = clock.now() - timedelta(days=365 * 3 + 10)
    OutboxMessage.objects.create(to="a@example.org", subject="Old", body="b", sent_at=old)
    assert "Nothing is past its retention period." in run()
    with override_settings(POLICY={"retention_by_record_type": [["emails", 3]]}):
        assert "1 email(s) in the outbox are past retention" in run()


def test_the_case_page_and_the_zip_after_removal(
    closed_case, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.casework import sign_in_verified

    case, _document, _request = closed_case
    with later(YEARS), django_capture_on_commit_callbacks(execute=True):
        run("--delete")
    client = sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-case", args=[case.pk])).text
    assert "Records removed at the end of their retention period" in page
    assert "Chain broken" not in page
    response = client.get(reverse("staff-case-evidence-zip", args=[case.pk]))
    assert response.status_code == 200
    # A letter whose PDF was removed is no longer served, as a download or otherwise.
    letter = Letter.objects.get(case=case)
    with pytest.raises(Http404):
        pdf_response(letter.pdf, letter.filename)
