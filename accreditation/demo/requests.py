"""Information requests in the demo.

The histories ask for information through the workflow (a
``request_information`` move with its questions and due date, and a
``respond_to_request`` move when answered). Here each of those moves gets
the request it stands for, with its questions and, once answered, the
applicant's answers, so the staff and applicant pages show them: requests
waiting past their due date (asked last term), and answered ones. So that
there is also one waiting and still in time, a case in assessment is asked
now, through ``move()``, as its assessor would.

Rows are matched to their moves by case and time, so a rerun adds nothing.
"""

from django.apps import apps
from django.db import transaction

from accreditation import clock, policy
from accreditation.models import CaseEvent, Criterion
from accreditation.workflow import Action, Status, move

ANSWERS = (
    "The latest reports are attached: both schools were judged good at their last "
    "inspections, in March 2024 and January 2025.",
    "Our board will have nine trustees, three with primary headship experience; the chair "
    "meets the local authority's school improvement lead each half term.",
    "We will second an experienced Early Years lead from Hill Primary for two days a week "
    "from September.",
)
QUESTIONS_NOW = (
    ("2A", "Please send the latest inspection report of each school you lead, with its date."),
    ("", "Tell us who will lead the partnership's school improvement work day to day."),
)


def _models():
    return (
        apps.get_model("assessments", "InformationRequest"),
        apps.get_model("assessments", "RequestQuestion"),
        apps.get_model("proposals", "Proposal"),
    )


def _questions(details):
    questions = details.get("questions") or []
    return [questions] if isinstance(questions, str) else list(questions)


def _pairs():
    """(request event, respond event or None) for each request move."""
    pairs, waiting = [], {}
    for event in (
        CaseEvent.objects.filter(action__in=[Action.REQUEST_INFORMATION, Action.RESPOND_TO_REQUEST])
        .order_by("case_id", "sequence")
        .only("case_id", "action", "actor_id", "created_at", "details")
        .iterator(chunk_size=2000)
    ):
        if event.action == Action.REQUEST_INFORMATION:
            waiting[event.case_id] = len(pairs)
            pairs.append([event, None])
        elif event.case_id in waiting:
            pairs[waiting.pop(event.case_id)][1] = event
    return pairs


def record_requests():
    """Create the request, questions and answers of every request move that
    has none yet. Returns how many requests were created."""
    InformationRequest, RequestQuestion, _ = _models()
    known = set(InformationRequest.objects.values_list("case_id", "asked_at"))
    working_days = policy.current().information_request_working_days
    new, texts = [], []
    for asked, answered in _pairs():
        if (asked.case_id, asked.created_at) in known:
            continue
        due = asked.details.get("due")
        new.append(
            InformationRequest(
                case_id=asked.case_id,
                asked_by_id=asked.actor_id,
                asked_at=asked.created_at,
                due=due
                or clock.working_days_after(clock.local_date(asked.created_at), working_days),
                sent_by_id=answered.actor_id if answered else None,
                sent_at=answered.created_at if answered else None,
            )
        )
        texts.append((_questions(asked.details), asked.details.get("criteria") or []))
    InformationRequest.objects.bulk_create(new, batch_size=1000)
    codes = dict(Criterion.objects.filter(part__framework__version=1).values_list("code", "pk"))
    questions = []
    for request, (asked, criteria) in zip(new, texts, strict=True):
        for position, text in enumerate(asked, start=1):
            code = criteria[position - 1] if position <= len(criteria) else ""
            question = RequestQuestion(
                request=request,
                position=position,
                text=text,
                criterion_id=codes.get(code),
            )
            if request.sent_at:
                question.answer = ANSWERS[(request.case_id + position) % len(ANSWERS)]
                question.answered_by_id, question.answered_at = request.sent_by_id, request.sent_at
                question.version = 1
            questions.append(question)
    RequestQuestion.objects.bulk_create(questions, batch_size=2000)
    return len(new)


def ask_one_now(now):
    """Ask a case in assessment for information now, unless a case already
    waits on a request that is still in time. Returns the case asked, or None."""
    InformationRequest, _, Proposal = _models()
    today = clock.local_date(now)
    if InformationRequest.objects.filter(
        sent_at__isnull=True, due__gte=today, case__status=Status.INFORMATION_REQUESTED
    ).exists():
        return None
    case = (
        Proposal.objects.filter(
            status=Status.IN_ASSESSMENT, updated_at__lt=now, assignments__ended_at__isnull=True
        )
        .order_by("-updated_at", "pk")
        .first()
    )
    if case is None:
        return None
    assessor = case.assignments.get(ended_at__isnull=True, kind="first").assessor
    due = clock.working_days_after(today, policy.current().information_request_working_days)
    with transaction.atomic():
        move(
            case,
            Action.REQUEST_INFORMATION,
            assessor,
            details={
                "questions": [text for _, text in QUESTIONS_NOW],
                "criteria": [code for code, _ in QUESTIONS_NOW],
                "due": due.isoformat(),
            },
            when=now,
        )
    return case


def add(now):
    """The demo's information requests (see the module's doc)."""
    with transaction.atomic():
        record_requests()
        if ask_one_now(now):
            record_requests()
