"""The register of accredited providers: one entry per organisation, its
small lifecycle (current, notice given, revoked) and its append-only
history."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation.models import AccreditationType, LocalAuthority, Organisation, Region
from accreditation.models.organisations import FaithDesignation, OrganisationKind, Phase
from accreditation.models.timeline import AppendOnly


class EntryState(models.TextChoices):
    CURRENT = "current", "Current"
    NOTICE_GIVEN = "notice_given", "Notice of revocation given"
    REVOKED = "revoked", "Revoked"
    REMOVED = "removed", "Removed: decision corrected"


PUBLIC_STATES = (EntryState.CURRENT, EntryState.NOTICE_GIVEN)
"""An entry in one of these is on the public register."""


class RegisterEntry(models.Model):
    """An accredited provider, as the public register shows it. The fields
    are copied from the accrediting case and the organisation's profile when
    a decision makes or changes the entry, so the register reads one table."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="register_entry"
    )
    case = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The case whose decision the entry now stands on",
    )
    state = models.CharField(max_length=20, choices=EntryState.choices, default=EntryState.CURRENT)
    accreditation_type = models.CharField(max_length=3, choices=AccreditationType.choices)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    faith_designation = models.CharField(max_length=30, choices=FaithDesignation.choices)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", help_text="Where it is"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    works_in = models.ManyToManyField(
        LocalAuthority, related_name="register_entries", help_text="The LAs it will work in"
    )
    leads_majority_trust = models.BooleanField("Can lead a majority trust", default=False)
    leads_federation = models.BooleanField("Can lead a federation", default=False)
    schools_led = models.JSONField(
        default=list,
        blank=True,
        help_text="The schools it leads now: name, URN and local authority of each",
    )
    more_schools = models.PositiveSmallIntegerField(
        "How many more schools it can take on", null=True, blank=True
    )
    contact_email = models.EmailField(blank=True)
    accredited_since = models.DateTimeField()
    updated_at = models.DateTimeField("Last updated")
    notice_given_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(
        blank=True, help_text="Told to the provider; not published on the register"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "register entries"
        indexes = [
            models.Index(fields=["state", "name"], name="register_entry_state_name"),
            models.Index(fields=["state", "accreditation_type"], name="register_entry_state_type"),
            models.Index(fields=["state", "region"], name="register_entry_state_region"),
            models.Index(fields=["-updated_at"], name="register_entry_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in EntryState]),
                name="register_entry_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=EntryState.NOTICE_GIVEN)
                | Q(notice_given_at__isnull=False, response_due__isnull=False),
                name="register_entry_notice_has_dates",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        return self.state in PUBLIC_STATES


class EventKind(models.TextChoices):
    ACCREDITED = "accredited", "Accredited"
    TYPE_CHANGED = "type_changed", "Type changed"
    NOTICE_GIVEN = "notice_given", "Notice of revocation given"
    NOTICE_WITHDRAWN = "notice_withdrawn", "Notice of revocation withdrawn"
    REVOKED = "revoked", "Revoked"
    REINSTATED = "reinstated", "Reinstated"
    REMOVED = "removed", "Removed: decision corrected"


FEED_KINDS = (
    EventKind.ACCREDITED,
    EventKind.TYPE_CHANGED,
    EventKind.REVOKED,
    EventKind.REINSTATED,
    EventKind.REMOVED,
)
"""The changes the public feed announces: an entry joining, changing type or
leaving the register. Notices stay between the department and the provider."""


class RegisterEvent(AppendOnly):
    """One change in an entry's history, never changed or removed."""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    accreditation_type = models.CharField(
        max_length=3, choices=AccreditationType.choices, help_text="The entry's type after it"
    )
    case = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="register_event_kind_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.entry}"
