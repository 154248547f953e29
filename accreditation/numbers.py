"""Numbers that come from outside: ids in addresses, query strings and
forms, and the parts of a date typed into a GOV.UK date input.

Python's ``int()`` and ``str.isdigit()`` accept far more than people mean
(``²``, ``①``, Arabic-Indic digits, a thousand digits), and the database
refuses a number beyond its integer range with a server error. Everything
numeric from a request is read here: ASCII digits only, within range, or
nothing (which the caller answers with a 404 or a form error).
"""

import re
from datetime import date

from django.http import Http404

# Up to 18 digits: always inside a 64-bit signed integer (the primary keys).
ID_PATTERN = "[0-9]{1,18}"
_ID = re.compile(ID_PATTERN)
_DATE_PART = re.compile("[0-9]{1,4}")


def parse_id(value):
    """The id written in ``value``, or None if it is not one."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def id_param(request, name):
    """An id from the query string or the form: None if absent, 404 if it is
    anything but an id."""
    value = request.GET.get(name) or request.POST.get(name)
    if value is None or value == "":
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise Http404(f"No such {name}")
    return parsed


def parse_date(day, month, year):
    """The date typed as day, month and year, or None if it is not a real
    date written in ASCII digits."""
    parts = [str(part).strip() for part in (day, month, year)]
    if not all(_DATE_PART.fullmatch(part) for part in parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


class IdConverter:
    """``<id:pk>`` in URL patterns: an id as :func:`parse_id` reads it; any
    other text does not match, so the address is a 404."""

    regex = ID_PATTERN

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(int(value))
