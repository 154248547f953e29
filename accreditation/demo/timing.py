"""When things happen in a case: the draft started and each step taken
inside the round's window, in office hours, never in the future."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from accreditation import clock
from accreditation.demo.histories import FINAL_OUTCOMES
from accreditation.workflow import Action

A = Action


def london(day, hour=9, minute=0):
    """A wall-clock time in Europe/London, held in UTC as the database gives
    times back (so a timeline event's time reads back exactly as hashed)."""
    local = timezone.make_aware(
        datetime.combine(day, time(hour, minute)), timezone.get_default_timezone()
    )
    return local.astimezone(UTC)


def schedule(period, steps, outcome, rng, now):
    """When the draft was started and when each step happened (see
    ``_spread``), moved into office hours on weekdays wherever that keeps
    every time in order and inside its bounds."""
    spread = _spread(period, steps, outcome, rng, now)
    if spread is None:
        return None
    created, times = spread
    raw = [created, *times]
    writable_until = min(period.deadline, now)
    chosen = []
    previous = period.opens_at
    for index, moment in enumerate(raw):
        following = raw[index + 1] if index + 1 < len(raw) else None
        upper = writable_until if index <= 1 else now
        if following is not None:
            upper = min(upper, following - timedelta(seconds=1))
        candidate = _office_hours(moment, rng)
        keep = (index == 1 and steps[0].action == A.LAPSE) or not (previous < candidate <= upper)
        if index <= 1 and candidate >= writable_until:
            keep = True
        chosen.append(moment if keep else candidate)
        previous = chosen[-1]
    return chosen[0], chosen[1:]


def _office_hours(moment, rng):
    """The same working day (work on a weekend or bank holiday lands on the
    working day before), between 09:00 and 17:30."""
    day = clock.local_date(moment)
    while not clock.is_working_day(day):
        day -= timedelta(days=1)
    return london(day, 9) + timedelta(minutes=rng.uniform(0, 510))


def _spread(period, steps, outcome, rng, now):
    """When the draft was started and when each step happened: submission
    inside the window; casework after the deadline for a closed round (decided
    around the round's decision date), or since submission for an open one;
    never in the future. None if the period has not opened yet."""
    opens, deadline = period.opens_at, period.deadline
    writable_until = min(deadline, now)
    span = writable_until - opens
    if span <= timedelta(minutes=10):
        return None
    created = opens + span * rng.uniform(0.02, 0.5)
    if not steps:
        return created, []
    if steps[0].action == A.LAPSE:
        return created, [deadline]
    submitted = created + (writable_until - created) * rng.uniform(0.3, 0.95)
    if steps[0].action == A.WITHDRAW or len(steps) == 1:
        return created, [submitted]
    rest = len(steps) - 1
    if deadline <= now:
        start = deadline + timedelta(days=rng.uniform(1, 7))
        target = getattr(period, "decision_target", None)
        target = london(target, 11) if target else deadline + timedelta(days=60)
        if outcome not in FINAL_OUTCOMES:
            end = now - timedelta(hours=rng.uniform(1, 240))
        else:
            end = target + timedelta(days=rng.uniform(0, 14) + 21 * max(0, rest - 7))
        end = min(end, now - timedelta(hours=1))
    else:
        start = submitted + timedelta(hours=rng.uniform(2, 48))
        end = now - timedelta(minutes=rng.uniform(10, 600))
    if end <= start:
        start, end = submitted + (now - submitted) * 0.1, now - (now - submitted) * 0.05
    slot = (end - start) / rest
    times = [start + slot * (i + rng.uniform(0, 0.6)) for i in range(rest)]
    return created, [submitted, *times]


def utc(value):
    return value.astimezone(UTC)


STAFF_BATCH_HOUR = 10


def _start_of_week(moment):
    """10:00 on the first working day of the week of ``moment``, or of the week
    before if that is later than ``moment``."""
    day = clock.local_date(moment)
    monday = day - timedelta(days=day.weekday())
    while True:
        first = monday
        while not clock.is_working_day(first):
            first += timedelta(days=1)
        batch = london(first, STAFF_BATCH_HOUR)
        if batch <= moment:
            return batch
        monday -= timedelta(days=7)


def staff_batches(steps, times):
    """``times`` with each staff step moved back to the start of its week
    (10:00 on its first working day), as a team working through its queue
    once a week; kept where that would not follow the step before.
    Applicants' steps and the service's own keep their times. Many cases
    then take the same step at the same moment and move together."""
    chosen = []
    for step, moment in zip(steps, times, strict=True):
        batched = moment if step.actor in ("applicant", None) else _start_of_week(moment)
        chosen.append(batched if not chosen or batched > chosen[-1] else moment)
    return chosen
