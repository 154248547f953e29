"""The case timeline: append-only events, each hashed and chained to the
case's previous event so that any later change to a row is detectable."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a timeline event."""


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Timeline events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Timeline events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refuse before Django opens its transaction, so the caller's stays usable.
        raise AppendOnlyError("Timeline events cannot be changed.")


class CaseEvent(models.Model):
    case = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the service's own scheduled work",
    )
    action = models.CharField(max_length=50)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    internal = models.BooleanField(
        default=False, help_text="Staff only: never shown on the applicant's timeline"
    )
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_unique_sequence"),
        ]

    def __str__(self):
        return f"{self.case_id}#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events cannot be deleted.")

    def compute_hash(self):
        payload = {
            "case": self.case_id,
            "sequence": self.sequence,
            "actor": self.actor_id,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "details": self.details,
            "internal": self.internal,
            # In UTC, as the database gives it back, whatever zone it was written in.
            "at": self.created_at.astimezone(UTC).isoformat(),
            "prev": self.prev_hash,
        }
        canonical = json.dumps(
            payload, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()
