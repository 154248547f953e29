"""Workflow guards that need only the spine's data. Each takes the proposed
``workflow.Move`` (the case, the actor, the action, the time read after the
case's row lock, the move's details and the actor's roles in the case) and
returns None when the move may go ahead or a message saying why not.

``move.details`` is None when the caller asks what a person could do before they
have filled anything in (``allowed_actions``): a guard that judges the details
lets such a question through, and judges them when the move is made. A guard
that reads more rows than the case's own may carry a ``prefetch(cases)`` that
loads them for many cases in one query, for the bulk paths.
"""

from datetime import date

from accreditation import clock
from accreditation.models import AccreditationType, CaseEvent

RECOMMENDATIONS = {
    "accredit": "Recommend accreditation",
    "not_accredit": "Recommend not to accredit",
}
ADVICE = {
    "agree": "The group agrees with the recommendation",
    "disagree": "The group disagrees with the recommendation",
}


def deadline_passed(move):
    period = move.case.period
    if getattr(period, "cancelled_at", None) is not None:
        return "The round was cancelled: its drafts are kept to be moved to another round."
    if move.when < period.deadline:
        return "The deadline has not passed yet."
    return None


def is_asg(move):
    if move.case.accreditation_type != AccreditationType.ASG:
        return "Only ASG proposals go to the Advisory Group before a decision."
    return None


def is_asp(move):
    if move.case.accreditation_type != AccreditationType.ASP:
        return "An ASG proposal must be reviewed by the Advisory Group before a decision."
    return None


def recommendation_given(move):
    if move.details is not None and move.details.get("recommendation") not in RECOMMENDATIONS:
        return "Choose whether to recommend accreditation."
    return None


def advice_given(move):
    if move.details is not None and move.details.get("advice") not in ADVICE:
        return "Choose whether the group agrees with the recommendation."
    return None


def decision_date_possible(move):
    """The date a decision records is neither in the future nor before the
    case was ready for decision (its last move, into awaiting decision)."""
    if move.details is None or not move.details.get("decision_date"):
        return None
    day = date.fromisoformat(str(move.details["decision_date"]))
    if day > clock.local_date(move.when):
        return "The date of the decision must be today or in the past."
    ready = clock.local_date(move.case.updated_at)
    if day < ready:
        return (
            "The date of the decision must be on or after "
            f"{ready.day} {ready:%B %Y}, when the case was ready for decision."
        )
    return None


def _recommendation_and_advice(case):
    """The case's standing recommendation and the group's advice on it (None
    where there is none), from its timeline."""
    cached = getattr(case, "_recommendation_and_advice", None)
    if cached is not None:
        return cached
    events = CaseEvent.objects.filter(case_id=case.pk, action__in=("recommend", "advise"))
    return _latest(events.order_by("sequence").values_list("action", "details"))


def _latest(rows):
    recommendation = advice = None
    for action, details in rows:
        if action == "recommend":
            recommendation, advice = details.get("recommendation"), None
        else:
            advice = details.get("advice")
    return recommendation, advice


def goes_against(case, outcome):
    """What a decision of ``outcome`` (accredit or not_accredit) on ``case``
    goes against: "the recommendation", "the Advisory Group's advice", or
    None."""
    recommendation, advice = _recommendation_and_advice(case)
    against_recommendation = recommendation is not None and outcome != recommendation
    against_advice = (advice == "agree" and against_recommendation) or (
        advice == "disagree" and not against_recommendation
    )
    if against_recommendation:
        return "the recommendation"
    if against_advice:
        return "the Advisory Group's advice"
    return None


def reason_when_against_advice(move):
    """A decision against the assessor's recommendation, or against the
    Advisory Group's advice on it, must say why."""
    if move.details is None or str(move.details.get("reason", "")).strip():
        return None
    against = goes_against(move.case, move.action)
    return f"Give the reasons for deciding against {against}" if against else None


def corrected_outcome(case):
    """The outcome a correction of ``case``'s decision turns it to."""
    return "not_accredit" if case.status == "accredited" else "accredit"


def reasons_when_corrected_against_advice(move):
    """A correction turns the decision to the other outcome. Where that goes
    against the recommendation or the advice, the correction gives the
    decision's reasons too (``decision_reasons``), which its letter carries:
    the correction's own reason says why the record was wrong."""
    if move.details is None or str(move.details.get("decision_reasons", "")).strip():
        return None
    against = goes_against(move.case, corrected_outcome(move.case))
    return (
        f"Give the reasons for the corrected decision: it goes against {against}"
        if against
        else None
    )


def _prefetch_recommendations(cases):
    rows = {}
    for case_id, action, details in (
        CaseEvent.objects.filter(
            case_id__in=[case.pk for case in cases], action__in=("recommend", "advise")
        )
        .order_by("case_id", "sequence")
        .values_list("case_id", "action", "details")
    ):
        rows.setdefault(case_id, []).append((action, details))
    for case in cases:
        case._recommendation_and_advice = _latest(rows.get(case.pk, ()))


reason_when_against_advice.prefetch = _prefetch_recommendations
reasons_when_corrected_against_advice.prefetch = _prefetch_recommendations
