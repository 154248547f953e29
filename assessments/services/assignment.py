"""Assigning assessors to cases: one case at a time, or a whole round from a
proposed assignment.

The proposal is an optimal assignment, not a greedy one (HotCRP's approach,
with SciPy's maximum flow): the cases and the assessors are a flow network
(each case asks for one or two new assessors; an arc joins a case to each
assessor free of conflict with it and not already on it, so one person is
never both of a case's assessors; each assessor takes at most their room
under the round's capacity). It assigns as many as can be assigned, with
the largest workload as small as it can be, and the workloads as even as
they can be below it (see ``solve``). Existing assignments stay and count
towards workloads.

Every assignment is re-checked on the server when it is made, inside the
transaction that writes it, and is on the case's timeline.
"""

from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import maximum_flow

from accreditation import clock, emails, policy, timeline
from accreditation.access import require
from accreditation.chasing import officers_who_may_see
from accreditation.models import AccreditationType, CaseEvent, Membership, Round, User
from accreditation.queries.cases import visible_to
from accreditation.queries.conflicts import is_conflicted
from accreditation.roles import Role
from accreditation.services import activity
from assessments.models import (
    AssessorCapacity,
    Assignment,
    AssignmentKind,
    Conflict,
    Recommendation,
)
from assessments.queries import assignment as queries
from assessments.queries.scoring import feedback_unwritten, with_feedback_unwritten
from assessments.services.feedback import ask_replacement_for_feedback

FIRST, SECOND = AssignmentKind.FIRST, AssignmentKind.SECOND

EVENTS = {
    # kind: (a first assignment, a reassignment)
    FIRST: ("assessor_assigned", "assessor_reassigned"),
    SECOND: ("second_assessor_assigned", "second_assessor_reassigned"),
}
STOOD_DOWN = {FIRST: "assessor_stood_down", SECOND: "second_assessor_stood_down"}
RELEASED = {FIRST: "assessor_released", SECOND: "second_assessor_released"}


SELF_ASSIGNED = (
    "You cannot assign yourself: an officer who assigns a case's assessors is not one of them "
    "(staff hold more than one role, never on the same case). Choose someone else, or ask "
    "another casework officer to assign you"
)


ASSESSOR_ASSIGNING = (
    "You are an assessor of this case, so another casework officer assigns its assessors "
    "(staff hold more than one role, never on the same case)"
)


class AssignmentRefused(Exception):
    """A refused assignment, with a message fit to show the officer, and the
    form field it is about."""

    def __init__(self, message, field="assessor"):
        super().__init__(message)
        self.field = field


class ProposalRefused(Exception):
    """A round's assignment refused whole: ``problems`` maps each refused
    line, ``(case pk, kind)``, to what is wrong with it."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} lines cannot be applied")
        self.problems = problems


# --- Policy ---------------------------------------------------------------------


def second_assessor_rule():
    """The cases that get a second assessor for quality assurance, as a
    condition on cases: every ASG (a policy default), and every case whose
    recommendation departed from the one its scores suggested."""
    rule = Q(pk__in=Recommendation.objects.departing().values("case_id"))
    if policy.current().second_assessor_for_every_asg:
        rule |= Q(accreditation_type=AccreditationType.ASG)
    return rule


def needs_second_assessor(case_or_cases):
    """Which cases get a second assessor (``second_assessor_rule``): given a
    queryset of cases, those of them that do; given one case, whether it
    does."""
    rule = second_assessor_rule()
    if hasattr(case_or_cases, "filter"):
        return case_or_cases.filter(rule)
    case = case_or_cases
    return type(case).objects.filter(pk=case.pk).filter(rule).exists()


def return_referred_back(cases, events):
    """Cases the Advisory Group referred back (``events``, one each) go to
    their assessors again. Each current assignment is given time from the
    referral, as a late assignment is (``due_on``: the round's date may have
    passed), and each active assessor is emailed the group's comment, once
    per referral."""
    for case, event in zip(cases, events, strict=True):
        due = due_on(case, event.created_at)
        current = Assignment.objects.filter(case_id=case.pk, ended_at__isnull=True)
        if due is not None:
            current.filter(Q(due_on__isnull=True) | Q(due_on__lt=due)).update(due_on=due)
        told = queries.with_due_date(current.filter(assessor__is_active=True))
        for assignment in told.select_related("assessor"):
            emails.queue(
                "assessments/referred_back",
                {
                    "case": case,
                    "comment": event.details.get("reason", ""),
                    "due": assignment.due,
                    "link": settings.SERVICE_URL + reverse("case-scores", args=[case.pk]),
                },
                [assignment.assessor.email],
                key=f"referred_back:{case.pk}:{event.sequence}:{assignment.pk}",
            )


def due_on(case, when):
    """The stored due date of an assignment made at ``when``: none for a
    round's case (its round's assessment due date applies, read live),
    unless that date is today or has passed (a replacement, or a late
    assignment: the assessor is not overdue as they start); else the
    policy's working days after the day it was assigned. The later of the
    two dates applies (``queries.assignment.with_due_date``), so a round's
    date moved later moves theirs too."""
    day = clock.local_date(when)
    if case.round_id and case.round.assessment_due > day:
        return None
    return clock.working_days_after(day, policy.current().assessment_working_days)


# --- The solver -------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A case wanting ``count`` new assessors from ``allowed`` (assessor pks)."""

    case_id: int
    count: int
    allowed: frozenset


@dataclass(frozen=True)
class Solution:
    chosen: dict
    """{case pk: [assessor pk, ...]} the new assessors of each case."""
    largest: int
    """The largest workload after the assignment."""
    assigned: int
    wanted: int


def solve(needs, loads, capacities):
    """The optimal assignment of ``needs`` to the assessors of
    ``capacities`` ({assessor pk: capacity}), who hold ``loads`` already.

    Water filling with maximum flows: every assessor's workload is allowed
    to rise one case at a time (up to their capacity), and at each level the
    flow is made maximal again, starting from the previous level's flow (on
    its residual network, without the arcs that would take a case away from
    an assessor). The first level at which the flow reaches the most that
    can be assigned is the least possible largest workload; and as each
    level's flow is maximal, every partial sum of the workloads is as large
    as it can be: the workloads are as even as they can be (they minimise
    the sum of their squares, and every other convex measure of spread)."""
    needs = sorted(needs, key=lambda need: need.case_id)
    people = sorted(capacities)
    index = {person: i for i, person in enumerate(people)}
    load = np.array([loads.get(person, 0) for person in people], dtype=np.int64)
    capacity = np.array([capacities[person] for person in people], dtype=np.int64)
    wanted = sum(need.count for need in needs)
    pairs = [
        (c, index[person])
        for c, need in enumerate(needs)
        for person in sorted(need.allowed)
        if person in index
    ]
    chosen = {need.case_id: [] for need in needs}
    if not pairs:
        return Solution(chosen, int(load.max(initial=0)), 0, wanted)
    arcs = (
        np.array([need.count for need in needs], dtype=np.int64),
        np.array([c for c, _ in pairs], dtype=np.int32),
        np.array([p for _, p in pairs], dtype=np.int32),
        len(people),
    )

    def room(level):
        return np.maximum(0, np.minimum(capacity, level) - load)

    most = _Network(*arcs).fill(room(int(np.maximum(capacity, load).max())))
    network, level = _Network(*arcs), int(load.min())
    while network.person_flow.sum() < most:
        level += 1
        network.fill(room(level))
    taken = network.case_person_flow.astype(bool)
    for e in np.flatnonzero(taken):
        chosen[needs[network.edge_case[e]].case_id].append(people[network.edge_person[e]])
    final = load + network.person_flow
    return Solution(chosen, int(final.max()), int(network.person_flow.sum()), wanted)


class _Network:
    """source → case (what it wants) → assessor (1 each) → sink (room), with
    the flow found so far on each arc."""

    def __init__(self, wants, edge_case, edge_person, people):
        cases = len(wants)
        self.wants, self.edge_case, self.edge_person = wants, edge_case, edge_person
        self.sink = 1 + cases + people
        self.case_nodes = 1 + np.arange(cases, dtype=np.int32)
        self.person_nodes = 1 + cases + np.arange(people, dtype=np.int32)
        self.case_flow = np.zeros(cases, np.int64)
        self.case_person_flow = np.zeros(len(edge_case), np.int64)
        self.person_flow = np.zeros(people, np.int64)

    def fill(self, room):
        """Augment the flow to a maximum with each assessor's ``room``
        (never less than they have); returns the total flow."""
        cases_from, people_at = 1 + self.edge_case, self.person_nodes[self.edge_person]
        source = np.zeros(len(self.case_nodes), np.int32)
        sink = np.full(len(self.person_nodes), self.sink, np.int32)
        rows = np.concatenate([source, cases_from, people_at, self.person_nodes])
        cols = np.concatenate([self.case_nodes, people_at, cases_from, sink])
        residual = np.concatenate(
            [
                self.wants - self.case_flow,
                1 - self.case_person_flow,
                self.case_person_flow,  # a case may move to another assessor
                room - self.person_flow,
            ]
        )
        shape = (self.sink + 1, self.sink + 1)
        graph = csr_array(coo_array((residual.astype(np.int32), (rows, cols)), shape=shape))
        result = maximum_flow(graph, 0, self.sink)
        if not result.flow_value:
            return int(self.person_flow.sum())
        flow = result.flow
        self.case_flow += np.asarray(flow[source, self.case_nodes]).ravel().astype(np.int64)
        self.case_person_flow += np.asarray(flow[cases_from, people_at]).ravel().astype(np.int64)
        self.person_flow += np.asarray(flow[self.person_nodes, sink]).ravel().astype(np.int64)
        return int(self.person_flow.sum())


# --- A round's proposal --------------------------------------------------------------


@dataclass
class Line:
    case: object
    kind: str
    proposed: int | None
    allowed: frozenset

    @property
    def key(self):
        return (self.case.pk, self.kind)


@dataclass
class RoundProposal:
    period: Round
    people: list
    loads: dict
    capacities: dict
    lines: list
    held: dict = field(default_factory=dict)
    solution: Solution | None = None

    def resulting_loads(self, choices=None):
        """{assessor pk: workload} once ``choices`` ({line key: assessor pk or
        None}; the proposal's own by default) are applied."""
        result = {person.pk: self.loads.get(person.pk, 0) for person in self.people}
        for line in self.lines:
            chosen = line.proposed if choices is None else choices.get(line.key)
            if chosen in result:
                result[chosen] += 1
        return result


def propose(period, officer):
    """The proposed assignment of ``period``'s cases that need assessors, of
    those ``officer`` may see (none they are in conflict with)."""
    cases = visible_to(officer, queries.round_cases(period))
    people = list(queries.assessors())
    held = queries.current_assignments(cases)
    second = set(needs_second_assessor(cases).values_list("pk", flat=True))
    rows = list(cases.select_related("organisation").order_by("reference", "pk"))
    wanting = {
        case.pk: [
            kind
            for kind in (FIRST, SECOND)
            if kind not in held.get(case.pk, {}) and (kind == FIRST or case.pk in second)
        ]
        for case in rows
    }
    # Never a case the officer assesses: another officer assigns its
    # assessors (staff roles are never combined on a case).
    rows = [
        case
        for case in rows
        if wanting[case.pk] and officer.pk not in held.get(case.pk, {}).values()
    ]
    wanting_cases = cases.filter(pk__in=[c.pk for c in rows])
    barred = queries.conflicted_pairs(wanting_cases, people) | set(
        queries.barred_pairs(wanting_cases)
    )
    # Never the officer who applies it: staff roles are never combined on a case.
    everyone = {person.pk for person in people} - {officer.pk}
    needs, lines = [], []
    for case in rows:
        on_case = set(held.get(case.pk, {}).values())
        allowed = frozenset(pk for pk in everyone - on_case if (case.pk, pk) not in barred)
        needs.append(Need(case.pk, len(wanting[case.pk]), allowed))
        lines += [Line(case, kind, None, allowed) for kind in wanting[case.pk]]
    loads = queries.round_loads(period)
    capacities = queries.capacities(period, people)
    solution = solve(needs, loads, capacities)
    by_case = {}
    for line in lines:
        by_case.setdefault(line.case.pk, []).append(line)
    for case_id, chosen in solution.chosen.items():
        for line, person in zip(by_case[case_id], chosen, strict=False):
            line.proposed = person
    return RoundProposal(period, people, loads, capacities, lines, held, solution)


def apply(period, choices, officer):
    """Make the assignments ``choices`` ({(case pk, kind): assessor pk or
    None for "leave unassigned"}) in one transaction, each checked again
    here (a case ``officer`` may not see, one they are in conflict with, is
    refused as one no longer waiting). Raises ProposalRefused, having written
    nothing, if any line fails; returns the new assignments."""
    require(officer, "assessments.assign_assessors")
    choices = {key: person for key, person in choices.items() if person is not None}
    with transaction.atomic():
        # One apply at a time per round, so capacities hold between two officers.
        Round.objects.select_for_update().get(pk=period.pk)
        _lock_people(set(choices.values()))
        cases = {
            case.pk: case
            for case in queries.proposal_model()
            .objects.select_for_update(of=("self",))
            .select_related("organisation", "round")
            .filter(
                pk__in=visible_to(
                    officer,
                    queries.proposal_model().objects.filter(
                        pk__in={case_id for case_id, _ in choices}
                    ),
                ).values("pk"),
                round=period,
            )
        }
        people = {person.pk: person for person in queries.assessors()}
        held = queries.current_assignments(list(cases))
        second = set(
            needs_second_assessor(
                queries.round_cases(period).filter(pk__in=list(cases))
            ).values_list("pk", flat=True)
        )
        chosen_people = [people[pk] for pk in set(choices.values()) if pk in people]
        locked = queries.proposal_model().objects.filter(pk__in=list(cases))
        conflicted = queries.conflicted_pairs(locked, chosen_people)
        barred = queries.barred_pairs(locked)
        problems = {}
        for (case_id, kind), person_id in sorted(choices.items()):
            problem = (
                _line_problem(
                    cases.get(case_id),
                    kind,
                    people.get(person_id),
                    held,
                    second,
                    conflicted,
                    choices,
                )
                or _barred(cases.get(case_id), people.get(person_id), barred)
                or (SELF_ASSIGNED if person_id == officer.pk else None)
                or (ASSESSOR_ASSIGNING if officer.pk in held.get(case_id, {}).values() else None)
            )
            if problem:
                problems[(case_id, kind)] = problem
        loads = queries.round_loads(period)
        capacity = queries.capacities(period, chosen_people)
        adding = {}
        for person_id in choices.values():
            adding[person_id] = adding.get(person_id, 0) + 1
        for key, person_id in choices.items():
            total = loads.get(person_id, 0) + adding[person_id]
            if key not in problems and person_id in capacity and total > capacity[person_id]:
                problems[key] = (
                    f"{people[person_id].full_name} would have {total} case{pluralize(total)} "
                    "in this round, "
                    f"more than their capacity of {capacity[person_id]}: choose someone else "
                    "or raise their capacity"
                )
        if problems:
            raise ProposalRefused(problems)
        made = _write(cases, choices, people, officer)
        tell_assigned(made)
        return made


def _line_problem(case, kind, person, held, second, conflicted, choices):
    if case is None or case.status not in queries.ASSESSABLE:
        return (
            "A case on the page you sent is no longer waiting for an assessor in this round: "
            "the lines below are proposed again without it"
        )
    if kind not in (FIRST, SECOND):
        return "Choose an assessor or a second assessor"
    if kind in held.get(case.pk, {}):
        what = "a second assessor" if kind == SECOND else "an assessor"
        return (
            f"{case.reference} ({case.organisation.name}) has been given {what} since the page "
            "was loaded: the lines below are proposed again without it"
        )
    if kind == SECOND and case.pk not in second:
        return "This case does not need a second assessor"
    if person is None:
        return "Choose an assessor from the list"
    if (case.pk, person.pk) in conflicted:
        return f"{person.full_name} has a conflict of interest with {case.organisation.name}"
    other = SECOND if kind == FIRST else FIRST
    if person.pk in (held.get(case.pk, {}).get(other), choices.get((case.pk, other))):
        return (
            f"{person.full_name} is already on this case: the second assessor must be "
            "someone other than the assessor"
        )
    return None


def _barred(case, person, barred):
    """Why ``person`` may not assess ``case`` (``queries.barred_pairs``), or None."""
    if case is None or person is None:
        return None
    why = barred.get((case.pk, person.pk))
    if why is None:
        return None
    return f"{person.full_name} {queries.BARRED_BECAUSE[why][0]}"


def _write(cases, choices, people, officer):
    """The new assignments and their timeline events, in bulk: each case's
    events chained after its locked head."""
    when = clock.now()
    assignments, events = [], []
    for (case_id, kind), person_id in sorted(choices.items()):
        case = cases[case_id]
        assignments.append(
            Assignment(
                case=case,
                assessor=people[person_id],
                kind=kind,
                assigned_by=officer,
                assigned_at=when,
                due_on=due_on(case, when),
            )
        )
        event = timeline.new_event(
            case,
            sequence=case.timeline_sequence + 1,
            prev_hash=case.timeline_hash,
            action=EVENTS[kind][0],
            actor=officer,
            details=_details(people[person_id], kind),
            when=when,
        )
        case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
        events.append(event)
    Assignment.objects.bulk_create(assignments)
    CaseEvent.objects.bulk_create(events)
    queries.proposal_model().objects.bulk_update(
        list(cases.values()), ["timeline_sequence", "timeline_hash"]
    )
    return assignments


def tell_assigned(assignments):
    """Email each active assessor the cases of ``assignments`` (new ones,
    to cases being assessed) in one email each, however many a round's
    assignment gave them: which case, whether as its second assessor, when
    it is due, and where to score it."""
    made = (
        queries.with_due_date(
            Assignment.objects.filter(
                pk__in=[assignment.pk for assignment in assignments], assessor__is_active=True
            )
        )
        .select_related("assessor", "case__organisation")
        .order_by("assessor_id", "case__reference", "kind", "pk")
    )
    by_person = {}
    for assignment in made:
        by_person.setdefault(assignment.assessor, []).append(assignment)
    for person, theirs in by_person.items():
        emails.queue(
            "assessments/assigned",
            {
                "assignments": [
                    {
                        "case": assignment.case,
                        "second": assignment.kind == SECOND,
                        "due": assignment.due,
                        "link": settings.SERVICE_URL
                        + reverse("case-scores", args=[assignment.case_id]),
                    }
                    for assignment in theirs
                ],
                "queue_link": settings.SERVICE_URL + reverse("assessor-queue"),
                "conflicts_link": settings.SERVICE_URL + reverse("staff-conflicts"),
            },
            [person.email],
            key=f"assigned:{theirs[0].pk}",
        )


def _details(person, kind, **more):
    return {"assessor": person.pk, "assessor_name": person.full_name, "kind": kind, **more}


# --- One case ------------------------------------------------------------------------


def conflict_reason(person, case):
    """Why ``person`` may not act on ``case``, or None: what the conflict is
    with, not the reason they gave, which is theirs (their conflicts page
    shows it to them)."""
    organisation = case.organisation
    if not is_conflicted(person, organisation):
        return None
    if Membership.objects.filter(user=person, organisation=organisation).exists():
        return f"{person.full_name} is a member of {organisation.name}"
    declared = (
        Conflict.objects.active()
        .filter(user=person)
        .filter(Q(organisation=organisation) | Q(local_authority=organisation.local_authority_id))
        .first()
    )
    return (
        f"{person.full_name} has declared a conflict of interest with "
        f"{declared.organisation or declared.local_authority}"
    )


def assign(case, person, kind, officer, *, reason="", may_see_earlier_scores=False):
    """Assign ``person`` as ``case``'s assessor of ``kind``, replacing the
    current one (which needs a ``reason``). Raises AssignmentRefused with
    what to do; returns the new assignment."""
    require(officer, "assessments.assign_case_assessors", case)
    reason = reason.strip()
    with transaction.atomic():
        if person is not None:
            _lock_people([person.pk])
        locked = (
            type(case)
            .objects.select_for_update(of=("self",))
            .select_related("organisation", "round")
            .get(pk=case.pk)
        )
        current = {
            assignment.kind: assignment
            for assignment in Assignment.objects.filter(case=locked, ended_at__isnull=True)
            .select_related("assessor")
            .select_for_update(of=("self",))
        }
        replaced = current.get(kind)
        _check(locked, person, kind, current, reason)
        if person.pk == officer.pk:
            raise AssignmentRefused(SELF_ASSIGNED, field="assessor")
        if any(held.assessor_id == officer.pk for held in current.values()):
            raise AssignmentRefused(ASSESSOR_ASSIGNING, field="assessor")
        when = clock.now()
        if replaced:
            Assignment.objects.filter(pk=replaced.pk).update(ended_at=when)
        assignment = Assignment.objects.create(
            case=locked,
            assessor=person,
            kind=kind,
            assigned_by=officer,
            assigned_at=when,
            # One who writes the feedback of a finished assessment sees the
            # scores it stood on.
            may_see_earlier_scores=locked.status not in queries.ASSESSABLE
            or bool(replaced and may_see_earlier_scores),
            due_on=due_on(locked, when),
        )
        more = {}
        if replaced:
            more = {
                "replaced": replaced.assessor_id,
                "replaced_name": replaced.assessor.full_name,
                "reason": reason,
                "may_see_earlier_scores": assignment.may_see_earlier_scores,
            }
        timeline.append(
            locked,
            action=EVENTS[kind][1 if replaced else 0],
            actor=officer,
            details=_details(person, kind, **more),
            when=when,
        )
        if locked.status not in queries.ASSESSABLE:
            ask_replacement_for_feedback(locked, assignment)
        else:
            tell_assigned([assignment])
        if replaced and replaced.assessor.is_active:
            _tell_replaced(locked, replaced, officer)
    case.timeline_sequence, case.timeline_hash = locked.timeline_sequence, locked.timeline_hash
    return assignment


def _tell_replaced(case, replaced, officer):
    """The assessor ``replaced`` is told the case has left their assessments
    and who by (not the officer's reason, which is for the record)."""
    emails.queue(
        "assessments/replaced",
        {
            "case": case,
            "kind": replaced.kind,
            "writing_feedback": case.status not in queries.ASSESSABLE,
            "officer_name": officer.full_name or officer.email,
            "queue_link": settings.SERVICE_URL + reverse("assessor-queue"),
        },
        [replaced.assessor.email],
        key=f"assessor-replaced:{replaced.pk}",
    )


def _lock_people(pks):
    """Lock the rows of the assessors about to be assigned, before any
    case's: a conflict declared at the same moment (``stand_down``, under
    the same lock) either is seen by the assignment's check, or sees the
    assignment and stands it down. Users before cases, always.

    ``FOR NO KEY UPDATE``, as ``conflicts.declare`` takes it: it excludes
    another such lock but not the key-share lock every write naming the
    person takes at its commit (a score they save, an event they act in),
    which a full ``FOR UPDATE`` would wait for while that write waited for
    a case locked here: a deadlock."""
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=pks)
        .order_by("pk")
        .values_list("pk")
    )


def _check(case, person, kind, current, reason):
    if case.status not in queries.ASSESSABLE:
        if feedback_unwritten(case) is None:
            raise AssignmentRefused(
                "Assessors can be assigned only while a case is being assessed (after it is "
                "screened eligible and before it is assessed), or while its feedback to the "
                "applicant waits for an assessor to write it",
                field=None,
            )
        if kind != FIRST:
            raise AssignmentRefused(
                "The assessment is finished: only an assessor to write the feedback to the "
                "applicant can be assigned now",
                field="kind",
            )
    if kind == SECOND and not needs_second_assessor(case):
        raise AssignmentRefused(
            "This case does not need a second assessor: quality assurance is for ASG cases",
            field="kind",
        )
    if person is None or not queries.assessors().filter(pk=person.pk).exists():
        raise AssignmentRefused("Choose an assessor from the list")
    problem = conflict_reason(person, case)
    if problem:
        raise AssignmentRefused(f"{problem}, so they cannot assess this case")
    problem = _barred(case, person, queries.barred_pairs([case]))
    if problem:
        raise AssignmentRefused(problem)
    replaced = current.get(kind)
    label = AssignmentKind(kind).label.lower()
    if replaced and replaced.assessor_id == person.pk:
        raise AssignmentRefused(f"{person.full_name} is already the {label} of this case")
    other = current.get(SECOND if kind == FIRST else FIRST)
    if other and other.assessor_id == person.pk:
        raise AssignmentRefused(
            f"{person.full_name} is already the {other.get_kind_display().lower()} of this "
            "case: the assessor and the second assessor must be different people"
        )
    if replaced and not reason:
        # Named: the page may have been opened before they were assigned.
        raise AssignmentRefused(
            f"{replaced.assessor.full_name or replaced.assessor.email} is the {label} of this "
            f"case now. Enter why the {label} is being changed",
            field="reason",
        )
    # Writing a finished assessment's feedback is not one of the round's
    # assessments its capacities count.
    if case.round_id and case.status in queries.ASSESSABLE:
        load = queries.round_loads(case.round).get(person.pk, 0)
        capacity = queries.capacities(case.round, [person])[person.pk]
        if load + 1 > capacity:
            raise AssignmentRefused(
                f"{person.full_name}'s capacity in {case.round} is {capacity} "
                f"case{pluralize(capacity)} and they already have {load}: choose someone else, or "
                "raise their capacity on the round's assignment page"
            )


def stand_down(person, conflict):
    """End ``person``'s current assignments that ``conflict`` (theirs, just
    declared, with its row's lock held) now bars them from
    (``_stand_down``): to the cases being assessed, and as first assessor to
    the cases whose feedback to the applicant waits for them to write it.
    Returns the cases' references.

    Assessments otherwise finished (the case recommended, at the Advisory
    Group or decided) stay as they were made; if such a case is referred
    back, or its feedback comes to its assessor, it is stood down then
    (``stand_down_conflicted``). Every case of theirs in the conflict's
    scope is locked before its status is read, so a move committing
    meanwhile is seen here, or sees the conflict."""
    scope = (
        Q(case__organisation=conflict.organisation_id)
        if conflict.organisation_id
        else Q(case__organisation__local_authority=conflict.local_authority_id)
    )
    return _stand_down_in(person, scope, STOOD_DOWN, "conflict")


def release(person, by):
    """End ``person``'s current assignments as ``stand_down`` ends those a
    conflict bars (the cases being assessed, the feedback they are to
    write), every one: ``by`` switched their account off, or took their
    assessor role away (each case's timeline names ``by``). Each case's
    officers are e-mailed to assign someone else. Returns the cases'
    references."""
    return _stand_down_in(person, Q(), RELEASED, "released", actor=by)


def in_hand(person):
    """The references of the cases ``release`` would take ``person`` off:
    those they are assessing, and those whose feedback to the applicant
    they are to write."""
    current = Assignment.objects.filter(assessor=person, ended_at__isnull=True)
    cases = queries.proposal_model().objects.order_by()
    assessing = cases.filter(pk__in=current.values("case_id"), status__in=queries.ASSESSABLE)
    writing = with_feedback_unwritten(
        cases.filter(pk__in=current.filter(kind=FIRST).values("case_id"))
    )
    return sorted(
        {
            *assessing.values_list("reference", flat=True),
            *writing.values_list("reference", flat=True),
        }
    )


def _stand_down_in(person, scope, actions, why, actor=None):
    case_ids = Assignment.objects.filter(scope, assessor=person, ended_at__isnull=True).values_list(
        "case_id", flat=True
    )
    locked = list(
        queries.proposal_model()
        .objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk__in=list(case_ids))
        .order_by("pk")
    )
    assessing = {case.pk for case in locked if case.status in queries.ASSESSABLE}
    writing = set(
        with_feedback_unwritten(
            queries.proposal_model().objects.filter(pk__in=[case.pk for case in locked])
        ).values_list("pk", flat=True)
    )
    ending = (
        Assignment.objects.filter(
            Q(case__in=assessing) | Q(case__in=writing, kind=FIRST),
            assessor=person,
            ended_at__isnull=True,
        )
        .select_related("assessor", "assigned_by")
        .order_by("case_id", "kind")
    )
    return _stand_down(
        list(ending),
        [case for case in locked if case.pk in assessing | writing],
        actions=actions,
        why=why,
        actor=actor,
    )


def stand_down_conflicted_writers(cases):
    """Of ``cases`` (locked by the caller), those whose feedback to the
    applicant has just come to their first assessor to write
    (``with_feedback_unwritten``): a first assessor who has since declared
    a conflict with the organisation is stood down (``stand_down_conflicted``)."""
    owed = set(
        with_feedback_unwritten(
            queries.proposal_model().objects.filter(pk__in=[case.pk for case in cases])
        ).values_list("pk", flat=True)
    )
    return stand_down_conflicted([case for case in cases if case.pk in owed], kinds=(FIRST,))


def stand_down_conflicted(cases, kinds=(FIRST, SECOND)):
    """Cases returning to their assessors, locked by the caller (referred
    back by the Advisory Group; or, with ``kinds`` the first only, their
    feedback come to the assessor to write, ``stand_down_conflicted_writers``):
    each current assessor of those kinds who has since declared a conflict
    with the case's organisation is stood down (``_stand_down``)."""
    ending = [
        assignment
        for assignment in Assignment.objects.filter(
            case__in=cases, kind__in=kinds, ended_at__isnull=True
        )
        .select_related("assessor", "assigned_by", "case__organisation")
        .order_by("case_id", "kind")
        if is_conflicted(assignment.assessor, assignment.case.organisation)
    ]
    return _stand_down(ending, cases)


def _stand_down(ending, cases, actions=STOOD_DOWN, why="conflict", actor=None):
    """End the assignments ``ending`` of the locked ``cases``, each on its
    case's timeline (``actions``, by kind) as ``actor``'s, or else as its
    assessor's (who declared the conflict), and e-mail the casework
    officers, saying ``why`` ("conflict" or "released"), so that they
    assign someone else: the case waits in their list of cases with no
    assessor. Returns the cases' references."""
    when = clock.now()
    Assignment.objects.filter(pk__in=[a.pk for a in ending]).update(ended_at=when)
    by_pk = {case.pk: case for case in cases}
    for assignment in ending:
        case = by_pk[assignment.case_id]
        timeline.append(
            case,
            action=actions[assignment.kind],
            actor=actor or assignment.assessor,
            details=_details(assignment.assessor, assignment.kind),
            when=when,
        )
        _tell_officers(case, assignment, why)
    return [by_pk[a.case_id].reference for a in ending]


def _tell_officers(case, assignment, why):
    """The officer who made the assignment, if they may still assign it (a
    casework officer still, who may see the case); otherwise every casework
    officer who may (each judged apart: a few queries apiece, so only when
    the first cannot)."""
    officer = assignment.assigned_by
    if (
        officer is not None
        and officer.has_role(Role.CASEWORK_OFFICER)
        and visible_to(officer).filter(pk=case.pk).exists()
    ):
        chosen = [officer]
    else:
        chosen = officers_who_may_see(case.pk)
    if not chosen:
        return
    emails.queue(
        "assessments/assessor_stood_down",
        {
            "case": case,
            "assignment": assignment,
            "writing_feedback": case.status not in queries.ASSESSABLE,
            "released": why == "released",
            "link": settings.SERVICE_URL + reverse("staff-case", args=[case.pk]),
        },
        [officer.email for officer in chosen],
        key=f"assessor-stood-down:{assignment.pk}",
    )


# --- Capacities -----------------------------------------------------------------------


def set_capacities(period, values, officer):
    """Set each assessor's capacity in ``period`` ({assessor pk: number});
    each change is in the activity log."""
    require(officer, "assessments.assign_assessors")
    people = {person.pk: person for person in queries.assessors().filter(pk__in=list(values))}
    before = queries.capacities(period, list(people.values()))
    with transaction.atomic():
        for pk, capacity in values.items():
            if pk not in people or before[pk] == capacity:
                continue
            row, _ = AssessorCapacity.objects.update_or_create(
                round=period,
                assessor_id=pk,
                defaults={"capacity": capacity, "set_by": officer, "set_at": clock.now()},
            )
            activity.record(
                officer,
                "assessor_capacity_set",
                row,
                {"capacity": [before[pk], capacity]},
            )
