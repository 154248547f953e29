"""A round's report, every figure aggregated in the database: one query per
figure whatever the number of cases, events, assessors or scores.

- cases by type, by kind of organisation, and by outcome;
- the time cases spent in each stage of the workflow (median and 90th
  percentile, from the timeline's status changes);
- cases past the round's target dates, now and at the time;
- each assessor's workload;
- score calibration: each assessor's scores per criterion against
  everyone's, and how often the first and second assessors agreed in
  quality assurance.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery

from accreditation import clock, policy
from accreditation.models import CaseEvent, OrganisationKind
from accreditation.models.rounds import AccreditationType
from accreditation.workflow import Action, Status

STAGES = (
    Status.SUBMITTED,
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
    Status.ADVISORY_REVIEW,
    Status.AWAITING_DECISION,
)
"""The stages a submitted case passes through before its outcome."""

ASSESSING = (Status.SUBMITTED, Status.IN_ASSESSMENT, Status.INFORMATION_REQUESTED)
UNDECIDED = (*ASSESSING, Status.ASSESSED, Status.ADVISORY_REVIEW, Status.AWAITING_DECISION)

OUTCOMES = (
    ("accredited", "Accredited", (Status.ACCREDITED,)),
    ("not_accredited", "Not accredited", (Status.NOT_ACCREDITED,)),
    ("not_eligible", "Not eligible", (Status.CLOSED_INELIGIBLE,)),
    ("withdrawn", "Withdrawn", (Status.WITHDRAWN,)),
    ("in_progress", "Not decided yet", UNDECIDED),
)
OUTCOME_OF = {status: key for key, _label, statuses in OUTCOMES for status in statuses}
OUTCOME_LABELS = {key: label for key, label, _statuses in OUTCOMES}

SECONDS_A_DAY = 24 * 60 * 60


def _model(label):
    return apps.get_model(*label.split("."))


def _after_day(day):
    """The first moment after ``day`` ends in Europe/London."""
    return clock.at(day + timedelta(days=1), time.min)


# --- Cases by type, kind and outcome ---------------------------------------------


@dataclass
class Breakdown:
    """Counts of cases by a dimension (type or kind) and outcome."""

    rows: list
    """[(label, {outcome key: count}, total)]"""
    totals: dict
    total: int


def _breakdown(counts, labels):
    by_row = defaultdict(lambda: defaultdict(int))
    for (key, outcome), count in counts.items():
        by_row[key][outcome] += count
    rows = [
        (label, dict(by_row[key]), sum(by_row[key].values()))
        for key, label in labels
        if key in by_row
    ]
    totals = defaultdict(int)
    for _label, row, _total in rows:
        for outcome, count in row.items():
            totals[outcome] += count
    return Breakdown(rows, dict(totals), sum(totals.values()))


def cases_by(cases):
    """(by type, by kind) of the round's submitted cases. One query."""
    by_type, by_kind = defaultdict(int), defaultdict(int)
    rows = cases.values("accreditation_type", "organisation__kind", "status").annotate(
        n=Count("pk")
    )
    for row in rows:
        outcome = OUTCOME_OF.get(row["status"])
        if outcome is None:
            continue
        by_type[(row["accreditation_type"], outcome)] += row["n"]
        by_kind[(row["organisation__kind"], outcome)] += row["n"]
    return (
        _breakdown(by_type, AccreditationType.choices),
        _breakdown(by_kind, OrganisationKind.choices),
    )


# --- Time in each stage ------------------------------------------------------------------

SPANS = """
    SELECT e.case_id, e.to_status AS stage,
           {seconds} AS seconds
    FROM (
        SELECT case_id, to_status, created_at,
               LEAD(created_at) OVER (PARTITION BY case_id ORDER BY sequence) AS left_at
        FROM accreditation_caseevent
        WHERE to_status <> '' AND case_id IN (
            SELECT id FROM proposals_proposal WHERE round_id = %s AND submitted_at IS NOT NULL
        )
    ) e
    WHERE e.left_at IS NOT NULL
"""
SQLITE_SECONDS = "(julianday(e.left_at) - julianday(e.created_at)) * 86400"
POSTGRES_SPANS = """
    SELECT p.id AS case_id, e.to_status AS stage,
           EXTRACT(EPOCH FROM (e.left_at - e.created_at)) AS seconds
    FROM proposals_proposal p
    CROSS JOIN LATERAL (
        SELECT to_status, created_at,
               LEAD(created_at) OVER (ORDER BY sequence) AS left_at
        FROM accreditation_caseevent
        WHERE case_id = p.id AND to_status <> ''
    ) e
    WHERE p.round_id = %s AND p.submitted_at IS NOT NULL AND e.left_at IS NOT NULL
"""
"""PostgreSQL reads each of the round's cases' events through the index on
(case, sequence), a case at a time, already in order, instead of sorting
every event of every round for the window."""
# Built from the constants above only: no value reaches the SQL but the
# round's id, passed as a parameter. A case in a stage more than once (back
# from information requested, say) counts once, with its time there summed.
POSTGRES_PERCENTILES = (
    "SELECT stage, COUNT(*), "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) "
    "FROM (SELECT case_id, stage, SUM(seconds) AS seconds "
    "FROM (" + POSTGRES_SPANS + ") spans GROUP BY case_id, stage) per_case "  # noqa: S608
    "GROUP BY stage"
)


@dataclass
class StageTime:
    stage: str
    label: str
    count: int
    median_days: float
    p90_days: float


def _percentile(values, fraction):
    """The linear-interpolated percentile, as PostgreSQL's percentile_cont."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stage_times(round_id):
    """How long cases stayed in each stage they have left, each case once
    (its stays in a stage it went back to summed): one query (the
    percentiles in PostgreSQL; on SQLite, the local demo's database, the
    spans are read and the percentiles worked out here)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_PERCENTILES, [round_id])
            rows = cursor.fetchall()
        else:
            cursor.execute(SPANS.format(seconds=SQLITE_SECONDS), [round_id])
            per_case = defaultdict(float)
            for case_id, stage, seconds in cursor.fetchall():
                per_case[stage, case_id] += seconds
            spans = defaultdict(list)
            for (stage, _case_id), seconds in per_case.items():
                spans[stage].append(seconds)
            rows = [
                (stage, len(values), _percentile(values, 0.5), _percentile(values, 0.9))
                for stage, values in spans.items()
            ]
    found = {stage: (count, median, p90) for stage, count, median, p90 in rows}
    return [
        StageTime(
            stage,
            Status(stage).label,
            found[stage][0],
            round(found[stage][1] / SECONDS_A_DAY, 1),
            round(found[stage][2] / SECONDS_A_DAY, 1),
        )
        for stage in STAGES
        if stage in found
    ]


# --- Past the target dates -------------------------------------------------------------------


@dataclass
class Lateness:
    assessment_due: object
    decision_target: object
    not_assessed_now: int
    not_decided_now: int
    assessed_late: int
    decided_late: int

    @property
    def rows(self):
        return [
            (
                f"Not assessed by the assessment due date ({self.assessment_due:%-d %B %Y}), "
                "and still not",
                self.not_assessed_now,
            ),
            ("Assessed, but after the assessment due date", self.assessed_late),
            (
                f"Not decided by the decision target ({self.decision_target:%-d %B %Y}), "
                "and still not",
                self.not_decided_now,
            ),
            ("Decided, but after the decision target", self.decided_late),
        ]


def lateness(cases, period):
    """Cases past the round's target dates: one query."""
    today = clock.today()
    assessed = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.RECOMMEND)
    decided = CaseEvent.objects.filter(
        case=OuterRef("pk"), action__in=(Action.ACCREDIT, Action.NOT_ACCREDIT)
    )
    first_assessed = assessed.order_by("sequence").values("created_at")[:1]
    first_decided = decided.order_by("sequence").values("created_at")[:1]
    figures = cases.annotate(
        assessed_at=Subquery(first_assessed), decided_at=Subquery(first_decided)
    ).aggregate(
        assessing=Count("pk", filter=Q(status__in=ASSESSING)),
        undecided=Count("pk", filter=Q(status__in=UNDECIDED)),
        assessed_late=Count("pk", filter=Q(assessed_at__gte=_after_day(period.assessment_due))),
        decided_late=Count("pk", filter=Q(decided_at__gte=_after_day(period.decision_target))),
    )
    return Lateness(
        period.assessment_due,
        period.decision_target,
        not_assessed_now=figures["assessing"] if period.assessment_due < today else 0,
        not_decided_now=figures["undecided"] if period.decision_target < today else 0,
        assessed_late=figures["assessed_late"],
        decided_late=figures["decided_late"],
    )


# --- Assessor workload -----------------------------------------------------------------------


@dataclass
class Workload:
    name: str
    first: int
    second: int
    finished: int
    replaced: int
    capacity: int

    @property
    def total(self):
        return self.first + self.second


def workload(period):
    """Each assessor's assignments in the round: one query."""
    Assignment = _model("assessments.Assignment")
    AssessorCapacity = _model("assessments.AssessorCapacity")
    ScoreSheet = _model("assessments.ScoreSheet")
    capacity = AssessorCapacity.objects.filter(
        round_id=period.pk, assessor_id=OuterRef("assessor_id")
    ).values("capacity")[:1]
    current = Q(ended_at__isnull=True)
    rows = (
        Assignment.objects.filter(case__round_id=period.pk, case__submitted_at__isnull=False)
        .annotate(has_sheet=Exists(ScoreSheet.objects.filter(assignment=OuterRef("pk"))))
        .values("assessor_id", "assessor__full_name")
        .annotate(
            first=Count("pk", filter=current & Q(kind="first")),
            second=Count("pk", filter=current & Q(kind="second")),
            finished=Count("pk", filter=current & Q(has_sheet=True)),
            replaced=Count("pk", filter=Q(ended_at__isnull=False)),
            capacity=Subquery(capacity, output_field=IntegerField()),
        )
        .order_by("assessor__full_name", "assessor_id")
    )
    default = policy.current().assessor_round_capacity
    return [
        Workload(
            row["assessor__full_name"],
            row["first"],
            row["second"],
            row["finished"],
            row["replaced"],
            row["capacity"] if row["capacity"] is not None else default,
        )
        for row in rows
    ]


# --- Score calibration -------------------------------------------------------------------------


@dataclass
class Calibration:
    """Per criterion: everyone's scores, and each assessor's against them."""

    scale: list
    criteria: list
    """[(code, everyone: Distribution, [(assessor name, Distribution)])]"""
    assessors: list
    """[(assessor name, scores, mean difference from everyone's over their criteria)]"""
    each: list
    """[(assessor name, {code: Distribution})], in the order of ``assessors``"""

    def shown(self, dist):
        """A distribution's count, mean and share of each point of the scale
        (highest first), for a table."""
        return {
            "n": dist.n,
            "mean": dist.mean,
            "shares": [dist.share(value) for value in self.scale],
        }

    def everyone(self):
        """Per criterion, everyone's scores."""
        return [(code, self.shown(everyone)) for code, everyone, _people in self.criteria]

    def by_assessor(self, each):
        """For each of ``each`` (a page of ``self.each``), the assessor's
        scores per criterion beside everyone's."""
        return [
            (
                name,
                [
                    (code, self.shown(own[code]), self.shown(everyone))
                    for code, everyone, _people in self.criteria
                    if code in own
                ],
            )
            for name, own in each
        ]


@dataclass
class Distribution:
    counts: dict = field(default_factory=dict)

    @property
    def n(self):
        return sum(self.counts.values())

    @property
    def mean(self):
        n = self.n
        return round(sum(value * count for value, count in self.counts.items()) / n, 2) if n else 0

    def share(self, value):
        return round(100 * self.counts.get(value, 0) / self.n) if self.n else 0


def calibration(period):
    """Every score of the round's cases by assessor, criterion and value, in
    one query, and from it each assessor's distribution beside everyone's."""
    Score = _model("assessments.Score")
    rows = (
        Score.objects.filter(
            assignment__case__round_id=period.pk, assignment__case__submitted_at__isnull=False
        )
        .values_list(
            "assignment__assessor_id",
            "assignment__assessor__full_name",
            "criterion__code",
            "criterion__part__number",
            "criterion__position",
            "value",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    everyone = defaultdict(Distribution)
    each = defaultdict(lambda: defaultdict(Distribution))
    names, order = {}, {}
    for assessor, name, code, part, position, value, n in rows:
        names[assessor] = name
        order[code] = (part, position)
        for dist in (everyone[code], each[assessor][code]):
            dist.counts[value] = dist.counts.get(value, 0) + n
    codes = sorted(everyone, key=order.get)
    people = sorted(names, key=lambda pk: (names[pk], pk))
    criteria = [
        (
            code,
            everyone[code],
            [(names[pk], each[pk][code]) for pk in people if code in each[pk]],
        )
        for code in codes
    ]
    assessors = []
    for pk in people:
        own = each[pk]
        n = sum(dist.n for dist in own.values())
        difference = (
            sum((dist.mean - everyone[code].mean) * dist.n for code, dist in own.items()) / n
        )
        assessors.append((names[pk], n, round(difference, 2)))
    framework = period.framework
    scale = list(range(framework.scale_max, framework.scale_min - 1, -1))
    return Calibration(scale, criteria, assessors, [(names[pk], each[pk]) for pk in people])


@dataclass
class Agreement:
    code: str
    pairs: int
    exact: int
    within_one: int
    needing_agreement: int
    agreed: int

    def percent(self, count):
        return round(100 * count / self.pairs) if self.pairs else 0


def agreement(period):
    """First and second assessors' scores of the same criterion of the same
    case, per criterion: how often they were the same, within a point, or
    needed an agreed score (two points apart, or either side of the
    threshold). One query, from the second assessors' scores (a sample of
    the cases) to the first's, counted here: a subquery named in the
    database's counts would be run again for each count."""
    Score = _model("assessments.Score")
    AgreedScore = _model("assessments.AgreedScore")
    gap = policy.current().qa_score_gap
    threshold = period.framework.threshold
    same = {
        "assignment__case_id": OuterRef("assignment__case_id"),
        "assignment__kind": "first",
        "assignment__ended_at__isnull": True,
        "criterion_id": OuterRef("criterion_id"),
        "party": OuterRef("party"),
    }
    first = Score.objects.filter(**same).order_by().values("value")[:1]
    agreed = AgreedScore.objects.filter(
        **{f"first_score__{key}": value for key, value in same.items()}
    )
    rows = (
        Score.objects.filter(
            assignment__case__round_id=period.pk,
            assignment__case__submitted_at__isnull=False,
            assignment__kind="second",
            assignment__ended_at__isnull=True,
        )
        .annotate(first=Subquery(first, output_field=IntegerField()), has_agreed=Exists(agreed))
        .order_by()
        .values_list(
            "criterion__part__number",
            "criterion__position",
            "criterion__code",
            "first",
            "value",
            "has_agreed",
        )
    )
    counts = {}
    for number, position, code, first_value, second_value, has_agreed in rows.iterator(2000):
        if first_value is None:
            continue
        row = counts.setdefault((number, position, code), Agreement(code, 0, 0, 0, 0, 0))
        apart = abs(first_value - second_value)
        crossing = (first_value >= threshold) != (second_value >= threshold)
        row.pairs += 1
        row.exact += int(apart == 0)
        row.within_one += int(apart <= 1)
        row.needing_agreement += int(apart >= gap or crossing)
        row.agreed += int(has_agreed)
    return [counts[key] for key in sorted(counts)]


# --- The whole report ---------------------------------------------------------------------------


@dataclass
class RoundReport:
    round: object
    by_type: Breakdown
    by_kind: Breakdown
    stages: list
    lateness: Lateness
    workload: list
    calibration: Calibration
    agreement: list
    outcomes: tuple = tuple((key, label) for key, label, _statuses in OUTCOMES)


def round_report(period):
    cases = _model("proposals.Proposal").objects.filter(
        round_id=period.pk, submitted_at__isnull=False
    )
    by_type, by_kind = cases_by(cases)
    return RoundReport(
        round=period,
        by_type=by_type,
        by_kind=by_kind,
        stages=stage_times(period.pk),
        lateness=lateness(cases, period),
        workload=workload(period),
        calibration=calibration(period),
        agreement=agreement(period),
    )


def figures(report):
    """Every figure of the report as CSV rows: (section, group, measure, value)."""
    outcome_labels = dict(report.outcomes)
    for section, breakdown in (
        ("Cases by type", report.by_type),
        ("Cases by kind", report.by_kind),
    ):
        for label, row, total in breakdown.rows:
            for key in outcome_labels:
                yield section, label, outcome_labels[key], row.get(key, 0)
            yield section, label, "Total", total
    for stage in report.stages:
        yield "Time in stage (days)", stage.label, "Cases that left it", stage.count
        yield "Time in stage (days)", stage.label, "Median", stage.median_days
        yield "Time in stage (days)", stage.label, "90th percentile", stage.p90_days
    for label, count in report.lateness.rows:
        yield "Past the target dates", label, "Cases", count
    for row in report.workload:
        for measure, value in (
            ("Assessor", row.first),
            ("Second assessor", row.second),
            ("Finished scoring", row.finished),
            ("Replaced on", row.replaced),
            ("Capacity", row.capacity),
        ):
            yield "Assessor workload", row.name, measure, value
    for code, everyone, people in report.calibration.criteria:
        for name, dist in [("Everyone", everyone), *people]:
            yield "Score calibration", f"{code}: {name}", "Scores", dist.n
            yield "Score calibration", f"{code}: {name}", "Mean", dist.mean
            for value in report.calibration.scale:
                yield (
                    "Score calibration",
                    f"{code}: {name}",
                    f"Scored {value} (%)",
                    dist.share(value),
                )
    for name, _count, difference in report.calibration.assessors:
        yield "Score calibration", name, "Mean difference from everyone", difference
    for row in report.agreement:
        for measure, value in (
            ("Pairs of scores", row.pairs),
            ("Same score", row.exact),
            ("Within one point", row.within_one),
            ("Needing an agreed score", row.needing_agreement),
            ("Agreed score recorded", row.agreed),
        ):
            yield "First and second assessor agreement", row.code, measure, value
