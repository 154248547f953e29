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


class SuggestionBasis(models.TextChoices):
    """Why the service thinks a person may be in conflict with an organisation."""

    EMAIL_DOMAIN = "email_domain", "Your email address has the same domain as one of its members"
    MEMBERSHIP = "membership", "You are or were a member of it"
    PAST_CASE = "past_case", "You assessed an earlier case of its that was decided against it"


class DismissedSuggestion(models.Model):
    """A suggested conflict the person said does not stand, with their
    reason, so the service does not suggest it again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dismissed_suggestions"
    )
    organisation = models.ForeignKey(
        "accreditation.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    bases = models.JSONField(default=list, help_text="The reasons the suggestion was made")
    reason = models.TextField(max_length=2000)
    dismissed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-dismissed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="dismissed_suggestion_once"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="dismissed_suggestion_has_a_reason"
            ),
        ]

    def __str__(self):
        return f"{self.user} not in conflict with {self.organisation}"
