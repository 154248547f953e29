"""The one clock of the service, so tests can move it (time-machine) and every
deadline is reasoned about in Europe/London."""

from django.utils import timezone


def now():
    return timezone.now()


def local(value):
    return timezone.localtime(value)


def local_date(value):
    return timezone.localtime(value).date()


def today():
    return timezone.localdate()


def describe(value):
    """A time as GOV.UK writes it, in Europe/London: "5pm on 1 June 2026",
    "5:30pm on 1 June 2026", "midday on …", "midnight on …"."""
    value = local(value)
    if (value.hour, value.minute) == (0, 0):
        time = "midnight"
    elif (value.hour, value.minute) == (12, 0):
        time = "midday"
    else:
        hour = value.hour % 12 or 12
        minutes = f":{value.minute:02d}" if value.minute else ""
        time = f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
    return f"{time} on {value.day} {value:%B %Y}"
