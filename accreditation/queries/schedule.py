"""What the schedule page reads: the deadlines coming up, each scheduled
task's last run, and what the scheduler did, day by day — each in a fixed
number of queries whatever the numbers of rounds, cases or actions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accreditation import clock
from accreditation.models import (
    OutboxMessage,
    Round,
    ScheduledAction,
    ScheduledKind,
    TaskRun,
    Window,
)
from accreditation.schedule import EVERY
from accreditation.workflow import Status
from assessments.queries.assignment import due_date

UPCOMING_DAYS = 42
"""How far ahead the page looks for deadlines."""


def _model(label):
    return apps.get_model(*label.split("."))


@dataclass(frozen=True)
class Deadline:
    when: object
    """A datetime, or a date (the end of that day)."""
    what: str
    detail: str = ""

    @property
    def sort_key(self):
        if isinstance(self.when, datetime):
            return clock.local(self.when).replace(tzinfo=None)
        return datetime.combine(self.when, datetime.max.time())

    @property
    def has_time(self):
        return isinstance(self.when, datetime)


def _plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"


def upcoming(now=None, days=UPCOMING_DAYS):
    """Deadlines from now to ``days`` ahead, soonest first: rounds opening
    and closing (with their drafts), their assessment, meeting and decision
    dates, out-of-round windows closing, assessments and information
    requests due, and Advisory Group meetings. Eight queries."""
    now = now or clock.now()
    today, end = clock.local_date(now), clock.local_date(now) + timedelta(days=days)
    until = now + timedelta(days=days)
    rows = []
    rounds = (
        Round.objects.not_cancelled()
        .filter(
            Q(opens_at__range=(now, until))
            | Q(deadline__range=(now, until))
            | Q(assessment_due__range=(today, end))
            | Q(advisory_group_meeting__range=(today, end))
            | Q(decision_target__range=(today, end))
        )
        .annotate(drafts=Count("proposals", filter=Q(proposals__status=Status.DRAFT)))
    )
    for round_ in rounds:
        if now <= round_.opens_at <= until:
            rows.append(Deadline(round_.opens_at, f"{round_} round opens"))
        if now <= round_.deadline <= until:
            detail = _plural(round_.drafts, "draft") + " not yet submitted"
            rows.append(Deadline(round_.deadline, f"{round_} round closes", detail))
        for field, label in (
            ("assessment_due", "assessments due"),
            ("advisory_group_meeting", "Advisory Group meeting"),
            ("decision_target", "decision target"),
        ):
            day = getattr(round_, field)
            if today <= day <= end:
                rows.append(Deadline(day, f"{round_} round: {label}"))
    windows = (
        Window.objects.filter(deadline__range=(now, until))
        .select_related("organisation")
        .annotate(drafts=Count("proposals", filter=Q(proposals__status=Status.DRAFT)))
    )
    for window in windows:
        rows.append(
            Deadline(
                window.deadline,
                f"Out-of-round window for {window.organisation.name} closes",
                _plural(window.drafts, "draft") + " not yet submitted",
            )
        )
    assessments = (
        _model("assessments.Assignment")
        .objects.filter(
            ended_at__isnull=True,
            kind="first",
            case__status__in=(Status.IN_ASSESSMENT, Status.INFORMATION_REQUESTED),
        )
        .annotate(due=due_date())
        .filter(due__range=(today, end))
        .values("due")
        .annotate(count=Count("pk"))
    )
    for row in assessments:
        rows.append(Deadline(row["due"], "Assessments due", _plural(row["count"], "case")))
    requests = (
        _model("assessments.InformationRequest")
        .objects.filter(sent_at__isnull=True, due__range=(today, end))
        .values("due")
        .annotate(count=Count("pk"))
    )
    for row in requests:
        rows.append(
            Deadline(
                row["due"], "Answers to information requests due", _plural(row["count"], "request")
            )
        )
    meetings = (
        _model("advisory_group.Meeting")
        .objects.filter(closed_at__isnull=True, held_at__range=(now, until))
        .annotate(open_items=Count("items", filter=Q(items__outcome="")))
    )
    for meeting in meetings:
        rows.append(
            Deadline(
                meeting.held_at, "Advisory Group meeting", _plural(meeting.open_items, "open item")
            )
        )
    return sorted(rows, key=lambda row: row.sort_key)


@dataclass(frozen=True)
class TaskStatus:
    name: str
    task: str
    every: int
    enabled: bool
    finished_at: object
    result: dict

    @property
    def late(self):
        """Not run for three of its intervals (and five minutes): beat or the
        worker may have stopped. (A task not run yet is not late: an hourly
        one waits up to an hour after the scheduler starts.)"""
        if self.finished_at is None:
            return False
        allowance = timedelta(seconds=3 * self.every + 300)
        return clock.now() - self.finished_at > allowance

    @property
    def result_text(self):
        """What its last run did: "closed 1, lapsed 12"."""
        return ", ".join(f"{name} {value}" for name, value in self.result.items())

    @property
    def every_text(self):
        minutes = self.every // 60
        if minutes == 1:
            return "every minute"
        if minutes % 60 == 0:
            hours = minutes // 60
            return "every hour" if hours == 1 else f"every {hours} hours"
        return f"every {minutes} minutes"


def task_statuses():
    """Each task of the schedule with its last run (two queries)."""
    runs = {run.task: run for run in TaskRun.objects.all()}
    enabled = dict(PeriodicTask.objects.values_list("task", "enabled"))
    statuses = []
    for name, task, every in EVERY:
        run = runs.get(task)
        statuses.append(
            TaskStatus(
                name=name,
                task=task,
                every=every,
                enabled=enabled.get(task, False),
                finished_at=run.finished_at if run else None,
                result=run.result if run else {},
            )
        )
    return statuses


def activity():
    """What the scheduler did, a row per day and kind, newest first: how
    many things (rounds, drafts reminded, people chased) and the drafts
    lapsed or e-mails written with them."""
    return (
        ScheduledAction.objects.annotate(
            day=TruncDate("done_at", tzinfo=timezone.get_default_timezone())
        )
        .values("day", "kind")
        .annotate(things=Count("pk"), total=Sum("count"), last=Max("done_at"))
        .order_by("-day", "kind")
    )


def failed_email_count():
    return OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=False).count()


PERIOD_KINDS = (ScheduledKind.ROUND_OPENED, ScheduledKind.ROUND_CLOSED, ScheduledKind.WINDOW_CLOSED)


def recent_openings_and_closings(limit=6):
    """The latest rounds opened and rounds and windows closed."""
    return list(ScheduledAction.objects.filter(kind__in=PERIOD_KINDS)[:limit])


WHAT_WAS_DONE = {
    ScheduledKind.ROUND_OPENED: ("Opened {things} round", "Opened {things} rounds", ""),
    ScheduledKind.ROUND_CLOSED: (
        "Closed {things} round",
        "Closed {things} rounds",
        "drafts lapsed",
    ),
    ScheduledKind.WINDOW_CLOSED: (
        "Closed {things} out-of-round window",
        "Closed {things} out-of-round windows",
        "drafts lapsed",
    ),
    ScheduledKind.REMINDER: ("Reminded {things} draft", "Reminded {things} drafts", "emails"),
    ScheduledKind.ASSESSMENT_CHASED: (
        "Chased {things} overdue assessment",
        "Chased {things} overdue assessments",
        "emails",
    ),
    ScheduledKind.ASSESSMENT_ESCALATED: (
        "Told casework officers of {things} overdue assessment",
        "Told casework officers of {things} overdue assessments",
        "emails",
    ),
    ScheduledKind.REQUEST_CHASED: (
        "Chased {things} overdue information request",
        "Chased {things} overdue information requests",
        "emails",
    ),
    ScheduledKind.REQUEST_ESCALATED: (
        "Told assessors of {things} overdue information request",
        "Told assessors of {things} overdue information requests",
        "emails",
    ),
    ScheduledKind.ADVICE_CHASED: (
        "Asked {things} Advisory Group member for their views",
        "Asked {things} Advisory Group members for their views",
        "emails",
    ),
    ScheduledKind.DECISION_CHASED: (
        "Told decision officials of {things} case past its target",
        "Told decision officials of {things} cases past their target",
        "emails",
    ),
}
"""How a day's actions of each kind read: (one, many, what ``count`` counts)."""


def describe_activity(row):
    """A row of ``activity()`` as a sentence, and what its count counts."""
    one, many, counted = WHAT_WAS_DONE[row["kind"]]
    return (one if row["things"] == 1 else many).format(things=row["things"]), counted
