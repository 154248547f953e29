"""Letters to applicants. One letter per purpose per case; once issued it is
never changed."""

from django.db import models

from accreditation import clock


class LetterPurpose(models.TextChoices):
    DECISION = "decision", "Decision letter"
    FEEDBACK = "feedback", "Feedback letter"
    SCREENING = "screening", "Screening letter"
    CONCERN_RESPONSE = "concern_response", "Concern response letter"


DECISION_PURPOSES = (LetterPurpose.DECISION, LetterPurpose.FEEDBACK)
"""The letters that tell a decision: once one is issued the decision stands."""


class Letter(models.Model):
    case = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="letters")
    purpose = models.CharField(max_length=20, choices=LetterPurpose.choices)
    created_at = models.DateTimeField(default=clock.now)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "purpose"], name="letter_one_per_purpose")
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} for case {self.case_id}"
