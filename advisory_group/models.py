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

    class Meta:
        ordering = ["-held_at"]

    def __str__(self):
        return f"Advisory Group meeting on {clock.local_date(self.held_at):%-d %B %Y}"


class ItemPurpose(models.TextChoices):
    ADVICE = "advice", "Advice on an ASG recommendation"
    FEEDBACK = "feedback", "Review of draft feedback"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="agenda_items"
    )
    purpose = models.CharField(max_length=10, choices=ItemPurpose.choices)
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["meeting", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case", "purpose"], name="agenda_item_once_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}: case {self.case_id}"
