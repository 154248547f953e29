"""The case record: one organisation's proposal for one accreditation type in
one round or out-of-round window, and what the applicant writes in it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock
from accreditation.models import AccreditationType, Organisation, OrganisationKind
from accreditation.models.timeline import GENESIS_HASH
from accreditation.workflow import STATUS_META, Status

COPYABLE_STATUSES = frozenset({Status.LAPSED, Status.NOT_ACCREDITED, Status.CLOSED_INELIGIBLE})
"""A proposal in one of these can be copied into a new draft in a later round."""


class Route(models.TextChoices):
    """How a non-educational organisation applies (the prospectus, 2.10-2.11)."""

    OWN_RIGHT = "own_right", "In its own right"
    CONSORTIUM_LEAD = "consortium_lead", "As the lead of a consortium"
    WITH_CO_PARTNER = "with_co_partner", "With an educational co-partner"


CO_PARTNER_ROUTES = (Route.CONSORTIUM_LEAD, Route.WITH_CO_PARTNER)


class Party(models.TextChoices):
    LEAD = "lead", "Lead organisation"
    CO_PARTNER = "co_partner", "Co-partner"


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

    route = models.CharField(
        "How the organisation applies",
        max_length=20,
        choices=Route.choices,
        blank=True,
        help_text="For non-educational organisations only",
    )
    leads_majority_trust = models.BooleanField("Majority trust", default=False)
    leads_federation = models.BooleanField("Federation", default=False)
    seeks_new_faith_provision = models.BooleanField(
        "Seeks accreditation for new faith provision", null=True, blank=True
    )
    new_provision_statement = models.TextField(blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration_undone_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a change to the organisation's profile undid the declaration, "
        "until it is made again",
    )
    submitted_profile = models.JSONField(
        null=True,
        blank=True,
        help_text="The organisation's profile as it was when the proposal was submitted",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # The head of the case's timeline, written with every event in the same
    # transaction (accreditation.timeline), so an event removed from the end
    # shows even when it changed no status.
    timeline_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The sequence of the case's last timeline event"
    )
    timeline_hash = models.CharField(
        max_length=64,
        default=GENESIS_HASH,
        editable=False,
        help_text="The hash of the case's last timeline event",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"], name="proposal_status"),
            models.Index(fields=["organisation", "status"], name="proposal_org_status"),
            # The staff case list, most recently changed first, one page at a time.
            models.Index(fields=["-updated_at", "-id"], name="proposal_recently_changed"),
            # Every case staff see is a submitted one: counting them (for
            # anyone in conflict with no organisation) reads this index
            # alone, not every proposal's row with its submitted profile
            # (5.2 -> 1.9 ms at 25,000 cases). Of the keys, not the time of
            # submission: walked in that order, it led the screening queue
            # (the newest cases, oldest first) through every older case to
            # find them (8 ms, where their status's index takes 0.3).
            models.Index(
                fields=["id"],
                condition=Q(submitted_at__isnull=False),
                name="proposal_submitted",
            ),
            # The submitted cases of a status, in the order they last
            # changed: the queues (awaiting decision, oldest first) and the
            # counts of a status (the staff homes). Without it PostgreSQL
            # read the status's index and every submitted case's key and
            # took their intersection (1.2 ms for 25 cases awaiting
            # decision at 25,000; through this index, 0.1 ms).
            models.Index(
                fields=["status", "updated_at", "id"],
                condition=Q(submitted_at__isnull=False),
                name="proposal_submitted_status",
            ),
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
            models.CheckConstraint(
                condition=Q(route="") | Q(route__in=[r.value for r in Route]),
                name="proposal_route_valid",
            ),
            models.CheckConstraint(
                condition=Q(declared_by__isnull=True, declared_at__isnull=True)
                | Q(declared_by__isnull=False, declared_at__isnull=False),
                name="proposal_declaration_complete",
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
        return self.reference or self.draft_name

    @property
    def draft_name(self):
        """How a proposal without a reference is named to people: "Draft ASP
        proposal, Autumn 2026" ("Withdrawn draft ..." once withdrawn). Its
        internal number is never shown as if it were a reference."""
        period = str(self.round) if self.round_id else "out of round"
        draft = "Withdrawn draft" if self.status == Status.WITHDRAWN else "Draft"
        return f"{draft} {self.accreditation_type.upper()} proposal, {period}"

    @property
    def draft_in_words(self):
        """A draft named within a sentence: "draft ASP proposal for the
        Autumn 2026 round", "draft ASG proposal for your out-of-round window"
        (``draft_name`` is the name on its own, as a title)."""
        period = f"the {self.round} round" if self.round_id else "your out-of-round window"
        return f"draft {self.accreditation_type.upper()} proposal for {period}"

    @property
    def period(self):
        """The round or out-of-round window the proposal belongs to."""
        return self.round if self.round_id else self.window

    @property
    def is_asg(self):
        return self.accreditation_type == AccreditationType.ASG

    @property
    def applicant_profile(self):
        """The organisation as the proposal describes it: as it was when the
        proposal was submitted, or its live profile while a draft."""
        if self.submitted_profile is None:
            return self.organisation
        return Organisation(pk=self.organisation_id, **self.submitted_profile)

    @property
    def has_co_partner_route(self):
        return self.route in CO_PARTNER_ROUTES and not self.applicant_profile.is_educational

    @property
    def deadline_passed(self):
        """A draft whose round or out-of-round window deadline has passed,
        whether or not the scheduler has lapsed it yet: it can no longer be
        changed or submitted. A cancelled round's drafts are kept, to be moved
        to another round, so they are not counted here."""
        if self.status != Status.DRAFT:
            return False
        if self.round_id and self.round.cancelled_at is not None:
            return False
        return self.period.deadline <= clock.now()

    @property
    def missed_deadline(self):
        """Never submitted, and now too late: lapsed, or about to be."""
        return self.status == Status.LAPSED or self.deadline_passed

    @property
    def is_editable(self):
        return self.status == Status.DRAFT and not self.deadline_passed

    @property
    def is_copyable(self):
        return self.status in COPYABLE_STATUSES or self.deadline_passed

    @property
    def status_meta(self):
        """How its status is shown: ``applicant_label`` and tag ``colour``."""
        return STATUS_META[Status(self.status)]


class Answer(models.Model):
    """One party's answer to one criterion. ``version`` goes up on every save
    so that a save from a stale page is refused, not silently applied."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(
        "accreditation.Criterion", on_delete=models.PROTECT, related_name="answers"
    )
    party = models.CharField(max_length=12, choices=Party.choices, default=Party.LEAD)
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion__part__number", "criterion__position", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "criterion", "party"], name="answer_unique_per_party"
            ),
            models.CheckConstraint(
                condition=Q(party__in=[p.value for p in Party]), name="answer_party_valid"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code} ({self.get_party_display()}) for {self.proposal}"


class PartnershipKind(models.TextChoices):
    FEDERATION = "federation", "Federation"
    MAJORITY_TRUST = "majority_trust", "Majority trust"
    OTHER_FORMAL = "other_formal", "Other formal partnership"


class SchoolLed(models.Model):
    """A school an ASG proposal shows on the basis on which the organisation
    may be one: a school it leads improvement in through a formal
    partnership (with the kind of partnership), or a primary school whose
    governance it is accountable for (with no partnership). An ASG shows at
    least two; an ASP may show the schools it leads."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="schools_led")
    name = models.CharField("School name", max_length=200)
    urn = models.CharField("URN", max_length=6)
    local_authority = models.ForeignKey(
        "accreditation.LocalAuthority", on_delete=models.PROTECT, related_name="+"
    )
    partnership = models.CharField(
        "Kind of partnership",
        max_length=20,
        choices=PartnershipKind.choices,
        blank=True,
        help_text="Blank for a primary school whose governance the organisation is accountable for",
    )
    since = models.DateField("Led since")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "schools led"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "urn"], name="school_led_unique_urn"),
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"


class CoPartner(models.Model):
    """The educational co-partner of a non-educational lead. Not accredited
    itself, but its Part Two answers are scored like the lead's."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="co_partner")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    identifier = models.CharField(
        "URN or UKPRN", max_length=8, blank=True, help_text="If it has one"
    )
    local_authority = models.ForeignKey(
        "accreditation.LocalAuthority", on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    role_in_partnership = models.TextField("What it will do in the partnership")

    def __str__(self):
        return self.name


def evidence_path(instance, filename):
    return f"evidence/{instance.proposal_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A supporting document, stored outside the web root under a random
    name and served only through a view that checks permission."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name


class ReferenceCounter(models.Model):
    """The last reference number given per type and year. Submission locks
    the row, so numbers are unique and, because a refused submission rolls
    back, without gaps."""

    accreditation_type = models.CharField(max_length=3, choices=AccreditationType.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["accreditation_type", "year"], name="reference_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.accreditation_type.upper()}-{self.year}: {self.last_number}"


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: the school needs a partner within a month"
    THIS_TERM = "this_term", "This term"
    NEXT_TERM = "next_term", "Before the next round"


class OutOfRoundRequest(models.Model):
    """An organisation asks to be considered outside the termly rounds, to
    lead a particular trust or federation now."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    organisation = models.ForeignKey(
        "accreditation.Organisation", on_delete=models.PROTECT, related_name="out_of_round_requests"
    )
    local_authority = models.ForeignKey(
        "accreditation.LocalAuthority", on_delete=models.PROTECT, related_name="+"
    )
    school_name = models.CharField(max_length=200)
    school_urn = models.CharField("School URN", max_length=6, blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    window = models.OneToOneField(
        "accreditation.Window",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_at__isnull=True, window__isnull=True)
                | Q(outcome="granted", decided_at__isnull=False, window__isnull=False)
                | (
                    Q(outcome="refused", decided_at__isnull=False, window__isnull=True)
                    & ~Q(refusal_reason="")
                ),
                name="out_of_round_outcome_consistent",
            )
        ]

    def __str__(self):
        return f"Out-of-round request from {self.organisation} for {self.school_name}"
