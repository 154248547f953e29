"""Applicant organisations, who belongs to them, and reference data."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from accreditation.roles import Role

# [0-9], not \d: \d takes any script's digits (Arabic-Indic, say).
URN_VALIDATOR = RegexValidator(r"^[0-9]{6}$", "Enter a URN of 6 digits, like 123456")
REAL_URN_VALIDATOR = RegexValidator(
    r"^0+$", "Enter the school’s real URN: 000000 is not one", inverse_match=True
)
"""For the forms a URN is typed in (not the model's field, whose validators
its migrations record): six zeros are no school's."""
UKPRN_VALIDATOR = RegexValidator(
    r"^1[0-9]{7}$", "Enter a UKPRN of 8 digits starting with 1, like 10012345"
)


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    code = models.CharField(
        "LA code", max_length=3, unique=True, validators=[RegexValidator(r"^[0-9]{3}$")]
    )
    name = models.CharField(max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="local_authorities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    """The kinds of organisation in the prospectus's eligibility list."""

    MAINTAINED_INFANT = "maintained_infant", "Maintained infant school"
    MAINTAINED_JUNIOR = "maintained_junior", "Maintained junior school"
    MAINTAINED_PRIMARY = "maintained_primary", "Maintained primary school"
    MAINTAINED_MIDDLE = "maintained_middle", "Maintained middle school (deemed primary)"
    MAINTAINED_SECONDARY = "maintained_secondary", "Maintained secondary school"
    INDEPENDENT_PRIMARY = "independent_primary", "Independent primary school"
    INDEPENDENT_SECONDARY = "independent_secondary", "Independent secondary school"
    FE_COLLEGE = "fe_college", "Further education college"
    SIXTH_FORM_COLLEGE = "sixth_form_college", "Sixth-form college"
    UNIVERSITY = "university", "University"
    ACADEMY_TRUST = "academy_trust", "Academy trust"
    MAINTAINED_SCHOOL_TRUST = "maintained_school_trust", "Maintained school trust"
    FEDERATION = "federation", "Federation"
    COFE_DIOCESE = "cofe_diocese", "Church of England diocese"
    RC_DIOCESE = "rc_diocese", "Roman Catholic diocese"
    OTHER_FAITH_GROUP = "other_faith_group", "Other faith group"
    EDUCATIONAL_CONSULTANCY = "educational_consultancy", "Educational consultancy"
    EDUCATIONAL_CHARITY = "educational_charity", "Educational charity"
    OTHER_EDUCATIONAL = "other_educational", "Other educational organisation"
    PRIVATE_OR_THIRD_SECTOR = (
        "private_or_third_sector",
        "Private or third sector organisation (non-educational)",
    )


K = OrganisationKind

PROPER_NOUN_KINDS = ("Church of England", "Roman Catholic")


def kind_phrase(kind):
    """The kind of organisation as a sentence names it: "an academy trust",
    "a Church of England diocese", "another faith group"."""
    label = str(OrganisationKind(kind).label)
    if not label.startswith(PROPER_NOUN_KINDS):
        label = label[0].lower() + label[1:]
    if label.startswith("other "):
        return f"an{label}"
    return f"{'an' if label[0].lower() in 'aeio' else 'a'} {label}"


MAINTAINED_PRIMARY_KINDS = frozenset(
    {K.MAINTAINED_INFANT, K.MAINTAINED_JUNIOR, K.MAINTAINED_PRIMARY, K.MAINTAINED_MIDDLE}
)
MAINTAINED_SCHOOL_KINDS = MAINTAINED_PRIMARY_KINDS | {K.MAINTAINED_SECONDARY}
INDEPENDENT_SCHOOL_KINDS = frozenset({K.INDEPENDENT_PRIMARY, K.INDEPENDENT_SECONDARY})
SCHOOL_KINDS = MAINTAINED_SCHOOL_KINDS | INDEPENDENT_SCHOOL_KINDS
COLLEGE_KINDS = frozenset({K.FE_COLLEGE, K.SIXTH_FORM_COLLEGE, K.UNIVERSITY})
TRUST_KINDS = frozenset({K.ACADEMY_TRUST, K.MAINTAINED_SCHOOL_TRUST, K.FEDERATION})
DIOCESE_KINDS = frozenset({K.COFE_DIOCESE, K.RC_DIOCESE})
FAITH_KINDS = DIOCESE_KINDS | {K.OTHER_FAITH_GROUP}
OTHER_EDUCATIONAL_KINDS = frozenset(
    {K.EDUCATIONAL_CONSULTANCY, K.EDUCATIONAL_CHARITY, K.OTHER_EDUCATIONAL}
)
NON_EDUCATIONAL_KINDS = frozenset({K.PRIVATE_OR_THIRD_SECTOR})
"""The kinds grouped once, here: the eligibility table, the profile's kind
chooser and the Part Two guidance sectors are built from these."""
URN_KINDS = SCHOOL_KINDS
UKPRN_KINDS = COLLEGE_KINDS


class Phase(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class FaithDesignation(models.TextChoices):
    NONE = "none", "No religious character"
    CHURCH_OF_ENGLAND = "church_of_england", "Church of England"
    ROMAN_CATHOLIC = "roman_catholic", "Roman Catholic"
    OTHER = "other", "Other faith"


PROFILE_FIELDS = (
    "name",
    "kind",
    "urn",
    "ukprn",
    "local_authority",
    "phase",
    "claims_national_support_school",
    "faith_designation",
    "address",
    "schools_led_count",
    "primary_governance_count",
)
"""The fields of an organisation's profile: what its members edit, what the
activity log compares, and what a submitted proposal keeps."""


class IdentifierClaim(models.TextChoices):
    """Whose URN or UKPRN it is. Identifiers are claimed first come, first
    served; a later organisation that says one is its own holds it too, as a
    contested claim, until a casework officer decides which claim is genuine
    and clears the identifier from the others."""

    UNCONTESTED = "uncontested", "Uncontested"
    CONTESTED = "contested", "Contested: another organisation already held it"
    CLEARED = "cleared", "Cleared: another organisation's claim was found genuine"


class Organisation(models.Model):
    """An organisation that applies for accreditation."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    urn = models.CharField(
        "URN",
        max_length=6,
        blank=True,
        validators=[URN_VALIDATOR],
        help_text="Unique reference number, for schools",
    )
    ukprn = models.CharField(
        "UKPRN",
        max_length=8,
        blank=True,
        validators=[UKPRN_VALIDATOR],
        help_text="UK provider reference number, for colleges and universities",
    )
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="organisations"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.NOT_APPLICABLE)
    claims_national_support_school = models.BooleanField(
        "National Support School",
        default=False,
        help_text="A maintained primary school whose head is a National Leader of Education",
    )
    faith_designation = models.CharField(
        max_length=30, choices=FaithDesignation.choices, default=FaithDesignation.NONE
    )
    address = models.TextField(blank=True)
    schools_led_count = models.PositiveSmallIntegerField(
        "Schools it leads improvement in through a formal partnership now", default=0
    )
    primary_governance_count = models.PositiveSmallIntegerField(
        "Primary schools whose governance it is accountable for", default=0
    )
    identifier_claim = models.CharField(
        "Claim to its URN or UKPRN",
        max_length=20,
        choices=IdentifierClaim.choices,
        default=IdentifierClaim.UNCONTESTED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["urn"], condition=~Q(urn=""), name="organisation_urn"),
            models.Index(fields=["ukprn"], condition=~Q(ukprn=""), name="organisation_ukprn"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in OrganisationKind]),
                name="organisation_kind_valid",
            ),
            # Until a member enters the right one, an organisation whose
            # identifier an officer cleared has none.
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(URN_KINDS))
                | ~Q(urn="")
                | Q(identifier_claim=IdentifierClaim.CLEARED),
                name="organisation_school_has_urn",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(UKPRN_KINDS))
                | ~Q(ukprn="")
                | Q(identifier_claim=IdentifierClaim.CLEARED),
                name="organisation_college_has_ukprn",
            ),
            models.CheckConstraint(
                condition=~Q(identifier_claim=IdentifierClaim.CLEARED) | Q(urn="", ukprn=""),
                name="organisation_cleared_has_no_identifier",
            ),
            models.CheckConstraint(
                condition=Q(identifier_claim__in=IdentifierClaim.values),
                name="organisation_identifier_claim_valid",
            ),
            models.CheckConstraint(
                condition=Q(claims_national_support_school=False)
                | Q(kind__in=sorted(MAINTAINED_PRIMARY_KINDS)),
                name="organisation_nss_only_maintained_primary",
            ),
            # Several organisations may claim one identifier, but at most one
            # holds it uncontested: every later claim waits for an officer.
            models.UniqueConstraint(
                fields=["urn"],
                condition=~Q(urn="") & Q(identifier_claim=IdentifierClaim.UNCONTESTED),
                name="organisation_urn_one_uncontested",
            ),
            models.UniqueConstraint(
                fields=["ukprn"],
                condition=~Q(ukprn="") & Q(identifier_claim=IdentifierClaim.UNCONTESTED),
                name="organisation_ukprn_one_uncontested",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def identifier_field(self):
        """ "urn" or "ukprn": the identifier its kind has, or None."""
        if self.kind in URN_KINDS:
            return "urn"
        if self.kind in UKPRN_KINDS:
            return "ukprn"
        return None

    @property
    def identifier_cleared(self):
        return self.identifier_claim == IdentifierClaim.CLEARED

    def profile_snapshot(self):
        """The profile as stored values (the local authority by its id), as a
        submitted proposal keeps it."""
        return {
            self._meta.get_field(name).attname: getattr(self, self._meta.get_field(name).attname)
            for name in PROFILE_FIELDS
        }

    @property
    def is_educational(self):
        return self.kind not in NON_EDUCATIONAL_KINDS

    @property
    def region(self):
        return self.local_authority.region

    @property
    def is_maintained_primary(self):
        return self.kind in MAINTAINED_PRIMARY_KINDS


def contact_addresses(organisation_id):
    """The e-mail addresses of an organisation's contacts who can still sign
    in: who is told of its proposals."""
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, is_contact=True, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


class Membership(models.Model):
    """A person's membership of an organisation; contacts receive its e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    is_contact = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.organisation}"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use link that lets someone set up an account: staff (with
    roles) or a colleague joining an organisation. Only the token's hash is
    stored, so a database reader cannot use it."""

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    roles = models.JSONField(default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(Lower("email"), name="invitation_email_ci")]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def roles_described(self):
        """The staff roles it gives, as running text in the service's order:
        "an assessor and a decision official"."""
        named = [
            label if label.startswith("Advisory Group") else label.lower()
            for value, label in Role.choices
            if value in self.roles
        ]
        named = [f"{'an' if label[0] in 'AEIOUaeiou' else 'a'} {label}" for label in named]
        return " and ".join(filter(None, [", ".join(named[:-1]), *named[-1:]]))

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)
