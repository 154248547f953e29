"""Concerns in writing: raised by the organisation within the period after
its feedback or screening letter (text and documents checked as evidence
is), one per letter, never silently lost; decided by a decision official
with no part in the case: not upheld (a response letter, issued once) or
upheld (the case returns to screening or to assessment, where its earlier
assessors cannot be assigned again, and is decided and lettered again)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from accreditation import clock
from accreditation.models import CaseEvent, OutboxMessage
from accreditation.queries.cases import visible_to
from accreditation.roles import Role
from accreditation.workflow import Action, GuardFailed, Status, allowed_actions, move
from advisory_group.models import AgendaItem, FeedbackOutcome, ItemPurpose
from advisory_group.queries.agenda import waiting
from advisory_group.services.advice import review_feedback
from assessments.models import Assignment
from assessments.queries.scoring import items_of
from assessments.queries.screening import queue as screening_queue
from assessments.services import assignment as assignment_services
from assessments.services.recommendation import recommend
from feedback.models import Concern, ConcernDocument, ConcernState, Letter, LetterPurpose
from feedback.services import concerns, letters
from feedback.tasks import issue_concern_responses, issue_letters, issue_owed_letters
from tests.casework import person_with, sign_in_verified, walk_to
from tests.factories import ConflictFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.scoring_helpers import score
from tests.test_letters import assert_accessible, assessed_not_to_accredit, decide, eager, text_of
from tests.test_staff_homes import counts
from tests.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db


# --- Cases with a letter a concern can be about -------------------------------------


def screened_out():
    """A case screened out by a casework officer, its screening letter issued."""
    case = ProposalFactory(status=Status.CLOSED_INELIGIBLE)
    letters.issue(case.pk)
    return case


def not_accredited():
    """A case decided not accredited, its feedback letter issued (stored
    directly: these tests are about the concern, not the letter's text)."""
    case = ProposalFactory(status=Status.NOT_ACCREDITED)
    Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7 fb"
    )
    return case


def member_of(case, **fields):
    return MembershipFactory(organisation=case.organisation, **fields).user


def concern_url(case):
    return reverse("proposal-concern", args=[case.pk])


def raised(case, text="The assessor did not read our answer to 2B."):
    return concerns.raise_concern(case, member_of(case), text)


@pytest.fixture
def decider():
    """A decision official with no part in any case here."""
    return person_with("decision_official", full_name="Chris Concerns")


# --- Raising a concern ---------------------------------------------------------------


def test_the_organisation_raises_a_concern_with_a_document_and_is_told_it_arrived(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    member = member_of(case, is_contact=True)
    client.force_login(member)
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    ends_on = clock.local_date(case.letters.get().issued_at) + timedelta(days=28)
    assert f"you can raise it in writing until {ends_on.day} {ends_on:%B %Y}" in status
    assert concern_url(case) in status
    form = client.get(concern_url(case))
    assert form.status_code == 200
    # GOV.UK's file upload, styled as one.
    assert re.search(r'<input type="file"[^>]*class="[^"]*\bgovuk-file-upload\b', form.text)

    upload = SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        concern_url(case), {"text": "Our answer to 2B was not read.", "documents": [upload]}
    )
    assert response.status_code == 302
    concern = Concern.objects.get(case=case)
    assert (concern.state, concern.raised_by, concern.letter) == (
        ConcernState.OPEN,
        member,
        case.letters.get(),
    )
    document = concern.documents.get()
    assert document.original_name == "scores.pdf"
    assert document.file.read() == pdf_bytes()
    event = CaseEvent.objects.get(case=case, action="concern_raised")
    assert event.actor == member and event.details["documents"] == ["scores.pdf"]
    email = OutboxMessage.objects.get(key=f"concern_raised:{concern.pk}", to=member.email)
    assert "We have received your concern" in email.body
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    assert "Waiting for a decision" in status
    assert "Our answer to 2B was not read." in status
    assert "You raised a concern" in status  # on the history
    assert concern_url(case) not in status


def test_a_file_of_the_wrong_type_is_refused_with_a_clear_message(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    client.force_login(member_of(case))
    upload = SimpleUploadedFile("run-me.exe", b"MZ\x90\x00 not a document")
    response = client.post(concern_url(case), {"text": "Our concern.", "documents": [upload]})
    assert response.status_code == 200
    assert "run-me.exe: The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG" in (
        response.text
    )
    assert "Error: " in response.text
    assert "Our concern." in response.text  # what was typed is kept
    assert not Concern.objects.exists() and not ConcernDocument.objects.exists()


def test_an_empty_file_is_refused_by_its_name(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    client.force_login(member_of(case))
    upload = SimpleUploadedFile("scores.pdf", b"")
    response = client.post(concern_url(case), {"text": "Our concern.", "documents": [upload]})
    assert "scores.pdf: The selected file is empty" in response.text
    assert not Concern.objects.exists()


def test_more_documents_than_a_concern_takes_are_refused_with_the_text_kept(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    client.force_login(member_of(case))
    uploads = [
        SimpleUploadedFile(f"scores-{n}.pdf", pdf_bytes(), content_type="application/pdf")
        for n in range(11)
    ]
    response = client.post(concern_url(case), {"text": "Our concern.", "documents": uploads})
    assert response.status_code == 200
    assert "You can send up to 10 documents with a concern" in response.text
    assert "Our concern." in response.text
    assert not Concern.objects.exists() and not ConcernDocument.objects.exists()


def test_a_request_past_what_the_service_takes_answers_with_the_services_page(client):
    """More files than any form takes, or more form data: refused whole,
    with the service's page saying what to do (never Django's bare 400)."""
    case = not_accredited()
    client.force_login(member_of(case))
    uploads = [SimpleUploadedFile(f"f{n}.pdf", b"%PDF-") for n in range(51)]
    response = client.post(concern_url(case), {"text": "Our concern.", "documents": uploads})
    assert response.status_code == 400
    assert "Sorry, what was sent could not be used" in response.text
    assert "govuk-template" in response.text
    response = client.post(concern_url(case), {"text": "x" * (2 * 1024 * 1024 + 1)})
    assert response.status_code == 400
    assert "Sorry, what was sent could not be used" in response.text
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Enter your concern"), ("x" * 5001, "Your concern must be 5,000 characters or fewer")],
)
def test_a_concern_needs_its_text_and_a_bounded_one(client, text, message):
    case = not_accredited()
    client.force_login(member_of(case))
    response = client.post(concern_url(case), {"text": text})
    assert message in response.text
    assert not Concern.objects.exists()


def test_the_concern_is_counted_not_cut_and_too_long_a_concern_is_kept_to_shorten(client):
    """No maxlength (the browser would cut pasted text silently): the GOV.UK
    character count shows the limit, and the server's error keeps the text."""
    case = not_accredited()
    client.force_login(member_of(case))
    page = client.get(concern_url(case)).text
    assert 'data-module="govuk-character-count" data-maxlength="5000"' in page
    assert "maxlength=" not in page.replace("data-maxlength=", "")
    too_long = "Our answer to 2B was not read. " + "x" * 5000
    response = client.post(concern_url(case), {"text": too_long})
    assert "Your concern must be 5,000 characters or fewer" in response.text
    assert too_long in response.text
    assert not Concern.objects.exists()


def test_a_line_break_counts_one_character_as_the_page_counts_it(client):
    """A browser sends each line break of a textarea as two characters (CR
    LF); the page's character count counts one. A concern at the limit as the
    page counts it is taken, kept with one character a line break."""
    case = not_accredited()
    client.force_login(member_of(case))
    lines = ["Our answer to 2B was not read."] * 160
    text = "\r\n".join(lines) + " " + "x" * (5000 - len("\n".join(lines)) - 1)
    assert len(text.replace("\r\n", "\n")) == 5000 and len(text) > 5000
    response = client.post(concern_url(case), {"text": text})
    assert response.status_code == 302, response.text
    assert Concern.objects.get().text == text.replace("\r\n", "\n")


def test_after_the_period_the_page_says_it_ended_and_why_and_nothing_can_be_sent(client):
    case = screened_out()
    letter = case.letters.get()
    ends_on = concerns.period_ends_on(letter)
    member = member_of(case)
    last_day = clock.at(ends_on, clock.local(letter.issued_at).time())
    with time_machine.travel(last_day, tick=False):
        client.force_login(member)
        page = client.get(concern_url(case))
        assert page.status_code == 200
        # Screened out, never assessed: the hint asks about the screening.
        assert "Say what you think was wrong with how we screened your proposal" in page.text
        assert "the assessment" not in page.text
    with time_machine.travel(last_day + timedelta(days=1), tick=False):
        client.force_login(member)
        ended = f"The period for raising a concern ended on {ends_on.day} {ends_on:%B %Y}"
        status = client.get(reverse("proposal-status", args=[case.pk])).text
        assert ended in status and "within 28 days of our letter" in status
        assert concern_url(case) not in status
        page = client.get(concern_url(case)).text
        assert ended in page and "<textarea" not in page
        response = client.post(concern_url(case), {"text": "Too late?"})
        assert response.status_code == 200 and ended in response.text
        with pytest.raises(concerns.ConcernRefused, match="ended on"):
            concerns.raise_concern(case, member, "Too late?")
    assert not Concern.objects.exists()


@pytest.mark.parametrize("status", [Status.ACCREDITED, Status.AWAITING_DECISION])
def test_no_concern_about_an_accredited_or_undecided_case(client, status):
    case = ProposalFactory(status=status)
    member = member_of(case)
    client.force_login(member)
    assert client.get(concern_url(case)).status_code == 404
    assert client.post(concern_url(case), {"text": "A concern."}).status_code == 404
    assert "Concerns" not in client.get(reverse("proposal-status", args=[case.pk])).text
    with pytest.raises(concerns.ConcernRefused, match="only about a feedback or screening"):
        concerns.raise_concern(case, member, "A concern.")


def test_a_second_concern_about_the_same_letter_is_refused(client):
    """One concern per letter (the SPEC's 'concerns in writing' about the
    letter's outcome): while it waits, and after it is decided."""
    case = not_accredited()
    first = raised(case)
    member = member_of(case)
    client.force_login(member)
    page = client.get(concern_url(case)).text
    assert "It is waiting for a decision: you can raise one concern about each letter" in page
    # Sent from a page opened before the first was raised: not sent, and
    # shown back so nothing written is lost.
    response = client.post(concern_url(case), {"text": "And another thing.\nIn two lines."})
    assert "You cannot raise a concern now" in response.text
    assert "Your concern was not sent." in response.text
    assert "And another thing.<br>In two lines." in response.text
    with pytest.raises(concerns.ConcernRefused, match="waiting for a decision"):
        concerns.raise_concern(case, member, "And another thing.")
    assert list(Concern.objects.all()) == [first]


def test_a_concern_refused_while_it_waited_is_shown_back(client, monkeypatch):
    """Raised by someone else the moment before: the page says so and shows
    what was written."""
    case = not_accredited()
    client.force_login(member_of(case))

    def refused(*args):
        raise concerns.ConcernRefused("A concern about this letter has just been raised by someone")

    monkeypatch.setattr(concerns, "raise_concern", refused)
    response = client.post(concern_url(case), {"text": "The assessor missed 2B."})
    assert "You cannot raise a concern now" in response.text
    assert "A concern about this letter has just been raised by someone." in response.text
    assert "Your concern was not sent." in response.text
    assert "The assessor missed 2B." in response.text


def test_another_organisation_gets_404(client):
    case = not_accredited()
    outsider = MembershipFactory().user
    client.force_login(outsider)
    assert client.get(concern_url(case)).status_code == 404
    assert client.post(concern_url(case), {"text": "Not ours."}).status_code == 404
    with pytest.raises(PermissionDenied):
        concerns.raise_concern(case, outsider, "Not ours.")
    assert not Concern.objects.exists()


# --- Who decides ---------------------------------------------------------------------------


def decide_url(concern):
    return reverse("staff-concern", args=[concern.pk])


def test_the_assessor_of_the_case_cannot_decide_its_concern(client):
    case = not_accredited()
    concern = raised(case)
    assessor = case.assignments.get().assessor
    assessor.groups.add(*UserFactory(roles=[Role.DECISION_OFFICIAL]).groups.all())
    assert not assessor.has_perm("feedback.decide_concern", case)
    with pytest.raises(PermissionDenied):
        concerns.decide(concern, assessor, upheld=True, response="Looks wrong.")
    sign_in_verified(client, assessor)
    response = client.post(decide_url(concern), {"outcome": "upheld", "response": "Wrong."})
    assert response.status_code in (403, 404)
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN


def test_whoever_decided_or_screened_out_the_case_cannot_decide_its_concern(client):
    decided = not_accredited()
    official = CaseEvent.objects.get(case=decided, action=Action.NOT_ACCREDIT).actor
    concern = raised(decided)
    sign_in_verified(client, official)
    page = client.get(decide_url(concern))
    assert page.status_code == 200 and "<textarea" not in page.text
    assert client.post(decide_url(concern), {"outcome": "upheld", "response": "x"}).status_code == (
        403
    )
    case = screened_out()
    officer = CaseEvent.objects.get(case=case, action=Action.SCREEN_INELIGIBLE).actor
    officer.groups.add(*UserFactory(roles=[Role.DECISION_OFFICIAL]).groups.all())
    assert not officer.has_perm("feedback.decide_concern", case)


def test_staff_in_conflict_cannot_see_or_decide(client, decider):
    case = not_accredited()
    concern = raised(case)
    MembershipFactory(organisation=case.organisation, user=decider)
    sign_in_verified(client, decider)
    assert client.get(decide_url(concern)).status_code == 404
    assert not decider.has_perm("feedback.decide_concern", case)


def test_an_official_with_no_part_decides_not_upheld_and_the_response_letter_is_issued_once(
    client, decider, monkeypatch, django_capture_on_commit_callbacks
):
    eager(monkeypatch)
    case = not_accredited()
    member_of(case, is_contact=True, user__email="head@example.org")
    concern = raised(case, text="The assessor did not read our answer to 2B.")
    # The official sees the case while its concern waits, and the concern.
    assert visible_to(decider).filter(pk=case.pk).exists()
    sign_in_verified(client, decider)
    listing = client.get(reverse("staff-concerns")).text
    assert decide_url(concern) in listing
    case_page = client.get(reverse("staff-case", args=[case.pk])).text
    assert "You can decide it" in case_page
    assert '<a class="govuk-link" href="#concerns">Concerns</a>' in case_page
    response = client.post(decide_url(concern), {"outcome": "not_upheld", "response": ""})
    assert "Enter your response to the organisation" in response.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(concern),
            {"outcome": "not_upheld", "response": "The assessor read and scored every answer."},
        )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.state, concern.decided_by) == (ConcernState.NOT_UPHELD, decider)
    letter = Letter.objects.get(case=case, purpose=LetterPurpose.CONCERN_RESPONSE)
    assert (letter.concern, letter.signatory) == (concern, decider)
    assert_accessible(bytes(letter.pdf), f"Our response to your concern: {case.reference}")
    text = text_of(bytes(letter.pdf))
    for expected in (
        case.reference,
        case.organisation.name,
        "Chris Concerns",
        "The assessor did not read our answer to 2B.",
        "The assessor read and scored every answer.",
    ):
        assert expected in text
    assert OutboxMessage.objects.filter(
        to="head@example.org", key=f"letter:{case.pk}:concern:{concern.pk}"
    ).exists()
    assert CaseEvent.objects.filter(case=case, action="concern_not_upheld", actor=decider)
    # Again, the sweeper, and a second decision: nothing new.
    issue_concern_responses([concern.pk])
    assert issue_owed_letters() == {"issued": 0}
    with pytest.raises(concerns.ConcernRefused, match="already been decided"):
        concerns.decide(concern, decider, upheld=True, response="Changed my mind.")
    # A second decision from a page loaded before the first: told, nothing changed.
    response = client.post(decide_url(concern), {"outcome": "upheld", "response": "Upheld."})
    assert response.status_code == 409
    assert "already been decided" in response.text
    assert Letter.objects.filter(case=case, purpose=LetterPurpose.CONCERN_RESPONSE).count() == 1
    assert Letter.objects.filter(case=case).count() == 2
    assert case.status == Status.NOT_ACCREDITED
    # The applicant sees the state and downloads the letter; no new concern.
    client.force_login(member_of(case))
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    assert "Not upheld" in status and "Download your concern response letter (PDF)" in status
    assert "has been decided: you can raise one concern about each letter" in (
        client.get(concern_url(case)).text
    )
    assert letters.verify(bytes(letter.pdf)) == letter


def test_an_official_deciding_an_upheld_concern_from_an_older_page_is_told_not_refused(
    client, decider, monkeypatch
):
    """Upheld, the case goes back to be assessed, where decision officials
    do not follow it; both officials still read the concern, and the second
    is told it was decided, not shown a page that is not there."""
    eager(monkeypatch)
    case = not_accredited()
    concern = raised(case)
    other = person_with("decision_official", full_name="Dana Second")
    sign_in_verified(client, other)
    assert client.get(decide_url(concern)).status_code == 200
    concerns.decide(concern, decider, upheld=True, response="The scores of 2B were wrong.")
    sent = {"outcome": "not_upheld", "response": "Our reading of 2B stands."}
    response = client.post(decide_url(concern), sent)
    assert response.status_code == 409
    assert "This concern has already been decided. Nothing was changed." in response.text
    # What they wrote, shown back to copy.
    assert "Our reading of 2B stands." in response.text.split("What you wrote is below")[1]
    assert client.get(decide_url(concern)).status_code == 200
    concern.refresh_from_db()
    assert concern.state == ConcernState.UPHELD
    sign_in_verified(client, decider)
    assert client.get(decide_url(concern)).status_code == 200
    # The case itself, back in assessment, is not the other official's to follow.
    assert not visible_to(other).filter(pk=case.pk).exists()
    sign_in_verified(client, other)
    assert client.get(reverse("staff-case", args=[case.pk])).status_code == 404


def test_a_response_letter_whose_task_was_lost_is_issued_by_the_sweeper(decider):
    case = not_accredited()
    concern = raised(case)
    concerns.decide(concern, decider, upheld=False, response="No.")  # no on_commit: task lost
    assert list(letters.owed_concern_responses()) == [concern.pk]
    assert issue_owed_letters() == {"issued": 1}
    assert list(letters.owed_concern_responses()) == []
    assert Letter.objects.get(concern=concern).signatory == decider


# --- Upheld ----------------------------------------------------------------------------------


def test_upheld_about_an_assessment_the_case_is_reassessed_by_someone_else_and_lettered_again(
    decider, monkeypatch, django_capture_on_commit_callbacks
):
    eager(monkeypatch)
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    earlier = case.assignments.get().assessor
    with django_capture_on_commit_callbacks(execute=True):
        move(
            case,
            Action.NOT_ACCREDIT,
            person_with("decision_official"),
            details={"reason": "Pupil achievement is not shown."},
        )
    # (The feedback letter waits for approved feedback: stored here directly.)
    first = Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7 first"
    )
    concern = raised(case)
    concerns.decide(concern, decider, upheld=True, response="The scores of 2B were wrong.")
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT
    event = CaseEvent.objects.get(case=case, action=Action.UPHOLD_CONCERN)
    assert event.actor == decider and event.details["reason"] == "The scores of 2B were wrong."
    assert OutboxMessage.objects.filter(key=f"concern_upheld:{concern.pk}").exists()
    # The earlier assessor's assignment ended and they cannot be assigned again.
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()
    officer = person_with("casework_officer")
    with pytest.raises(assignment_services.AssignmentRefused, match="before a concern"):
        assignment_services.assign(case, earlier, "first", officer)
    assignment_services.assign(case, person_with("assessor"), "first", officer)
    # Decided again (accredited this time): the earlier round's letter does
    # not stop a correction before the new one is issued...
    walk_to(case, Status.ACCREDITED)
    official = CaseEvent.objects.filter(case=case, action=Action.ACCREDIT).get().actor
    assert "correct_decision" in allowed_actions(case, official)
    # ...and the new decision gets its letter, exactly once.
    assert issue_letters([case.pk]) == {"issued": 1}
    second = Letter.objects.get(case=case, purpose=LetterPurpose.DECISION)
    with pytest.raises(
        GuardFailed, match="decision has been issued, so the decision can no longer"
    ):
        move(case, Action.CORRECT_DECISION, official, details={"reason": "Wrong."})
    assert (second.decision_round, second.occasion) == (1, "decision:1")
    issue_letters([case.pk])
    issue_owed_letters()
    assert letters.issue(case.pk) == second
    assert list(Letter.objects.filter(case=case).order_by("pk")) == [first, second]
    assert CaseEvent.objects.filter(case=case, action="letter_issued").count() == 1
    assert bytes(Letter.objects.get(pk=first.pk).pdf) == b"%PDF-1.7 first"


def test_upheld_about_screening_the_case_is_screened_again_by_someone_else(
    decider, monkeypatch, django_capture_on_commit_callbacks
):
    eager(monkeypatch)
    case = screened_out()
    earlier = CaseEvent.objects.get(case=case, action=Action.SCREEN_INELIGIBLE).actor
    concern = raised(case)
    concerns.decide(concern, decider, upheld=True, response="Its partnership was missed.")
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    # The officer who screened it out is not the one who screens it again.
    assert not earlier.has_perm("assessments.screen_case", case)
    assert case not in screening_queue(earlier)
    other = person_with("casework_officer")
    assert other.has_perm("assessments.screen_case", case)
    assert case in screening_queue(other)
    # Screened out again, by the other officer: a second screening letter, once.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        move(case, Action.SCREEN_INELIGIBLE, other, details={"reason": "Still no partnership."})
    issue_letters([case.pk])
    assert issue_owed_letters() == {"issued": 0}
    screening = Letter.objects.filter(case=case, purpose=LetterPurpose.SCREENING)
    assert list(screening.values_list("decision_round", flat=True).order_by("pk")) == [0, 1]
    assert "Still no partnership." in text_of(bytes(screening.get(decision_round=1).pdf))
    # A new letter opens a new period: a concern about it can be raised.
    assert concerns.window(case).is_open


def test_upheld_about_screening_and_found_eligible_the_screening_letter_stays_listed(
    client, decider, django_capture_on_commit_callbacks
):
    case = screened_out()
    member = member_of(case, is_contact=True)
    with django_capture_on_commit_callbacks(execute=True):
        concern = raised(case)
        concerns.decide(concern, decider, upheld=True, response="Its partnership was missed.")
    email = OutboxMessage.objects.get(key=f"concern_upheld:{concern.pk}", to=member.email)
    assert "If it is eligible, it will be assessed and decided" in email.body
    assert "decided again" not in email.body
    with transaction.atomic():
        move(case, Action.SCREEN_ELIGIBLE, person_with("casework_officer"))
    sign_in_verified(client, member)
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    letter = Letter.objects.get(case=case, purpose=LetterPurpose.SCREENING)
    assert "Download your screening letter (PDF)" in status
    assert reverse("letter-download", args=[case.pk, letter.pk]) in status
    # It no longer gives the outcome: said beside it, and to whoever checks it.
    concern.refresh_from_db()
    said = (
        "This letter no longer gives the outcome: on "
        f"{concern.decided_at:%-d %B %Y} the proposal was sent back to be looked at again."
    )
    assert said in status
    client.logout()
    check = {"reference": case.reference, "sha256": letter.sha256}
    assert said in client.post(reverse("letter-check"), check).text


# --- The list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 4])
def test_the_concerns_list_makes_the_same_queries_at_any_size(
    client, count, django_assert_num_queries
):
    made = [raised(not_accredited()) for _ in range(count)]
    sign_in_verified(client, person_with("casework_officer"))
    url = reverse("staff-concerns")
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    for concern in made:
        assert decide_url(concern) in response.text


def test_the_list_shows_waiting_concerns_unless_filtered(client, decider):
    waiting, decided = raised(not_accredited()), raised(not_accredited())
    concerns.decide(decided, decider, upheld=False, response="No.")
    sign_in_verified(client, person_with("casework_officer"))
    url = reverse("staff-concerns")
    text = client.get(url).text
    assert decide_url(waiting) in text and decide_url(decided) not in text
    text = client.get(url, {"state": "not_upheld"}).text
    assert decide_url(waiting) not in text and decide_url(decided) in text
    text = client.get(url, {"state": "nonsense"}).text
    assert "Error: " in text


def test_only_casework_officers_and_decision_officials_use_the_list(client):
    sign_in_verified(client, person_with("assessor"))
    assert client.get(reverse("staff-concerns")).status_code == 403
    client.logout()
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("staff-concerns")).status_code == 403


def test_staff_download_a_concerns_document_on_the_timeline(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    upload = SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf")
    checked = concerns.validate_uploads([upload])
    concern = concerns.raise_concern(case, member_of(case), "See attached.", checked)
    document = concern.documents.get()
    officer = person_with("casework_officer")
    sign_in_verified(client, officer)
    url = reverse("staff-concern-document", args=[concern.pk, document.pk])
    assert url in client.get(decide_url(concern)).text
    response = client.get(url)
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert CaseEvent.objects.filter(
        case=case, action="concern_document_downloaded", actor=officer
    ).exists()


def with_document(case):
    upload = SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf")
    return concerns.raise_concern(
        case, member_of(case), "Our answer to 2B was not read.", concerns.validate_uploads([upload])
    )


def reads(client, person, concern):
    """What ``person`` gets at the concern's page and its document's address,
    and whether the case page links to the concern."""
    sign_in_verified(client, person)
    document = concern.documents.get()
    page = client.get(decide_url(concern))
    download = client.get(reverse("staff-concern-document", args=[concern.pk, document.pk]))
    case_page = client.get(reverse("staff-case", args=[concern.case_id]))
    linked = case_page.status_code == 200 and decide_url(concern) in case_page.text
    return page, download, linked


def test_the_assessor_reassessing_after_an_upheld_concern_reads_it_and_its_documents(
    client, decider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    earlier = case.assignments.get().assessor
    concern = with_document(case)
    # Open: not for the assessor whose work it is about, though still on the case.
    page, download, linked = reads(client, earlier, concern)
    assert (page.status_code, download.status_code, linked) == (404, 404, False)

    concerns.decide(concern, decider, upheld=True, response="The scores of 2B were wrong.")
    newcomer = person_with("assessor")
    officer = person_with("casework_officer")
    assignment_services.assign(case, newcomer, "first", officer)
    second = person_with("second_assessor", case)

    for assessor in (newcomer, second):
        page, download, linked = reads(client, assessor, concern)
        assert linked
        assert page.status_code == 200
        assert "Our answer to 2B was not read." in page.text
        assert "The scores of 2B were wrong." in page.text
        assert "scores.pdf" in page.text
        # No link to the concerns list, which is not theirs to use.
        assert reverse("staff-concerns") + '"' not in page.text
        assert reverse("staff-case", args=[case.pk]) in page.text
        assert "<textarea" not in page.text
        assert b"".join(download.streaming_content) == pdf_bytes()
        assert CaseEvent.objects.filter(
            case=case, action="concern_document_downloaded", actor=assessor
        ).exists()
        # Reading is all: deciding it again is refused.
        assert client.post(
            decide_url(concern), {"outcome": "upheld", "response": "x"}
        ).status_code in (
            403,
            404,
        )
    # Off the case: the earlier assessor, and an assessor of another case.
    for outsider in (earlier, person_with("assessor", not_accredited())):
        page, download, linked = reads(client, outsider, concern)
        assert (page.status_code, download.status_code, linked) == (404, 404, False)
    # An applicant of the organisation uses its own pages, not the staff area.
    client.force_login(member_of(case))
    assert client.get(decide_url(concern)).status_code == 403


def test_an_assessor_still_on_the_case_does_not_read_a_concern_not_upheld(
    client, decider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    assessor = case.assignments.get().assessor
    concern = with_document(case)
    concerns.decide(concern, decider, upheld=False, response="The scores stand.")
    page, download, linked = reads(client, assessor, concern)
    assert (page.status_code, download.status_code, linked) == (404, 404, False)
    with pytest.raises(PermissionDenied):
        concerns.open_document(concern.documents.get(), user=assessor)


def test_the_assessor_in_conflict_does_not_read_the_upheld_concern(
    client, decider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    concern = with_document(case)
    concerns.decide(concern, decider, upheld=True, response="The scores of 2B were wrong.")
    newcomer = person_with("assessor")
    assignment_services.assign(case, newcomer, "first", person_with("casework_officer"))
    ConflictFactory(user=newcomer, organisation=case.organisation)
    page, download, _ = reads(client, newcomer, concern)
    assert (page.status_code, download.status_code) == (404, 404)


def test_the_organisation_downloads_again_the_documents_it_sent_from_the_status_page(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    uploads = [
        SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf"),
        SimpleUploadedFile("minutes.pdf", pdf_bytes(10), content_type="application/pdf"),
    ]
    member = member_of(case)
    concern = concerns.raise_concern(
        case, member, "See attached.", concerns.validate_uploads(uploads)
    )
    colleague = member_of(case)
    client.force_login(colleague)
    status = client.get(reverse("proposal-status", args=[case.pk])).text
    for document, content in zip(
        concern.documents.all(), [pdf_bytes(), pdf_bytes(10)], strict=True
    ):
        url = reverse("proposal-concern-document", args=[case.pk, document.pk])
        assert f'href="{url}">{document.original_name}</a>' in status
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"].startswith("attachment")
        assert CaseEvent.objects.filter(
            case=case,
            action="concern_document_downloaded",
            actor=colleague,
            details__document=document.pk,
        ).exists()


def test_another_organisation_gets_404_on_a_concerns_document(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    upload = SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf")
    concern = concerns.raise_concern(
        case, member_of(case), "See attached.", concerns.validate_uploads([upload])
    )
    document = concern.documents.get()
    other = not_accredited()
    outsider = member_of(other)
    client.force_login(outsider)
    # Neither at its own case's address nor at the concern's case's.
    for case_id in (case.pk, other.pk):
        url = reverse("proposal-concern-document", args=[case_id, document.pk])
        assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        concerns.open_document(document, user=outsider)
    assert not CaseEvent.objects.filter(action="concern_document_downloaded").exists()


def test_a_concern_full_of_html_long_words_and_right_to_left_text_is_printed_safely(decider):
    case = not_accredited()
    long_word = "y" * 300
    text = f'<script>alert("x")</script> <img src=http://127.0.0.1:9/x.png> {long_word} שלום'
    concern = raised(case, text=text)
    concerns.decide(concern, decider, upheld=False, response=f"<b>No.</b> {long_word}")
    letter = letters.issue_concern_response(concern.pk)
    printed = text_of(bytes(letter.pdf))
    assert '<script>alert("x")</script>' in printed and "<b>No.</b>" in printed
    assert printed.replace(" ", "").count("y" * 300) >= 2  # wrapped, never cut
    assert Concern.objects.get(pk=concern.pk).text == text  # stored as written


def test_reassessed_not_to_accredit_the_new_feedback_is_reviewed_and_lettered_again(decider):
    """The feedback approved for the first decision is not the second's: the
    case goes back to the Advisory Group for its new feedback, and its new
    feedback letter is built from that, once."""
    case = ProposalFactory(status=Status.IN_ASSESSMENT)
    assessed_not_to_accredit(case)
    official = person_with("decision_official")
    decide(case, Action.NOT_ACCREDIT, official)
    first = letters.issue(case.pk)
    assert first.purpose == LetterPurpose.FEEDBACK
    concerns.decide(raised(case), decider, upheld=True, response="2B was misread.")
    # The new assessor scores again, with new feedback, and recommends.
    assessor = person_with("assessor", case)
    for item in items_of(case):
        score(case, assessor, item, 2, feedback=f"New feedback on {item.criterion.code}.")
    recommend(
        case,
        recommendation="not_accredit",
        reasoning="Still no criterion met.",
        departure_reason="",
        actor=assessor,
    )
    # Its new feedback goes on the group's agenda (the first was approved).
    item = AgendaItem.objects.get(case=case, purpose=ItemPurpose.FEEDBACK, outcome="")
    review_feedback(
        item,
        outcome=FeedbackOutcome.APPROVED,
        comment="",
        actor=item.meeting.chair,
        by_correspondence=True,
    )
    assert waiting([case.pk]) == []
    decide(case, Action.NOT_ACCREDIT, official)
    second = letters.issue(case.pk)
    assert (second.purpose, second.decision_round) == (LetterPurpose.FEEDBACK, 1)
    assert letters.issue(case.pk) == second
    text = text_of(bytes(second.pdf))
    assert "New feedback on 1A." in text and "Feedback on 1A for the lead party." not in text
    assert "New feedback on 1A." not in text_of(bytes(Letter.objects.get(pk=first.pk).pdf))


def test_once_a_concern_is_upheld_the_new_decisions_letters_can_be_previewed_again(client, decider):
    case = not_accredited()
    sign_in_verified(client, person_with("casework_officer"))
    preview = reverse("letter-preview", args=[case.pk, LetterPurpose.FEEDBACK])
    assert client.get(preview).status_code == 404  # issued for this decision
    concerns.decide(raised(case), decider, upheld=True, response="The scores of 2B were wrong.")
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT
    page = client.get(reverse("staff-case", args=[case.pk])).text
    assert preview in page
    assert client.get(preview).status_code == 200


def test_a_case_to_screen_again_says_so_on_its_pages_and_waits_for_another_officer(client, decider):
    case = screened_out()
    earlier = CaseEvent.objects.get(case=case, action=Action.SCREEN_INELIGIBLE).actor
    concerns.decide(raised(case), decider, upheld=True, response="Its partnership was missed.")
    screen = reverse("screening-case", args=[case.pk])
    # The officer who screened it out is told why they cannot, not shown a 404.
    sign_in_verified(client, earlier)
    page = client.get(screen)
    assert page.status_code == 200
    assert "another casework officer must screen it again" in page.content.decode()
    assert "form" not in page.context
    assert client.post(screen, {"decision": "eligible"}).status_code == 403
    assert counts(client)["Casework officer"]["Cases to screen"][0] == 0
    case_page = client.get(reverse("staff-case", args=[case.pk])).content.decode()
    assert "needs screening again by another casework officer" in case_page
    assert "You screened it out, so you cannot screen it again." in case_page
    # Another officer finds it on their home and in their queue, and screens it.
    other = person_with("casework_officer")
    sign_in_verified(client, other)
    assert counts(client)["Casework officer"]["Cases to screen"][0] == 1
    assert case.reference in client.get(reverse("screening-queue")).content.decode()
    case_page = client.get(reverse("staff-case", args=[case.pk])).content.decode()
    assert f'href="{screen}">Screen this case</a>' in case_page
    assert "form" in client.get(screen).context
    response = client.post(screen, {"decision": "eligible"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT


@pytest.mark.parametrize(
    "make, says",
    [
        (
            screened_out,
            "You can raise a concern about how we screened your proposal, as our "
            "screening letter of",
        ),
        (
            not_accredited,
            "You can raise a concern about the assessment of your proposal or its "
            "result, as our feedback letter of",
        ),
    ],
)
def test_the_concern_page_says_what_the_letter_was_about(client, make, says):
    case = make()
    sign_in_verified(client, member_of(case))
    assert says in client.get(concern_url(case)).text


def test_a_filter_the_concerns_list_cannot_read_is_said_to_be_left_out(client):
    waiting = raised(not_accredited())
    sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-concerns") + "?state=zzz").text
    assert "These filters were left out" in page
    assert "State: Select a state from the list" in page
    assert decide_url(waiting) in page


def test_the_evidence_zip_holds_the_concerns_and_their_documents_its_reader_may_read(
    client, settings, tmp_path
):
    import io
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    case = not_accredited()
    upload = SimpleUploadedFile("scores.pdf", pdf_bytes(), content_type="application/pdf")
    client.force_login(member_of(case))
    sent = {"text": "Our answer to 2B was not read.", "documents": [upload]}
    assert client.post(concern_url(case), sent).status_code == 302

    def names_in(user):
        client.logout()
        response = sign_in_verified(client, user).get(
            reverse("staff-case-evidence-zip", args=[case.pk])
        )
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        return archive, archive.namelist()

    archive, names = names_in(person_with("casework_officer"))
    assert "concerns/concerns.txt" in names and "concerns/01-scores.pdf" in names
    assert "Our answer to 2B was not read." in archive.read("concerns/concerns.txt").decode()
    assert archive.read("concerns/01-scores.pdf") == pdf_bytes()
    assert "concerns/01-scores.pdf  SHA-256 " in archive.read("README.txt").decode()
    # The case's assessor, who does not read an open concern: none in theirs.
    assessor = case.assignments.get().assessor
    _, names = names_in(assessor)
    assert not [name for name in names if name.startswith("concerns/")]
