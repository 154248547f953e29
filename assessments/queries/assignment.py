"""Read shapes for assigning assessors: who can assess, what each already
holds in a round, their capacities, who is in conflict with which case, and
an assessor's queue."""

from django.apps import apps
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from accreditation import policy
from accreditation.models import CaseEvent, User
from accreditation.queries.conflicts import conflicted_q, without_conflicts
from accreditation.queries.decisions import DECISION_ACTIONS, SCREENING_ACTIONS
from accreditation.roles import Role
from accreditation.workflow import Action, Status
from assessments.models import AssessorCapacity, Assignment, Screening

ASSESSABLE = (Status.IN_ASSESSMENT, Status.INFORMATION_REQUESTED)
"""The statuses in which a case is given (or changes) assessors."""

UNION_CHUNK = 100
"""Assessors per compound SELECT (SQLite allows 500 terms in one)."""


def proposal_model():
    return apps.get_model("proposals", "Proposal")


def assessors():
    """Everyone who may be assigned to assess: active holders of the
    assessor role, by name."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.ASSESSOR.value)
        .distinct()
        .order_by("full_name", "pk")
    )


def round_cases(period):
    """The round's cases that take assessors now."""
    return proposal_model().objects.filter(round=period, status__in=ASSESSABLE)


def current_assignments(cases):
    """{case pk: {kind: assessor pk}} of the current assignments of ``cases``."""
    held = {}
    for case_id, kind, assessor_id in Assignment.objects.filter(
        case__in=cases, ended_at__isnull=True
    ).values_list("case_id", "kind", "assessor_id"):
        held.setdefault(case_id, {})[kind] = assessor_id
    return held


def round_loads(period):
    """{assessor pk: current assignments (either kind) on the round's cases}:
    the workload a capacity for the round is measured against."""
    return dict(
        Assignment.objects.filter(case__round=period, ended_at__isnull=True)
        .values_list("assessor_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("assessor_id", "n")
    )


def capacities(period, people):
    """{assessor pk: capacity in the round}: what the officer set, or the
    policy's default."""
    default = policy.current().assessor_round_capacity
    chosen = dict(
        AssessorCapacity.objects.filter(round=period, assessor__in=people).values_list(
            "assessor_id", "capacity"
        )
    )
    return {person.pk: chosen.get(person.pk, default) for person in people}


def conflicted_pairs(cases, people):
    """{(case pk, assessor pk)} where the assessor is in conflict with the
    case's organisation (a member of it, or a declared conflict with it or
    its local authority), by the service's one definition
    (``conflicted_q``), in one query per hundred assessors."""
    pairs = set()
    people = list(people)
    for start in range(0, len(people), UNION_CHUNK):
        selects = [
            cases.filter(conflicted_q(person))
            .order_by()
            .annotate(person=Value(person.pk))
            .values_list("pk", "person")
            for person in people[start : start + UNION_CHUNK]
        ]
        pairs |= set(selects[0].union(*selects[1:], all=True))
    return pairs


SCREENED = "screened"
ASSESSED_BEFORE_UPHELD = "assessed before upheld"
DECIDED = "decided"
ADVISED = "advised"
BARRED_BECAUSE = {
    SCREENED: ("screened this case: someone else must assess it", "screened it"),
    ASSESSED_BEFORE_UPHELD: (
        "assessed this case before a concern about it was upheld: it must be reassessed by "
        "someone else",
        "assessed it before a concern was upheld",
    ),
    DECIDED: (
        "decided this case or a concern about it: someone else must assess it",
        "decided it or a concern about it",
    ),
    ADVISED: (
        "advised on this case in the Advisory Group: someone else must assess it",
        "advised on it in the Advisory Group",
    ),
}
"""Each reason of ``barred_pairs``: (what refusing the person says after
their name, the note beside them in a list of assessors)."""
REASONS = list(BARRED_BECAUSE)


def barred_pairs(cases):
    """{(case pk, person pk): why} of those who may not assess a case though
    free of conflict with it, because they have had another part in it
    (roles combine on one person, never on one case): who screened it
    (eligibility is judged apart from merit), who assessed it before a
    concern about it was upheld (it is reassessed by someone else), who
    decided it or a concern about it, and who advised on it in the Advisory
    Group (sat on a meeting that had it on its agenda, gave a view, or
    recorded the group's advice). One query."""
    AgendaItem = apps.get_model("advisory_group", "AgendaItem")
    Concern = apps.get_model("feedback", "Concern")
    MemberView = apps.get_model("advisory_group", "MemberView")
    upheld = (
        CaseEvent.objects.filter(case=OuterRef("case_id"), action=Action.UPHOLD_CONCERN)
        .order_by("-sequence")
        .values("created_at")[:1]
    )
    assessed = (
        Assignment.objects.filter(case__in=cases)
        .annotate(upheld=Subquery(upheld), why=Value(ASSESSED_BEFORE_UPHELD))
        .filter(assigned_at__lt=F("upheld"))
        .values_list("case_id", "assessor_id", "why")
        .order_by()
    )
    events = CaseEvent.objects.filter(case__in=cases, actor_id__isnull=False)
    items = AgendaItem.objects.filter(case__in=cases)
    others = [
        (Screening.objects.filter(case__in=cases), "case_id", "officer_id", SCREENED),
        # A case screened before screenings were recorded apart has its
        # screening on its timeline only.
        (events.filter(action__in=SCREENING_ACTIONS), "case_id", "actor_id", SCREENED),
        (events.filter(action__in=DECISION_ACTIONS), "case_id", "actor_id", DECIDED),
        (
            Concern.objects.filter(case__in=cases, decided_by__isnull=False),
            "case_id",
            "decided_by_id",
            DECIDED,
        ),
        (MemberView.objects.filter(item__case__in=cases), "item__case_id", "member_id", ADVISED),
        # The chair and members of every meeting that had the case on its
        # agenda (as deciding it counts them: ``decisions.had_part_q``), and
        # whoever recorded the group's advice, in the service or on the
        # timeline alone.
        (items, "case_id", "meeting__chair_id", ADVISED),
        (items.filter(meeting__members__isnull=False), "case_id", "meeting__members", ADVISED),
        (items.filter(decided_by__isnull=False), "case_id", "decided_by_id", ADVISED),
        (
            events.filter(action__in=(Action.ADVISE, Action.REFER_BACK)),
            "case_id",
            "actor_id",
            ADVISED,
        ),
    ]
    selects = [
        rows.annotate(why=Value(why)).values_list(case, person, "why").order_by()
        for rows, case, person, why in others
    ]
    found = {}
    for case, person, why in assessed.union(*selects, all=True):
        # One reason per pair, the same every time: the first in
        # ``BARRED_BECAUSE``'s order.
        if (case, person) not in found or REASONS.index(why) < REASONS.index(found[case, person]):
            found[case, person] = why
    return found


def due_date(prefix=""):
    """An assignment's due date, as an expression: the later of the round's
    assessment due date and the date worked out when it was assigned (a
    case outside a round, or one assigned on or after its round's date;
    ``services.assignment.due_on``), whichever it has. (Each coalesced with
    the other: SQLite's ``max()`` of a null is null.)"""
    own, rounds = F(f"{prefix}due_on"), F(f"{prefix}case__round__assessment_due")
    return Greatest(Coalesce(own, rounds), Coalesce(rounds, own))


def with_due_date(assignments):
    """Annotate ``due`` (``due_date``)."""
    return assignments.annotate(due=due_date())


def queue(user):
    """``user``'s current assignments to cases being assessed, each with its
    case (organisation, round and window) and due date, what is due first on
    top. Not those of a case they have since declared a conflict with: they
    may no longer assess it or see it (its casework officer reassigns it)."""
    assignments = (
        with_due_date(Assignment.objects.filter(assessor=user, ended_at__isnull=True))
        .filter(case__status__in=ASSESSABLE)
        .select_related("case__organisation", "case__round", "case__window__organisation")
        .order_by(F("due").asc(nulls_last=True), "case__reference", "pk")
    )
    return without_conflicts(assignments, user, prefix="case__organisation")


def overdue(assignments, today):
    """Those of ``with_due_date(assignments)`` whose due date has passed."""
    return assignments.filter(due__lt=today)
