"""The life of a case: one declared transition table, and the only two
functions that change a case's status.

``move()`` moves one case and ``move_many()`` moves many at once (lapsing every
draft at a deadline). Both check the table, the actor's role and the guards,
then write the status and a timeline event in one transaction; on refusal they
write nothing.

Guards that need another app's data are named by dotted path and resolved on
first use, so the spine never imports the apps that stand on it.
"""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.module_loading import import_string

from accreditation import clock
from accreditation.roles import Role


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CLOSED_INELIGIBLE = "closed_ineligible", "Closed: not eligible"
    IN_ASSESSMENT = "in_assessment", "In assessment"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    ASSESSED = "assessed", "Assessed"
    ADVISORY_REVIEW = "advisory_review", "Advisory Group review"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    ACCREDITED = "accredited", "Accredited"
    NOT_ACCREDITED = "not_accredited", "Not accredited"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Action(models.TextChoices):
    SUBMIT = "submit", "Submit"
    LAPSE = "lapse", "Lapse at the deadline"
    WITHDRAW = "withdraw", "Withdraw"
    SCREEN_ELIGIBLE = "screen_eligible", "Screen as eligible"
    SCREEN_INELIGIBLE = "screen_ineligible", "Screen as not eligible"
    REQUEST_INFORMATION = "request_information", "Request information"
    RESPOND_TO_REQUEST = "respond_to_request", "Respond to information request"
    RECOMMEND = "recommend", "Recommend"
    REFER_TO_ADVISORY_GROUP = "refer_to_advisory_group", "Refer to the Advisory Group"
    REFER_TO_DECISION = "refer_to_decision", "Refer for decision"
    ADVISE = "advise", "Record the group's advice"
    REFER_BACK = "refer_back", "Refer back to the assessor"
    ACCREDIT = "accredit", "Decide: accredited"
    NOT_ACCREDIT = "not_accredit", "Decide: not accredited"
    UPHOLD_CONCERN = "uphold_concern", "Uphold a concern"


SYSTEM = "system"
"""The actor role of the service's own scheduled work (``actor=None``)."""

ACTOR_ROLES = (*(r.value for r in Role), SYSTEM)

BEFORE_DECISION = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
    Status.ADVISORY_REVIEW,
    Status.AWAITING_DECISION,
)


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset
    guards: tuple = ()
    needs_reason: bool = False


@dataclass(frozen=True)
class Rule:
    """One row of the declared table, possibly from several statuses."""

    sources: tuple
    action: str
    target: str
    roles: tuple
    guards: tuple = ()
    needs_reason: bool = False


A, S, R = Action, Status, Role
RULES = (
    Rule((S.DRAFT,), A.SUBMIT, S.SUBMITTED, (R.APPLICANT,), ("proposals.guards.window_open",)),
    Rule((S.DRAFT,), A.LAPSE, S.LAPSED, (SYSTEM,), ("accreditation.guards.deadline_passed",)),
    Rule(BEFORE_DECISION, A.WITHDRAW, S.WITHDRAWN, (R.APPLICANT,), needs_reason=True),
    Rule((S.SUBMITTED,), A.SCREEN_ELIGIBLE, S.IN_ASSESSMENT, (R.CASEWORK_OFFICER,)),
    Rule(
        (S.SUBMITTED,),
        A.SCREEN_INELIGIBLE,
        S.CLOSED_INELIGIBLE,
        (R.CASEWORK_OFFICER,),
        needs_reason=True,
    ),
    Rule(
        (S.IN_ASSESSMENT,),
        A.REQUEST_INFORMATION,
        S.INFORMATION_REQUESTED,
        (R.ASSESSOR, R.CASEWORK_OFFICER),
    ),
    Rule((S.INFORMATION_REQUESTED,), A.RESPOND_TO_REQUEST, S.IN_ASSESSMENT, (R.APPLICANT,)),
    Rule((S.IN_ASSESSMENT,), A.RECOMMEND, S.ASSESSED, (R.ASSESSOR,)),
    Rule(
        (S.ASSESSED,),
        A.REFER_TO_ADVISORY_GROUP,
        S.ADVISORY_REVIEW,
        (R.CASEWORK_OFFICER,),
        ("accreditation.guards.is_asg",),
    ),
    Rule(
        (S.ASSESSED,),
        A.REFER_TO_DECISION,
        S.AWAITING_DECISION,
        (R.CASEWORK_OFFICER,),
        ("accreditation.guards.is_asp",),
    ),
    Rule((S.ADVISORY_REVIEW,), A.ADVISE, S.AWAITING_DECISION, (R.ADVISORY_GROUP_MEMBER,)),
    Rule(
        (S.ADVISORY_REVIEW,),
        A.REFER_BACK,
        S.IN_ASSESSMENT,
        (R.ADVISORY_GROUP_MEMBER,),
        needs_reason=True,
    ),
    Rule((S.AWAITING_DECISION,), A.ACCREDIT, S.ACCREDITED, (R.DECISION_OFFICIAL,)),
    Rule((S.AWAITING_DECISION,), A.NOT_ACCREDIT, S.NOT_ACCREDITED, (R.DECISION_OFFICIAL,)),
    Rule(
        (S.NOT_ACCREDITED, S.CLOSED_INELIGIBLE),
        A.UPHOLD_CONCERN,
        S.IN_ASSESSMENT,
        (R.DECISION_OFFICIAL,),
        needs_reason=True,
    ),
)
del A, S, R

TRANSITIONS = {
    (source, rule.action): Transition(
        source=source,
        action=rule.action,
        target=rule.target,
        roles=frozenset(str(role) for role in rule.roles),
        guards=rule.guards,
        needs_reason=rule.needs_reason,
    )
    for rule in RULES
    for source in rule.sources
}


class WorkflowError(Exception):
    """A refused move. The message is fit to show the person who tried."""


class TransitionNotAllowed(WorkflowError):
    pass


class RoleNotPermitted(WorkflowError):
    pass


class GuardFailed(WorkflowError):
    pass


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


def actor_roles(case, actor):
    """The workflow roles an actor holds for this case."""
    if actor is None:
        return {SYSTEM}
    if not actor.is_active:
        return set()
    roles = {name for name in actor.role_names if name != Role.APPLICANT}
    if (
        Role.APPLICANT in actor.role_names
        and case.organisation.memberships.filter(user=actor).exists()
    ):
        roles.add(Role.APPLICANT.value)
    return roles


def check(case, action, actor, *, when=None, details=None):
    """Return the transition ``action`` would take, or raise WorkflowError."""
    when = when or clock.now()
    transition = TRANSITIONS.get((case.status, action))
    if transition is None:
        raise TransitionNotAllowed(
            f"A case that is ‘{_label(Status, case.status).lower()}’ cannot be moved by "
            f"‘{_label(Action, action).lower()}’."
        )
    if not transition.roles & actor_roles(case, actor):
        raise RoleNotPermitted(f"You do not have a role that can {Action(action).label.lower()}.")
    if transition.needs_reason and not str((details or {}).get("reason", "")).strip():
        raise GuardFailed("Give a reason.")
    for path in transition.guards:
        problem = import_string(path)(case, actor, when=when)
        if problem:
            raise GuardFailed(problem)
    return transition


def allowed_actions(case, actor, *, when=None):
    """The actions this actor could take on this case now."""
    allowed = []
    for (source, action), _transition in TRANSITIONS.items():
        if source != case.status:
            continue
        try:
            check(case, action, actor, when=when, details={"reason": "?"})
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def move(case, action, actor, *, details=None, changes=None, internal=False, when=None):
    """Move one case by ``action``. ``changes`` are other fields of the case
    written in the same update (for example the reference on submission).
    Returns the timeline event; raises WorkflowError and writes nothing on
    refusal."""
    from accreditation import timeline

    details = details or {}
    if changes and "status" in changes:
        raise ValueError("A case's status changes only by its action, never through `changes`.")
    model = type(case)
    with transaction.atomic():
        when = when or clock.now()
        locked = model.objects.select_for_update(of=("self",)).get(pk=case.pk)
        transition = check(locked, action, actor, when=when, details=details)
        fields = {"status": transition.target, "updated_at": when, **(changes or {})}
        model.objects.filter(pk=locked.pk).update(**fields)
        event = timeline.append(
            locked,
            action=action,
            actor=actor,
            from_status=transition.source,
            to_status=transition.target,
            details=details,
            internal=internal,
            when=when,
        )
    for name, value in fields.items():
        setattr(case, name, value)
    case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
    return event


@dataclass
class BulkResult:
    moved: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)


def move_many(cases, action, actor, *, details=None, internal=False, when=None, batch_size=1000):
    """Move every case in the queryset ``cases`` by ``action``, checking each
    on its own. One bulk update of the cases (status and chain head) and one
    bulk insert of events per batch;
    cases that fail a check are left untouched and reported in ``refused``."""
    from accreditation.models import CaseEvent
    from accreditation.timeline import new_event

    details = details or {}
    model = cases.model
    with transaction.atomic():
        when = when or clock.now()
        rows = list(
            cases.select_for_update(of=("self",))
            .select_related("organisation", "round", "window")
            .order_by("pk")
        )
        result = BulkResult()
        moved = []
        events = []
        for case in rows:
            try:
                transition = check(case, action, actor, when=when, details=details)
            except WorkflowError as refusal:
                result.refused[case.pk] = str(refusal)
                continue
            # The chain head is read from the locked row and moved with the status.
            event = new_event(
                case,
                sequence=case.timeline_sequence + 1,
                prev_hash=case.timeline_hash,
                action=action,
                actor=actor,
                from_status=transition.source,
                to_status=transition.target,
                details=details,
                internal=internal,
                when=when,
            )
            events.append(event)
            case.status, case.updated_at = transition.target, when
            case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
            moved.append(case)
            result.moved.append(case.pk)
        model.objects.bulk_update(
            moved,
            ["status", "updated_at", "timeline_sequence", "timeline_hash"],
            batch_size=batch_size,
        )
        CaseEvent.objects.bulk_create(events, batch_size=batch_size)
    return result
