"""Advisory Group meetings and the cases on their agendas."""

from django.conf import settings
from django.db import models

from accreditation import clock


class Meeting(models.Model):
    round = models.ForeignKey(
        "accreditation.Round",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="Empty for an ad hoc meeting",
    )
    held_at = models.DateTimeField()
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_chaired"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="advisory_meetings", blank=True
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its minutes were agreed; its agenda is then final"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="advisory_meetings_attended",
        blank=True,
        help_text="Who attended (the chair and members present), for the quorum",
    )
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self):
        return f"Advisory Group meeting on {clock.local_date(self.held_at):%-d %B %Y}"

    @property
    def its_day_has_come(self):
        """Whether it is the meeting's day (UK time) or later: from then, who
        attended can be recorded and the meeting closed."""
        return clock.today() >= clock.local_date(self.held_at)


class ItemPurpose(models.TextChoices):
    ADVICE = "advice", "Advice on an ASG recommendation"
    FEEDBACK = "feedback", "Review of draft feedback"


class Advice(models.TextChoices):
    """What a member thinks of an item, and what the chair records for the group."""

    AGREE = "agree", "Agree with the recommendation"
    DISAGREE = "disagree", "Disagree with the recommendation"
    REFER_BACK = "refer_back", "Refer back to the assessor"


class FeedbackView(models.TextChoices):
    """What a member thinks of an item of draft feedback, matching the
    chair's ``FeedbackOutcome``."""

    APPROVE = "approve", "The feedback can be approved for the letter"
    REVISE = "revise", "The feedback needs revising"


def views_for(purpose):
    """The views a member may give on an item of ``purpose``."""
    return FeedbackView if purpose == ItemPurpose.FEEDBACK else Advice


class FeedbackOutcome(models.TextChoices):
    APPROVED = "approved", "Approved for the letter"
    RETURNED = "returned", "Returned to the assessor to revise"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="agenda_items"
    )
    purpose = models.CharField(max_length=10, choices=ItemPurpose.choices)
    added_at = models.DateTimeField(default=clock.now)
    outcome = models.CharField(
        max_length=10,
        blank=True,
        choices=Advice.choices + FeedbackOutcome.choices,
        help_text="The group's advice (or its review of the feedback); empty while open",
    )
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    by_correspondence = models.BooleanField(
        default=False, help_text="Recorded by the chair between meetings"
    )

    class Meta:
        ordering = ["meeting", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case", "purpose"],
                condition=models.Q(outcome=""),
                name="agenda_item_once_per_meeting",
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}: case {self.case_id}"

    @property
    def is_open(self):
        return not self.outcome


class MemberView(models.Model):
    """One member's view on one item, changeable until the group's advice."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="views")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    view = models.CharField(max_length=10, choices=Advice.choices + FeedbackView.choices)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_view_per_member_per_item")
        ]

    def __str__(self):
        return f"{self.get_view_display()} (item {self.item_id})"


class FeedbackApproval(models.Model):
    """The group's approval of a case's feedback for its letter: who, when,
    and the version approved (its text kept, and its SHA-256)."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="feedback_approvals"
    )
    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="approval")
    feedback = models.JSONField(help_text="Per criterion and party: code, party, score, text")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the feedback approved")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-approved_at", "-pk"]

    def __str__(self):
        return f"Feedback approved for case {self.case_id}"
