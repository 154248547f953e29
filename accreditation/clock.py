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
