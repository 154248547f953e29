"""Playing plans through the real workflow.

Every case is created as a draft (in bulk) and then moved step by step
through the workflow, as the person whose step it is, so the transition
table, the case roles and the guards check every move and every timeline is
genuine. The moves of all cases are grouped by time, action and the actor's
part: the cases that take the same step at the same moment move in one
``move_many()`` call, each as its own person (a group of one with
``move()``), groups in the order of their time, so each case takes its steps
in order. Applicants' steps are played a day at a time (``_group_key``). The casework
around a move (the assessor assigned at screening, a new one after an upheld
concern, the Advisory Group meeting an ASG case goes to) is set up in bulk
right after it, in ``give_parts``, since the next moves need the actor to
hold that part.
"""

import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

from accreditation import clock, policy
from accreditation.demo import rounds
from accreditation.demo.histories import Step
from accreditation.models import Organisation, Round, User
from accreditation.models.organisations import MAINTAINED_SCHOOL_KINDS, NON_EDUCATIONAL_KINDS
from accreditation.workflow import Action, WorkflowError, move, move_many

A = Action
BATCH = 1000
SCHOOL_NAMES = (
    "Primary School",
    "Infant School",
    "Junior School",
    "Church of England Primary School",
    "Community Primary School",
)
"""Cases per ``move_many()`` call at most."""
APPLICANTS_WINDOW = timedelta(days=1)
"""Applicants' steps on one (UTC) day are played together, at its end."""


class DemoError(Exception):
    """The demo could not be built as planned (a workflow move was refused)."""


def proposal_model():
    """``Proposal`` belongs to the proposals app; the spine never imports it."""
    return apps.get_model("proposals", "Proposal")


class References:
    """Hands out ``ASP-2026-0042`` references without gaps per type and year,
    after the highest number already given (in the proposals app's counter
    rows, or on a case), and moves the counters on with ``save()`` so the
    service's own submissions carry on from the demo's numbers."""

    def __init__(self, model):
        self.model = model
        self.last = {}
        try:
            self.counters = apps.get_model("proposals", "ReferenceCounter")
        except LookupError:
            self.counters = None

    def next(self, acc_type, when):
        key = (acc_type, clock.local(when).year)
        if key not in self.last:
            prefix = f"{acc_type.upper()}-{key[1]}-"
            numbers = [
                int(ref[len(prefix) :])
                for ref in self.model.objects.filter(reference__startswith=prefix).values_list(
                    "reference", flat=True
                )
                if ref[len(prefix) :].isdigit()
            ]
            if self.counters is not None:
                numbers += self.counters.objects.filter(
                    accreditation_type=acc_type, year=key[1]
                ).values_list("last_number", flat=True)
            self.last[key] = max(numbers, default=0)
        self.last[key] += 1
        return f"{acc_type.upper()}-{key[1]}-{self.last[key]:04d}"

    def save(self):
        """Move each counter on to the highest number given, by this run or
        an earlier one (so a rerun also mends counters behind the cases)."""
        if self.counters is None:
            return
        highest = dict(self.last)
        pattern = re.compile(r"^(ASP|ASG)-(\d{4})-(\d+)$")
        for reference in self.model.objects.exclude(reference=None).values_list(
            "reference", flat=True
        ):
            match = pattern.match(reference)
            if match:
                key = (match[1].lower(), int(match[2]))
                highest[key] = max(highest.get(key, 0), int(match[3]))
        for (acc_type, year), last in highest.items():
            counter, _ = self.counters.objects.select_for_update().get_or_create(
                accreditation_type=acc_type, year=year
            )
            if counter.last_number < last:
                counter.last_number = last
                counter.save(update_fields=["last_number"])


@contextmanager
def explicit_timestamps(model, *names):
    """Let ``created_at``/``updated_at`` be set to the demo's own times."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextmanager
def fewer_collections():
    """Collect garbage less often while playing: each move makes thousands of
    short-lived ORM objects and next to no cycles, and at scale the default
    collections, which go over every object the seeder holds, take a
    quarter of the time."""
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@dataclass
class Plan:
    organisation: Organisation
    period: object  # Round or Window
    acc_type: str
    outcome: str
    steps: list
    created: datetime
    times: list
    contact: User
    assessors: tuple  # (first assessor, the one after an upheld concern)

    @property
    def sort_key(self):
        return (self.times[0] if self.times else self.created, self.organisation.pk)


@dataclass(frozen=True)
class Planned:
    """One step of one case: when, by whom, with which details and changes."""

    case: object
    plan: Plan
    step: Step
    actor: User | None
    assessor: User
    """The case's assessor from this step on (the second after an upheld concern)."""
    details: dict
    changes: dict
    when: datetime


class Player:
    """Creates the plans' cases and plays their steps (see the module's doc)."""

    def __init__(self, seeder):
        self.seeder = seeder
        self.Proposal = seeder.Proposal
        self.meetings = {}

    def actors(self, plan):
        users = self.seeder.users
        return {
            "applicant": plan.contact,
            "caseworker": users["caseworker@example.org"],
            "advisory": users["advisory@example.org"],
            "decision": users["decision@example.org"],
            "concerns": users["decision2@example.org"],
            None: None,
        }

    def play(self, plans):
        plans = sorted(plans, key=lambda p: p.sort_key)
        cases = [self._new_case(plan) for plan in plans]
        with explicit_timestamps(self.Proposal, "created_at", "updated_at"):
            self.Proposal.objects.bulk_create(cases, batch_size=BATCH)
        self._schools(cases, plans)
        groups = defaultdict(list)
        for case, plan in zip(cases, plans, strict=True):
            steps = list(self._steps(case, plan))
            previous = played = None
            for index, planned in enumerate(steps):
                when = planned.when
                if previous is not None and when <= previous:
                    raise DemoError(f"{plan.organisation}: steps out of order at {when}")
                previous = when
                following = steps[index + 1].when if index + 1 < len(steps) else None
                key = self._group_key(planned, played, following)
                played = key[0]
                groups[key].append(planned)
        with fewer_collections():
            for (when, action, _, internal), group in sorted(groups.items(), key=lambda g: g[0]):
                for start in range(0, len(group), BATCH):
                    self._move(group[start : start + BATCH], action, internal, when)
        self.seeder.created["cases"] += len(cases)

    @staticmethod
    def _group_key(planned, played, following):
        """(moment played, action, the actor's part, internal): the steps with
        one key move together, each case as its own actor (its contact, its
        assessor). Staff steps already share their moments (weekly batches);
        applicants' steps, each at its own time,
        are played together at the end of their day (each case still moves at
        its own time, as its own contact), unless that would put the step's
        play at or before the case's step before or after the one that
        follows."""
        step = planned.step
        part = step.actor or "service"
        if step.actor == "applicant":
            day = planned.when.replace(hour=0, minute=0, second=0, microsecond=0)
            moment = day + APPLICANTS_WINDOW - timedelta(microseconds=1)
            if (played is None or moment > played) and (following is None or moment < following):
                return (moment, step.action, part, step.internal)
        return (planned.when, step.action, part, step.internal)

    def _new_case(self, plan):
        """A draft that says what the organisation means to lead, as the
        applicant's task list asks: a majority trust, a federation (only a
        maintained school can lead one), or both."""
        is_round = isinstance(plan.period, Round)
        organisation = plan.organisation
        maintained = organisation.kind in MAINTAINED_SCHOOL_KINDS
        return self.Proposal(
            organisation=organisation,
            round=plan.period if is_round else None,
            window=None if is_round else plan.period,
            framework=plan.period.framework,
            accreditation_type=plan.acc_type,
            route="own_right" if organisation.kind in NON_EDUCATIONAL_KINDS else "",
            leads_majority_trust=not maintained or organisation.pk % 3 != 0,
            leads_federation=maintained and organisation.pk % 3 != 1,
            created_by=plan.contact,
            created_at=plan.created,
            updated_at=plan.created,
        )

    def _schools(self, cases, plans):
        """The schools each case shows it leads: two for an ASG (in its own
        local authority and the next one), one for an ASP from a school."""
        SchoolLed = apps.get_model("proposals", "SchoolLed")
        authorities = self.seeder.la_list
        position = {la.pk: n for n, la in enumerate(authorities)}
        schools = []
        for case, plan in zip(cases, plans, strict=True):
            organisation = plan.organisation
            if plan.acc_type != "asg" and organisation.kind not in MAINTAINED_SCHOOL_KINDS:
                continue
            home = position.get(organisation.local_authority_id, 0)
            for n in range(2 if plan.acc_type == "asg" else 1):
                la = authorities[(home + n) % len(authorities)]
                schools.append(
                    SchoolLed(
                        proposal=case,
                        name=f"{la.name} {SCHOOL_NAMES[(organisation.pk + n) % len(SCHOOL_NAMES)]}",
                        urn=f"{100000 + (organisation.pk * 13 + case.pk * 7 + n) % 900000}",
                        local_authority=la,
                        partnership="federation" if case.leads_federation else "majority_trust",
                        since=clock.local_date(plan.created).replace(day=1, month=9)
                        - timedelta(days=365 * (n + 1)),
                    )
                )
        SchoolLed.objects.bulk_create(schools, batch_size=BATCH, ignore_conflicts=True)

    def _steps(self, case, plan):
        """The Planned steps of ``plan``, handing out references in the order
        of the plans."""
        actors = self.actors(plan)
        assessor = plan.assessors[0]
        for step, when in zip(plan.steps, plan.times, strict=True):
            if step.action == A.UPHOLD_CONCERN:
                assessor = plan.assessors[1]
            actor = assessor if step.actor == "assessor" else actors[step.actor]
            details, changes = dict(step.details), {}
            if step.action == A.REQUEST_INFORMATION:
                due = clock.working_days_after(
                    clock.local_date(when), policy.current().information_request_working_days
                )
                details["due"] = due.isoformat()
            if step.action == A.SUBMIT:
                reference = self.seeder.references.next(plan.acc_type, when)
                details["reference"] = reference
                changes = {
                    "reference": reference,
                    "submitted_at": when,
                    "submitted_profile": plan.organisation.profile_snapshot(),
                }
            yield Planned(case, plan, step, actor, assessor, details, changes, when)

    def _move(self, group, action, internal, when):
        """One case moves with ``move()``, many with ``move_many()``: the same
        checks, without a bulk update's overhead for one row."""
        if len(group) == 1:
            planned = group[0]
            try:
                move(
                    planned.case,
                    action,
                    planned.actor,
                    details=planned.details,
                    changes=planned.changes or None,
                    internal=internal,
                    when=planned.when,
                )
            except WorkflowError as refusal:
                raise self._refused(planned, action, refusal) from refusal
        else:
            result = move_many(
                self.Proposal.objects.filter(pk__in=[p.case.pk for p in group]),
                action,
                group[0].actor,
                details_by_case={p.case.pk: p.details for p in group},
                changes_by_case={p.case.pk: p.changes for p in group if p.changes},
                actor_by_case={p.case.pk: p.actor for p in group},
                when_by_case={p.case.pk: p.when for p in group},
                internal=internal,
                when=when,
            )
            if result.refused:
                planned = next(p for p in group if p.case.pk in result.refused)
                raise self._refused(planned, action, result.refused[planned.case.pk])
        self.give_parts(group, action, when)

    @staticmethod
    def _refused(planned, action, refusal):
        plan = planned.plan
        return DemoError(
            f"{plan.organisation} ({plan.acc_type}, {plan.outcome}): {action} as "
            f"{planned.actor} refused: {refusal}"
        )

    def give_parts(self, group, action, when):
        """What the casework around a move sets up for the next one: the
        assessor assigned once the case is screened (a new one after an upheld
        concern), and the Advisory Group meeting an ASG case goes to."""
        pks = [p.case.pk for p in group]
        if action in (A.SCREEN_ELIGIBLE, A.UPHOLD_CONCERN):
            Assignment = apps.get_model("assessments", "Assignment")
            Assignment.objects.filter(case_id__in=pks, ended_at=None).update(ended_at=when)
            Assignment.objects.bulk_create(
                Assignment(
                    case_id=p.case.pk,
                    assessor=p.assessor,
                    kind="first",
                    assigned_by=self.actors(p.plan)["caseworker"],
                    assigned_at=when,
                )
                for p in group
            )
        elif action == A.REFER_TO_ADVISORY_GROUP:
            AgendaItem = apps.get_model("advisory_group", "AgendaItem")
            AgendaItem.objects.bulk_create(
                (
                    AgendaItem(
                        meeting=self.meeting(p.plan),
                        case_id=p.case.pk,
                        purpose="advice",
                        added_at=when,
                    )
                    for p in group
                ),
                ignore_conflicts=True,
            )

    def meeting(self, plan):
        period = plan.period
        if period not in self.meetings:
            chair = self.actors(plan)["advisory"]
            self.meetings[period] = rounds.meeting(period, chair, self.seeder.now)
        return self.meetings[period]
