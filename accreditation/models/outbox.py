"""E-mail waiting to be sent. A message is written in the same transaction as
the change it tells of, so it is never sent for a change that rolled back,
and never lost when sending fails: the sweeper retries it."""

from django.db import models
from django.db.models import Q

from accreditation import clock


class OutboxMessage(models.Model):
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now)
    send_after = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["send_after"], condition=Q(sent_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self):
        return f"{self.subject} to {self.to}"
