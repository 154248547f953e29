"""Termly application rounds and out-of-round windows."""

import calendar
from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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

TERM_MONTHS = {Term.SPRING: (1, 4), Term.SUMMER: (5, 8), Term.AUTUMN: (9, 12)}
"""The first and last month of each term (``Term.of``)."""


def next_term(day):
    """(term, year) of the term after the one ``day`` falls in."""
    following = Term.later(day.replace(day=1), 1)
    return Term.of(following), following.year


class TermCalendarQuerySet(models.QuerySet):
    def ensure(self):
        """The three terms' rows, each created with the service's defaults
        the first time it is asked for (so a flushed test database, or a
        new installation, has a calendar), in term order."""
        self.bulk_create(
            [TermCalendar(term=term, **values) for term, values in CALENDAR_DEFAULTS.items()],
            ignore_conflicts=True,
        )
        rows = {row.term: row for row in self.all()}
        return [rows[term] for term in sorted(rows, key=TERM_ORDER.get)]


class TermCalendar(models.Model):
    """A term's usual round: when it opens, and how long after each date the
    next one falls. A casework officer can change these; a new round (by
    hand or by the scheduler) starts from them. A date that falls on a
    weekend or an England and Wales bank holiday moves to the next working
    day, and each date is worked out from the one before it as moved."""

    term = models.CharField(max_length=10, choices=Term.choices, unique=True)
    opens_month = models.PositiveSmallIntegerField(
        "Month it opens", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    opens_day = models.PositiveSmallIntegerField(
        "Day of the month it opens", validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    opens_time = models.TimeField("Time it opens (UK time)", default=time(9))
    deadline_days = models.PositiveSmallIntegerField(
        "Days from opening to the deadline", validators=[MinValueValidator(1)]
    )
    deadline_time = models.TimeField(
        "Time of the deadline (UK time)",
        default=time(17),
        help_text="Proposals must be submitted before this time",
    )
    assessment_due_days = models.PositiveSmallIntegerField(
        "Days from the deadline to assessments being due", validators=[MinValueValidator(1)]
    )
    advisory_group_days = models.PositiveSmallIntegerField(
        "Days from assessments being due to the Advisory Group meeting",
        validators=[MinValueValidator(1)],
    )
    decision_target_days = models.PositiveSmallIntegerField(
        "Days from the Advisory Group meeting to the decision target",
        validators=[MinValueValidator(1)],
    )
    # The last year the scheduler created this term's round in, so it does
    # so once however often it runs (and not again if the round is removed).
    created_round_for_year = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = TermCalendarQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1)
                & Q(assessment_due_days__gte=1)
                & Q(advisory_group_days__gte=1)
                & Q(decision_target_days__gte=1),
                name="term_calendar_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_term_display()} term calendar"

    @property
    def opens_month_name(self):
        return calendar.month_name[self.opens_month]

    def clean(self):
        first, last = TERM_MONTHS[Term(self.term)]
        if self.opens_month and not first <= self.opens_month <= last:
            raise ValidationError(
                {
                    "opens_month": f"The {self.get_term_display().lower()} term runs from "
                    f"{calendar.month_name[first]} to {calendar.month_name[last]}: "
                    "choose a month in it"
                }
            )
        if self.opens_month and self.opens_day:
            # Days as in a year that is not a leap year: the day opens every year.
            days = calendar.monthrange(2027, self.opens_month)[1]
            if self.opens_day > days:
                month = calendar.month_name[self.opens_month]
                raise ValidationError(
                    {
                        "opens_day": f"{month} has {days} days"
                        f"{' in most years' if self.opens_month == 2 else ''}: "
                        f"choose a day from 1 to {days}"
                    }
                )
            self._check_opening_stays_in_term(last)

    def _check_opening_stays_in_term(self, last_month):
        """A round opens on the next working day when its day is not one: a
        day at the end of the term's last month (31 December) can move into
        the next term, whose round the term's own could then never be (a
        round opens in its term). Checked over 28 years, the calendar's
        cycle of weekdays."""
        if self.opens_month != last_month:
            return
        for year in range(clock.today().year, clock.today().year + 28):
            day = date(year, self.opens_month, self.opens_day)
            opening = clock.working_day_from(day)
            if opening.month != self.opens_month:
                raise ValidationError(
                    {
                        "opens_day": f"In {year} {day:%-d %B} is not a working day, and the "
                        f"round would open on the next one, {opening:%-d %B %Y}, after the "
                        f"{self.get_term_display().lower()} term: choose an earlier day"
                    }
                )

    def dates_for(self, year):
        """The round's dates in ``year`` from this calendar: aware opening
        and deadline times in Europe/London, and the three later dates."""
        last_day = calendar.monthrange(year, self.opens_month)[1]
        opening = clock.working_day_from(
            date(year, self.opens_month, min(self.opens_day, last_day))
        )
        deadline = clock.working_day_from(opening + timedelta(days=self.deadline_days))
        assessment_due = clock.working_day_from(deadline + timedelta(days=self.assessment_due_days))
        meeting = clock.working_day_from(assessment_due + timedelta(days=self.advisory_group_days))
        decision = clock.working_day_from(meeting + timedelta(days=self.decision_target_days))
        # Working days are never Sundays, so never the night the clocks change.
        return {
            "opens_at": clock.at(opening, self.opens_time),
            "deadline": clock.at(deadline, self.deadline_time),
            "assessment_due": assessment_due,
            "advisory_group_meeting": meeting,
            "decision_target": decision,
        }


_USUAL_OFFSETS = {
    "deadline_days": 49,
    "assessment_due_days": 42,
    "advisory_group_days": 14,
    "decision_target_days": 14,
}
CALENDAR_DEFAULTS = {
    Term.AUTUMN: {"opens_month": 9, "opens_day": 15, **_USUAL_OFFSETS},
    Term.SPRING: {"opens_month": 1, "opens_day": 15, **_USUAL_OFFSETS},
    Term.SUMMER: {"opens_month": 5, "opens_day": 1, **_USUAL_OFFSETS},
}
"""The service's starting calendar: each term's round opens at 9am on its
day, takes proposals for seven weeks until 5pm, has its assessments due six
weeks later, the Advisory Group two weeks after that and decisions two weeks
after the meeting (as ``Round.dates_after_deadline``)."""


class RoundStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"

    @property
    def colour(self):
        """Its GOV.UK tag colour."""
        return {"upcoming": "light-blue", "open": "green", "closed": "grey", "cancelled": "red"}[
            self.value
        ]


class RoundQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.filter(cancelled_at__isnull=True)

    def open_at(self, when):
        return self.not_cancelled().filter(opens_at__lte=when, deadline__gt=when)

    def upcoming(self, when):
        return self.not_cancelled().filter(opens_at__gt=when).order_by("opens_at")

    def open_and_next(self, when):
        """The rounds open at ``when``, by deadline, and the next one to open
        (or None), from one query: every round not yet past its deadline is
        one or the other."""
        rounds = list(self.not_cancelled().filter(deadline__gt=when).order_by("opens_at", "pk"))
        open_rounds = sorted((r for r in rounds if r.opens_at <= when), key=lambda r: r.deadline)
        return open_rounds, next((r for r in rounds if r.opens_at > when), None)


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
            # One round a term, besides those cancelled: a cancelled round's
            # term can have another (its drafts move to it).
            models.UniqueConstraint(
                fields=["term", "year"],
                condition=Q(cancelled_at__isnull=True),
                name="round_unique_term_year_not_cancelled",
            ),
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

    def has_opened(self, when=None):
        return self.opens_at <= (when or clock.now())

    def status(self, when=None):
        """Upcoming, open, closed (its deadline has passed) or cancelled."""
        when = when or clock.now()
        if self.cancelled_at is not None:
            return RoundStatus.CANCELLED
        if when < self.opens_at:
            return RoundStatus.UPCOMING
        if when < self.deadline:
            return RoundStatus.OPEN
        return RoundStatus.CLOSED


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
        return (
            f"Out-of-round window for {self.organisation} until "
            f"{clock.describe_deadline(self.deadline)}"
        )

    def is_open(self, when=None):
        when = when or clock.now()
        return self.opens_at <= when < self.deadline
