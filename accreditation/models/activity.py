"""The activity log: who changed what that is not a case (roles, users,
organisations and their members, rounds, frameworks, reference data,
out-of-round decisions), when, and how. Append-only, like the case timeline;
written by ``accreditation.services.activity.record`` only."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accreditation.models.timeline import AppendOnly


class ActivityEntry(AppendOnly):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the service's own work",
    )
    action = models.CharField(max_length=50)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(
        max_length=200, help_text="What the object was called when this was written"
    )
    changes = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="Each changed field's [old, new] value, secrets masked",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "activity log entries"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="activity_object"),
            models.Index(fields=["-created_at"], name="activity_newest_first"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_label}"
