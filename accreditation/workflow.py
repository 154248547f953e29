"""The life of a case: one declared transition table, and the only two
functions that change a case's status.

``move()`` moves one case and ``move_many()`` moves many at once (lapsing every
draft at a deadline). Both check the table, the actor's role and the guards,
then write the status and a timeline event in one transaction; on refusal they
write nothing.

Roles in the table are *case* roles (``accreditation.case_roles``): the part
the actor holds in this case, not their global staff roles. Guards that need
another app's data are named by dotted path, resolved once and checked at
start-up by a system check, so the spine never imports the apps that stand on
it and a typo fails ``manage.py check``.
"""

from dataclasses import dataclass, field
from functools import cache

from django.db import models, transaction
from django.utils.module_loading import import_string

from accreditation import clock
from accreditation.case_roles import CaseRole, resolve, resolve_many
from accreditation.signals import cases_moved


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
    CORRECT_DECISION = "correct_decision", "Correct the decision"
    UPHOLD_CONCERN = "uphold_concern", "Uphold a concern"


SYSTEM = CaseRole.SYSTEM.value
"""The actor role of the service's own scheduled work (``actor=None``)."""

ACTOR_ROLES = tuple(role.value for role in CaseRole)

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
class StatusMeta:
    """How a status is shown: to staff (its choice label), to applicants, and
    the GOV.UK tag colour (a ``govuk-tag--<colour>`` modifier, '' for the
    default blue)."""

    applicant_label: str
    colour: str
    applicant_colour: str | None = None
    """Where applicants see this status under another's label, that label's
    colour, so one label always has one colour; None: the same as staff see."""

    @property
    def applicant_tag_colour(self):
        return self.colour if self.applicant_colour is None else self.applicant_colour


STATUS_META = {
    Status.DRAFT: StatusMeta("Draft", "grey"),
    Status.SUBMITTED: StatusMeta("Submitted", "light-blue"),
    Status.CLOSED_INELIGIBLE: StatusMeta("Not eligible", "red"),
    Status.IN_ASSESSMENT: StatusMeta("Being assessed", "blue"),
    Status.INFORMATION_REQUESTED: StatusMeta("Information requested", "yellow"),
    Status.ASSESSED: StatusMeta("Being assessed", "blue"),
    Status.ADVISORY_REVIEW: StatusMeta("Being assessed", "purple", applicant_colour="blue"),
    Status.AWAITING_DECISION: StatusMeta("Awaiting decision", "turquoise"),
    Status.ACCREDITED: StatusMeta("Accredited", "green"),
    Status.NOT_ACCREDITED: StatusMeta("Not accredited", "red"),
    Status.LAPSED: StatusMeta("Not submitted", "grey"),
    Status.WITHDRAWN: StatusMeta("Withdrawn", "grey"),
}
"""Applicants do not see the inner steps of assessment (assessed, Advisory
Group review): to them the case is being assessed until it awaits decision."""

REVOKED_LABEL = "Accreditation revoked"
"""What applicants see of an accredited case once their organisation's
accreditation was revoked."""

UNTOLD_LABEL = "Decision made"
"""What applicants see of a decided case until the letter telling its
decision is issued: until then the decision can be corrected, and the
letter is how it is told."""


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


A, S, R = Action, Status, CaseRole
RULES = (
    Rule((S.DRAFT,), A.SUBMIT, S.SUBMITTED, (R.APPLICANT,), ("proposals.guards.window_open",)),
    Rule((S.DRAFT,), A.LAPSE, S.LAPSED, (R.SYSTEM,), ("accreditation.guards.deadline_passed",)),
    Rule(BEFORE_DECISION, A.WITHDRAW, S.WITHDRAWN, (R.APPLICANT,), needs_reason=True),
    Rule((S.SUBMITTED,), A.SCREEN_ELIGIBLE, S.IN_ASSESSMENT, (R.CASEWORK_OFFICER,)),
    Rule(
        (S.SUBMITTED,),
        A.SCREEN_INELIGIBLE,
        S.CLOSED_INELIGIBLE,
        (R.CASEWORK_OFFICER,),
        needs_reason=True,
    ),
    # Assessors ask for information; the casework officer does too when a
    # National Support School claim is not confirmed at screening.
    Rule(
        (S.IN_ASSESSMENT,),
        A.REQUEST_INFORMATION,
        S.INFORMATION_REQUESTED,
        (R.ASSESSOR, R.CASEWORK_OFFICER),
    ),
    Rule((S.INFORMATION_REQUESTED,), A.RESPOND_TO_REQUEST, S.IN_ASSESSMENT, (R.APPLICANT,)),
    Rule(
        (S.IN_ASSESSMENT,),
        A.RECOMMEND,
        S.ASSESSED,
        (R.ASSESSOR,),
        ("accreditation.guards.recommendation_given",),
    ),
    # A completed assessment is sent on by the service at once (an ASG to
    # the Advisory Group, an ASP to decision); a casework officer can too.
    Rule(
        (S.ASSESSED,),
        A.REFER_TO_ADVISORY_GROUP,
        S.ADVISORY_REVIEW,
        (R.CASEWORK_OFFICER, R.SYSTEM),
        ("accreditation.guards.is_asg",),
    ),
    Rule(
        (S.ASSESSED,),
        A.REFER_TO_DECISION,
        S.AWAITING_DECISION,
        (R.CASEWORK_OFFICER, R.SYSTEM),
        ("accreditation.guards.is_asp",),
    ),
    Rule(
        (S.ADVISORY_REVIEW,),
        A.ADVISE,
        S.AWAITING_DECISION,
        (R.MEETING_CHAIR,),
        ("accreditation.guards.advice_given",),
    ),
    Rule(
        (S.ADVISORY_REVIEW,),
        A.REFER_BACK,
        S.IN_ASSESSMENT,
        (R.MEETING_CHAIR,),
        needs_reason=True,
    ),
    Rule(
        (S.AWAITING_DECISION,),
        A.ACCREDIT,
        S.ACCREDITED,
        (R.DECISION_OFFICIAL,),
        (
            "accreditation.guards.reason_when_against_advice",
            "accreditation.guards.decision_date_possible",
        ),
    ),
    Rule(
        (S.AWAITING_DECISION,),
        A.NOT_ACCREDIT,
        S.NOT_ACCREDITED,
        (R.DECISION_OFFICIAL,),
        (
            "accreditation.guards.reason_when_against_advice",
            "accreditation.guards.decision_date_possible",
        ),
    ),
    Rule(
        (S.ACCREDITED,),
        A.CORRECT_DECISION,
        S.NOT_ACCREDITED,
        (R.DECISION_OFFICIAL,),
        (
            "feedback.guards.decision_letter_not_issued",
            "accreditation.guards.reasons_when_corrected_against_advice",
        ),
        needs_reason=True,
    ),
    Rule(
        (S.NOT_ACCREDITED,),
        A.CORRECT_DECISION,
        S.ACCREDITED,
        (R.DECISION_OFFICIAL,),
        (
            "feedback.guards.decision_letter_not_issued",
            "accreditation.guards.reasons_when_corrected_against_advice",
        ),
        needs_reason=True,
    ),
    # An upheld concern about the assessment is reassessed; one about
    # screening is screened again.
    Rule(
        (S.NOT_ACCREDITED,),
        A.UPHOLD_CONCERN,
        S.IN_ASSESSMENT,
        (R.DECISION_OFFICIAL,),
        ("feedback.guards.no_part_in_the_outcome",),
        needs_reason=True,
    ),
    Rule(
        (S.CLOSED_INELIGIBLE,),
        A.UPHOLD_CONCERN,
        S.SUBMITTED,
        (R.DECISION_OFFICIAL,),
        ("feedback.guards.no_part_in_the_outcome",),
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


@cache
def guard(path):
    """The guard function named by ``path`` (checked at start-up)."""
    return import_string(path)


def guard_paths():
    return sorted({path for transition in TRANSITIONS.values() for path in transition.guards})


@dataclass(frozen=True)
class Move:
    """A proposed move, as guards see it."""

    case: object
    actor: object
    action: str
    when: object
    details: dict | None
    roles: frozenset


class WorkflowError(Exception):
    """A refused move. The message is fit to show the person who tried."""


class TransitionNotAllowed(WorkflowError):
    pass


class RoleNotPermitted(WorkflowError):
    pass


class GuardFailed(WorkflowError):
    """A guard refused the move; ``guard`` is its dotted path (None for the
    table's own "give a reason")."""

    def __init__(self, message, guard=None):
        super().__init__(message)
        self.guard = guard


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


def check(case, action, actor, *, when=None, details=None, roles=None):
    """Return the transition ``action`` would take, or raise WorkflowError.
    ``roles`` are the actor's case roles if already resolved."""
    when = when or clock.now()
    transition = TRANSITIONS.get((case.status, action))
    if transition is None:
        raise TransitionNotAllowed(
            f"A case that is ‘{_label(Status, case.status).lower()}’ cannot be moved by "
            f"‘{_label(Action, action).lower()}’."
        )
    roles = resolve(case, actor) if roles is None else roles
    if not transition.roles & roles:
        raise RoleNotPermitted(
            f"You do not have a part in this case that can {Action(action).label.lower()}."
        )
    if (
        details is not None
        and transition.needs_reason
        and not str(details.get("reason", "")).strip()
    ):
        raise GuardFailed("Give a reason.")
    proposed = Move(case, actor, action, when, details, frozenset(roles))
    for path in transition.guards:
        problem = guard(path)(proposed)
        if problem:
            raise GuardFailed(problem, guard=path)
    return transition


def _prefetch_guards(cases, transitions):
    """Read ahead, for many cases at once, what the transitions' guards
    read: each reading once, though several guards share it."""
    prefetches = {
        getattr(guard(path), "prefetch", None)
        for transition in transitions
        for path in transition.guards
    }
    for prefetch in prefetches - {None}:
        prefetch(cases)


def allowed_actions(case, actor, *, when=None):
    """The actions this actor could take on this case now, before the details
    of the move (a reason, a recommendation) are known."""
    return allowed_actions_many([case], actor, when=when)[case.pk]


def allowed_actions_many(cases, actor, *, when=None):
    """{case pk: [action, ...]} for many cases at once, with the same number of
    queries whatever their number: load ``cases`` with their round and window
    (``select_related``) when a guard needs them."""
    cases = list(cases)
    when = when or clock.now()
    roles = resolve_many(cases, actor)
    candidates = {
        case.pk: [t for (source, _), t in TRANSITIONS.items() if source == case.status]
        for case in cases
    }
    _prefetch_guards(cases, [t for ts in candidates.values() for t in ts])
    allowed = {}
    for case in cases:
        allowed[case.pk] = []
        for transition in candidates[case.pk]:
            try:
                check(case, transition.action, actor, when=when, roles=roles[case.pk])
            except WorkflowError:
                continue
            allowed[case.pk].append(transition.action)
    return allowed


def move(case, action, actor, *, details=None, changes=None, internal=False, when=None):
    """Move one case by ``action``. ``changes`` are other fields of the case
    written in the same update (for example the reference on submission).
    The time is read after the case's row is locked, so a move that waited
    for the lock is judged at the moment it is made. Returns the timeline
    event; raises WorkflowError and writes nothing on refusal."""
    from accreditation import timeline

    details = details or {}
    if changes and "status" in changes:
        raise ValueError("A case's status changes only by its action, never through `changes`.")
    model = type(case)
    with transaction.atomic():
        locked = (
            model.objects.select_for_update(of=("self",))
            .select_related("organisation", "round", "window")
            .get(pk=case.pk)
        )
        when = when or clock.now()
        transition = check(
            locked,
            action,
            actor,
            when=when,
            details=details,
            roles=resolve_many([locked], actor, fresh=True)[locked.pk],
        )
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
        cases_moved.send(model, action=action, cases=[locked], events=[event], actor=actor)
    for name, value in fields.items():
        setattr(case, name, value)
    # The chain's head as the receivers left it (they may append events).
    case.timeline_sequence, case.timeline_hash = locked.timeline_sequence, locked.timeline_hash
    return event


@dataclass
class BulkResult:
    moved: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)


def bulk_set(model, rows, names, *, batch_size):
    """Write fields ``names`` of ``rows`` (saved instances of ``model``).
    On PostgreSQL, one ``UPDATE … FROM (VALUES …)`` per batch: Django's
    ``bulk_update`` builds a CASE expression per row and field, which takes
    seconds for a round's thousands of drafts. Elsewhere, ``bulk_update``."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, names, batch_size=batch_size)
        return
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    assignments = ", ".join(
        f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in fields
    )
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size or len(rows) or 1):
            batch = rows[start : start + (batch_size or len(rows))]
            placeholders = ", ".join(
                "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")" for _ in batch
            )
            params = [
                value
                for row in batch
                for value in (
                    pk.get_db_prep_value(row.pk, connection),
                    *(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields),
                )
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {placeholders}) "  # noqa: S608
                f"AS v({columns}) WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )


def move_many(
    cases,
    action,
    actor,
    *,
    details=None,
    details_by_case=None,
    changes_by_case=None,
    actor_by_case=None,
    when_by_case=None,
    internal=False,
    when=None,
    batch_size=1000,
):
    """Move every case in the queryset ``cases`` by ``action``, checking each
    on its own. ``details`` apply to every case; ``details_by_case`` (case pk
    to details, as a batch decision's reasons) to one each, over ``details``.
    ``changes_by_case`` (case pk to other fields of that case, as ``move()``'s
    ``changes``: a reference on submission) are written in the same update.
    ``actor_by_case`` (case pk to the person moving it, over ``actor``) and
    ``when_by_case`` (case pk to the time of its move, over ``when``) move
    each case as its own person at its own time (a history played back, each
    applicant submitting their own case): each case is checked with its own
    actor's roles at its own time, and receivers hear once per actor.
    One bulk update of the cases (status, chain head and changes) and one
    bulk insert of events per batch; cases that fail a check are left
    untouched and reported in ``refused``."""
    from accreditation.models import CaseEvent
    from accreditation.timeline import new_event

    details = details or {}
    details_by_case = details_by_case or {}
    changes_by_case = changes_by_case or {}
    actor_by_case = actor_by_case or {}
    when_by_case = when_by_case or {}
    changed_fields = sorted({name for changes in changes_by_case.values() for name in changes})
    if "status" in changed_fields:
        raise ValueError("A case's status changes only by its action, never through `changes`.")
    model = cases.model
    with transaction.atomic():
        rows = list(
            cases.select_for_update(of=("self",))
            .select_related("organisation", "round", "window")
            .order_by("pk")
        )
        when = when or clock.now()
        by_actor = {}
        for case in rows:
            by_actor.setdefault(actor_by_case.get(case.pk, actor), []).append(case)
        _prefetch_guards(rows, [t for (_, a), t in TRANSITIONS.items() if a == action])
        result = BulkResult()
        told = []
        for person, own in by_actor.items():
            roles = resolve_many(own, person, fresh=True)
            moved, events = [], []
            for case in own:
                case_details = {**details, **details_by_case.get(case.pk, {})}
                case_when = when_by_case.get(case.pk, when)
                try:
                    transition = check(
                        case,
                        action,
                        person,
                        when=case_when,
                        details=case_details,
                        roles=roles[case.pk],
                    )
                except WorkflowError as refusal:
                    result.refused[case.pk] = str(refusal)
                    continue
                # The chain head is read from the locked row and moved with the status.
                event = new_event(
                    case,
                    sequence=case.timeline_sequence + 1,
                    prev_hash=case.timeline_hash,
                    action=action,
                    actor=person,
                    from_status=transition.source,
                    to_status=transition.target,
                    details=case_details,
                    internal=internal,
                    when=case_when,
                )
                events.append(event)
                case.status, case.updated_at = transition.target, case_when
                case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
                for name, value in changes_by_case.get(case.pk, {}).items():
                    setattr(case, name, value)
                moved.append(case)
                result.moved.append(case.pk)
            if moved:
                told.append((person, moved, events))
        everything = [case for _, moved, _ in told for case in moved]
        bulk_set(
            model,
            everything,
            ["status", "updated_at", "timeline_sequence", "timeline_hash", *changed_fields],
            batch_size=batch_size,
        )
        CaseEvent.objects.bulk_create(
            [event for _, _, events in told for event in events], batch_size=batch_size
        )
        for person, moved, events in told:
            cases_moved.send(model, action=action, cases=moved, events=events, actor=person)
    return result
