"""Running the termly rounds: the term calendar, and creating, changing and
cancelling rounds under the SPEC's rules.

Before a round opens every field can change. Once it has opened, proposals
are written against its term, types and opening, so those stay; its later
dates can only move later, and its deadline only be extended while the
round is still open (never to a time that has passed). A round is cancelled
only before any proposal has been submitted in it; its drafts are kept, to
be moved to another open round (``proposals.services.moving``).

Every write takes the calendar's row locks first, so two officers (or an
officer and the scheduler) creating or changing rounds at once are judged
one after the other: no two rounds' open periods overlap for a type they
both take (from now on: what has passed cannot change). Each change is
written to the activity log in its transaction.
"""

import calendar
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accreditation import clock, emails, timeline
from accreditation.access import require
from accreditation.models import Framework, Round, Term, TermCalendar
from accreditation.models.organisations import contact_addresses
from accreditation.models.rounds import TERM_MONTHS, next_term
from accreditation.services import activity
from accreditation.signals import round_changed
from accreditation.versions import check_version, version_of
from accreditation.workflow import Status

logger = logging.getLogger(__name__)

DATE_FIELDS = (
    "opens_at",
    "deadline",
    "assessment_due",
    "advisory_group_meeting",
    "decision_target",
)
FIXED_ONCE_OPEN = ("term", "year", "accepts_asp", "accepts_asg", "opens_at")
ROUND_FIELDS = ("term", "year", "accepts_asp", "accepts_asg", *DATE_FIELDS[1:])
EDITABLE_FIELDS = ("term", "year", "accepts_asp", "accepts_asg", *DATE_FIELDS)
CALENDAR_FIELDS = (
    "opens_month",
    "opens_day",
    "opens_time",
    "deadline_days",
    "deadline_time",
    "assessment_due_days",
    "advisory_group_days",
    "decision_target_days",
)


def round_version(round_):
    return version_of(round_, EDITABLE_FIELDS)


def calendar_version(row):
    return version_of(row, CALENDAR_FIELDS)


def defaults_for(term, year):
    """A new round's fields for ``term`` in ``year``, from the calendar."""
    row = next(r for r in TermCalendar.objects.ensure() if r.term == term)
    return {
        "term": term,
        "year": year,
        "accepts_asp": True,
        "accepts_asg": True,
        **row.dates_for(year),
    }


def suggested_term(when=None):
    """The first term after this one with no round yet (a cancelled one
    leaves its term free for another): what a new round is most likely for.
    (term, year)."""
    first = clock.local_date(when or clock.now()).replace(day=1)
    taken = set(Round.objects.not_cancelled().values_list("term", "year"))
    for step in range(1, 13):
        day = Term.later(first, step)
        if (Term.of(day), day.year) not in taken:
            return Term.of(day), day.year
    return next_term(first)


def _lock_calendar():
    """Take the calendar's rows (created if missing) under lock, in one
    order, so every writer of rounds queues behind the one before."""
    TermCalendar.objects.ensure()
    return {row.term: row for row in TermCalendar.objects.select_for_update().order_by("pk")}


def _describe_period(round_):
    return f"{clock.describe(round_.opens_at)} to {clock.describe(round_.deadline)}"


def check_round(values, *, exclude=None):
    """The rules every round's fields hold, whatever its state: a type
    taken, the dates in order (opening, deadline, assessment due, Advisory
    Group meeting, decision target, each after the one before), one round a
    term, and, from now on, no overlap with another round that takes one of
    its types. Raises a ValidationError keyed by field."""
    errors = {}
    if not (values["accepts_asp"] or values["accepts_asg"]):
        errors["accepts_asp"] = "Select the types of proposal the round takes"
    opens_on = clock.local_date(values["opens_at"])
    first, last = TERM_MONTHS[Term(values["term"])]
    if opens_on.year != values["year"] or not first <= opens_on.month <= last:
        # A round is named by its term and year: it opens in them.
        errors["opens_at"] = (
            f"The {Term(values['term']).label} {values['year']} round must open between "
            f"{calendar.month_name[first]} and {calendar.month_name[last]} {values['year']}: "
            "change its opening date, or its term and year"
        )
    if values["deadline"] <= values["opens_at"]:
        errors["deadline"] = "The deadline must be after the round opens"
    deadline_day = clock.local_date(values["deadline"])
    if values["assessment_due"] <= deadline_day:
        errors["assessment_due"] = "The assessment due date must be after the deadline"
    elif values["advisory_group_meeting"] <= values["assessment_due"]:
        errors["advisory_group_meeting"] = (
            "The Advisory Group meeting must be after the assessment due date"
        )
    elif values["decision_target"] <= values["advisory_group_meeting"]:
        errors["decision_target"] = (
            "The decision target date must be after the Advisory Group meeting"
        )
    others = Round.objects.exclude(pk=getattr(exclude, "pk", None))
    same_term = others.not_cancelled().filter(term=values["term"], year=values["year"]).first()
    if same_term is not None:
        errors["term"] = f"There is already a round for {same_term}"
    if "deadline" not in errors:
        types = [t for t in ("asp", "asg") if values[f"accepts_{t}"]]
        # Only the time still to come can clash: a round open already is
        # judged from now, so extending it is not refused for a round that
        # was open beside it and has closed.
        starts = max(values["opens_at"], clock.now())
        overlapping = (
            others.not_cancelled()
            .filter(opens_at__lt=values["deadline"], deadline__gt=starts)
            .order_by("opens_at")
        )
        for other in overlapping:
            shared = [t.upper() for t in types if other.accepts(t)]
            if shared:
                errors.setdefault(
                    "opens_at",
                    f"The round would be open at the same time as the {other} round, which "
                    f"also takes {' and '.join(shared)} proposals (open {_describe_period(other)})",
                )
    if errors:
        raise ValidationError(errors)


class AlreadyCreated(Exception):
    """The round asked for is the one there already (``round``): the form
    sent twice, or from two tabs."""

    def __init__(self, round_):
        super().__init__(f"The {round_} round was created already, with these dates.")
        self.round = round_


def create_round(officer, values):
    """A new round from the officer's ``values`` (the fields of
    ``ROUND_FIELDS`` and ``opens_at``), using the current criteria framework.
    The same round asked for again is ``AlreadyCreated``, not refused."""
    require(officer, "accreditation.manage_rounds")
    with transaction.atomic():
        _lock_calendar()
        same = (
            Round.objects.not_cancelled()
            .filter(**{name: values[name] for name in EDITABLE_FIELDS})
            .first()
        )
        if same is not None:
            raise AlreadyCreated(same)
        if values["deadline"] <= clock.now():
            raise ValidationError({"deadline": "The deadline must be in the future"})
        check_round(values)
        framework = Framework.current()
        if framework is None:
            raise ValidationError(
                {
                    "term": "No criteria framework has been published yet: an administrator must "
                    "publish one first"
                }
            )
        created = Round.objects.create(framework=framework, **_round_values(values))
        activity.record(
            officer, "round_created", created, activity.diff({}, activity.snapshot(created))
        )
    return created


def _round_values(values):
    return {name: values[name] for name in EDITABLE_FIELDS}


def change_round(officer, round_, values, *, version=None):
    """Change a round. Before it opens anything may change; once open, the
    term, types and opening stay, the later dates only move later and the
    deadline is only extended while the round is open, to a time still to
    come. Refused with a ValidationError keyed by field. The apps that stand
    on rounds hear of the change (``round_changed``): the Advisory Group's
    meeting on the round's meeting date moves with it."""
    require(officer, "accreditation.manage_rounds")
    with transaction.atomic():
        _lock_calendar()
        locked = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
        check_version(round_version(locked), version)
        now = clock.now()
        if locked.cancelled_at is not None:
            raise ValidationError("This round has been cancelled, so it cannot be changed")
        if locked.has_opened(now):
            _check_change_once_open(locked, values, now)
        elif values["deadline"] <= now:
            raise ValidationError({"deadline": "The deadline must be in the future"})
        check_round(values, exclude=locked)
        before = activity.snapshot(locked)
        for name, value in _round_values(values).items():
            setattr(locked, name, value)
        changes = activity.diff(before, activity.snapshot(locked))
        if changes:
            locked.save()
            activity.record(officer, "round_changed", locked, changes)
            round_changed.send(Round, round=locked, changes=changes, actor=officer)
    return locked


def _check_change_once_open(locked, values, now):
    errors = {}
    opened = clock.describe(locked.opens_at)
    for name in FIXED_ONCE_OPEN:
        if values[name] != getattr(locked, name):
            errors.setdefault(
                name if name != "accepts_asg" else "accepts_asp",
                f"The round opened at {opened}: its term, year, types and opening time can no "
                "longer change",
            )
    if values["deadline"] != locked.deadline:
        if locked.deadline <= now:
            errors["deadline"] = (
                f"The round closed at {clock.describe(locked.deadline)}: its deadline can no "
                "longer change"
            )
        elif values["deadline"] < locked.deadline:
            errors["deadline"] = (
                "The round has opened, so its deadline can only be extended: choose a time "
                f"after {clock.describe(locked.deadline)}"
            )
        elif values["deadline"] <= now:
            errors["deadline"] = "The deadline must be in the future"
    labels = {
        "assessment_due": "assessment due date",
        "advisory_group_meeting": "Advisory Group meeting",
        "decision_target": "decision target date",
    }
    for name, label in labels.items():
        old = getattr(locked, name)
        if values[name] < old:
            errors[name] = (
                f"The round has opened, so its {label} can only move later: choose "
                f"{old.day} {old:%B %Y} or after"
            )
    if errors:
        raise ValidationError(errors)


class CannotCancel(Exception):
    """The round cannot be cancelled; the message says why."""


def cancel_round(officer, round_, reason):
    """Cancel a round in which nothing has been submitted. Its drafts are
    kept (each case's timeline says so, and its contacts are told by email)
    to be moved to another open round. The round's proposals are locked
    too, so a submission racing the cancellation either lands first (and
    the cancellation is refused) or finds the round cancelled. The round's
    lock is FOR NO KEY UPDATE: a submission holds its proposal's lock and a
    key-share lock on the round, and a full lock here would deadlock it."""
    require(officer, "accreditation.manage_rounds")
    reason = reason.strip()
    if not reason:
        raise CannotCancel("Enter why the round is being cancelled")
    with transaction.atomic():
        locked = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
        if locked.cancelled_at is not None:
            raise CannotCancel(f"The {locked} round has already been cancelled.")
        proposals = list(
            locked.proposals.select_for_update(of=("self",)).select_related("organisation")
        )
        submitted = sum(1 for p in proposals if p.submitted_at is not None)
        if submitted:
            raise CannotCancel(
                f"{submitted} proposal{'s have' if submitted > 1 else ' has'} been submitted "
                f"in the {locked} round, so it cannot be cancelled."
            )
        before = activity.snapshot(locked)
        locked.cancelled_at = clock.now()
        locked.cancellation_reason = reason
        locked.save(update_fields=["cancelled_at", "cancellation_reason"])
        activity.record(
            officer, "round_cancelled", locked, activity.diff(before, activity.snapshot(locked))
        )
        drafts = [p for p in proposals if p.status == Status.DRAFT]
        for draft in drafts:
            timeline.append(
                draft,
                action="round_cancelled",
                actor=officer,
                details={"round": str(locked), "reason": reason},
            )
            _tell_contacts_of_cancellation(draft, locked)
    return locked


def _tell_contacts_of_cancellation(draft, round_):
    recipients = contact_addresses(draft.organisation_id)
    if not recipients:
        return
    emails.queue(
        "proposals/round_cancelled",
        {"proposal": draft, "round": round_},
        recipients,
        key=f"round-cancelled:{draft.pk}",
    )


def change_calendar(officer, row, values, *, version=None):
    """Change a term's usual dates; rounds already created keep theirs."""
    require(officer, "accreditation.manage_rounds")
    with transaction.atomic():
        locked = _lock_calendar()[row.term]
        check_version(calendar_version(locked), version)
        before = activity.snapshot(locked, CALENDAR_FIELDS)
        for name in CALENDAR_FIELDS:
            setattr(locked, name, values[name])
        locked.full_clean()
        changes = activity.diff(before, activity.snapshot(locked, CALENDAR_FIELDS))
        if changes:
            locked.save()
            activity.record(officer, "term_calendar_changed", locked, changes)
    return locked


def create_next_round(when=None):
    """Next term's round from the calendar, if the scheduler has not made it
    yet and no one has. Once per term and year, however often and however
    many workers run it: the calendar row's lock orders the callers, its
    record of the year makes the later ones do nothing (even after the round
    is removed), and the round's unique term and year is the last word.
    Returns the new round, or None."""
    when = when or clock.now()
    term, year = next_term(clock.local_date(when))
    with transaction.atomic():
        row = _lock_calendar()[term]
        if row.created_round_for_year is not None and row.created_round_for_year >= year:
            return None
        existing = Round.objects.filter(term=term, year=year).first()
        if existing is None:
            existing = _create_from_calendar(term, year, when)
            if existing is None:
                return None
            created = existing
        else:
            created = None
        row.created_round_for_year = year
        row.save(update_fields=["created_round_for_year"])
    return created


def _create_from_calendar(term, year, when):
    values = defaults_for(term, year)
    framework = Framework.current()
    if framework is None or values["deadline"] <= when:
        logger.warning(
            "No round created for %s %s: no framework, or its deadline passed", term, year
        )
        return None
    try:
        check_round(values)
    except ValidationError as error:
        logger.warning("No round created for %s %s from the calendar: %s", term, year, error)
        return None
    try:
        with transaction.atomic():
            created = Round.objects.create(framework=framework, **_round_values(values))
    except IntegrityError:
        return None
    activity.record(
        None, "round_created_from_calendar", created, activity.diff({}, activity.snapshot(created))
    )
    return created
