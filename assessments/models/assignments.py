"""Assessors' assignments to cases."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock


class AssignmentKind(models.TextChoices):
    FIRST = "first", "Assessor"
    SECOND = "second", "Second assessor (quality assurance)"


class Assignment(models.Model):
    """An assessor assigned to a case. A reassignment ends the current row and
    starts another, so who assessed what stays known."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(max_length=10, choices=AssignmentKind.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "kind", "-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_current_per_kind",
            )
        ]
        indexes = [models.Index(fields=["assessor", "ended_at"], name="assignment_assessor")]

    def __str__(self):
        return f"{self.assessor} on case {self.case_id} ({self.get_kind_display()})"
