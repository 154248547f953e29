"""The case timeline: append-only events, each hashed and chained to the
case's previous event so that any later change to a row is detectable."""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.text import capfirst

GENESIS_HASH = "0" * 64


def canonical(payload):
    """The one byte form of a payload that is hashed or signed."""
    return json.dumps(
        payload, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
    ).encode()


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a timeline event or anchor."""


def _refuse(model, what):
    raise AppendOnlyError(f"{capfirst(model._meta.verbose_name_plural)} cannot be {what}.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _refuse(self.model, "changed")

    def delete(self):
        _refuse(self.model, "deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refuse before Django opens its transaction, so the caller's stays usable.
        _refuse(self.model, "changed")


class AppendOnly(models.Model):
    """Rows written once and never changed or removed. On PostgreSQL the
    database refuses it too (the triggers in the migrations)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse(type(self), "changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self), "deleted")


class CaseEvent(AppendOnly):
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

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_unique_sequence"),
        ]
        indexes = [
            # What a person did, by action: the screening queue leaves out
            # the cases its officer screened out, a decision official sees
            # the cases they decided (a casework officer acts on thousands).
            models.Index(fields=["actor", "action"], name="case_event_actor_action"),
        ]

    def __str__(self):
        return f"{self.case_id}#{self.sequence} {self.action}"

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
        return hashlib.sha256(canonical(payload)).hexdigest()


class TimelineAnchor(AppendOnly):
    """Every case's chain head (last sequence and hash) on one day, under an
    HMAC-SHA256 whose key, ``TIMELINE_ANCHOR_KEY``, is held outside the
    database. Someone who can write the database can rewrite a timeline and
    recompute its chain so that it verifies again, but cannot write an anchor
    that verifies: the event at an anchored sequence must still have the
    anchored hash.

    One row a day holding the heads as one JSON map ``{case id: [sequence,
    hash]}``, not one row per case a day: at 25,000 cases that is about 2 MB
    of JSON a day in one row, 365 rows a year instead of nine million rows
    and their index, and one MAC (about 0.1 s to compute) over the whole map,
    so no case's head can be dropped or altered on its own. Each anchor's MAC
    also covers the previous anchor's MAC, so removing an anchor from the
    middle of the run shows too.
    """

    date = models.DateField(unique=True, help_text="The day in Europe/London")
    taken_at = models.DateTimeField()
    heads = models.JSONField(
        default=dict, help_text="Case id to [last sequence, last hash], cases with events only"
    )
    previous_mac = models.CharField(
        max_length=64, blank=True, help_text="The MAC of the anchor before; empty for the first"
    )
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"Timeline anchor of {self.date}"

    def compute_mac(self, key):
        payload = {
            "date": self.date.isoformat(),
            "taken_at": self.taken_at.astimezone(UTC).isoformat(),
            "heads": self.heads,
            "previous": self.previous_mac,
        }
        return hmac.new(key.encode(), canonical(payload), "sha256").hexdigest()

    def case_heads(self):
        """The anchored heads as ``{case id: (sequence, hash)}``."""
        return {int(case): (sequence, hash_) for case, (sequence, hash_) in self.heads.items()}
