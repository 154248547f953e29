"""Sending e-mail through the outbox.

``queue()`` writes one row per recipient inside the caller's transaction and
asks for them to be sent once it commits. ``deliver()`` sends due rows, each
at most once at a time (the row is locked while it is sent and marked sent in
the same transaction); a failure is recorded and retried later by the
``send_outbox`` task, with a growing wait.
"""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction

from accreditation import clock
from accreditation.models import OutboxMessage

logger = logging.getLogger(__name__)

RETRY_WAITS = (1, 5, 15, 60, 240)
"""Minutes to wait after the 1st, 2nd, ... failure (the last repeats)."""


def queue(subject, body, recipients):
    recipients = sorted({address.strip().lower() for address in recipients if address})
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(to=address, subject=subject, body=body) for address in recipients]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: deliver(ids), robust=True)
    return rows


def deliver(ids=None, *, limit=200):
    """Send due messages (only ``ids`` if given). Returns how many were sent."""
    now = clock.now()
    due = OutboxMessage.objects.filter(sent_at__isnull=True, send_after__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    sent = 0
    for pk in list(due.order_by("send_after", "pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if message is None:
                continue
            try:
                send_mail(message.subject, message.body, None, [message.to])
            except Exception as error:  # noqa: BLE001 - any failure is retried later
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                wait = RETRY_WAITS[min(message.attempts, len(RETRY_WAITS)) - 1]
                message.send_after = clock.now() + timedelta(minutes=wait)
                message.save(update_fields=["attempts", "last_error", "send_after"])
                logger.warning("E-mail %s to %s failed: %s", pk, message.to, error)
                continue
            message.sent_at = clock.now()
            message.save(update_fields=["sent_at"])
            sent += 1
    return sent
