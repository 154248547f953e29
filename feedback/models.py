"""Letters to applicants and the concerns organisations raise about them.

A letter is the one letter of its *occasion*: a decision round of its case
(``decision:0``, and ``decision:1`` once a concern was upheld and the case
decided again), a concern it answers, or a step of a register entry's
revocation. Once issued it is never changed: the PDF is stored as it was
sent, with its SHA-256, so anyone holding it can check it is the letter the
service issued."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accreditation import clock


class LetterPurpose(models.TextChoices):
    DECISION = "decision", "Decision letter"
    FEEDBACK = "feedback", "Feedback letter"
    SCREENING = "screening", "Screening letter"
    CONCERN_RESPONSE = "concern_response", "Concern response letter"
    REVOCATION_NOTICE = "revocation_notice", "Notice of revocation"
    REVOCATION = "revocation", "Revocation letter"


DECISION_PURPOSES = (LetterPurpose.DECISION, LetterPurpose.FEEDBACK)
"""The letters that tell a decision: once one is issued the decision stands."""

CONCERN_PURPOSES = (LetterPurpose.FEEDBACK, LetterPurpose.SCREENING)
"""The letters an organisation may raise a concern about."""

REVOCATION_PURPOSES = (LetterPurpose.REVOCATION_NOTICE, LetterPurpose.REVOCATION)


class LetterChangeRefused(Exception):
    """An issued letter is never changed or removed."""


def occasion_of(purpose, *, decision_round=0, concern_id=None, register_event_id=None):
    """The business key a letter is the one letter of, per case."""
    if purpose == LetterPurpose.CONCERN_RESPONSE:
        return f"concern:{concern_id}"
    if purpose in REVOCATION_PURPOSES:
        return f"{purpose}:{register_event_id}"
    group = "decision" if purpose in DECISION_PURPOSES else str(purpose)
    return f"{group}:{decision_round}"


class Letter(models.Model):
    case = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="letters")
    purpose = models.CharField(max_length=20, choices=LetterPurpose.choices)
    occasion = models.CharField(
        max_length=60,
        default="",
        editable=False,
        help_text="What the letter is the one letter of: a decision round of the case "
        "(decision:0), a concern (concern:7) or a revocation step (revocation:3)",
    )
    decision_round = models.PositiveSmallIntegerField(
        default=0,
        help_text="How many concerns about the case had been upheld when it was issued "
        "(0: the first decision)",
    )
    concern = models.ForeignKey(
        "feedback.Concern",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="response_letters",
        help_text="The concern a concern response letter answers",
    )
    register_event = models.ForeignKey(
        "register.RegisterEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
        help_text="The step of revocation a revocation letter tells of",
    )
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
        help_text="Who signs the letter: the official who decided (for a concern, whoever "
        "decided it)",
    )

    class Meta:
        ordering = ["case", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "occasion"], name="letter_one_per_occasion")
        ]
        indexes = [
            # The letters register lists issued letters newest first, a page
            # at a time: walked in order, not sorted whole.
            models.Index(
                F("issued_at").desc(),
                F("id").desc(),
                condition=Q(issued_at__isnull=False),
                name="letter_issued_newest_first",
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} for case {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LetterChangeRefused("An issued letter cannot be changed.")
        if self.case.submitted_at is None:
            # The letters register counts on it (feedback.queries.register).
            raise LetterChangeRefused("A letter is only issued for a submitted case.")
        if not self.occasion:
            self.occasion = occasion_of(
                self.purpose,
                decision_round=self.decision_round,
                concern_id=self.concern_id,
                register_event_id=self.register_event_id,
            )
        if self.pdf and not self.sha256:
            self.sha256 = hashlib.sha256(bytes(self.pdf)).hexdigest()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LetterChangeRefused("An issued letter cannot be removed.")

    @property
    def filename(self):
        name = f"{self.case.reference}-{self.purpose.replace('_', '-')}-letter"
        if self.purpose in DECISION_PURPOSES + (LetterPurpose.SCREENING,):
            suffix = f"-{self.decision_round + 1}" if self.decision_round else ""
        else:
            suffix = f"-{self.pk}"
        return f"{name}{suffix}.pdf"


class ConcernState(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    NOT_UPHELD = "not_upheld", "Not upheld"
    UPHELD = "upheld", "Upheld"


CONCERN_TEXT_MAX_CHARS = 5000
CONCERN_MAX_DOCUMENTS = 10


class Concern(models.Model):
    """An organisation's concern, in writing, about a feedback or screening
    letter: one per letter, decided by someone with no part in the case."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="concerns"
    )
    letter = models.ForeignKey(
        Letter,
        on_delete=models.PROTECT,
        related_name="concerns",
        help_text="The letter the concern is about",
    )
    text = models.TextField(max_length=CONCERN_TEXT_MAX_CHARS)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=clock.now)
    state = models.CharField(max_length=12, choices=ConcernState.choices, default=ConcernState.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(
        max_length=CONCERN_TEXT_MAX_CHARS,
        blank=True,
        help_text="Not upheld: the response the letter gives; upheld: why, as the applicant "
        "reads it",
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["letter"], name="concern_one_per_letter"),
            models.CheckConstraint(
                condition=Q(state=ConcernState.OPEN, decided_at__isnull=True)
                | (
                    ~Q(state=ConcernState.OPEN)
                    & Q(decided_at__isnull=False, decided_by__isnull=False)
                    & ~Q(response="")
                ),
                name="concern_decision_complete",
            ),
        ]
        indexes = [models.Index(fields=["state", "raised_at"], name="concern_state_raised")]

    def __str__(self):
        return f"Concern {self.pk} about case {self.case_id}"

    @property
    def is_open(self):
        return self.state == ConcernState.OPEN


def concern_document_path(instance, filename):
    return f"concerns/{instance.concern_id}/{uuid.uuid4().hex}"


class ConcernDocument(models.Model):
    """A document sent with a concern: checked and stored as the proposal's
    evidence is, outside the web root under a random name."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=concern_document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
