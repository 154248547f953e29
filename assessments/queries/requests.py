"""Read shapes for information requests: a case's requests with their
questions, answers and documents in a fixed number of queries, and the sent
answers by criterion for the pages that show them beside each criterion."""

from collections import defaultdict

from django.db.models import Prefetch

from assessments.models import InformationRequest, RequestDocument, RequestQuestion


def _questions():
    return RequestQuestion.objects.select_related("criterion", "answered_by").order_by("position")


def requests_for_case(case):
    """Every request on ``case``, newest first, with its questions (and
    their criteria) and documents: three queries whatever their number."""
    return list(
        InformationRequest.objects.filter(case=case)
        .select_related("asked_by", "sent_by")
        .prefetch_related(
            Prefetch("questions", queryset=_questions()),
            Prefetch("documents", queryset=RequestDocument.objects.select_related("uploaded_by")),
        )
        .order_by("-asked_at", "-pk")
    )


def open_request(case):
    """The request ``case`` waits on, with its questions and documents, or None."""
    return next((request for request in requests_for_case(case) if request.is_open), None)


def answers_by_criterion(case):
    """{criterion pk: [RequestQuestion, ...]} of the answers the applicant has
    sent (oldest first), for showing beside each criterion; questions asked
    about no criterion are under None. Answers saved but not yet sent are
    the applicant's own and not shown. One query."""
    answers = defaultdict(list)
    for question in (
        _questions()
        .select_related("request")
        .filter(request__case=case, request__sent_at__isnull=False)
        .order_by("request__asked_at", "request__pk", "position")
    ):
        answers[question.criterion_id].append(question)
    return dict(answers)
