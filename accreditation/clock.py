"""The one clock of the service, so tests can move it (time-machine) and every
deadline is reasoned about in Europe/London."""

from datetime import UTC, datetime, timedelta
from functools import cache

import holidays
from django.utils import timezone


def now():
    return timezone.now()


def local(value):
    return timezone.localtime(value)


def at(day, time):
    """``day`` at the wall-clock ``time`` in Europe/London, as an aware
    datetime; None for a time the clocks skip (when they go forward in March)."""
    zone = timezone.get_default_timezone()
    naive = datetime.combine(day, time)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware


def local_date(value):
    return timezone.localtime(value).date()


def today():
    return timezone.localdate()


def describe(value, *, seconds=False):
    """A time as GOV.UK writes it, in Europe/London: "5pm on 1 June 2026",
    "5:30pm on 1 June 2026", "midday on …", "midnight on …". With
    ``seconds``, a time that has them keeps them: "7:05:52am on …"."""
    value = local(value)
    second = value.second if seconds else 0
    if (value.hour, value.minute, second) == (0, 0, 0):
        time = "midnight"
    elif (value.hour, value.minute, second) == (12, 0, 0):
        time = "midday"
    else:
        hour = value.hour % 12 or 12
        minutes = f":{value.minute:02d}" if value.minute or second else ""
        time = f"{hour}{minutes}{f':{second:02d}' if second else ''}"
        time += "am" if value.hour < 12 else "pm"
    return f"{time} on {value.day} {value:%B %Y}"


def describe_deadline(value):
    """A deadline, to the second where it is not on a whole minute: a page
    that dropped the seconds would name a time already past while proposals
    are still accepted (deadlines set through the service are whole minutes)."""
    return describe(value, seconds=True)


@cache
def _bank_holidays(year):
    return holidays.country_holidays("GB", subdiv="ENG", years=[year, year + 1])


def bank_holiday_name(day):
    """The name of the England and Wales bank holiday on ``day``, or ''."""
    return _bank_holidays(day.year).get(day, "")


def is_working_day(day):
    """A weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_from(day):
    """``day`` if it is a working day, or else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_after(day, count):
    """The date ``count`` working days after ``day``."""
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
