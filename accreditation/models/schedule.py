"""What the scheduler did: one row per thing done, and the last run of each
scheduled task.

A ``ScheduledAction`` is unique per (kind, target, key): a round opened or
closed at a given time, a reminder for a draft at a given number of days, an
assessor chased for a given due date. Each is written in the same transaction
as the work it records (the lapse, the e-mail in the outbox), so beat firing
twice, two beat processes or a worker killed half way never do it twice: the
second attempt finds the row, or waits on the first's insert and then finds
it.
"""

from django.db import models

from accreditation import clock


class ScheduledKind(models.TextChoices):
    ROUND_OPENED = "round_opened", "Round opened"
    ROUND_CLOSED = "round_closed", "Round closed"
    WINDOW_CLOSED = "window_closed", "Out-of-round window closed"
    REMINDER = "reminder", "Draft reminded of its deadline"
    ASSESSMENT_CHASED = "assessment_chased", "Assessor chased for an overdue assessment"
    ASSESSMENT_ESCALATED = (
        "assessment_escalated",
        "Casework officers told of an overdue assessment",
    )
    REQUEST_CHASED = "request_chased", "Applicant chased for overdue information"
    REQUEST_ESCALATED = "request_escalated", "Assessor told of overdue information"
    ADVICE_CHASED = "advice_chased", "Advisory Group member chased for their views"
    DECISION_CHASED = "decision_chased", "Decision officials told a case is past its target"


class ScheduledAction(models.Model):
    kind = models.CharField(max_length=30, choices=ScheduledKind.choices)
    target = models.CharField(
        max_length=40, help_text="What it was done to, as '<type>:<id>' (round:3, proposal:40)"
    )
    key = models.CharField(
        max_length=64,
        help_text="What makes it one occasion: the deadline closed at, the days before it",
    )
    summary = models.CharField(max_length=200, blank=True)
    count = models.PositiveIntegerField(
        default=0, help_text="Drafts lapsed, or emails written, by this action"
    )
    done_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-done_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "target", "key"], name="scheduled_action_once")
        ]
        indexes = [models.Index(fields=["done_at"], name="scheduled_action_done_at")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary or self.target}"


class TaskRun(models.Model):
    """The last finished run of each scheduled task and what it did, so staff
    can see the scheduler is running."""

    task = models.CharField(max_length=100, unique=True)
    finished_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["task"]

    def __str__(self):
        return f"{self.task} at {self.finished_at}"
