"""Conflicts of interest: declared by staff, ended, never deleted."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock


class ConflictQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Conflict(models.Model):
    """A staff member's declared conflict with an organisation or with a
    whole local authority. Ended, never deleted: the history is the record of
    who could not act on what, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts"
    )
    organisation = models.ForeignKey(
        "accreditation.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conflicts",
    )
    local_authority = models.ForeignKey(
        "accreditation.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conflicts",
    )
    reason = models.TextField(max_length=2000)
    declared_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(max_length=2000, blank=True)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, local_authority__isnull=True)
                | Q(organisation__isnull=True, local_authority__isnull=False),
                name="conflict_with_organisation_or_local_authority",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.user} with {self.organisation or self.local_authority}"

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("A conflict is ended, never deleted.", {self})
