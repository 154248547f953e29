"""Which cases a staff member may see, as one queryset: the staff path to a
case that every staff list and page uses (the letters register, for someone
who sees every submitted case, leaves out only their conflicts: a letter is
only issued for a submitted case).

- a casework officer: every submitted case;
- an assessor: the cases they are assigned to now;
- an Advisory Group member: the cases on the agenda of an open meeting they
  chair or sit on;
- a decision official: the cases awaiting decision, those decided whose
  decision letter is not issued yet (any official with no part in one may
  correct it), those with a concern waiting for a decision, and those they
  decided (or decided a concern about).

Whatever the role, never a case of an organisation the person belongs to or
has a declared conflict with (or whose local authority they have one with).
Drafts are the applicant's own until submitted.
"""

from django.apps import apps
from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest

from accreditation.queries.conflicts import without_conflicts
from accreditation.roles import Role
from accreditation.workflow import Action, Status

DECIDED = (Status.ACCREDITED, Status.NOT_ACCREDITED)
DECISION_LETTERS = ("decision", "feedback")
"""A decided case's decision can be corrected until one of these is issued."""

DECIDING_ACTIONS = (
    Action.ACCREDIT,
    Action.NOT_ACCREDIT,
    Action.CORRECT_DECISION,
    Action.UPHOLD_CONCERN,
    "concern_not_upheld",
)


def _model(label):
    return apps.get_model(*label.split("."))


def sees_every_submitted_case(user):
    """Whether ``user`` may see every submitted case but those they are in
    conflict with (a casework officer), as ``visible_to`` says."""
    return user.is_authenticated and user.is_staff_user and Role.CASEWORK_OFFICER in user.role_names


def visible_to(user, queryset=None):
    Proposal = _model("proposals.Proposal")
    cases = Proposal.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_staff_user:
        return cases.none()
    roles = user.role_names
    if sees_every_submitted_case(user):
        reach = None
    else:
        reach = Q(pk__in=[])
        if Role.ASSESSOR in roles:
            assigned = _model("assessments.Assignment").objects.filter(
                assessor=user, ended_at__isnull=True
            )
            reach |= Q(pk__in=assigned.values("case_id"))
        if Role.ADVISORY_GROUP_MEMBER in roles:
            on_agenda = _model("advisory_group.AgendaItem").objects.filter(
                Q(meeting__chair=user) | Q(meeting__members=user), meeting__closed_at__isnull=True
            )
            reach |= Q(pk__in=on_agenda.values("case_id"))
        if Role.DECISION_OFFICIAL in roles:
            decided = _model("accreditation.CaseEvent").objects.filter(
                actor=user, action__in=DECIDING_ACTIONS
            )
            concerns = _model("feedback.Concern").objects.filter(state="open")
            letter_issued = _model("feedback.Letter").objects.filter(
                case=OuterRef("pk"), purpose__in=DECISION_LETTERS, issued_at__isnull=False
            )
            reach |= (
                Q(status=Status.AWAITING_DECISION)
                | (Q(status__in=DECIDED) & ~Exists(letter_issued))
                | Q(pk__in=decided.values("case_id"))
                | Q(pk__in=concerns.values("case_id"))
            )
    cases = cases.filter(submitted_at__isnull=False)
    if reach is not None:
        cases = cases.filter(reach)
    return without_conflicts(cases, user)


ASSESSMENT_STAGE = (
    Status.SUBMITTED,
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
)
"""Statuses whose target is the assessment due date: a case still being
screened or assessed after it is late."""

DECISION_STAGE = (Status.ADVISORY_REVIEW, Status.AWAITING_DECISION)
"""Statuses whose target is the round's decision target date."""


def with_target(cases):
    """Annotate ``target``: the date the stage a case is in should be done
    by. Screening and assessment: the due date its first assessor has now
    (``assessments.queries.assignment.due_date``: the later of the round's
    assessment due date and the date worked out when they were assigned,
    which a case outside a round, one assessed again after a concern was
    upheld or one assigned late has), or the round's date before one is
    assigned; advice and decision: the round's decision target. Other
    statuses have none. Annotated once: a list whose filter or order asked
    for it holds it. (Each coalesced with the other: SQLite's ``max()`` of a
    null is null.)"""
    if "target" in cases.query.annotations:
        return cases
    first_due = Subquery(
        _model("assessments.Assignment")
        .objects.filter(case=OuterRef("pk"), kind="first", ended_at__isnull=True)
        .order_by()
        .values("due_on")[:1]
    )
    rounds = F("round__assessment_due")
    return cases.annotate(
        target=Case(
            When(
                status__in=ASSESSMENT_STAGE,
                then=Greatest(Coalesce(rounds, first_due), Coalesce(first_due, rounds)),
            ),
            When(status__in=DECISION_STAGE, then=F("round__decision_target")),
            default=None,
            output_field=DateField(),
        )
    )


def overdue(cases, today):
    """The cases of ``with_target(cases)`` past their stage's target date.
    Only the stages with a target can be past it: saying so first lets the
    database read those cases by their status, not work out the target of
    every case ever submitted."""
    return cases.filter(status__in=[*ASSESSMENT_STAGE, *DECISION_STAGE], target__lt=today)


_SEEN = "_seen_by"


def case_seen_by(user, queryset, pk):
    """The case ``pk`` from ``queryset`` (or None), read with whether
    ``user`` may see it in the same query. The answer stays on this instance
    for ``seen_by``, so the permission check that follows asks nothing more
    of the database; the instance is the request's own and dies with it."""
    case = (
        queryset.filter(pk=pk)
        .annotate(visible_to_viewer=Exists(visible_to(user).filter(pk=OuterRef("pk"))))
        .first()
    )
    if case is not None:
        case.__dict__[_SEEN] = (user.pk, case.visible_to_viewer)
    return case


def seen_by(case, user):
    """Whether ``user`` may see ``case``, as ``case_seen_by`` read it with
    the case, or None if it was not read so (for this user)."""
    seen = case.__dict__.get(_SEEN)
    if seen is None or seen[0] != user.pk:
        return None
    return seen[1]
