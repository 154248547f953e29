"""The case record: one organisation's proposal for one accreditation type in
one round or out-of-round window."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation.models import AccreditationType
from accreditation.workflow import Status


class Proposal(models.Model):
    organisation = models.ForeignKey(
        "accreditation.Organisation", on_delete=models.PROTECT, related_name="proposals"
    )
    round = models.ForeignKey(
        "accreditation.Round",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    window = models.ForeignKey(
        "accreditation.Window",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    framework = models.ForeignKey(
        "accreditation.Framework", on_delete=models.PROTECT, related_name="proposals"
    )
    accreditation_type = models.CharField(max_length=3, choices=AccreditationType.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=20, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"], name="proposal_status"),
            models.Index(fields=["organisation", "status"], name="proposal_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(round__isnull=False, window__isnull=True)
                | Q(round__isnull=True, window__isnull=False),
                name="proposal_in_round_or_window",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(accreditation_type__in=[t.value for t in AccreditationType]),
                name="proposal_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.DRAFT, Status.LAPSED])
                | Q(reference__isnull=True, submitted_at__isnull=True),
                name="proposal_unsubmitted_has_no_reference",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[Status.DRAFT, Status.LAPSED, Status.WITHDRAWN])
                | Q(reference__isnull=False, submitted_at__isnull=False),
                name="proposal_submitted_has_reference",
            ),
            models.UniqueConstraint(
                fields=["organisation", "accreditation_type", "round"],
                condition=~Q(status=Status.WITHDRAWN),
                name="proposal_one_live_per_type_per_round",
            ),
            models.UniqueConstraint(
                fields=["organisation", "accreditation_type", "window"],
                condition=~Q(status=Status.WITHDRAWN),
                name="proposal_one_live_per_type_per_window",
            ),
        ]

    def __str__(self):
        return self.reference or f"Draft {self.get_accreditation_type_display()} proposal {self.pk}"

    @property
    def period(self):
        """The round or out-of-round window the proposal belongs to."""
        return self.round if self.round_id else self.window

    @property
    def is_asg(self):
        return self.accreditation_type == AccreditationType.ASG
