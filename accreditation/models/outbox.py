"""E-mail waiting to be sent. A message is written in the same transaction as
the change it tells of, so it is never sent for a change that rolled back,
and never lost when sending fails: the worker retries it.

What a row keeps:

- ``key``: the business event it tells of (``invitation:12``,
  ``submitted:40``). One row per key and recipient, so a second enqueue of the
  same event is a no-op. Empty for mail with no such event (a password reset
  asked for twice is two e-mails).
- ``body`` holds the whole text until the message is sent, because it must be
  sent; ``html_body`` its HTML part (sent as a multi-part message), empty for
  a message written before e-mail had one. ``secrets`` lists the parts of it
  that grant access (an invitation or password-reset link); when the message
  is marked sent each is replaced in both parts by ``REDACTED`` and the list
  is emptied, so a sent row holds no usable link. A failed message keeps
  them, so that a retry can still send it.
- ``claimed_until``: the lease of the worker sending it. A worker that dies
  mid-send leaves the lease to expire and the row is sent again.
- ``attempts`` (counted when a worker claims the row) and ``last_error``; after
  ``OUTBOX_MAX_ATTEMPTS`` the row gets ``failed_at`` and is not retried until
  staff retry it.
"""

from django.db import models
from django.db.models import Q

from accreditation import clock

REDACTED = "[removed once sent]"


class OutboxMessage(models.Model):
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    key = models.CharField(max_length=100, blank=True)
    secrets = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    send_after = models.DateTimeField(default=clock.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "to"], condition=~Q(key=""), name="outbox_one_per_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending",
            ),
            models.Index(
                fields=["failed_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=False),
                name="outbox_failed",
            ),
        ]

    def __str__(self):
        return f"{self.subject} to {self.to}"

    def redacted_body(self):
        return self._redact(self.body)

    def redacted_html_body(self):
        return self._redact(self.html_body)

    def _redact(self, text):
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text
