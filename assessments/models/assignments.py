"""Assessors' assignments to cases, and how many cases each assessor takes
in a round."""

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
    may_see_earlier_scores = models.BooleanField(
        default=False,
        help_text="Chosen by the casework officer on a reassignment: whether the new "
        "assessor may read the scores of the assessor they replace",
    )
    due_on = models.DateField(
        null=True,
        blank=True,
        help_text="For a case outside a round: the assigned date plus the policy's working "
        "days (a round's cases are due on the round's assessment due date)",
    )

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


class AssessorCapacity(models.Model):
    """How many cases (first and second assessments together) an assessor
    takes in a round, set by a casework officer; without a row, the policy's
    default."""

    round = models.ForeignKey(
        "accreditation.Round", on_delete=models.CASCADE, related_name="assessor_capacities"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_capacities"
    )
    capacity = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "assessor"], name="assessor_capacity_one_per_round"
            )
        ]

    def __str__(self):
        return f"{self.assessor} takes {self.capacity} cases in {self.round}"
