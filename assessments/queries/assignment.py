"""Read shapes for assigning assessors: who can assess, what each already
holds in a round, their capacities, who is in conflict with which case, and
an assessor's queue."""

from django.apps import apps
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from accreditation import policy
from accreditation.models import CaseEvent, User
from accreditation.queries.conflicts import conflicted_q, without_conflicts
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


def barred_pairs(cases):
    """{(case pk, person pk): why} of those who may not assess a case though
    free of conflict with it: who screened it (roles combine on one person,
    never on one case: eligibility is judged apart from merit), and who
    assessed it before a concern about it was upheld (it is reassessed by
    someone else)."""
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
    screened = (
        Screening.objects.filter(case__in=cases)
        .annotate(why=Value(SCREENED))
        .values_list("case_id", "officer_id", "why")
        .order_by()
    )
    return {(case, person): why for case, person, why in assessed.union(screened, all=True)}


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
