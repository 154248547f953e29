"""The record of what the scheduler did (``ScheduledAction``, unique per
kind, target and key) and of each task's last run (``TaskRun``).

``once()`` and ``once_many()`` write the record inside the caller's
transaction, beside the work it records. A second run finds the row; a run
racing another waits on the other's uncommitted insert (the unique index)
and then finds it, so the work is done once.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from accreditation import clock
from accreditation.models import Round, ScheduledAction, ScheduledKind, TaskRun


def target(kind_of_thing, pk):
    return f"{kind_of_thing}:{pk}"


def moment_key(when):
    """A key for a moment (a deadline, an opening time), in UTC, so the same
    deadline gives the same key however it is shown, and a deadline moved
    later gives a new one."""
    return when.astimezone(UTC).isoformat()


def once(kind, target, key, *, summary="", count=0):
    """Record ``kind`` done to ``target`` for ``key``; the new record, or None
    if it was already recorded. Call it inside the transaction that does the
    work, and do the work only when a record is returned."""
    try:
        with transaction.atomic():
            return ScheduledAction.objects.create(
                kind=kind, target=target, key=key, summary=summary[:200], count=count
            )
    except IntegrityError:
        return None


def recorded(kind, targets):
    """{(target, key)} of ``kind`` already recorded for ``targets``."""
    return set(
        ScheduledAction.objects.filter(kind=kind, target__in=list(targets)).values_list(
            "target", "key"
        )
    )


def once_many(kind, rows):
    """Record many actions of ``kind`` at once: ``rows`` of (target, key,
    summary, count). Those already recorded are left as they are (the same
    as ``once()`` for each, in one insert)."""
    ScheduledAction.objects.bulk_create(
        [
            ScheduledAction(kind=kind, target=t, key=k, summary=s[:200], count=c)
            for t, k, s, c in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


def batches(items, size=None):
    """``items`` in lists of ``SCHEDULER_BATCH_SIZE``: each is done in its own
    transaction, so a worker killed half way keeps what it finished."""
    size = size or settings.SCHEDULER_BATCH_SIZE
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def finished(task, result):
    """Record a task's run and what it did; returns ``result``."""
    TaskRun.objects.update_or_create(
        task=task, defaults={"finished_at": clock.now(), "result": result}
    )
    return result


OPENING_CATCH_UP = timedelta(days=7)
"""How long after its opening time a round's opening is still recorded (a
scheduler started later records the openings from then on, not every round
already open)."""


def open_rounds():
    """Record the opening of each round that is open now and whose opening at
    its opening time is not yet recorded; returns how many."""
    now = clock.now()
    opening = (
        Round.objects.open_at(now)
        .filter(opens_at__gte=now - OPENING_CATCH_UP)
        .order_by("opens_at", "pk")
    )
    opened = set(
        ScheduledAction.objects.filter(kind=ScheduledKind.ROUND_OPENED).values_list("target", "key")
    )
    count = 0
    for round_ in opening:
        name, key = target("round", round_.pk), moment_key(round_.opens_at)
        if (name, key) in opened:
            continue
        with transaction.atomic():
            if once(ScheduledKind.ROUND_OPENED, name, key, summary=str(round_)):
                count += 1
    return {"opened": count}
