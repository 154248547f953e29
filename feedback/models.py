"""Letters to applicants. One letter per purpose per case; once issued it is
never changed: the PDF is stored as it was sent, with its SHA-256, so anyone
holding it can check it is the letter the service issued."""

import hashlib

from django.conf import settings
from django.db import models

from accreditation import clock


class LetterPurpose(models.TextChoices):
    DECISION = "decision", "Decision letter"
    FEEDBACK = "feedback", "Feedback letter"
    SCREENING = "screening", "Screening letter"
    CONCERN_RESPONSE = "concern_response", "Concern response letter"


DECISION_PURPOSES = (LetterPurpose.DECISION, LetterPurpose.FEEDBACK)
"""The letters that tell a decision: once one is issued the decision stands."""


class LetterChangeRefused(Exception):
    """An issued letter is never changed or removed."""


class Letter(models.Model):
    case = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="letters")
    purpose = models.CharField(max_length=20, choices=LetterPurpose.choices)
    created_at = models.DateTimeField(default=clock.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(editable=False, default=bytes, help_text="The PDF as issued")
    sha256 = models.CharField(
        "SHA-256", max_length=64, blank=True, db_index=True, help_text="Of the PDF as issued"
    )
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The official who decided, who signs the letter",
    )

    class Meta:
        ordering = ["case", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "purpose"], name="letter_one_per_purpose")
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} for case {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LetterChangeRefused("An issued letter cannot be changed.")
        if self.pdf and not self.sha256:
            self.sha256 = hashlib.sha256(bytes(self.pdf)).hexdigest()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LetterChangeRefused("An issued letter cannot be removed.")

    @property
    def filename(self):
        return f"{self.case.reference}-{self.purpose.replace('_', '-')}-letter.pdf"
