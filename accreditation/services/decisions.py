"""The decision for the Secretary of State: one case, several at once (each
checked on its own), and the correction of a wrong decision before its
letter is issued. Every decision goes through the workflow, which checks the
official's part in the case and the guards; the decision's date, reasons and
signatory are kept in the move's details on the timeline, where letters read
them (``accreditation.queries.decisions.decision_of``)."""

from django.db import transaction

from accreditation import clock
from accreditation.access import require
from accreditation.case_roles import CaseRole, resolve_many
from accreditation.workflow import (
    Action,
    GuardFailed,
    Move,
    Status,
    WorkflowError,
    check,
    guard,
    move,
    move_many,
)

OUTCOMES = {Action.ACCREDIT: "Accredited", Action.NOT_ACCREDIT: "Not accredited"}

LETTER_GUARD = "feedback.guards.decision_letter_not_issued"
"""The correction's guard that its decision's letter is not yet issued."""

NOT_ASSESSED = (
    Status.SUBMITTED,
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
)
HAD_PART = (
    "You cannot decide this case because you had a part in it: you screened it, assessed it, "
    "or sat on an Advisory Group meeting that reviewed it. Another decision official must "
    "decide it."
)


class DecisionRefused(Exception):
    """A decision not made; nothing was written. ``field`` is the form field
    the message is about (None: the case as a whole)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _correctable(case):
    """Whether the decided ``case``'s decision can still be corrected as far
    as its letter goes (the correction's own guard: not yet issued)."""
    proposed = Move(case, None, Action.CORRECT_DECISION, clock.now(), None, frozenset())
    return guard(LETTER_GUARD)(proposed) is None


def explain(case, action, message, roles):
    """The reason a move on ``case`` (as it is now) was refused, in words
    for the official: the workflow's own message where it says enough."""
    if action == Action.CORRECT_DECISION:
        if case.status not in (Status.ACCREDITED, Status.NOT_ACCREDITED):
            return "This case has not been decided, so there is no decision to correct."
    elif case.status in (Status.ACCREDITED, Status.NOT_ACCREDITED):
        decided = f"This case has already been decided: {case.get_status_display().lower()}."
        if not _correctable(case):
            return f"{decided} Its letter has been issued, so the decision stands."
        return (
            f"{decided} The first decision stands: until the letter telling the applicant is "
            "issued, an official with no part in the case can correct it."
        )
    elif case.status in NOT_ASSESSED:
        return "The assessment of this case is not complete, so it cannot be decided yet."
    elif case.status == Status.ADVISORY_REVIEW:
        return "The Advisory Group has not advised on this case yet, so it cannot be decided yet."
    elif case.status != Status.AWAITING_DECISION:
        return f"This case is {case.get_status_display().lower()}, so it cannot be decided."
    if CaseRole.DECISION_OFFICIAL not in roles:
        return HAD_PART
    return message


def why_not(case, actor, action):
    """Why ``actor`` cannot move ``case`` by ``action`` now, before they
    fill anything in, or None if they can."""
    roles = resolve_many([case], actor)[case.pk]
    try:
        check(case, action, actor, roles=roles)
    except WorkflowError as refusal:
        return explain(case, action, str(refusal), roles)
    return None


DATE_GUARD = "accreditation.guards.decision_date_possible"
DATE_GUARD_FIELD = "decision_date"


def _details(actor, decision_date, reasons):
    return {
        "decision_date": decision_date.isoformat(),
        "reason": reasons.strip(),
        "signatory_name": actor.full_name,
    }


def _refused(case, action, actor, refusal, guard_field=None):
    """The refusal to raise, judged on the case as it is now (another
    official may have decided it meanwhile)."""
    case.refresh_from_db(fields=["status"])
    roles = resolve_many([case], actor)[case.pk]
    field = None
    if isinstance(refusal, GuardFailed):
        field = DATE_GUARD_FIELD if refusal.guard == DATE_GUARD else guard_field
    return DecisionRefused(explain(case, action, str(refusal), roles), field)


def decide(case, actor, *, outcome, decision_date, reasons):
    """Record ``outcome`` (accredit or not_accredit) on ``case``, signed by
    ``actor``. Raises DecisionRefused and writes nothing on refusal; of two
    officials deciding at once, the first stands and the second is refused."""
    require(actor, "accreditation.use_decisions")
    if outcome not in OUTCOMES:
        raise DecisionRefused("Select whether the case is accredited.", "outcome")
    try:
        return move(case, outcome, actor, details=_details(actor, decision_date, reasons))
    except WorkflowError as refusal:
        raise _refused(case, outcome, actor, refusal, "reasons") from refusal


def decide_many(cases, actor, *, outcome, decision_date, reasons_by_case):
    """One decision for each of ``cases`` (a queryset), each checked on its
    own. Returns the workflow's result, with each refusal explained."""
    require(actor, "accreditation.use_decisions")
    if outcome not in OUTCOMES:
        raise DecisionRefused("Select whether the cases are accredited.", "outcome")
    details = _details(actor, decision_date, "")
    result = move_many(
        cases,
        outcome,
        actor,
        details=details,
        details_by_case={
            pk: {"reason": reasons.strip()} for pk, reasons in reasons_by_case.items()
        },
    )
    if result.refused:
        refused = list(cases.model.objects.filter(pk__in=list(result.refused)))
        roles = resolve_many(refused, actor)
        for case in refused:
            result.refused[case.pk] = explain(
                case, outcome, result.refused[case.pk], roles[case.pk]
            )
    return result


CORRECTION_REASONS_GUARD = "accreditation.guards.reasons_when_corrected_against_advice"


def correct(case, actor, *, reason, to, decision_reasons=""):
    """Correct a decided case's decision to ``to`` (the other outcome: the
    status the official asked for), with a reason, before its decision
    letter is issued; where the corrected decision goes against the
    recommendation or the advice, with its ``decision_reasons`` too (its
    letter gives them). Refused when the case already has that status: the
    official saw it before someone else corrected it (or their own request
    was sent twice), and correcting it again would turn it back."""
    require(actor, "accreditation.use_decisions")
    if not reason.strip():
        raise DecisionRefused("Enter the reason for correcting the decision.", "reason")
    details = _details(actor, clock.today(), reason)
    if decision_reasons.strip():
        details["decision_reasons"] = decision_reasons.strip()
    with transaction.atomic():
        status = (
            type(case).objects.select_for_update().values_list("status", flat=True).get(pk=case.pk)
        )
        if status == to:
            raise DecisionRefused(
                f"The decision on this case is already {Status(to).label.lower()}: it was "
                "corrected after you opened the page. Nothing was changed."
            )
        try:
            return move(case, Action.CORRECT_DECISION, actor, details=details)
        except WorkflowError as refusal:
            field = (
                "decision_reasons"
                if isinstance(refusal, GuardFailed) and refusal.guard == CORRECTION_REASONS_GUARD
                else None
            )
            raise _refused(case, Action.CORRECT_DECISION, actor, refusal, field) from refusal
