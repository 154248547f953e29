"""The register of accredited providers: one entry per organisation, its
small lifecycle (current, notice given, revoked), its append-only history,
and the changes of educational co-partner a provider proposes later."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize

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
    co_partner_name = models.CharField(
        "Educational co-partner",
        max_length=200,
        blank=True,
        help_text="The current co-partner: the accrediting case's, or one that met the track "
        "record criteria later",
    )
    co_partner_kind = models.CharField(max_length=40, choices=OrganisationKind.choices, blank=True)
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
            # The public register's own order, read a page at a time.
            models.Index(
                fields=["name", "id"],
                condition=Q(state__in=PUBLIC_STATES),
                name="register_public_by_name",
            ),
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
    RESPONSE_RECEIVED = "response_received", "Provider's response to the notice"
    NOTICE_WITHDRAWN = "notice_withdrawn", "Notice of revocation withdrawn"
    REVOKED = "revoked", "Revoked"
    REINSTATED = "reinstated", "Reinstated"
    REMOVED = "removed", "Removed: decision corrected"
    DETAILS_UPDATED = "details_updated", "Register details updated"
    CO_PARTNER_PROPOSED = "co_partner_proposed", "Co-partner proposed"
    CO_PARTNER_CHANGED = "co_partner_changed", "Co-partner changed"
    CO_PARTNER_NOT_MET = "co_partner_not_met", "Proposed co-partner did not meet the criteria"
    RECORDS_REMOVED = "records_removed", "Records removed at the end of their retention period"


FEED_KINDS = (
    EventKind.ACCREDITED,
    EventKind.TYPE_CHANGED,
    EventKind.REVOKED,
    EventKind.REINSTATED,
    EventKind.REMOVED,
    EventKind.CO_PARTNER_CHANGED,
)
"""The changes the public feed announces: an entry joining, changing type or
co-partner, or leaving the register. Notices, and co-partners proposed or
refused, stay between the department and the provider."""

LEAVING_KINDS = {EntryState.REVOKED: EventKind.REVOKED, EntryState.REMOVED: EventKind.REMOVED}
"""The event that took an entry in each state off the public register."""

PUBLIC_HISTORY_KINDS = (*FEED_KINDS, EventKind.DETAILS_UPDATED)
"""What a provider's public page lists in its history."""

OWN_HISTORY_KINDS = (
    *PUBLIC_HISTORY_KINDS,
    EventKind.NOTICE_GIVEN,
    EventKind.RESPONSE_RECEIVED,
    EventKind.NOTICE_WITHDRAWN,
    EventKind.CO_PARTNER_PROPOSED,
    EventKind.CO_PARTNER_NOT_MET,
)
"""What the provider's own page lists: the public history, and what stays
between the department and the provider (notices, its responses, the
co-partners it proposed)."""


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
            # The feed's latest changes, and when the register last changed.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(kind__in=FEED_KINDS),
                name="register_feed_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.entry}"

    @property
    def details_described(self):
        """What a ``details_updated`` event changed, as the public reads it:
        the provider's own details (how many more schools it can take on,
        its public contact) or its profile as the register shows it (name, place, kind, phase,
        faith designation)."""
        changed = self.details
        said = []
        if "more_schools" in changed and changed["more_schools"][1] is not None:
            more = changed["more_schools"][1]
            said.append(f"can take on {more} more school{pluralize(more)}")
        if "contact_email" in changed:
            said.append("contact email changed")
        if "local_authority" in changed:
            said.append(f"now in {changed['local_authority'][1]}")
        if "kind" in changed:
            said.append(f"kind now {changed['kind'][1]}")
        if "phase" in changed:
            said.append(f"phase now {changed['phase'][1].lower()}")
        if "faith_designation" in changed:
            said.append(f"faith designation now {changed['faith_designation'][1]}")
        if "name" in changed:
            return "; ".join([f"Renamed (was {changed['name'][0]})", *said])
        return ": ".join(["Details updated", "; ".join(said)]) if said else "Details updated"


class NoticeResponse(models.Model):
    """The text of a provider's written response to a notice of revocation.
    The entry's history records the response (its ``response_received``
    event: who sent it and when), never its text, which is kept here so
    that ``manage.py apply_retention`` can remove it once past its period."""

    event = models.OneToOneField(RegisterEvent, on_delete=models.PROTECT, related_name="response")
    text = models.TextField(blank=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention removed the text"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(text=""),
                name="notice_response_removed_is_empty",
            ),
        ]

    def __str__(self):
        return f"Response to the notice on {self.event.entry_id}"


class ChangeState(models.TextChoices):
    DRAFT = "draft", "Not sent yet"
    SUBMITTED = "submitted", "Waiting for the casework officer"
    MEETS = "meets", "Meets the track record criteria"
    DOES_NOT_MEET = "does_not_meet", "Does not meet the track record criteria"
    CLOSED = "closed", "Closed: the provider left the register"


OPEN_CHANGE_STATES = (ChangeState.DRAFT, ChangeState.SUBMITTED)
"""A provider has at most one change in one of these at a time."""


class CoPartnerChange(models.Model):
    """An accredited provider adds or changes its educational co-partner
    (the prospectus, 2.11): the co-partner's details and its answers to the
    framework's Part Two criteria answered per party, which the casework
    officer scores before recording whether it meets the track record
    criteria. The details are those of a proposal's ``CoPartner``."""

    entry = models.ForeignKey(
        RegisterEntry, on_delete=models.PROTECT, related_name="co_partner_changes"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The provider (the entry's organisation), for conflicts of interest",
    )
    framework = models.ForeignKey(
        "accreditation.Framework",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The criteria framework whose Part Two the co-partner answers",
    )
    state = models.CharField(max_length=20, choices=ChangeState.choices, default=ChangeState.DRAFT)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    identifier = models.CharField(
        "URN or UKPRN", max_length=8, blank=True, help_text="If it has one"
    )
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    role_in_partnership = models.TextField("What it will do in the partnership")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(
        blank=True, help_text="The casework officer's reason, told to the provider"
    )
    records_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When retention removed the contact's details and the answers",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="co_partner_change_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(state__in=[s.value for s in OPEN_CHANGE_STATES]),
                name="co_partner_change_one_open",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in ChangeState]),
                name="co_partner_change_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[ChangeState.DRAFT, ChangeState.CLOSED])
                | Q(submitted_at__isnull=False),
                name="co_partner_change_submitted_at",
            ),
        ]

    def __str__(self):
        return f"Co-partner {self.name} for {self.entry}"

    @property
    def is_open(self):
        return self.state in OPEN_CHANGE_STATES


class CoPartnerAnswer(models.Model):
    """The co-partner's answer to one Part Two criterion."""

    change = models.ForeignKey(CoPartnerChange, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(
        "accreditation.Criterion", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["change", "criterion"], name="co_partner_answer_unique"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code} for {self.change}"


class CoPartnerScore(models.Model):
    """The casework officer's score of one of the co-partner's answers, on
    the framework's scale, with a comment."""

    change = models.ForeignKey(CoPartnerChange, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "accreditation.Criterion", on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField()
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "criterion"], name="co_partner_score_unique"),
        ]

    def __str__(self):
        return f"{self.criterion.code} scored {self.score} for {self.change}"
