"""Writing the activity log: the audit of what is not a case.

Callers write an entry inside the transaction that makes the change, so the
change and its entry are committed together or not at all. Values of fields
whose names look secret are masked here, in the one place every entry passes
through, so a password hash or a token never reaches the log.
"""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType

from accreditation import clock
from accreditation.models.activity import ActivityEntry

# A field whose name contains one of these has its values masked.
SECRET_MARKERS = ("password", "token", "secret", "key", "otp")
MASKED = "(hidden)"

_PLAIN_TYPES = (
    str,
    int,
    float,
    bool,
    decimal.Decimal,
    uuid.UUID,
    datetime.date,
    datetime.time,
    datetime.timedelta,
)


def is_secret(name):
    name = str(name).lower()
    return any(marker in name for marker in SECRET_MARKERS)


def _hide(value):
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [_hide(item) for item in value]
    return MASKED


def mask(value):
    """``value`` with every value under a secret-looking key hidden, at any
    depth. An empty value stays empty, so "set for the first time" shows."""
    if isinstance(value, dict):
        return {key: _hide(item) if is_secret(key) else mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask(item) for item in value]
    return value


def _plain(value):
    if value is None or isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return str(value)


def snapshot(instance, fields=None):
    """The instance's field values as the log shows them: related objects by
    name, many-to-many relations (once saved) as a sorted list of names.
    Take one before a change and one after, and ``diff`` them."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if field.is_relation:
            related = field.value_from_object(instance)
            values[field.name] = None if related is None else str(getattr(instance, field.name))
        else:
            values[field.name] = _plain(field.value_from_object(instance))
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            if fields is None or field.name in fields:
                values[field.name] = sorted(str(o) for o in getattr(instance, field.name).all())
    return values


def diff(before, after):
    """{field: [old, new]} for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def record(actor, action, obj, changes=None, label=None):
    """Append an entry: ``actor`` (None or anonymous for the service itself)
    did ``action`` (a short verb code) to ``obj``, changing ``changes``
    ({field: [old, new]}). ``label`` names the object if ``str(obj)`` does
    not say enough."""
    return ActivityEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_label=str(label or obj)[:200],
        changes=mask(_plain(changes or {})),
        created_at=clock.now(),
    )
