"""Information requests: asking, answering, extending and the documents sent
with the answers, each write on the case timeline.

The case waits while a request is open: asking moves it ``in_assessment`` to
``information_requested`` and sending the answers moves it back, both through
``move()``. Answers and documents are written only while the case waits on
that very request, checked under the case's row lock, so an answer after the
case has moved on (withdrawn, or the answers already sent from another
window) is refused and nothing is written.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accreditation import clock, emails, events, policy, timeline
from accreditation.access import require
from accreditation.events import EventType
from accreditation.forms.helpers import ANSWER_CHARS_PER_WORD
from accreditation.models import CaseEvent, Criterion, User
from accreditation.models.organisations import contact_addresses
from accreditation.queries.conflicts import is_conflicted
from accreditation.workflow import Action, Status, check, move
from assessments.models import (
    Assignment,
    InformationRequest,
    RequestDocument,
    RequestQuestion,
)
from proposals.models import Proposal
from proposals.queries.journey import count_words
from proposals.services.evidence import clean_file_name

events.register(
    EventType("request_answers_saved", "Answers to the information request saved"),
    EventType("request_document_uploaded", "Document sent with answers uploaded"),
    EventType("request_document_deleted", "Document sent with answers deleted"),
    EventType("request_document_downloaded", "Document sent with answers downloaded"),
    EventType(
        "request_due_extended",
        "Information request due date extended",
        "We gave you more time to answer our questions",
    ),
)

MAX_QUESTIONS = 5
"""Questions one request can ask (the form's boxes)."""
QUESTION_MAX_CHARS = 2000
ANSWER_WORD_LIMIT = 500
"""Words an answer to one question may have, counted as the proposal journey
counts them."""
ANSWER_MAX_CHARS = ANSWER_WORD_LIMIT * ANSWER_CHARS_PER_WORD
REASON_MAX_CHARS = 1000


class RequestError(Exception):
    """A refused write. The message is fit to show the person who tried;
    ``field`` names the answer's form field it is about, if one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class RequestWaiting(RequestError):
    """A request refused because another waits on the case: about none of
    the form's fields."""


class RequestClosed(RequestError):
    """The case no longer waits on the request: nothing was written."""


@dataclass(frozen=True)
class NewQuestion:
    text: str
    criterion_id: int | None = None


# --- Due dates -------------------------------------------------------------------


def _written(day):
    return f"{day.day} {day:%B %Y}"


def default_due(today=None):
    """The policy's number of working days from ``today`` (Europe/London)."""
    return clock.working_days_after(
        today or clock.today(), policy.current().information_request_working_days
    )


def due_date_problem(due, today=None):
    """Why ``due`` cannot be a due date, or None: it must be a working day
    (not a weekend or an England and Wales bank holiday) after today, and no
    further ahead than the policy's ``information_request_max_days``."""
    today = today or clock.today()
    written = _written(due)
    if due <= today:
        return "The due date must be in the future"
    latest = today + timedelta(days=policy.current().information_request_max_days)
    if due > latest:
        return f"The due date must be no later than {_written(latest)}"
    if due.weekday() >= 5:
        return f"The due date must be a working day: {written} is a {due:%A}"
    holiday = clock.bank_holiday_name(due)
    if holiday:
        return f"The due date must be a working day: {written} is a bank holiday ({holiday})"
    return None


# --- Asking ----------------------------------------------------------------------


def _locked_case(case):
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("organisation", "round", "window")
        .get(pk=case.pk)
    )


def ask(case, actor, questions, due, *, when=None):
    """Ask the applicant ``questions`` (NewQuestion), due on ``due``: the case
    waits in ``information_requested``. Returns the request. Raises
    RequestError (bad questions or date) or WorkflowError (the case cannot
    wait now, or the actor has no part that may ask)."""
    require(actor, "assessments.ask_for_information", case)
    when = when or clock.now()
    questions = [
        NewQuestion(question.text.strip(), question.criterion_id)
        for question in questions
        if question.text.strip()
    ]
    if not questions:
        raise RequestError("Enter at least one question")
    if len(questions) > MAX_QUESTIONS:
        raise RequestError(f"Ask at most {MAX_QUESTIONS} questions in one request")
    if any(len(question.text) > QUESTION_MAX_CHARS for question in questions):
        raise RequestError(f"Each question must be {QUESTION_MAX_CHARS:,} characters or fewer")
    problem = due_date_problem(due, clock.local_date(when))
    if problem:
        raise RequestError(problem)
    criteria = {
        criterion.pk: criterion
        for criterion in Criterion.objects.filter(
            part__framework_id=case.framework_id,
            pk__in=[q.criterion_id for q in questions if q.criterion_id],
        )
    }
    if any(q.criterion_id and q.criterion_id not in criteria for q in questions):
        raise RequestError("Select a criterion of this proposal’s framework, or none")
    with transaction.atomic():
        locked = _locked_case(case)
        if locked.status == Status.INFORMATION_REQUESTED:
            raise RequestWaiting(
                "Someone sent a request for information on this case after you opened this "
                "page, and it waits for the applicant's answers. Your questions have not been "
                "sent: ask them once the answers arrive."
            )
        check(locked, Action.REQUEST_INFORMATION, actor, when=when)
        request = InformationRequest.objects.create(
            case=locked, asked_by=actor, asked_at=when, due=due
        )
        RequestQuestion.objects.bulk_create(
            RequestQuestion(
                request=request,
                position=position,
                text=question.text,
                criterion_id=question.criterion_id,
            )
            for position, question in enumerate(questions, start=1)
        )
        move(
            locked,
            Action.REQUEST_INFORMATION,
            actor,
            details={
                "request": request.pk,
                "questions": [question.text for question in questions],
                "criteria": [
                    criteria[q.criterion_id].code if q.criterion_id else "" for q in questions
                ],
                "due": due.isoformat(),
            },
            when=when,
        )
        _email_applicant(locked, request, questions)
    case.status = locked.status
    return request


def _email_applicant(case, request, questions):
    recipients = contact_addresses(case.organisation_id)
    emails.queue(
        "assessments/information_requested",
        {
            "case": case,
            "request": request,
            "questions": questions,
            "link": settings.SERVICE_URL + reverse("proposal-request-answer", args=[case.pk]),
        },
        recipients,
        key=f"information_requested:{request.pk}",
    )


# --- Answering -------------------------------------------------------------------


def _locked_open_request(request, actor):
    """The request and its case, locked, while the case waits on it; else
    RequestError and nothing written."""
    require(actor, "assessments.answer_request", request.case)
    case = _locked_case(request.case)
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise RequestClosed(
            "Your answers to these questions have already been sent, so nothing has been changed."
        )
    if case.status != Status.INFORMATION_REQUESTED:
        raise RequestClosed(
            "This proposal is no longer waiting for these answers, so nothing has been saved."
        )
    return case, locked


def answer_problem(text):
    """Why ``text`` cannot be an answer, or None."""
    if len(text) > ANSWER_MAX_CHARS:
        return (
            f"Your answer must be {ANSWER_MAX_CHARS:,} characters or fewer. It has {len(text):,}."
        )
    words = count_words(text)
    if words > ANSWER_WORD_LIMIT:
        return f"Your answer must be {ANSWER_WORD_LIMIT} words or fewer. It has {words} words."
    return None


class StaleAnswer(RequestError):
    """An answer was saved since the page showed it: ``question`` holds the
    answer saved (the page shows it beside what was typed, so that saving
    again replaces it knowingly)."""

    def __init__(self, question, yours):
        who = (
            "You saved an answer to question {} in another tab or window"
            if yours
            else "Someone else saved an answer to question {}"
        )
        super().__init__(
            f"{who.format(question.position)} while you were editing it here, so your answers "
            "have not been saved. Check the answer saved, shown above the questions, then save "
            "again to replace it.",
            field=f"answer_{question.pk}",
        )
        self.question = question


def save_answers(request, actor, answers):
    """Save the answers ``{question pk: (text, version shown)}`` of an open
    request; a version of None skips the stale check. Unchanged answers are
    left alone. Returns the positions of the answers changed."""
    for text, _version in answers.values():
        problem = answer_problem(text)
        if problem:
            raise RequestError(problem)
    with transaction.atomic():
        case, locked = _locked_open_request(request, actor)
        questions = {q.pk: q for q in locked.questions.select_for_update()}
        if set(answers) - set(questions):
            raise RequestError("Answer the questions on this page only")
        changed = []
        now = clock.now()
        for pk, (text, version) in answers.items():
            question = questions[pk]
            if version is not None and version != question.version:
                raise StaleAnswer(question, yours=question.answered_by_id == actor.pk)
            if text == question.answer:
                continue
            question.answer, question.answered_by, question.answered_at = text, actor, now
            question.version += 1
            question.save(update_fields=["answer", "answered_by", "answered_at", "version"])
            changed.append(question.position)
        if changed:
            timeline.append(
                case,
                action="request_answers_saved",
                actor=actor,
                details={"request": locked.pk, "questions": sorted(changed)},
                when=now,
            )
    return sorted(changed)


def send_answers(request, actor):
    """Send the saved answers: every question needs one. The case returns to
    assessment and the assessor is told by e-mail."""
    with transaction.atomic():
        case, locked = _locked_open_request(request, actor)
        questions = locked.questions.order_by("position")
        unanswered = [q for q in questions if not q.answer.strip()]
        if unanswered:
            positions = [str(q.position) for q in unanswered]
            raise RequestError(
                f"Answer question {positions[0]} before you send your answers"
                if len(positions) == 1
                else "Answer questions "
                + ", ".join(positions[:-1])
                + f" and {positions[-1]} before you send your answers",
                field=f"answer_{unanswered[0].pk}",
            )
        event = move(case, Action.RESPOND_TO_REQUEST, actor, details={"request": locked.pk})
        locked.sent_at, locked.sent_by = event.created_at, actor
        locked.save(update_fields=["sent_at", "sent_by"])
        _email_assessors(case, locked)
    request.sent_at, request.sent_by = locked.sent_at, locked.sent_by
    request.case.status = case.status
    return locked


def _email_assessors(case, request):
    """The person who asked, and the case's current assessors: not one who
    has since declared a conflict with the organisation (they were stood
    down, and may no longer see the case)."""
    current = Assignment.objects.filter(case=case, ended_at__isnull=True).values("assessor_id")
    recipients = [
        person
        for person in User.objects.filter(is_active=True).filter(
            pk__in=[request.asked_by_id, *current.values_list("assessor_id", flat=True)]
        )
        if not is_conflicted(person, case.organisation)
    ]
    emails.queue(
        "assessments/information_answered",
        {
            "case": case,
            "request": request,
            "link": settings.SERVICE_URL + reverse("staff-case", args=[case.pk]) + "#requests",
        },
        [person.email for person in recipients],
        key=f"information_answered:{request.pk}",
    )


# --- Documents sent with the answers ---------------------------------------------


def add_document(request, uploaded_file, *, content_type, sha256, actor):
    """Store a checked upload (``proposals.services.evidence.validate_upload``)
    with an open request's answers. The file is removed again if anything
    after writing it fails."""
    document = RequestDocument(
        request=request,
        original_name=clean_file_name(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    try:
        with transaction.atomic():
            case, locked = _locked_open_request(request, actor)
            if locked.documents.count() >= settings.EVIDENCE_MAX_FILES:
                raise ValidationError(
                    f"You can send up to {settings.EVIDENCE_MAX_FILES} documents. Delete one "
                    "before you add another",
                    code="too_many",
                )
            document.file.save(document.original_name, uploaded_file, save=False)
            document.save()
            timeline.append(
                case,
                action="request_document_uploaded",
                actor=actor,
                details={
                    "request": locked.pk,
                    "document": document.pk,
                    "name": document.original_name,
                },
            )
    except Exception:
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def delete_document(document, *, actor):
    """Remove a document from an open request's answers; the file goes once
    the removal is committed."""
    with transaction.atomic():
        case, locked = _locked_open_request(document.request, actor)
        if not RequestDocument.objects.filter(pk=document.pk).exists():
            # Deleted from another tab while this one waited for the lock.
            raise RequestError(f"{document.original_name} has already been deleted")
        storage, name = document.file.storage, document.file.name
        details = {"request": locked.pk, "document": document.pk, "name": document.original_name}
        document.delete()
        timeline.append(case, action="request_document_deleted", actor=actor, details=details)
        transaction.on_commit(lambda: storage.delete(name))


def document_deleted(case, document_id):
    """Whether the request document ``document_id`` of ``case`` has been
    deleted (its timeline says so, and it is gone)."""
    return (
        not RequestDocument.objects.filter(pk=document_id, request__case=case).exists()
        and CaseEvent.objects.filter(
            case_id=case.pk, action="request_document_deleted", details__document=document_id
        ).exists()
    )


def open_document(document, *, user):
    """Open a document for ``user`` (the applicant or staff who may see the
    case), with the download on the case timeline."""
    case = document.request.case
    require(user, "assessments.read_request_documents", case)
    handle = document.file.open("rb")
    timeline.record(
        case,
        "request_document_downloaded",
        user,
        details={
            "request": document.request_id,
            "document": document.pk,
            "name": document.original_name,
        },
    )
    return handle


# --- Extending the due date ------------------------------------------------------


def extension_problem(due, current):
    """Why ``due`` cannot be the new due date of a request due on
    ``current``, or None: it must be after ``current``, and a due date
    (``due_date_problem``)."""
    if due <= current:
        return f"The new due date must be after the current one, {_written(current)}"
    problem = due_date_problem(due)
    return problem and problem.replace("The due date", "The new due date")


def extend(request, actor, due, reason):
    """Move an open request's due date later, with a reason, on the timeline;
    the applicant is told by e-mail."""
    case = request.case
    require(actor, "assessments.ask_for_information", case)
    reason = reason.strip()
    if not reason:
        raise RequestError("Enter the reason for giving more time")
    if len(reason) > REASON_MAX_CHARS:
        raise RequestError(f"The reason must be {REASON_MAX_CHARS:,} characters or fewer")
    with transaction.atomic():
        locked_case = _locked_case(case)
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.is_open or locked_case.status != Status.INFORMATION_REQUESTED:
            raise RequestError(
                "This request is no longer waiting for answers, so its due date cannot change."
            )
        problem = extension_problem(due, locked.due)
        if problem:
            raise RequestError(problem)
        previous, locked.due = locked.due, due
        locked.save(update_fields=["due"])
        timeline.append(
            locked_case,
            action="request_due_extended",
            actor=actor,
            details={
                "request": locked.pk,
                "from": previous.isoformat(),
                "to": due.isoformat(),
                "reason": reason,
            },
        )
        emails.queue(
            "assessments/information_extended",
            {"case": locked_case, "request": locked},
            contact_addresses(locked_case.organisation_id),
            key=f"information_extended:{locked.pk}:{due.isoformat()}",
        )
    request.due = due
    return locked
