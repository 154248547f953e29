"""The staff case page (issue 13, item 3): everything about a case in one
place, only the scores a viewer may see, the timeline with each event's
chain check, and all the case's evidence as one zip."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accreditation import clock
from accreditation.models import AccreditationType, CaseEvent, Criterion
from accreditation.roles import Role
from accreditation.workflow import Status
from advisory_group.models import AgendaItem, MemberView
from assessments.models import Assignment
from assessments.services import requests as information_requests
from assessments.services import scoring
from feedback.models import Letter, LetterPurpose
from feedback.services import concerns
from proposals.models import Party, Route
from tests.casework import give_part, person_with, sign_in_verified, walk_to
from tests.factories import (
    AgendaItemFactory,
    AnswerFactory,
    CoPartnerFactory,
    EvidenceFactory,
    LetterFactory,
    MembershipFactory,
    ProposalFactory,
    SchoolLedFactory,
    UserFactory,
)
from tests.scoring_helpers import case_in_assessment, score_all
from tests.test_quality_assurance import agree, recommend

pytestmark = pytest.mark.django_db


def page_of(client, user, case):
    response = sign_in_verified(client, user).get(reverse("staff-case", args=[case.pk]))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def asg(settings, tmp_path):
    """An ASG case with both assessors, their scores differing on 2B."""
    settings.MEDIA_ROOT = tmp_path
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG,
        organisation__schools_led_count=3,
        organisation__name="Oak Learning Trust",
    )
    first = person_with("assessor", case, full_name="Fiona First")
    second = person_with("second_assessor", case, full_name="Sam Second")
    score_all(case, first, 3, **{"2B_lead": 4})
    score_all(case, second, 3, **{"2B_lead": 2})
    return case, first, second


def finish_both(case, first, second):
    scoring.finish_scoring(case, actor=first)
    scoring.finish_scoring(case, actor=second)


class TestWhatTheCasePageHolds:
    def test_a_casework_officer_reads_the_whole_case(self, client, asg):
        case, first, second = asg
        finish_both(case, first, second)
        agree(case, first, "2B-lead", 3, reason="AGREED-AFTER-TALKING")
        EvidenceFactory(proposal=case, original_name="inspection-report.pdf")
        SchoolLedFactory(proposal=case, name="Elm Primary", urn="123456")
        earlier = ProposalFactory(organisation=case.organisation, status="not_accredited")
        LetterFactory(
            case=earlier, purpose="feedback", issued_at=clock.now(), pdf=b"%PDF-1.7 letter"
        )
        officer = person_with("casework_officer")

        text = page_of(client, officer, case)

        assert "Our evidence for 1A (lead)." in text  # the applicant's answers
        # in GOV.UK's body text, paragraph by paragraph
        assert (
            '<div class="govuk-body app-answer-text" dir="auto"><p>Our evidence for 1A (lead).'
            in text
        )
        assert "inspection-report.pdf" in text
        assert "Fiona First (first assessor)" in text and "Sam Second (second assessor" in text
        assert "Agreed 3, recorded by Fiona First: AGREED-AFTER-TALKING" in text
        assert "Comment on 2B" in text
        screening = text.split('id="screening-title"')[1].split("</section>")[0]
        assert "Screened: eligible, by" in screening
        assert "Elm Primary (URN 123456)" in text
        assert (
            "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/123456"
            in text
        )
        assert f"https://reports.ofsted.gov.uk/provider/21/{case.organisation.urn}" in text
        assert reverse("staff-case", args=[earlier.pk]) in text
        assert f'{reverse("staff-case", args=[earlier.pk])}#letters">{earlier.reference}' in text
        assert reverse("staff-case-evidence-zip", args=[case.pk]) in text
        assert "Chain broken" not in text
        assert text.count("Chain verified") == CaseEvent.objects.filter(case=case).count()

    def test_answers_to_information_requests_are_shown_once_sent(self, client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        case = case_in_assessment()
        assessor = person_with("assessor", case)
        information_requests.ask(
            case,
            assessor,
            [information_requests.NewQuestion("How many pupils?")],
            information_requests.default_due(),
        )
        officer = person_with("casework_officer")
        text = page_of(client, officer, case)
        assert "How many pupils?" in text
        assert "Waiting for the applicant’s answers" in text

    def test_the_decision_and_its_reasons(self, client):
        case = ProposalFactory(status="accredited")
        text = page_of(client, person_with("casework_officer"), case)
        assert 'Decision</dt><dd class="govuk-summary-list__value">Accredited' in text

    def test_an_earlier_case_the_viewer_may_not_open_is_named_but_not_linked(self, client):
        case = ProposalFactory(status="in_assessment")
        earlier = ProposalFactory(organisation=case.organisation, status="not_accredited")
        assessor = person_with("assessor", case)
        text = page_of(client, assessor, case)
        assert earlier.reference in text
        assert reverse("staff-case", args=[earlier.pk]) not in text


def test_a_co_partner_kept_from_another_route_is_not_part_of_the_case(client):
    """A proposal submitted in its own right keeps the co-partner details and
    answers written while it led a consortium: the case shows neither."""
    case = case_in_assessment(organisation__non_educational=True, route=Route.OWN_RIGHT)
    CoPartnerFactory(proposal=case, name="Kept Academy Trust")
    AnswerFactory(
        proposal=case,
        criterion=Criterion.objects.get(part__framework=case.framework, code="2A"),
        party=Party.CO_PARTNER,
        text="KEPT-CO-PARTNER-ANSWER",
    )
    officer = person_with("casework_officer")

    text = page_of(client, officer, case)
    assert "Our evidence for 1E (lead)." in text
    assert "Kept Academy Trust" not in text
    assert "KEPT-CO-PARTNER-ANSWER" not in text
    answers = TestTheEvidenceZip().zip_of(client, officer, case).read("answers.txt").decode()
    assert "Our evidence for 1E (lead)." in answers
    assert "KEPT-CO-PARTNER-ANSWER" not in answers


class TestBlindScoring:
    def test_neither_assessor_sees_the_others_scores_before_both_finish(self, client, asg):
        case, first, second = asg
        text = page_of(client, second, case)
        assert "Sam Second (second assessor" in text
        assert (
            "Fiona First"
            not in text.split('id="scores-title"')[1].split("<table")[1].split("</table>")[0]
        )
        assert "are not shown to you until you have both finished scoring" in text
        recommendation = text.split('id="recommendation-title"')[1].split("</section>")[0]
        assert "Not shown to you until you have both finished scoring." in recommendation
        client.logout()
        text = page_of(client, first, case)
        assert "are not shown to you until you have both finished scoring" in text

        scoring.finish_scoring(case, actor=first)
        client.logout()
        assert "until you have both finished" in page_of(client, second, case)

        scoring.finish_scoring(case, actor=second)
        client.logout()
        text = page_of(client, second, case)
        assert "until you have both finished" not in text
        assert (
            "Fiona First (first assessor)"
            in text.split('id="scores-title"')[1].split("<table")[1].split("</table>")[0]
        )

    @pytest.mark.parametrize("part", ["casework_officer", "meeting_member", "meeting_chair"])
    def test_staff_who_do_not_assess_the_case_see_both_sets(self, client, asg, part):
        case, _first, _second = asg
        text = page_of(client, person_with(part, case), case)
        header = text.split('id="scores-title"')[1].split("</thead>")[0]
        assert "Fiona First (first assessor, not finished)" in header
        assert "Sam Second (second assessor, not finished)" in header
        assert "are not shown to you" not in text

    def test_the_timeline_does_not_give_away_hidden_scores(self, client, asg):
        case, first, second = asg
        text = page_of(client, second, case)
        assert "Score: 4" not in text  # the first assessor's 2B
        client.logout()
        assert "Score: 4" in page_of(client, person_with("casework_officer"), case)

    def test_a_second_assessor_does_not_see_the_recommendation_they_check(self, client):
        case = case_in_assessment()
        first = person_with("assessor", case)
        score_all(case, first, 3)
        scoring.finish_scoring(case, actor=first)
        recommend(case, first, "not_accredit", departure="DEPARTURE-REASON")
        second = person_with("second_assessor", case)
        text = page_of(client, second, case)
        assert "Recommend not to accredit" not in text
        assert "Recommendation: not_accredit" not in text
        assert "Recommendation held for quality assurance" in text  # that it happened
        client.logout()
        text = page_of(client, person_with("casework_officer"), case)
        assert "Recommend not to accredit" in text and "DEPARTURE-REASON" in text

    @pytest.mark.parametrize("allowed", [True, False])
    def test_a_replacement_sees_the_earlier_scores_only_when_allowed(self, client, allowed):
        case = case_in_assessment()
        earlier = person_with("assessor", case, full_name="Erin Earlier")
        score_all(case, earlier, 3)
        newcomer = UserFactory(roles=[Role.ASSESSOR])
        give_part(newcomer, "assessor", [case])
        Assignment.objects.filter(assessor=newcomer).update(may_see_earlier_scores=allowed)
        text = page_of(client, newcomer, case)
        scores = text.split('id="scores-title"')[1].split("</section>")[0]
        header = scores.split("<thead")[-1].split("</thead>")[0] if "<thead" in scores else ""
        assert ("Erin Earlier (first assessor, no longer assessing" in header) is allowed
        hidden = "Erin Earlier (first assessor, no longer assessing) are not shown"
        assert (hidden in scores) is not allowed
        assert ("Comment on 1A" in text) is allowed
        # Nobody scores beside them blind: their recommendation waits on nobody.
        recommendation = text.split('id="recommendation-title"')[1].split("</section>")[0]
        assert "No recommendation yet." in recommendation
        assert "until you have both finished" not in recommendation


class TestTheChainCheck:
    @pytest.mark.postgres
    def test_a_changed_event_shows_as_broken_and_the_rest_verify(self, client):
        case = ProposalFactory(status="in_assessment")
        total = CaseEvent.objects.filter(case=case).count()
        with connection.cursor() as cursor:
            # Past the append-only trigger, as someone with the database's keys could.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "UPDATE accreditation_caseevent SET details = %s "
                "WHERE case_id = %s AND sequence = 1",
                ['{"reference": "FORGED"}', case.pk],
            )
            cursor.execute("SET LOCAL session_replication_role = origin")
        text = page_of(client, person_with("casework_officer"), case)
        assert "This timeline’s hash chain does not verify" in text
        assert text.count("Chain broken") == 1
        assert "its content does not match its hash" in text
        assert text.count("Chain verified") == total - 1


def answer_a_request(case, assessor, text, document=None):
    """Ask ``text`` and have the applicant answer and send it (with a PDF
    named ``document``, if given)."""
    request = information_requests.ask(
        case,
        assessor,
        [information_requests.NewQuestion(text)],
        information_requests.default_due(),
    )
    question = request.questions.get()
    applicant = case.created_by
    if document:
        information_requests.add_document(
            request,
            SimpleUploadedFile(document, b"%PDF-1.4\n%%EOF\n"),
            content_type="application/pdf",
            sha256=hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest(),
            actor=applicant,
        )
    information_requests.save_answers(request, applicant, {question.pk: (f"Answer: {text}", None)})
    information_requests.send_answers(request, applicant)
    return request


@pytest.mark.parametrize("size", [1, 6])
def test_the_case_page_costs_the_same_queries_at_any_size(
    client, settings, tmp_path, size, django_assert_num_queries
):
    """A case with every section filled, few or many of each (events,
    documents, schools, scores, requests, members' views, letters, earlier
    cases): one count, under 20."""
    settings.MEDIA_ROOT = tmp_path
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG, organisation__schools_led_count=3
    )
    first = person_with("assessor", case)
    second = person_with("second_assessor", case)
    score_all(case, first, 1)
    score_all(case, second, 1)
    for number in range(size):
        EvidenceFactory(proposal=case)
        SchoolLedFactory(proposal=case)
        earlier = ProposalFactory(organisation=case.organisation, status="submitted")
        LetterFactory(case=earlier, purpose="screening", issued_at=clock.now(), pdf=b"%PDF")
        answer_a_request(case, first, f"Question {number}")
    case.refresh_from_db()
    recommend(case, first, "not_accredit")
    case = walk_to(case, Status.NOT_ACCREDITED)
    item = AgendaItem.objects.get(case=case)
    for member in UserFactory.create_batch(size, roles=[Role.ADVISORY_GROUP_MEMBER]):
        MemberView.objects.create(item=item, member=member, view="agree", comment="Fair.")
    Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7"
    )
    member = MembershipFactory(organisation=case.organisation).user
    concerns.raise_concern(case, member, "The assessor did not read our answer to 2B.")
    officer = person_with("casework_officer")
    client = sign_in_verified(client, officer)
    url = reverse("staff-case", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(19):
        response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.decision["outcome"] == "Not accredited"
    assert len(page.agenda_items[0].member_views) == size
    assert [r.recommendation for r in page.recommendations] == ["not_accredit"]
    assert len(page.concerns) == 1 and "Concern raised" in response.text
    assert {first, second} <= {s.assignment.assessor for s in page.score_sets}
    assert len(page.requests) == size


class TestTheEvidenceZip:
    def zip_of(self, client, user, case):
        response = sign_in_verified(client, user).get(
            reverse("staff-case-evidence-zip", args=[case.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert f'filename="{case.reference}-evidence.zip"' in response["Content-Disposition"]
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    def test_a_case_with_no_evidence_gives_a_readme_and_its_answers(self, client):
        case = ProposalFactory(status="submitted")
        archive = self.zip_of(client, person_with("casework_officer"), case)
        assert sorted(archive.namelist()) == ["README.txt", "answers.txt"]
        readme = archive.read("README.txt").decode()
        assert case.reference in readme
        assert "The case holds no documents and no letters" in readme
        assert "The proposal holds no answers." in archive.read("answers.txt").decode()

    @pytest.mark.parametrize(
        ("original", "inside"),
        [
            ("A" * 300 + ".pdf", "04-" + "A" * 120 + ".pdf"),
            (".pdf", "04-document.pdf"),
            ("\U0001f600\U0001f600.pdf", "04-document.pdf"),
            ("École plan.DOCX", "04-Ecole plan.docx"),
            ("..\\..\\report.final.pdf", "04-report.final.pdf"),
            ("notes", "04-notes"),
        ],
    )
    def test_a_file_keeps_its_extension_and_its_letters_inside(self, original, inside):
        from accreditation.services.evidence_zip import safe_name

        assert safe_name(original, 4) == inside

    def test_every_document_answer_and_letter_is_in_it_and_the_download_is_recorded(
        self, client, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        case = case_in_assessment()
        EvidenceFactory(proposal=case, original_name="../../etc/report.pdf")
        EvidenceFactory(proposal=case, original_name="report.pdf")
        answer_a_request(case, person_with("assessor", case), "How many pupils?", "census.pdf")
        LetterFactory(case=case, purpose="screening", issued_at=clock.now(), pdf=b"%PDF-1.7 x")
        officer = person_with("casework_officer")

        archive = self.zip_of(client, officer, case)

        names = sorted(archive.namelist())
        assert names == [
            "README.txt",
            "answers.txt",
            "documents/01-report.pdf",
            "documents/02-report.pdf",
            "information-requests/01-census.pdf",
            "information-requests/answers.txt",
            f"letters/{case.reference}-screening-letter.pdf",
        ]
        assert archive.read("documents/01-report.pdf") == b"%PDF-1.4\n%%EOF\n"
        assert "Our evidence for 1A (lead)." in archive.read("answers.txt").decode()
        requests_text = archive.read("information-requests/answers.txt").decode()
        assert "How many pupils?" in requests_text and "Answer: How many pupils?" in requests_text
        assert archive.read(f"letters/{case.reference}-screening-letter.pdf") == b"%PDF-1.7 x"
        assert "documents/02-report.pdf  SHA-256 " in archive.read("README.txt").decode()
        event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
        assert (event.action, event.actor, event.internal) == (
            "evidence_zip_downloaded",
            officer,
            True,
        )
        assert event.details == {
            "documents": 2,
            "request_documents": 1,
            "letters": 1,
            "concern_documents": 0,
        }

    def test_a_file_no_longer_held_is_named_not_a_failure(self, client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        case = ProposalFactory(status="submitted")
        document = EvidenceFactory(proposal=case, original_name="gone.pdf")
        document.file.storage.delete(document.file.name)
        archive = self.zip_of(client, person_with("casework_officer"), case)
        assert "documents/01-gone.pdf" not in archive.namelist()
        assert "documents/01-gone.pdf" in archive.read("README.txt").decode()

    def test_people_who_may_not_see_the_case_get_404_and_nothing_is_recorded(self, client):
        case = ProposalFactory(status="submitted")
        before = CaseEvent.objects.filter(case=case).count()
        url = reverse("staff-case-evidence-zip", args=[case.pk])
        other = person_with("assessor", ProposalFactory(status="in_assessment"))
        assert sign_in_verified(client, other).get(url).status_code == 404
        client.logout()
        client.force_login(case.created_by)
        assert client.get(url).status_code == 403
        assert CaseEvent.objects.filter(case=case).count() == before
        client.logout()
        officer = person_with("casework_officer")
        missing = reverse("staff-case-evidence-zip", args=[999999])
        assert sign_in_verified(client, officer).get(missing).status_code == 404


def test_the_timeline_names_advice_and_recommendations_and_shows_a_reason_once():
    from types import SimpleNamespace

    from accreditation.queries.case_page import _details

    advised = SimpleNamespace(details={"advice": "refer_back", "comment": "Look at 2B."})
    assert _details(advised, blind=False, officer=True) == [
        ("Advice", "Refer back to the assessor"),
        ("Comment", "Look at 2B."),
    ]
    recommended = SimpleNamespace(details={"recommendation": "not_accredit"})
    assert _details(recommended, blind=False, officer=True) == [
        ("Recommendation", "Recommend not to accredit")
    ]
    returned = SimpleNamespace(
        action="refer_back", details={"reason": "Say more.", "comment": "Say more."}
    )
    assert _details(returned, blind=False, officer=True) == [("Reason", "Say more.")]


def test_the_timeline_names_an_agenda_items_purpose_and_a_letters():
    from types import SimpleNamespace

    from accreditation.queries.case_page import _details

    for action in ("agenda_item_added", "agenda_item_removed"):
        added = SimpleNamespace(action=action, details={"meeting": 3, "purpose": "advice"})
        assert _details(added, blind=False, officer=True) == [
            ("", "Advice on an ASG recommendation")
        ]
        review = SimpleNamespace(action=action, details={"meeting": 3, "purpose": "feedback"})
        assert _details(review, blind=False, officer=True) == [("", "Review of draft feedback")]
    letter = SimpleNamespace(action="letter_issued", details={"purpose": "feedback"})
    assert _details(letter, blind=False, officer=True) == [("", "Feedback letter")]


def test_the_timeline_says_each_view_where_advice_was_recorded_and_what_a_correction_made():
    """A tester found the views, the meeting and a correction's outcome
    missing from the staff timeline."""
    from types import SimpleNamespace

    from accreditation.queries.case_page import _details, _staff_label

    view = SimpleNamespace(action="member_view_recorded", details={"item": 4, "view": "revise"})
    assert _details(view, blind=False, officer=True) == [("View", "The feedback needs revising")]
    agreed = SimpleNamespace(action="member_view_recorded", details={"view": "agree"})
    assert _details(agreed, blind=False, officer=True) == [
        ("View", "Agree with the recommendation")
    ]
    at_meeting = SimpleNamespace(
        action="advise",
        details={
            "advice": "agree",
            "by_correspondence": False,
            "meeting_name": "10am on 1 March 2027, chaired by Ada",
        },
    )
    assert _details(at_meeting, blind=False, officer=True) == [
        ("Advice", "Agree with the recommendation"),
        ("Recorded", "At the meeting"),
        ("Meeting", "10am on 1 March 2027, chaired by Ada"),
    ]
    moved = SimpleNamespace(action="agenda_item_moved", details={"purpose": "feedback"})
    assert _details(moved, blind=False, officer=True) == [("", "Review of draft feedback")]
    corrected = SimpleNamespace(action="correct_decision", to_status="accredited")
    assert _staff_label(corrected) == "Decision corrected to accredited"


@pytest.mark.parametrize(
    "status, due_in_days, shown",
    [
        (Status.IN_ASSESSMENT, -7, "Overdue"),
        (Status.INFORMATION_REQUESTED, 7, "on time"),
        (Status.ACCREDITED, -7, None),
    ],
)
def test_the_case_page_shows_the_stages_target_date_and_whether_it_has_passed(
    client, status, due_in_days, shown
):
    """As the case list shows it, so a case counted past its target shows why."""
    from datetime import timedelta

    from tests.factories import RoundFactory

    now = clock.now()
    period = RoundFactory(
        opens_at=now - timedelta(days=90),
        deadline=now - timedelta(days=60),
        assessment_due=clock.today() + timedelta(days=due_in_days),
        decision_target=clock.today() + timedelta(days=due_in_days + 30),
    )
    case = ProposalFactory(status=status, round=period)
    page = page_of(client, person_with("casework_officer"), case)
    if shown is None:
        assert "Target date" not in page
        return
    target = page.split('id="target">')[1].split("</dd>")[0]
    assert period.assessment_due.strftime("%-d %B %Y") in target
    assert ("Overdue" in target) == (shown == "Overdue")
    assert "For this stage: the assessment due date" in target


def test_a_case_assessed_again_after_its_rounds_date_has_its_assessors_due_date(client):
    """A case assigned after its round's assessment due date (assessed again
    after an upheld concern, or assigned late) is due when its assessor's
    assignment is: not past its target on the page, nor in the list."""
    from datetime import timedelta

    from tests.factories import AssignmentFactory, RoundFactory

    now = clock.now()
    period = RoundFactory(
        opens_at=now - timedelta(days=120),
        deadline=now - timedelta(days=90),
        assessment_due=clock.today() - timedelta(days=40),
        decision_target=clock.today() + timedelta(days=10),
    )
    case = ProposalFactory(status=Status.IN_ASSESSMENT, round=period)
    due = clock.today() + timedelta(days=20)
    AssignmentFactory(case=case, due_on=due)
    officer = person_with("casework_officer")
    page = page_of(client, officer, case)
    target = page.split('id="target">')[1].split("</dd>")[0]
    assert due.strftime("%-d %B %Y") in target and "Overdue" not in target
    overdue = client.get(reverse("staff-cases") + "?overdue=on").text
    assert case.reference not in overdue


def test_an_accredited_cases_page_leads_to_its_register_entry_even_once_revoked(client):
    """A revoked entry is gone from the public register (410): the case page
    is the staff's way to its history."""
    from register.models import EntryState, RegisterEntry
    from tests.factories import RegisterEntryFactory

    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.filter(organisation=case.organisation).first()
    entry = entry or RegisterEntryFactory(case=case)
    history = reverse("staff-register-revoke", args=[entry.pk])
    official = person_with("decision_official")
    text = page_of(client, official, case)
    assert "On the register" in text and reverse("register-provider", args=[entry.pk]) in text
    assert history in text
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.REVOKED)
    client.logout()
    text = page_of(client, official, case)
    assert "Revoked" in text and history in text
    assert f'href="{reverse("register-provider", args=[entry.pk])}"' not in text
    client.logout()
    officer_text = page_of(client, person_with("casework_officer"), case)
    assert "On the register" in officer_text and history not in officer_text


def test_a_reason_written_on_several_lines_keeps_its_lines(client):
    """An ineligibility reason, a score's comment and feedback, as written:
    not run together into one line."""
    from assessments.services import screening

    case = ProposalFactory(status=Status.SUBMITTED)
    officer = person_with("casework_officer")
    reason = "It leads no school yet.\nIts partnership starts in 2027."
    screening.screen(case, officer, decision="ineligible", reason=reason)
    page = page_of(client, officer, case)
    assert "It leads no school yet.<br>Its partnership starts in 2027." in page


def test_the_members_views_are_not_shown_to_the_cases_assessors(client):
    """The group advises on the assessor's recommendation without them: its
    assessors (now or before) read the group's advice, not each member's
    view; a casework officer, who runs the meetings, reads both."""
    case = case_in_assessment(accreditation_type=AccreditationType.ASG)
    assessor = person_with("assessor", case)
    item = AgendaItemFactory(case=case)
    MemberView.objects.create(
        item=item,
        member=UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Mona Member"),
        view="disagree",
        comment="Weak on 2B.",
    )
    page = page_of(client, assessor, case)
    assert "Not shown to the case’s assessors" in page
    assert "Weak on 2B." not in page and "Mona Member" not in page
    officer = person_with("casework_officer")
    page = page_of(client, officer, case)
    assert "Mona Member: disagree" in page and "(Weak on 2B.)" in page
    assert "Not shown to the case’s assessors" not in page
