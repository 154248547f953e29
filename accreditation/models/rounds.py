"""Termly application rounds and out-of-round windows."""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from accreditation import clock


class AccreditationType(models.TextChoices):
    ASP = "asp", "Accredited School Provider (ASP)"
    ASG = "asg", "Accredited Schools Group (ASG)"


class Term(models.TextChoices):
    """The term calendar: spring runs January to April, summer May to August,
    autumn September to December, so dates four calendar months apart always
    fall in consecutive terms."""

    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"

    @classmethod
    def of(cls, day):
        """The term a date falls in."""
        if day.month <= 4:
            return cls.SPRING
        if day.month <= 8:
            return cls.SUMMER
        return cls.AUTUMN

    @staticmethod
    def later(day, terms):
        """The same date ``terms`` terms later (earlier when negative), or the
        last day of its month where the month is shorter."""
        month0 = day.month - 1 + 4 * terms
        year, month = day.year + month0 // 12, month0 % 12 + 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


TERM_ORDER = {Term.SPRING: 1, Term.SUMMER: 2, Term.AUTUMN: 3}


class RoundQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.filter(cancelled_at__isnull=True)

    def open_at(self, when):
        return self.not_cancelled().filter(opens_at__lte=when, deadline__gt=when)

    def upcoming(self, when):
        return self.not_cancelled().filter(opens_at__gt=when).order_by("opens_at")


class Round(models.Model):
    """One termly round. All its times are stored in UTC and shown in
    Europe/London; the submission deadline is exclusive (one second late is
    late)."""

    term = models.CharField(max_length=10, choices=Term.choices)
    year = models.PositiveSmallIntegerField()
    accepts_asp = models.BooleanField("Takes ASP proposals", default=True)
    accepts_asg = models.BooleanField("Takes ASG proposals", default=True)
    framework = models.ForeignKey(
        "accreditation.Framework", on_delete=models.PROTECT, related_name="rounds"
    )
    opens_at = models.DateTimeField("Opens")
    deadline = models.DateTimeField("Submission deadline")
    assessment_due = models.DateField("Assessment due")
    advisory_group_meeting = models.DateField("Advisory Group meeting")
    decision_target = models.DateField("Decision target")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["term", "year"], name="round_unique_term_year"),
            models.CheckConstraint(
                condition=Q(accepts_asp=True) | Q(accepts_asg=True),
                name="round_accepts_a_type",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("deadline")), name="round_opens_before_deadline"
            ),
            models.CheckConstraint(
                condition=Q(assessment_due__lte=F("advisory_group_meeting"))
                & Q(advisory_group_meeting__lte=F("decision_target")),
                name="round_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancellation_reason=""),
                name="round_cancellation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_term_display()} {self.year}"

    @staticmethod
    def dates_after_deadline(deadline):
        """A round's usual timetable from its deadline's date: assessments due
        six weeks after it, the Advisory Group two weeks later, decisions two
        weeks after that."""
        assessment_due = deadline + timedelta(days=42)
        return {
            "assessment_due": assessment_due,
            "advisory_group_meeting": assessment_due + timedelta(days=14),
            "decision_target": assessment_due + timedelta(days=28),
        }

    def clean(self):
        if self.deadline and self.assessment_due:
            if clock.local_date(self.deadline) > self.assessment_due:
                raise ValidationError(
                    {"assessment_due": "Assessment due date must be on or after the deadline"}
                )

    def accepted_types(self):
        return [
            t
            for t, accepted in (
                (AccreditationType.ASP, self.accepts_asp),
                (AccreditationType.ASG, self.accepts_asg),
            )
            if accepted
        ]

    def accepts(self, accreditation_type):
        return accreditation_type in self.accepted_types()

    def is_open(self, when=None):
        when = when or clock.now()
        return self.cancelled_at is None and self.opens_at <= when < self.deadline


class Window(models.Model):
    """An out-of-round window granted to one organisation, with its own
    deadline; it uses the framework current when granted."""

    organisation = models.ForeignKey(
        "accreditation.Organisation", on_delete=models.PROTECT, related_name="windows"
    )
    framework = models.ForeignKey(
        "accreditation.Framework", on_delete=models.PROTECT, related_name="windows"
    )
    opens_at = models.DateTimeField()
    deadline = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("deadline")), name="window_opens_before_deadline"
            ),
        ]

    def __str__(self):
        deadline = clock.local(self.deadline)
        return f"Out-of-round window for {self.organisation} until {deadline:%d %B %Y %H:%M}"

    def is_open(self, when=None):
        when = when or clock.now()
        return self.opens_at <= when < self.deadline
