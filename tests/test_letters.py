"""Letters: rendered with the real WeasyPrint, read back with pypdf (their
text) and pikepdf (their structure); issued once per purpose per case by the
task the workflow's signal schedules; downloaded, previewed, listed and
checked."""

import hashlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pikepdf
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock
from accreditation.celery import app as celery_app
from accreditation.models import CaseEvent, OutboxMessage, User
from accreditation.models.organisations import contact_addresses
from accreditation.queries.cases import visible_to
from accreditation.workflow import Action, GuardFailed, Status, move
from advisory_group.models import FeedbackOutcome, ItemPurpose
from advisory_group.services.advice import review_feedback
from assessments.queries.scoring import items_of
from assessments.services import conflicts
from assessments.services.recommendation import recommend
from feedback.models import Letter, LetterChangeRefused, LetterPurpose
from feedback.queries.register import issued_letters
from feedback.receivers import schedule_letters
from feedback.services import letters
from feedback.tasks import issue_letters, issue_owed_letters
from tests.casework import person_with, sign_in_verified, walk_to
from tests.factories import (
    AgendaItemFactory,
    AnswerFactory,
    CoPartnerFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    WindowFactory,
)
from tests.scoring_helpers import score

pytestmark = pytest.mark.django_db


# --- Reading PDFs back --------------------------------------------------------------


def text_of(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_accessible(data, title):
    """Tagged PDF/UA-1 with its title and language, A4, every font embedded."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo["/Title"]) == title
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
            assert meta.get("dc:title") == title
        fonts = []
        for page in pdf.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            assert (round(width), round(height)) == (595, 842)  # A4 in points
            for font in page.Resources.Font.values():
                for descendant in font.get("/DescendantFonts", [font]):
                    descriptor = descendant.FontDescriptor
                    fonts.append(
                        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                    )
        assert fonts and all(fonts)
        return len(pdf.pages)


# --- Cases, as the service brings them to the point of issue -------------------------


def eager(monkeypatch):
    """The worker runs the task at once, in the test's process."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def assessed_not_to_accredit(case):
    """Scored by its assessor (every criterion not met, with feedback) and
    recommended not to accredit through the services; awaiting decision."""
    assessor = person_with("assessor", case)
    for item in items_of(case):
        AnswerFactory(proposal=case, criterion=item.criterion, party=item.party)
        score(
            case,
            assessor,
            item,
            2,
            feedback=f"Feedback on {item.criterion.code} for the {item.party} party.",
        )
    recommend(
        case,
        recommendation="not_accredit",
        reasoning="No criterion is met.",
        departure_reason="",
        actor=assessor,
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION
    # The Advisory Group's chair approves the feedback between meetings.
    item = AgendaItemFactory(case=case, purpose=ItemPurpose.FEEDBACK)
    review_feedback(
        item,
        outcome=FeedbackOutcome.APPROVED,
        comment="",
        actor=item.meeting.chair,
        by_correspondence=True,
    )
    return case


@pytest.fixture
def official():
    return person_with("decision_official", full_name="Dana Decider")


def decide(case, action, official, reason=""):
    with transaction.atomic():
        move(case, action, official, details={"reason": reason} if reason else {})
    case.refresh_from_db()
    return case


def contact_of(case, email):
    MembershipFactory(organisation=case.organisation, is_contact=True, user__email=email)


# --- Rendering each kind --------------------------------------------------------------


def test_a_feedback_letter_carries_every_criterions_feedback_and_is_accessible(official):
    case = ProposalFactory(
        status=Status.IN_ASSESSMENT,
        organisation__name="Riverside Learning Trust",
        organisation__address="1 River Road\nLeeds\nLS1 1AA",
    )
    assessed_not_to_accredit(case)
    decide(case, Action.NOT_ACCREDIT, official)
    rendered = letters.render(case, LetterPurpose.FEEDBACK)
    title = f"Your proposal has not been accredited: {case.reference}"
    pages = assert_accessible(rendered.pdf, title)
    text = text_of(rendered.pdf)
    assert case.reference in text
    assert "Riverside Learning Trust" in text
    assert "1 River Road" in text
    assert "Department for Education" in text
    assert "Sanctuary Buildings" in text
    assert "Dana Decider" in text
    assert "Not accredited." in text
    assert "accredited only when every criterion that applies to it is met" in " ".join(
        text.split()
    )
    items = items_of(case)
    assert items
    for item in items:
        assert f"{item.criterion.code} {' '.join(item.criterion.title.split())}" in text
        assert f"Feedback on {item.criterion.code} for the lead party." in text
    assert f"Page 1 of {pages}" in text
    assert rendered.signatory == official


def test_a_consortiums_feedback_letter_gives_feedback_per_party(official):
    partner = CoPartnerFactory(name="Partner Academy Trust")
    case = walk_to(partner.proposal, Status.IN_ASSESSMENT)
    assessed_not_to_accredit(case)
    decide(case, Action.NOT_ACCREDIT, official)
    text = text_of(letters.render(case, LetterPurpose.FEEDBACK).pdf)
    assert f"{case.organisation.name} (lead organisation)" in text
    assert "Partner Academy Trust (co-partner)" in text
    for code in ("2A", "2B", "2C"):
        assert f"Feedback on {code} for the co_partner party." in text
        assert f"Feedback on {code} for the lead party." in text


def test_a_decision_letter_says_what_the_provider_can_lead_and_links_the_register(official):
    case = ProposalFactory(status=Status.AWAITING_DECISION, leads_majority_trust=True)
    decide(case, Action.ACCREDIT, official)
    rendered = letters.render(case, LetterPurpose.DECISION)
    assert_accessible(rendered.pdf, f"Your proposal has been accredited: {case.reference}")
    text = text_of(rendered.pdf)
    assert "has been accredited as an Accredited School Provider (ASP)" in text
    assert "a majority trust" in text
    assert "a federation" not in text
    assert "http://localhost:8000/register/" in text
    assert case.organisation.name in text and case.reference in text
    assert official.full_name in text


def test_a_screening_letter_gives_the_reason_and_is_signed_by_the_officer():
    case = ProposalFactory(status=Status.SUBMITTED)
    officer = person_with("casework_officer", full_name="Olu Officer")
    reason = "The organisation leads no school through a formal partnership."
    move(case, Action.SCREEN_INELIGIBLE, officer, details={"reason": reason})
    rendered = letters.render(case, LetterPurpose.SCREENING)
    assert_accessible(rendered.pdf, f"Your proposal is not eligible: {case.reference}")
    text = text_of(rendered.pdf)
    assert reason in text
    assert "Olu Officer" in text
    assert case.reference in text and case.organisation.name in text


def test_a_concern_response_letter_is_signed_by_whoever_decided_the_concern():
    case = ProposalFactory(status=Status.NOT_ACCREDITED)
    decider = person_with("decision_official", full_name="Chris Concerns")
    rendered = letters.render_concern_response(
        case,
        concern="The assessor did not read our answer to 2B.",
        response="The assessor read and scored every answer.",
        signatory=decider,
    )
    assert_accessible(rendered.pdf, f"Our response to your concern: {case.reference}")
    text = text_of(rendered.pdf)
    assert "The assessor did not read our answer to 2B." in text
    assert "The assessor read and scored every answer." in text
    assert "Chris Concerns" in text


def test_applicant_text_is_printed_safely():
    long_word = "x" * 300
    organisation = OrganisationFactory(
        name='<script>alert("x")</script> مدرسة النور',
        address=f"<img src=http://127.0.0.1:9/x.png> {long_word}",
    )
    case = ProposalFactory(status=Status.SUBMITTED, organisation=organisation)
    move(
        case,
        Action.SCREEN_INELIGIBLE,
        person_with("casework_officer"),
        details={"reason": f"<b>bold</b> {long_word} שלום עולם"},
    )
    rendered = letters.render(case, LetterPurpose.SCREENING)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<b>bold</b>" not in rendered.html
    text = text_of(rendered.pdf)
    assert '<script>alert("x")</script>' in text
    assert "<b>bold</b>" in text
    # The long word is wrapped, not cut: every character is on the page.
    assert text.replace(" ", "").count("x" * 300) >= 2


# --- Issuing -----------------------------------------------------------------------------


def test_a_decision_issues_its_letter_once_stored_hashed_on_the_timeline_and_emailed(
    monkeypatch, official, django_capture_on_commit_callbacks
):
    eager(monkeypatch)
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    contact_of(case, "head@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        move(case, Action.ACCREDIT, official)
    letter = Letter.objects.get(case=case)
    assert letter.purpose == LetterPurpose.DECISION
    assert letter.issued_at is not None
    assert letter.signatory == official
    assert letter.sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()
    assert case.reference in text_of(bytes(letter.pdf))
    event = CaseEvent.objects.get(case=case, action="letter_issued")
    assert event.details == {
        "letter": letter.pk,
        "purpose": "decision",
        "name": "Decision letter",
        "occasion": "decision:0",
        "sha256": letter.sha256,
    }
    # The applicant's history says which letter it is.
    client = Client()
    client.force_login(User.objects.get(email="head@example.org"))
    history = client.get(reverse("proposal-status", args=[case.pk])).text
    assert "<strong>Letter issued: decision letter</strong>" in history
    email = OutboxMessage.objects.get(to="head@example.org")
    assert email.key == f"letter:{case.pk}:decision:0"
    assert f"http://localhost:8000/proposals/{case.pk}/status/" in email.body
    emails = OutboxMessage.objects.filter(key__startswith="letter:").count()
    assert emails == len(contact_addresses(case.organisation_id))
    # The task again, the sweeper, and another issue: nothing new.
    issue_letters([case.pk])
    issue_owed_letters()
    assert letters.issue(case.pk) == letter
    assert Letter.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="letter_issued").count() == 1
    assert OutboxMessage.objects.filter(key__startswith="letter:").count() == emails
    # Once issued, the decision stands.
    with pytest.raises(GuardFailed):
        move(case, Action.CORRECT_DECISION, official, details={"reason": "Wrong case."})


def test_a_second_letter_for_the_same_purpose_is_refused_and_an_issued_one_never_changes(
    official,
):
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    decide(case, Action.ACCREDIT, official)
    letter = letters.issue(case.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(case=case, purpose=LetterPurpose.DECISION, pdf=b"%PDF-forged")
    letter.pdf = b"%PDF-rewritten"
    with pytest.raises(LetterChangeRefused):
        letter.save()
    with pytest.raises(LetterChangeRefused):
        letter.delete()
    stored = Letter.objects.get(pk=letter.pk)
    assert bytes(stored.pdf).startswith(b"%PDF-") and b"rewritten" not in bytes(stored.pdf)


def test_a_decision_corrected_before_issue_issues_only_the_corrected_letter(
    monkeypatch, official, django_capture_on_commit_callbacks
):
    case = ProposalFactory(status=Status.IN_ASSESSMENT)
    assessed_not_to_accredit(case)
    decide(case, Action.ACCREDIT, official, reason="The group was persuaded.")
    # Corrected before the worker ran: the letter is the standing decision's.
    eager(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        move(case, Action.CORRECT_DECISION, official, details={"reason": "Wrong outcome."})
    assert list(Letter.objects.filter(case=case).values_list("purpose", flat=True)) == ["feedback"]
    # The task scheduled by the first decision runs late: nothing more.
    issue_letters([case.pk])
    assert Letter.objects.filter(case=case).count() == 1
    text = text_of(bytes(Letter.objects.get(case=case).pdf))
    assert "it has not been accredited" in text
    assert "Wrong outcome." not in text  # why the record was corrected stays internal


def test_screening_out_issues_the_screening_letter(monkeypatch, django_capture_on_commit_callbacks):
    eager(monkeypatch)
    case = ProposalFactory(status=Status.SUBMITTED)
    contact_of(case, "bursar@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(case, Status.CLOSED_INELIGIBLE)
    letter = Letter.objects.get(case=case)
    assert letter.purpose == LetterPurpose.SCREENING
    assert "does not lead improvement in any school" in text_of(bytes(letter.pdf))
    assert OutboxMessage.objects.filter(to="bursar@example.org", key__startswith="letter:")


def test_a_feedback_letter_waits_for_the_feedback_it_is_built_from(official):
    """Decided against a recommendation to accredit: no feedback to send yet
    (the assessor writes it from the official's reasons), so no letter."""
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    decide(case, Action.NOT_ACCREDIT, official, reason="Pupil achievement is not shown.")
    assert letters.issue(case.pk) is None
    assert issue_owed_letters() == {"issued": 0}
    assert not Letter.objects.exists()
    preview = text_of(letters.render(case, LetterPurpose.FEEDBACK, preview=True).pdf)
    assert "No feedback has been approved for this letter yet." in preview
    assert "Pupil achievement is not shown." in preview


def test_cases_decided_at_once_are_shared_among_tasks_of_ten(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A batch decided at once is issued by several tasks, so every worker
    takes a share of it."""
    sent = []
    monkeypatch.setattr(
        "feedback.tasks.issue_letters.apply_async", lambda args, **options: sent.append(args[0])
    )
    cases = [SimpleNamespace(pk=pk) for pk in range(1, 26)]
    with django_capture_on_commit_callbacks(execute=True):
        schedule_letters(sender=None, action=Action.NOT_ACCREDIT, cases=cases)
    assert sent == [list(range(1, 11)), list(range(11, 21)), list(range(21, 26))]


def test_the_sweeper_issues_letters_whose_task_was_lost(official):
    owed = ProposalFactory(status=Status.AWAITING_DECISION)
    decide(owed, Action.ACCREDIT, official)
    not_owed = ProposalFactory(status=Status.AWAITING_DECISION)
    later = ProposalFactory(status=Status.AWAITING_DECISION)
    decide(later, Action.ACCREDIT, official)
    assert list(letters.owed_cases()) == [owed.pk, later.pk]
    assert issue_owed_letters(limit=1) == {"issued": 1}
    assert list(letters.owed_cases()) == [later.pk]
    assert issue_owed_letters() == {"issued": 1}
    assert list(letters.owed_cases()) == []
    assert not Letter.objects.filter(case=not_owed).exists()
    assert issue_owed_letters() == {"issued": 0}


# --- Downloads and previews ----------------------------------------------------------------


@pytest.fixture
def issued(official):
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    decide(case, Action.ACCREDIT, official)
    return letters.issue(case.pk)


def test_the_applicant_downloads_their_letter_from_the_status_page(client, issued):
    case = issued.case
    client.force_login(case.created_by)
    page = client.get(reverse("proposal-status", args=[case.pk]))
    url = reverse("letter-download", args=[case.pk, issued.pk])
    assert url in page.text
    assert issued.sha256 in page.text
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(issued.pdf)
    other = letters.issue(ProposalFactory(status=Status.CLOSED_INELIGIBLE).pk)
    assert client.get(reverse("letter-download", args=[case.pk, other.pk])).status_code == 404
    # The download is on the case's timeline: who, when, which letter.
    download = CaseEvent.objects.get(case=case, action="letter_downloaded")
    assert download.actor == case.created_by
    assert download.details["letter"] == issued.pk
    assert download.details["purpose"] == "decision"


def test_staff_download_the_letter_from_the_case_page(client, issued):
    officer = person_with("casework_officer")
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-case", args=[issued.case_id]))
    url = reverse("staff-letter-download", args=[issued.case_id, issued.pk])
    assert url in page.text
    assert client.get(url).content == bytes(issued.pdf)
    download = CaseEvent.objects.get(case=issued.case, action="letter_downloaded")
    assert (download.actor, download.details["letter"]) == (officer, issued.pk)
    page = client.get(reverse("staff-case", args=[issued.case_id]))
    assert "Letter downloaded" in page.text
    assert "<li>Decision letter</li>" in page.text


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_the_case_roles_preview_a_letter_before_issue(client, kind):
    case = ProposalFactory(status=Status.IN_ASSESSMENT)
    assessed_not_to_accredit(case)
    official = person_with("decision_official")
    name = "letter-preview" if kind == "html" else "letter-preview-pdf"
    url = reverse(name, args=[case.pk, "feedback"])
    assessor = case.assignments.get().assessor
    for person in (assessor, person_with("casework_officer"), official):
        client.logout()
        sign_in_verified(client, person)
        response = client.get(url)
        assert response.status_code == 200, person
        if kind == "html":
            assert "Preview: feedback letter" in response.text
            assert "Feedback on 1A for the lead party." in response.text
        else:
            text = text_of(response.content)
            assert "Preview: this letter has not been issued" in text
            assert "Feedback on 1A for the lead party." in text
    assert not Letter.objects.exists()


PREVIEWS_BY_STATUS = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["screening"],
    Status.CLOSED_INELIGIBLE: ["screening"],
    Status.IN_ASSESSMENT: ["decision", "feedback"],
    Status.AWAITING_DECISION: ["decision", "feedback"],
    Status.ACCREDITED: ["decision"],
    Status.NOT_ACCREDITED: ["feedback"],
    Status.WITHDRAWN: [],
}


@pytest.mark.parametrize("status, offered", PREVIEWS_BY_STATUS.items())
def test_the_case_page_offers_only_the_letters_the_case_can_get(client, status, offered):
    """A case being screened can get the screening letter, one being
    assessed either outcome's, a decided one its own; no other preview is
    offered, and its address is not found."""
    case = ProposalFactory(status=status)
    sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-case", args=[case.pk])).text
    for purpose in ["decision", "feedback", "screening"]:
        url = reverse("letter-preview", args=[case.pk, purpose])
        assert (url in page) == (purpose in offered), purpose
        assert client.get(url).status_code == (200 if purpose in offered else 404), purpose


def test_no_preview_of_a_letter_once_it_is_issued(client, issued):
    sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-case", args=[issued.case_id])).text
    assert "Preview a letter before it is issued" not in page
    assert "Preview the" not in page
    url = reverse("letter-preview", args=[issued.case_id, "decision"])
    assert client.get(url).status_code == 404


# --- The letters register -------------------------------------------------------------------


def issue_some(count, official, period=None):
    made = []
    for _ in range(count):
        case = ProposalFactory(status=Status.AWAITING_DECISION, round=period or RoundFactory())
        decide(case, Action.ACCREDIT, official)
        made.append(letters.issue(case.pk))
    return made


def issue_out_of_round(official):
    """The decision letter of a case in an out-of-round window (whose name
    names the window's organisation)."""
    window = WindowFactory()
    case = ProposalFactory(
        status=Status.AWAITING_DECISION, round=None, window=window, organisation=window.organisation
    )
    decide(case, Action.ACCREDIT, official)
    return letters.issue(case.pk)


@pytest.mark.parametrize("count", [1, 4])
def test_the_letters_register_makes_the_same_queries_at_any_size(
    client, count, official, django_assert_num_queries
):
    issue_some(count, official)
    for _ in range(count):
        issue_out_of_round(official)
    sign_in_verified(client, person_with("casework_officer"))
    url = reverse("staff-letters")
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count('class="app-hash"') == 2 * count
    assert response.text.count("Out-of-round window for") == count


def test_the_letters_register_filters_and_shows_each_hash(client, official):
    period = RoundFactory()
    in_round = issue_some(2, official, period)
    other = issue_some(1, official)
    sign_in_verified(client, person_with("casework_officer"))
    response = client.get(reverse("staff-letters"), {"round": period.pk})
    for letter in in_round:
        assert letter.sha256 in response.text
    assert other[0].sha256 not in response.text
    response = client.get(reverse("staff-letters"), {"purpose": "feedback"})
    assert "No letters match these filters." in response.text
    response = client.get(reverse("staff-letters"), {"type": "asg"})
    assert "No letters match these filters." in response.text
    response = client.get(reverse("staff-letters"), {"purpose": "nonsense", "round": "x"})
    assert response.text.startswith("<!DOCTYPE html>") and "Error: " in response.text
    assert "Select a letter from the list" in response.text
    assert "Select a round from the list" in response.text


def test_the_letters_register_filters_the_letters_of_out_of_round_cases(client, official):
    in_round = issue_some(1, official, RoundFactory())
    window = issue_out_of_round(official)
    sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-letters"), {"round": "out-of-round"})
    assert '<option value="out-of-round" selected>Out of round</option>' in page.text
    assert [letter.pk for letter in page.context["letters"]] == [window.pk]
    assert in_round[0].sha256 not in page.text


def test_the_register_leaves_out_the_letters_of_a_conflict(client, official):
    kept, conflicted = issue_some(2, official)
    officer = person_with("casework_officer")
    conflicts.declare(officer, organisation=conflicted.case.organisation, reason="A governor")
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-letters")).text
    assert kept.sha256 in page
    assert conflicted.sha256 not in page


def test_an_officer_sees_the_letters_of_every_case_they_may_see(official):
    issue_some(2, official)
    window_case = issue_out_of_round(official).case
    officer = person_with("casework_officer")
    conflicts.declare(officer, organisation=window_case.organisation, reason="A governor")
    visible = Letter.objects.filter(issued_at__isnull=False, case__in=visible_to(officer))
    assert set(issued_letters(officer)) == set(visible)
    assert len(visible) == 2


def test_no_letter_for_a_case_never_submitted():
    draft = ProposalFactory(status=Status.DRAFT)
    with pytest.raises(LetterChangeRefused, match="submitted case"):
        Letter.objects.create(case=draft, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
    assert not Letter.objects.exists()


def test_staff_who_see_some_cases_see_only_their_letters(client, official):
    (theirs,) = issue_some(1, official)
    (others,) = issue_some(1, person_with("decision_official"))
    assert set(issued_letters(official)) == {theirs}
    sign_in_verified(client, official)
    page = client.get(reverse("staff-letters")).text
    assert theirs.sha256 in page
    assert others.sha256 not in page


def test_only_staff_who_do_casework_see_the_register(client, issued):
    client.force_login(issued.case.created_by)
    assert client.get(reverse("staff-letters")).status_code == 403


# --- Checking a letter ---------------------------------------------------------------------------


def test_a_genuine_letter_checks_and_an_altered_one_does_not(client, issued):
    url = reverse("letter-check")
    assert client.get(url).status_code == 200
    genuine = bytes(issued.pdf)
    response = client.post(url, {"letter": SimpleUploadedFile("l.pdf", genuine)})
    assert "This is a letter we issued" in response.text
    assert "<title>This is a letter we issued – " in response.text
    assert issued.case.reference in response.text
    assert 'id="other-reference"' not in response.text
    # A reference typed beside the file that is not the letter's is said.
    for typed, warned in ((issued.case.reference.lower(), False), ("ASP-2026-9998", True)):
        response = client.post(
            url, {"letter": SimpleUploadedFile("l.pdf", genuine), "reference": typed}
        )
        assert "This is a letter we issued" in response.text
        assert ('id="other-reference"' in response.text) is warned
    assert (
        f"The reference you entered, ASP-2026-9998, is not this letter's: this letter is "
        f"about {issued.case.reference}." in response.text
    )
    middle = len(genuine) // 2
    flipped = genuine[:middle] + bytes([genuine[middle] ^ 1]) + genuine[middle + 1 :]
    with pikepdf.open(io.BytesIO(genuine)) as pdf:
        pdf.docinfo["/Title"] = "Your proposal has been accredited: ASG-2026-9999"
        retitled = io.BytesIO()
        pdf.save(retitled)
    for altered in (flipped, retitled.getvalue()):
        response = client.post(url, {"letter": SimpleUploadedFile("l.pdf", altered)})
        assert "This letter does not match one we issued" in response.text
    appended = genuine + b"\n% a forger's comment\n"
    response = client.post(url, {"letter": SimpleUploadedFile("l.pdf", appended)})
    assert "This letter does not match one we issued" in response.text


def test_a_letter_checks_by_its_reference_and_hash(client, issued):
    url = reverse("letter-check")
    response = client.post(
        url, {"reference": issued.case.reference.lower(), "sha256": issued.sha256.upper()}
    )
    assert "This is a letter we issued" in response.text
    response = client.post(url, {"reference": issued.case.reference, "sha256": "0" * 64})
    assert "This letter does not match one we issued" in response.text


def test_a_checked_letter_says_what_happened_since(client, issued):
    """A local authority checking a provider's decision letter learns
    whether the provider is still on the register, and of a later letter."""
    from register.models import EntryState, EventKind, RegisterEntry, RegisterEvent

    url = reverse("letter-check")
    check = {"reference": issued.case.reference, "sha256": issued.sha256}
    entry = RegisterEntry.objects.get(organisation=issued.case.organisation)
    page = client.post(url, check).text
    assert f"{escape(entry.name)} is on the" in page
    assert reverse("register-provider", args=[entry.pk]) in page
    assert 'id="later-letter"' not in page
    revoked_at = clock.now() + timedelta(days=60)
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.REVOKED)
    RegisterEvent.objects.create(
        entry=entry, kind=EventKind.REVOKED, accreditation_type="asp", created_at=revoked_at
    )
    later = LetterFactory(case=issued.case, purpose=LetterPurpose.REVOCATION, issued_at=revoked_at)
    page = client.post(url, check).text
    assert "This is a letter we issued" in page
    assert (
        f"{escape(entry.name)} is no longer on the register of accredited providers: its "
        f"accreditation was revoked on {revoked_at:%-d %B %Y}."
    ) in page
    assert (
        "The service has issued a later letter about this case: a revocation letter, on "
        f"{later.issued_at:%-d %B %Y}."
    ) in page


def test_checking_a_letter_explains_what_is_missing(client):
    url = reverse("letter-check")
    response = client.post(url, {})
    assert "Select the PDF of the letter, or enter its reference and hash" in response.text
    response = client.post(url, {"reference": "ASP-2026-0001", "sha256": "abc"})
    assert "Enter the SHA-256 hash as 64 letters" in response.text
    response = client.post(url, {"letter": SimpleUploadedFile("l.pdf", b"not a pdf")})
    assert "The selected file must be a PDF" in response.text
    assert response.text.count("Error: ") >= 1
    response = client.post(url, {"letter": SimpleUploadedFile("letter.pdf", b"")})
    assert "The selected file is empty" in response.text
    assert "The submitted file is empty" not in response.text


def test_the_decision_date_is_the_one_the_official_recorded(official):
    from datetime import date, datetime

    from django.utils import timezone

    from accreditation.services import decisions

    case = ProposalFactory(status=Status.AWAITING_DECISION)
    ready = timezone.make_aware(datetime(2026, 11, 27, 10))
    type(case).objects.filter(pk=case.pk).update(updated_at=ready)
    with transaction.atomic():
        decisions.decide(
            case, official, outcome="accredit", decision_date=date(2026, 11, 30), reasons=""
        )
    text = text_of(letters.render(case, LetterPurpose.DECISION).pdf)
    assert "from 30 November 2026" in text


def test_a_task_for_a_case_that_is_not_there_does_nothing():
    assert issue_letters([987654321]) == {"issued": 0}
