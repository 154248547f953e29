"""Screening: the casework officer's check that a submitted case is
eligible, and of its National Support School claim."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock


class ScreeningDecision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"


class NssOutcome(models.TextChoices):
    NOT_CLAIMED = "not_claimed", "Not claimed"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Not confirmed"
    NOT_DECIDED = "not_decided", "Not decided: the case was not eligible"


class Screening(models.Model):
    """One screening of a case. A case screened out and screened again after
    an upheld concern has two."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="screenings"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=12, choices=ScreeningDecision.choices)
    reason = models.TextField(
        max_length=5000, blank=True, help_text="Why it is not eligible, as the applicant reads it"
    )
    nss_claim = models.CharField(
        "National Support School claim",
        max_length=12,
        choices=NssOutcome.choices,
        default=NssOutcome.NOT_CLAIMED,
    )
    nss_reason = models.TextField(max_length=5000, blank=True)
    part_two_required = models.BooleanField(
        "Criteria 2A and 2B required",
        default=False,
        help_text="A National Support School claim was not confirmed, so 2A and 2B are asked for",
    )
    eligibility_changes = models.JSONField(
        default=list,
        blank=True,
        help_text="How the organisation's profile and eligibility differed from submission",
    )
    decided_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=[d.value for d in ScreeningDecision]),
                name="screening_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ScreeningDecision.INELIGIBLE) | ~Q(reason=""),
                name="screening_ineligible_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(nss_claim=NssOutcome.REJECTED) | ~Q(nss_reason=""),
                name="screening_nss_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"Screening of case {self.case_id}: {self.get_decision_display()}"
