"""Information requests: an assessor's or casework officer's questions to the
applicant, with a due date, and the applicant's answers and documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock


class InformationRequest(models.Model):
    """One request: several questions asked by one move of the case into
    ``information_requested``, answered together by one move back. A case has
    at most one request still waiting for its answers."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="information_requests"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=clock.now)
    due = models.DateField(help_text="The last working day for the applicant's answers")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(sent_at__isnull=True),
                name="information_request_one_open_per_case",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
                name="information_request_sent_complete",
            ),
        ]

    def __str__(self):
        return f"Information request {self.pk} on case {self.case_id}"

    @property
    def is_open(self):
        return self.sent_at is None

    def is_overdue(self, today=None):
        return self.is_open and self.due < (today or clock.today())


class RequestQuestion(models.Model):
    """One question of a request, perhaps about one criterion of the case's
    framework, and the applicant's answer to it."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    criterion = models.ForeignKey(
        "accreditation.Criterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text="Goes up on every save, so a save from a stale page is refused"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "position"], name="request_question_unique_position"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="request_question_has_text"),
        ]

    def __str__(self):
        return f"Question {self.position} of {self.request}"


def request_document_path(instance, filename):
    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class RequestDocument(models.Model):
    """A document sent with the answers to a request: checked and stored as
    the proposal's evidence is, outside the web root under a random name."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to=request_document_path, max_length=255)
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
