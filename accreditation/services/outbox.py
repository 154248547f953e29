"""Sending e-mail through the outbox.

``queue()`` writes one row per recipient inside the caller's transaction and,
once it commits, only asks the worker to send: nothing is sent from a web
request. ``deliver()`` runs in the worker, outside any transaction: it claims
one due row at a time in a short transaction (a lease, ``claimed_until``),
sends it with no transaction open, then marks it sent and removes its secrets.

What is guaranteed: every queued message is sent at least once, or is marked
failed after ``OUTBOX_MAX_ATTEMPTS`` and shown to staff, who can retry it. A
message is sent twice only if a worker dies (or outlives its lease) after the
mail server accepted it and before the row was marked sent.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q

from accreditation import clock, worker
from accreditation.celery import app as celery_app
from accreditation.models import OutboxMessage

logger = logging.getLogger(__name__)

SEND_TASK = "accreditation.tasks.send_outbox"

RETRY_WAITS = (1, 5, 15, 60, 240)
"""Minutes to wait after the 1st, 2nd, ... failure (the last repeats)."""

ABANDONED = (
    "The worker stopped while sending it on its last attempt: the mail server may or may "
    "not have accepted it."
)


def queue(subject, body, recipients, *, key="", secrets=(), html=""):
    """Write the message for each recipient, to be sent once the caller's
    transaction commits.

    ``key`` names the business event (``invitation:<id>``, ``submitted:<proposal
    id>``, ``reminder:<proposal id>:<days>:<deadline>``): a message already queued with the
    same key for a recipient is not queued again. ``secrets`` are the parts of
    ``body`` that grant access (a sign-in or invitation link); they are removed
    from the stored row once it is sent. ``html`` is the message's HTML part.
    """
    queue_many([Message(subject, body, html, recipients, key, secrets)])


@dataclass(frozen=True)
class Message:
    """One message to queue: its subject, text and HTML parts, recipients,
    business key and secrets (as ``queue()`` takes them)."""

    subject: str
    body: str
    html: str
    recipients: Sequence[str]
    key: str = ""
    secrets: Sequence[str] = ()


def queue_many(messages, *, batch_size=None):
    """Queue many messages in one insert (or one per ``batch_size`` rows; the
    database's own limit on SQLite), each as ``queue()`` would: a round's
    lapse notices."""
    rows = []
    for message in messages:
        secrets = list(dict.fromkeys(message.secrets))
        parts = [message.body, message.html] if message.html else [message.body]
        if any(not secret or secret not in part for secret in secrets for part in parts):
            raise ValueError("Each secret must appear in the body, or it could not be removed.")
        recipients = sorted({a.strip().lower() for a in message.recipients if a})
        rows.extend(
            OutboxMessage(
                to=address,
                subject=message.subject,
                body=message.body,
                html_body=message.html,
                key=message.key,
                secrets=secrets,
            )
            for address in recipients
        )
    if not rows:
        return
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=batch_size)
    transaction.on_commit(wake_worker)


def wake_worker():
    """Ask the worker to send now. If the broker cannot be reached the
    message waits for the sweeper (every minute), so the error is only logged
    and the request is not held up by retries."""
    if not (settings.OUTBOX_WAKE_WORKER and worker.is_asked()):
        return
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            celery_app.send_task(SEND_TASK, connection=connection, retry=False)
    except Exception:  # noqa: BLE001 - the sweeper sends it anyway
        logger.warning("Could not ask the worker to send e-mail; the sweeper will.", exc_info=True)


def deliver(*, limit=200):
    """Send due messages, claiming each with a lease; returns how many were
    sent. Run it outside any transaction (the worker does). A run stops at its
    first failure, so a mail server that is down or hangs costs one timeout per
    run, not one per message."""
    connection = get_connection()
    sent = 0
    try:
        while sent < limit:
            message = claim_next()
            if message is None or not _send(message, connection):
                break
            sent += 1
    finally:
        _close(connection)
    return sent


def claim_next():
    """Take the next due message in a short transaction and lease it to this
    worker; None when nothing is due. Another worker skips the locked row and,
    once this commits, any row whose lease has not yet expired."""
    while True:
        with transaction.atomic():
            now = clock.now()
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, failed_at__isnull=True, send_after__lte=now)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
                .order_by("send_after", "pk")
                .first()
            )
            if message is None:
                return None
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                _give_up(message, ABANDONED, now)
                continue
            message.attempts += 1
            message.claimed_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
            message.save(update_fields=["attempts", "claimed_until"])
            return message


def _send(message, connection):
    email = EmailMultiAlternatives(
        message.subject, message.body, None, [message.to], connection=connection
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send()
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        _record_failure(message, f"{type(error).__name__}: {error}")
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=clock.now(),
        claimed_until=None,
        body=message.redacted_body(),
        html_body=message.redacted_html_body(),
        secrets=[],
    )
    return True


def _record_failure(message, error):
    now = clock.now()
    logger.warning(
        "E-mail %s to %s failed (attempt %s): %s", message.pk, message.to, message.attempts, error
    )
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _give_up(message, error, now)
        return
    wait = RETRY_WAITS[min(message.attempts, len(RETRY_WAITS)) - 1]
    OutboxMessage.objects.filter(pk=message.pk, claimed_until=message.claimed_until).update(
        claimed_until=None, last_error=error[:2000], send_after=now + timedelta(minutes=wait)
    )


def _give_up(message, error, now):
    logger.error(
        "E-mail %s to %s failed %s times; staff can retry it.",
        message.pk,
        message.to,
        message.attempts,
    )
    OutboxMessage.objects.filter(pk=message.pk, claimed_until=message.claimed_until).update(
        claimed_until=None, last_error=error[:2000], failed_at=now
    )


def _close(connection):
    """Close the mail connection; a server that hangs up badly is not an error
    of any message."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - every message is already recorded
        logger.warning("Closing the mail connection failed.", exc_info=True)


def failed_messages():
    """Messages that failed every attempt, newest first; no body is read."""
    return (
        OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=False)
        .only("to", "subject", "attempts", "last_error", "created_at", "failed_at")
        .order_by("-failed_at", "-pk")
    )


def retry_failed(actor, ids=None):
    """Put failed messages (those in ``ids``, or all) back in the queue with
    fresh attempts; returns how many. Each retry is logged with who asked."""
    with transaction.atomic():
        failed = OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=False)
        if ids is not None:
            failed = failed.filter(pk__in=ids)
        retried = list(failed.select_for_update().values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=retried).update(
            failed_at=None, attempts=0, claimed_until=None, send_after=clock.now()
        )
        transaction.on_commit(wake_worker)
    for pk in retried:
        logger.info("E-mail %s put back in the outbox by user %s.", pk, actor.pk)
    return len(retried)
