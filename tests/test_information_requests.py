"""Information requests: the assessor or casework officer asks, the case
waits, the applicant answers in the service (saved, then sent, with
documents), the due date can be extended; each write on the timeline."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock
from accreditation.models import CaseEvent, Criterion, OutboxMessage
from accreditation.workflow import Action, Status, WorkflowError, move
from assessments.models import InformationRequest, RequestQuestion
from assessments.queries.requests import answers_by_criterion
from assessments.services import assignment, conflicts
from assessments.services import requests as services
from tests.casework import person_with, sign_in_verified
from tests.factories import CriterionFactory, MembershipFactory, ProposalFactory
from tests.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, mid-morning in London.
MONDAY = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case():
    return ProposalFactory(status=Status.IN_ASSESSMENT)


@pytest.fixture
def assessor(case):
    return person_with("assessor", case)


@pytest.fixture
def applicant(case):
    return case.created_by


def criterion_of(case, code="2A"):
    return Criterion.objects.get(part__framework=case.framework, code=code)


def ask(case, assessor, *texts, due=date(2027, 3, 15), criterion=None):
    questions = [
        services.NewQuestion(text, criterion.pk if criterion and i == 0 else None)
        for i, text in enumerate(texts or ["Send the latest inspection report."])
    ]
    return services.ask(case, assessor, questions, due)


def events_of(case, action):
    return list(CaseEvent.objects.filter(case=case, action=action).order_by("sequence"))


def answers(request, *texts):
    return {
        question.pk: (text, question.version)
        for question, text in zip(request.questions.order_by("position"), texts, strict=True)
    }


# --- Asking -----------------------------------------------------------------------


class TestAsking:
    def test_the_case_waits_on_the_questions_and_the_applicant_is_emailed(
        self, case, assessor, django_capture_on_commit_callbacks
    ):
        criterion = criterion_of(case)
        request = ask(case, assessor, "About 2A?", "Anything else?", criterion=criterion)
        case.refresh_from_db()
        assert case.status == Status.INFORMATION_REQUESTED
        assert [(q.position, q.text, q.criterion) for q in request.questions.all()] == [
            (1, "About 2A?", criterion),
            (2, "Anything else?", None),
        ]
        (event,) = events_of(case, Action.REQUEST_INFORMATION)
        assert event.actor == assessor
        assert event.details == {
            "request": request.pk,
            "questions": ["About 2A?", "Anything else?"],
            "criteria": ["2A", ""],
            "due": "2027-03-15",
        }
        (message,) = OutboxMessage.objects.filter(key=f"information_requested:{request.pk}")
        assert message.to == case.created_by.email
        assert "About 2A?" in message.body and "15 March 2027" in message.body
        # A link to the page that answers, as every email to applicants has.
        link = reverse("proposal-request-answer", args=[case.pk])
        assert link in message.body and f'href="{settings.SERVICE_URL}{link}"' in message.html_body

    def test_a_casework_officer_may_ask_too(self, case):
        officer = person_with("casework_officer")
        ask(case, officer)
        case.refresh_from_db()
        assert case.status == Status.INFORMATION_REQUESTED

    def test_nobody_else_may_ask(self, case, applicant):
        for person in (applicant, person_with("assessor"), person_with("decision_official")):
            with pytest.raises(PermissionDenied):
                ask(case, person)
        assert not InformationRequest.objects.exists()

    def test_only_a_case_in_assessment_can_be_asked(self, case, assessor):
        ask(case, assessor)
        with pytest.raises(services.RequestError, match="waits for the applicant's answers"):
            ask(case, assessor, "A second request while the first waits")
        assert InformationRequest.objects.count() == 1
        type(case).objects.filter(pk=case.pk).update(status=Status.AWAITING_DECISION)
        with pytest.raises(WorkflowError):
            ask(case, assessor, "A request once the assessment is over")

    def test_the_default_due_date_is_ten_working_days_away(self, settings):
        assert services.default_due() == date(2027, 3, 15)
        settings.POLICY = {"information_request_working_days": 5}
        assert services.default_due() == date(2027, 3, 8)

    @pytest.mark.parametrize(
        ("due", "message"),
        [
            (date(2027, 2, 26), "The due date must be in the future"),
            (date(2027, 3, 1), "The due date must be in the future"),
            (date(2127, 3, 15), "The due date must be no later than 1 June 2027"),
            (date(2027, 6, 2), "The due date must be no later than 1 June 2027"),
            (date(2027, 3, 6), "The due date must be a working day: 6 March 2027 is a Saturday"),
            (
                date(2027, 3, 26),
                "The due date must be a working day: 26 March 2027 is a bank holiday (Good Friday)",
            ),
            (
                date(2027, 5, 31),
                "The due date must be a working day: 31 May 2027 is a bank holiday "
                "(Spring Bank Holiday)",
            ),
        ],
    )
    def test_a_due_date_that_is_not_a_future_working_day_is_refused(
        self, case, assessor, due, message
    ):
        with pytest.raises(
            services.RequestError, match=message.replace("(", r"\(").replace(")", r"\)")
        ):
            ask(case, assessor, due=due)
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert not InformationRequest.objects.exists()

    def test_blank_questions_are_refused(self, case, assessor):
        with pytest.raises(services.RequestError, match="Enter at least one question"):
            ask(case, assessor, "   ", "")
        assert not InformationRequest.objects.exists()

    def test_a_criterion_of_another_framework_is_refused(self, case, assessor):
        other = CriterionFactory()
        with pytest.raises(services.RequestError, match="Select a criterion"):
            ask(case, assessor, criterion=other)
        assert not InformationRequest.objects.exists()


# --- Answering -------------------------------------------------------------------


@pytest.fixture
def request_(case, assessor):
    return ask(case, assessor, "About 2A?", "Anything else?", criterion=criterion_of(case))


class TestAnswering:
    def test_answers_are_saved_to_come_back_to_and_recorded(self, request_, applicant):
        changed = services.save_answers(request_, applicant, answers(request_, "Draft", ""))
        assert changed == [1]
        first = request_.questions.get(position=1)
        assert (first.answer, first.answered_by, first.version) == ("Draft", applicant, 1)
        (event,) = events_of(request_.case, "request_answers_saved")
        assert event.details == {"request": request_.pk, "questions": [1]}
        request_.case.refresh_from_db()
        assert request_.case.status == Status.INFORMATION_REQUESTED

    def test_a_save_from_a_stale_page_is_refused(self, request_, applicant):
        stale = answers(request_, "Mine", "Mine too")
        colleague = MembershipFactory(organisation=request_.case.organisation).user
        services.save_answers(request_, colleague, answers(request_, "Theirs", "Theirs too"))
        with pytest.raises(
            services.StaleAnswer, match="Someone else saved an answer to question 1"
        ):
            services.save_answers(request_, applicant, stale)
        assert request_.questions.get(position=1).answer == "Theirs"
        mine = answers(request_, "Mine", "Mine too")
        services.save_answers(request_, applicant, answers(request_, "Other tab", "Other tab"))
        with pytest.raises(services.StaleAnswer, match="You saved an answer to question 1 in"):
            services.save_answers(request_, applicant, mine)

    def test_an_answer_over_the_word_limit_is_refused(self, request_, applicant):
        words = " ".join(["word"] * (services.ANSWER_WORD_LIMIT + 1))
        with pytest.raises(services.RequestError, match="500 words or fewer. It has 501 words"):
            services.save_answers(request_, applicant, answers(request_, words, ""))
        assert not events_of(request_.case, "request_answers_saved")

    def test_only_the_applicant_may_answer(self, request_, assessor):
        outsider = MembershipFactory().user
        for person in (assessor, outsider):
            with pytest.raises(PermissionDenied):
                services.save_answers(request_, person, answers(request_, "x", "y"))

    def test_every_question_needs_an_answer_before_sending(self, request_, applicant):
        services.save_answers(request_, applicant, answers(request_, "Only the first", ""))
        with pytest.raises(services.RequestError, match="Answer question 2 before you send"):
            services.send_answers(request_, applicant)
        request_.refresh_from_db()
        assert request_.is_open

    def test_sending_returns_the_case_to_assessment_and_emails_the_assessor(
        self, request_, applicant, assessor, django_capture_on_commit_callbacks
    ):
        services.save_answers(request_, applicant, answers(request_, "One", "Two"))
        services.send_answers(request_, applicant)
        request_.refresh_from_db()
        request_.case.refresh_from_db()
        assert request_.case.status == Status.IN_ASSESSMENT
        assert (request_.sent_by, request_.sent_at) == (applicant, MONDAY)
        (event,) = events_of(request_.case, Action.RESPOND_TO_REQUEST)
        assert event.actor == applicant and event.details == {"request": request_.pk}
        (message,) = OutboxMessage.objects.filter(key=f"information_answered:{request_.pk}")
        assert message.to == assessor.email
        assert message.body.rstrip().endswith(f"/staff/cases/{request_.case.pk}/#requests")

    def test_an_assessor_stood_down_since_asking_is_not_emailed_their_successor_is(
        self, request_, applicant, assessor
    ):
        case = request_.case
        conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        successor = person_with("assessor")
        assignment.assign(case, successor, "first", person_with("casework_officer"))
        services.save_answers(request_, applicant, answers(request_, "One", "Two"))
        services.send_answers(request_, applicant)
        messages = OutboxMessage.objects.filter(key=f"information_answered:{request_.pk}")
        assert [message.to for message in messages] == [successor.email]

    def test_an_answer_after_the_case_was_withdrawn_is_refused(self, request_, applicant):
        move(request_.case, Action.WITHDRAW, applicant, details={"reason": "Not ready."})
        before = CaseEvent.objects.count()
        with pytest.raises(services.RequestClosed, match="no longer waiting"):
            services.save_answers(request_, applicant, answers(request_, "Late", "Late"))
        assert CaseEvent.objects.count() == before
        assert not request_.questions.exclude(answer="").exists()

    def test_answers_already_sent_cannot_be_sent_or_changed_again(self, request_, applicant):
        services.save_answers(request_, applicant, answers(request_, "One", "Two"))
        services.send_answers(request_, applicant)
        stale = InformationRequest.objects.get(pk=request_.pk)
        stale.sent_at = None
        for write in (
            lambda: services.send_answers(stale, applicant),
            lambda: services.save_answers(stale, applicant, answers(stale, "Three", "Four")),
        ):
            with pytest.raises(services.RequestClosed, match="already been sent"):
                write()
        assert len(events_of(request_.case, Action.RESPOND_TO_REQUEST)) == 1

    def test_answers_by_criterion_holds_only_sent_answers(self, request_, applicant):
        services.save_answers(request_, applicant, answers(request_, "One", "Two"))
        assert answers_by_criterion(request_.case) == {}
        services.send_answers(request_, applicant)
        found = answers_by_criterion(request_.case)
        criterion = criterion_of(request_.case)
        assert [q.answer for q in found[criterion.pk]] == ["One"]
        assert [q.answer for q in found[None]] == ["Two"]


class TestDocuments:
    def upload(self, request_, person, name="report.pdf"):
        uploaded = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
        return services.add_document(
            request_, uploaded, content_type="application/pdf", sha256="0" * 64, actor=person
        )

    def test_a_document_is_stored_and_each_step_recorded(self, request_, applicant, media_root):
        document = self.upload(request_, applicant)
        assert (media_root / document.file.name).exists()
        officer = person_with("casework_officer")
        with services.open_document(document, user=officer) as handle:
            assert handle.read() == pdf_bytes()
        downloaded = events_of(request_.case, "request_document_downloaded")
        assert downloaded[0].actor == officer
        services.delete_document(document, actor=applicant)
        assert events_of(request_.case, "request_document_uploaded")
        assert events_of(request_.case, "request_document_deleted")
        assert not request_.documents.exists()
        # Deleted again from another tab: said, and recorded once.
        with pytest.raises(services.RequestError, match="has already been deleted"):
            services.delete_document(document, actor=applicant)
        assert len(events_of(request_.case, "request_document_deleted")) == 1

    def test_a_document_deleted_twice_from_its_page_says_so(
        self, client, request_, applicant, media_root
    ):
        document = self.upload(request_, applicant)
        client.force_login(applicant)
        url = reverse("proposal-request-document-delete", args=[request_.case.pk, document.pk])
        assert client.post(url).status_code == 302
        again = client.post(url, follow=True)
        assert again.status_code == 200
        assert "That document is no longer with your answers" in again.text
        # An id never among this case's documents is still not found.
        missing = reverse(
            "proposal-request-document-delete", args=[request_.case.pk, document.pk + 99]
        )
        assert client.post(missing).status_code == 404

    def test_staff_who_cannot_see_the_case_cannot_download(self, request_, applicant, media_root):
        document = self.upload(request_, applicant)
        with pytest.raises(PermissionDenied):
            services.open_document(document, user=person_with("assessor"))

    def test_no_document_once_the_answers_are_sent(self, request_, applicant, media_root):
        services.save_answers(request_, applicant, answers(request_, "One", "Two"))
        services.send_answers(request_, applicant)
        with pytest.raises(services.RequestClosed):
            self.upload(request_, applicant)
        assert not request_.documents.exists()


# --- Extending the due date ------------------------------------------------------


class TestExtending:
    def test_a_later_working_day_with_a_reason_is_recorded_and_told(
        self, request_, assessor, django_capture_on_commit_callbacks
    ):
        services.extend(request_, assessor, date(2027, 3, 22), "The head teacher is away.")
        request_.refresh_from_db()
        assert request_.due == date(2027, 3, 22)
        (event,) = events_of(request_.case, "request_due_extended")
        assert event.details == {
            "request": request_.pk,
            "from": "2027-03-15",
            "to": "2027-03-22",
            "reason": "The head teacher is away.",
        }
        assert OutboxMessage.objects.filter(
            key=f"information_extended:{request_.pk}:2027-03-22"
        ).exists()

    @pytest.mark.parametrize(
        ("due", "reason", "message"),
        [
            (date(2027, 3, 22), " ", "Enter the reason"),
            (date(2027, 3, 12), "Away", "must be after the current one, 15 March 2027"),
            (date(2027, 3, 28), "Away", "28 March 2027 is a Sunday"),
            (date(2027, 3, 29), "Away", r"bank holiday \(Easter Monday\)"),
            (date(3027, 3, 15), "Away", "must be no later than 1 June 2027"),
        ],
    )
    def test_a_bad_extension_is_refused(self, request_, assessor, due, reason, message):
        with pytest.raises(services.RequestError, match=message):
            services.extend(request_, assessor, due, reason)
        request_.refresh_from_db()
        assert request_.due == date(2027, 3, 15)
        assert not events_of(request_.case, "request_due_extended")

    def test_only_the_assessor_or_an_officer_may_extend(self, request_, applicant):
        with pytest.raises(PermissionDenied):
            services.extend(request_, applicant, date(2027, 3, 22), "Please")
        services.extend(request_, person_with("casework_officer"), date(2027, 3, 22), "Agreed")


# --- The pages -------------------------------------------------------------------


def ask_data(due=date(2027, 3, 15), **fields):
    return {
        "due_0": str(due.day),
        "due_1": str(due.month),
        "due_2": str(due.year),
        **fields,
    }


class TestStaffPages:
    def test_the_criteria_offered_are_the_ones_the_case_is_scored_on(self, client, case, assessor):
        client = sign_in_verified(client, assessor)
        page = client.get(reverse("staff-case-request-new", args=[case.pk])).text
        assert case.organisation.is_educational
        assert ">2A: " in page and ">1A: " in page
        assert ">1E: " not in page

    def test_the_assessor_asks_through_the_form(self, client, case, assessor):
        criterion = criterion_of(case)
        client = sign_in_verified(client, assessor)
        page = client.get(reverse("staff-case-request-new", args=[case.pk]))
        assert page.status_code == 200
        assert 'value="15"' in page.text and 'value="2027"' in page.text
        response = client.post(
            reverse("staff-case-request-new", args=[case.pk]),
            ask_data(
                question_1="Send the inspection report.",
                criterion_1=str(criterion.pk),
                question_3="And the budget.",
            ),
        )
        assert response.status_code == 302
        request = InformationRequest.objects.get(case=case)
        assert list(request.questions.values_list("text", "criterion")) == [
            ("Send the inspection report.", criterion.pk),
            ("And the budget.", None),
        ]

    def test_a_second_request_from_a_page_opened_before_the_first_keeps_its_questions(
        self, client, case, assessor
    ):
        client = sign_in_verified(client, assessor)
        url = reverse("staff-case-request-new", args=[case.pk])
        assert client.post(url, ask_data(question_1="Send the report.")).status_code == 302
        again = client.post(url, ask_data(question_1="And the budget, please."))
        assert again.status_code == 200
        text = again.text.replace("&#x27;", "'")
        assert "Someone sent a request for information on this case after you opened" in text
        # Nothing in the form to change: not linked to its first field.
        assert "<li>Someone sent a request for information" in text
        assert 'href="#id_due' not in text
        assert "And the budget, please." in text
        assert "cannot be moved" not in text
        assert InformationRequest.objects.filter(case=case).count() == 1

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"question_1": "Q", "due_0": "6"}, "6 March 2027 is a Saturday"),
            ({"question_1": "Q", "due_0": "26"}, "bank holiday (Good Friday)"),
            ({"question_1": "Q", "due_0": "31", "due_1": "2"}, "must be a real date"),
            ({"question_1": "  "}, "Enter at least one question"),
            ({"question_1": "Q", "criterion_1": "999999"}, "Select a criterion from the list"),
            ({"criterion_2": "CRITERION"}, "Enter the question, or choose no criterion"),
        ],
    )
    def test_bad_input_is_explained_and_nothing_is_asked(
        self, client, case, assessor, fields, message
    ):
        if fields.get("criterion_2") == "CRITERION":
            fields = {**fields, "question_1": "Q", "criterion_2": str(criterion_of(case).pk)}
        client = sign_in_verified(client, assessor)
        response = client.post(
            reverse("staff-case-request-new", args=[case.pk]), {**ask_data(), **fields}
        )
        assert response.status_code == 200
        assert "<title>Error: " in response.text
        assert message in response.text.replace("&#x27;", "'")
        assert not InformationRequest.objects.exists()

    def test_an_assessor_not_on_the_case_gets_404(self, client, case):
        client = sign_in_verified(client, person_with("assessor"))
        for name in ("staff-case-requests", "staff-case-request-new"):
            assert client.get(reverse(name, args=[case.pk])).status_code == 404

    def test_a_decision_official_may_not_ask(self, client):
        case = ProposalFactory(status=Status.AWAITING_DECISION)
        client = sign_in_verified(client, person_with("decision_official"))
        assert client.get(reverse("staff-case-requests", args=[case.pk])).status_code == 200
        assert client.get(reverse("staff-case-request-new", args=[case.pk])).status_code == 403

    def test_the_extension_form(self, client, request_, assessor):
        client = sign_in_verified(client, assessor)
        url = reverse("staff-case-request-extend", args=[request_.case.pk])
        # The reason is the applicant's to read, and the form says so.
        hint = "The applicant will read this on their proposal’s page"
        assert hint in client.get(url).text
        refused = client.post(url, {**ask_data(date(2027, 3, 29)), "reason": "Away"})
        assert "bank holiday (Easter Monday)" in refused.text
        response = client.post(url, {**ask_data(date(2027, 3, 22)), "reason": "Away at a funeral"})
        assert response.status_code == 302
        request_.refresh_from_db()
        assert request_.due == date(2027, 3, 22)
        applicant = Client()
        applicant.force_login(request_.case.created_by)
        status = applicant.get(reverse("proposal-status", args=[request_.case.pk])).text
        assert "Away at a funeral" in status

    @pytest.mark.parametrize("year", ["27", "027", "20271"])
    def test_the_extension_form_refuses_a_year_not_of_4_numbers(
        self, client, request_, assessor, year
    ):
        client = sign_in_verified(client, assessor)
        url = reverse("staff-case-request-extend", args=[request_.case.pk])
        data = {**ask_data(date(2027, 3, 22)), "due_2": year, "reason": "Away"}
        refused = client.post(url, data)
        assert refused.status_code == 200
        assert "The new due date year must include 4 numbers" in refused.text
        assert "must be after the current one" not in refused.text
        request_.refresh_from_db()
        assert request_.due == date(2027, 3, 15)

    def test_a_date_wrong_in_more_than_its_year_is_not_a_real_date(
        self, client, request_, assessor
    ):
        client = sign_in_verified(client, assessor)
        url = reverse("staff-case-request-extend", args=[request_.case.pk])
        data = {**ask_data(date(2027, 3, 22)), "reason": "Away"}
        refused = client.post(url, {**data, "due_0": "0", "due_1": "0", "due_2": "0"})
        errors = refused.context["form"].errors["due"]
        assert len(errors) == 1 and "real date" in errors[0]
        assert "must include 4 numbers" not in refused.text

    def test_the_extension_form_tells_a_bad_date_and_a_missing_reason_at_once(
        self, client, request_, assessor
    ):
        client = sign_in_verified(client, assessor)
        url = reverse("staff-case-request-extend", args=[request_.case.pk])
        refused = client.post(url, {**ask_data(date(2027, 3, 12)), "reason": " "})
        errors = refused.context["form"].errors
        assert errors["due"] == ["The new due date must be after the current one, 15 March 2027"]
        assert errors["reason"] == ["Enter the reason for giving more time"]
        assert "must be after the current one, 15 March 2027" in refused.text
        assert "Enter the reason for giving more time" in refused.text
        request_.refresh_from_db()
        assert request_.due == date(2027, 3, 15)


def page_data(request, first_answer, second_answer):
    """The applicant's answer page as posted: both answers, at version 0."""
    first, second = request.questions.order_by("position")
    return {
        "request": str(request.pk),
        f"answer_{first.pk}": first_answer,
        f"version_{first.pk}": "0",
        f"answer_{second.pk}": second_answer,
        f"version_{second.pk}": "0",
    }


class TestApplicantPages:
    def url(self, case):
        return reverse("proposal-request-answer", args=[case.pk])

    def test_an_overdue_request_says_so_and_saving_does_not_promise_a_past_date(
        self, client, request_, applicant
    ):
        case = request_.case
        client.force_login(applicant)
        assert "as soon as you can" not in client.get(self.url(case)).text
        with time_machine.travel(datetime(2027, 3, 16, 10, tzinfo=UTC), tick=False):
            client.force_login(applicant)
            page = client.get(self.url(case))
            assert "These answers were due by 15 March 2027" in page.text
            data = page_data(request_, "Late, sorry.", "")
            saved = client.post(self.url(case), {**data, "save": ""}, follow=True)
        assert "They were due by 15 March 2027: send them as soon as you can." in saved.text

    def test_control_characters_in_an_answer_are_dropped(self, client, request_, applicant):
        case = request_.case
        client.force_login(applicant)
        first = request_.questions.get(position=1)
        data = page_data(request_, "Our \x1b[1mreport\x1b[0m\x07 is\u202e here.", "")
        assert client.post(self.url(case), {**data, "save": ""}).status_code == 302
        first.refresh_from_db()
        assert first.answer == "Our report is here."

    def test_an_answer_saved_since_the_page_opened_is_shown_and_the_error_is_at_its_box(
        self, client, request_, applicant
    ):
        """Two tabs, or two colleagues: the page refused shows the answer
        saved meanwhile beside what this person typed, so that saving again
        replaces it knowingly."""
        case = request_.case
        first = request_.questions.get(position=1)
        colleague = MembershipFactory(organisation=case.organisation, user__full_name="Rosa Bell")
        services.save_answers(request_, colleague.user, answers(request_, "Rosa's answer.", ""))
        client.force_login(applicant)
        page = client.post(self.url(case), {**page_data(request_, "Mine.", ""), "save": ""})
        assert page.status_code == 200
        assert f'<a href="#id_answer_{first.pk}">Someone else saved an answer to question 1' in (
            page.text
        )
        shown = page.text.split('id="saved-elsewhere"')[1].split("</div>")[0]
        assert "The answer to question 1 saved by Rosa Bell at " in shown
        assert "Rosa&#x27;s answer." in shown
        assert "Mine.</textarea>" in page.text
        first.refresh_from_db()
        assert first.answer == "Rosa's answer."

    def test_sending_with_a_question_unanswered_links_the_error_to_its_box(
        self, client, request_, applicant
    ):
        case = request_.case
        client.force_login(applicant)
        first = request_.questions.get(position=1)
        data = page_data(request_, "", "Nothing else.")
        page = client.post(self.url(case), {**data, "send": ""}).text
        assert f'<a href="#id_answer_{first.pk}">Answer question 1 before you send' in page

    def test_save_then_send_with_a_document_and_the_assessor_sees_it(
        self, client, request_, applicant, assessor, media_root
    ):
        case = request_.case
        client.force_login(applicant)
        status = client.get(reverse("proposal-status", args=[case.pk]))
        assert "Answer our questions" in status.text and "15 March 2027" in status.text
        dashboard = client.get(reverse("proposal-dashboard"))
        assert self.url(case) in dashboard.text
        page = client.get(self.url(case))
        assert "About 2A?" in page.text and "About 2A: " in page.text
        first, second = request_.questions.order_by("position")
        data = page_data(request_, "Our report is attached.", "")
        saved = client.post(self.url(case), {**data, "save": ""})
        assert saved.status_code == 302
        assert events_of(case, "request_answers_saved")
        data.update({f"answer_{second.pk}": "Nothing else.", f"version_{first.pk}": "1"})
        upload = SimpleUploadedFile("report.pdf", pdf_bytes(), content_type="application/pdf")
        sent = client.post(self.url(case), {**data, "document": upload, "send": ""})
        assert sent.status_code == 302
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT

        staff = sign_in_verified(client.__class__(), assessor)
        listing = staff.get(reverse("staff-case-requests", args=[case.pk]))
        text = listing.text
        assert text.index("2A: ") < text.index("Our report is attached.")
        assert "Nothing else." in text
        request_.refresh_from_db()
        assert f"Asked at {clock.describe(request_.asked_at)}" in text
        assert f"Sent at {clock.describe(request_.sent_at)}" in text
        document = request_.documents.get()
        link = reverse("staff-case-request-document", args=[case.pk, document.pk])
        assert link in text
        download = staff.get(link)
        assert b"".join(download.streaming_content) == pdf_bytes()
        assert events_of(case, "request_document_downloaded")[0].actor == assessor

    def test_a_document_saved_but_not_sent_is_not_the_staffs_to_download(
        self, client, request_, applicant, assessor, media_root
    ):
        case = request_.case
        client.force_login(applicant)
        upload = SimpleUploadedFile(
            "our-draft-plan.pdf", pdf_bytes(), content_type="application/pdf"
        )
        saved = client.post(
            self.url(case), {**page_data(request_, "Draft.", ""), "document": upload, "save": ""}
        )
        assert saved.status_code == 302
        document = request_.documents.get()
        staff = sign_in_verified(client.__class__(), assessor)
        link = reverse("staff-case-request-document", args=[case.pk, document.pk])
        assert link not in staff.get(reverse("staff-case-requests", args=[case.pk])).text
        assert staff.get(link).status_code == 404
        assert not events_of(case, "request_document_downloaded")
        # The case's timeline says a document was added to the answers, not which.
        timeline = staff.get(reverse("staff-case", args=[case.pk])).text
        assert "Document sent with answers uploaded" in timeline
        assert "our-draft-plan.pdf" not in timeline

    def test_an_upload_says_the_file_was_uploaded(self, client, request_, applicant, media_root):
        client.force_login(applicant)
        upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
        response = client.post(
            self.url(request_.case),
            {**page_data(request_, "Kept text", ""), "document": upload, "upload": ""},
            follow=True,
        )
        assert "plan.pdf has been uploaded. Your answers have been saved." in response.text
        # Saved with no file: only the answers are said to be saved.
        first, second = request_.questions.order_by("position")
        data = {
            **page_data(request_, "Kept text", ""),
            f"version_{first.pk}": str(first.version),
            f"version_{second.pk}": str(second.version),
            "save": "",
        }
        response = client.post(self.url(request_.case), data, follow=True)
        assert "Your answers have been saved." in response.text
        assert "has been uploaded" not in response.text

    def test_a_refused_file_loses_no_answer(self, client, request_, applicant, media_root):
        client.force_login(applicant)
        bad = SimpleUploadedFile("notes.pdf", b"not a pdf", content_type="application/pdf")
        response = client.post(
            self.url(request_.case),
            {**page_data(request_, "Kept text", ""), "document": bad, "save": ""},
        )
        assert response.status_code == 200
        assert "must be a PDF, DOCX" in response.text and "Kept text" in response.text
        assert not request_.documents.exists()

    def test_upload_with_no_file_chosen_says_so_and_keeps_the_answers(
        self, client, request_, applicant, media_root
    ):
        client.force_login(applicant)
        first = request_.questions.get(position=1)
        response = client.post(
            self.url(request_.case), {**page_data(request_, "Kept text", ""), "upload": ""}
        )
        assert response.status_code == 200
        assert '<a href="#id_document">Select a file to upload</a>' in response.text
        assert "Kept text" in response.text
        first.refresh_from_db()
        assert first.answer == "Kept text"
        # The page carries the version now stored: saving again is not stale.
        assert f'name="version_{first.pk}" value="{first.version}"' in response.text

    def test_another_organisation_gets_404(self, client, request_):
        client.force_login(MembershipFactory().user)
        assert client.get(self.url(request_.case)).status_code == 404

    def test_an_answer_with_a_null_character_is_refused_in_the_services_words(
        self, client, request_, applicant
    ):
        client.force_login(applicant)
        data = {**page_data(request_, "We have\x00 one", "Two"), "save": ""}
        response = client.post(self.url(request_.case), data)
        assert response.status_code == 200
        assert "Remove the null character from what you entered" in response.text
        assert "Null characters are not allowed" not in response.text
        assert not RequestQuestion.objects.exclude(answer="").exists()

    def test_answers_after_withdrawal_are_refused_with_a_message(self, client, request_, applicant):
        move(request_.case, Action.WITHDRAW, applicant, details={"reason": "Not ready."})
        client.force_login(applicant)
        first, second = request_.questions.order_by("position")
        response = client.post(
            self.url(request_.case),
            {
                "request": str(request_.pk),
                f"answer_{first.pk}": "Late",
                f"answer_{second.pk}": "Late",
                "send": "",
            },
            follow=True,
        )
        assert "Your answers were not saved" in response.text
        assert not RequestQuestion.objects.exclude(answer="").exists()

    def test_answers_sent_from_a_second_window_are_shown_back_to_copy(
        self, client, request_, applicant
    ):
        """Two windows: the first sends, the second's text is not lost."""
        client.force_login(applicant)
        first, second = request_.questions.order_by("position")
        data = {"request": str(request_.pk), "send": ""}
        for question in (first, second):
            data[f"version_{question.pk}"] = str(question.version)
        sent = client.post(
            self.url(request_.case),
            {**data, f"answer_{first.pk}": "From A.", f"answer_{second.pk}": "Also A."},
        )
        assert sent.status_code == 302
        response = client.post(
            self.url(request_.case),
            {**data, f"answer_{first.pk}": "Window B's answer.", f"answer_{second.pk}": ""},
        )
        assert response.status_code == 409
        assert "Your answers were not saved" in response.text
        assert "What you wrote is below" in response.text
        assert escape(f"1. {first.text}") in response.text
        assert escape("Window B's answer.") in response.text
        first.refresh_from_db()
        assert first.answer == "From A."


# --- Query counts ----------------------------------------------------------------


def answered_requests(case, assessor, applicant, count):
    """``count`` requests, each answered and sent, the last left open."""
    for number in range(count):
        request = ask(
            case, assessor, *[f"Question {n}" for n in range(3)], criterion=criterion_of(case)
        )
        services.save_answers(request, applicant, answers(request, "A", "B", "C"))
        if number < count - 1:
            services.send_answers(request, applicant)
    return request


@pytest.mark.parametrize("size", [1, 4])
def test_the_staff_requests_page_costs_the_same_at_any_size(
    client, case, assessor, applicant, size, django_assert_num_queries
):
    answered_requests(case, assessor, applicant, size)
    client = sign_in_verified(client, assessor)
    url = reverse("staff-case-requests", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_the_answer_page_costs_the_same_at_any_size(
    client, case, assessor, applicant, size, django_assert_num_queries, media_root
):
    request = ask(case, assessor, *[f"Question {n}" for n in range(size)])
    for n in range(size):
        TestDocuments().upload(request, applicant, name=f"doc{n}.pdf")
    client.force_login(applicant)
    url = reverse("proposal-request-answer", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_a_case_walked_to_information_requested_waits_on_a_request(client):
    case = ProposalFactory(status=Status.INFORMATION_REQUESTED)
    request = InformationRequest.objects.get(case=case)
    assert request.is_open and request.due == date(2027, 3, 15)
    client.force_login(case.created_by)
    page = client.get(reverse("proposal-status", args=[case.pk]))
    assert reverse("proposal-request-answer", args=[case.pk]) in page.text
