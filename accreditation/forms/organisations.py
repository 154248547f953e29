"""Forms for the organisation profile and its members.

Only static text goes into labels and hints: crispy-forms-gds renders those
unescaped. Names from the database appear only as choice labels, which its
templates escape.
"""

from crispy_forms_gds.layout import Field, Size
from django import forms

from accreditation.forms.helpers import (
    BoundedTextField,
    LocalAuthorityField,
    NameField,
    WholeNumberField,
    gds_helper,
)
from accreditation.models import Membership, OrganisationKind
from accreditation.models.organisations import (
    MAINTAINED_PRIMARY_KINDS,
    REAL_URN_VALIDATOR,
    UKPRN_VALIDATOR,
    URN_VALIDATOR,
    FaithDesignation,
    Phase,
)
from accreditation.services import organisations as services
from accreditation.versions import VersionedFormMixin

MAX_COUNT = 999

YES_NO = [("yes", "Yes"), ("no", "No")]
CONTEST_CHOICES = [
    ("yes", "Yes, and the other registration is wrong"),
    ("no", "No, I will check it or ask to be invited"),
]


class KindForm(forms.Form):
    """Step one: the kind decides which questions come next. Rendered by
    its own template, so the kinds can be shown in groups."""

    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of organisation",
            "invalid_choice": "Select the kind of organisation",
        },
    )

    def groups(self):
        """[(group label, [(position, value, label), ...]), ...]; positions
        count from 1 across the groups, as the error summary expects."""
        position = 0
        groups = []
        for label, kinds in services.KIND_GROUPS:
            items = []
            for kind in kinds:
                position += 1
                items.append((position, kind.value, kind.label))
            groups.append((label, items))
        return groups


def count_field(label, help_text, what):
    return WholeNumberField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter the number of {what}, or 0 if there are none",
            "invalid": f"Enter the number of {what} as a whole number, like 2",
            "min_value": f"The number of {what} must be 0 or more",
            "max_value": f"The number of {what} must be {MAX_COUNT} or fewer",
        },
    )


PRIMARY_SCHOOL_KINDS = MAINTAINED_PRIMARY_KINDS | {OrganisationKind.INDEPENDENT_PRIMARY}
SECONDARY_SCHOOL_KINDS = frozenset(
    {OrganisationKind.MAINTAINED_SECONDARY, OrganisationKind.INDEPENDENT_SECONDARY}
)
DIOCESE_FAITH = {
    OrganisationKind.COFE_DIOCESE: FaithDesignation.CHURCH_OF_ENGLAND,
    OrganisationKind.RC_DIOCESE: FaithDesignation.ROMAN_CATHOLIC,
}
"""The religious character a diocese has by being one."""


def phase_contradiction(kind, phase):
    """Why ``phase`` cannot be the phase of a school of ``kind``, or None."""
    label = OrganisationKind(kind).label
    if kind in PRIMARY_SCHOOL_KINDS and phase != Phase.PRIMARY:
        return (
            f"Select primary: the kind of organisation is ‘{label}’. If that is wrong, "
            "change the kind of organisation first"
        )
    if kind in SECONDARY_SCHOOL_KINDS and phase not in (Phase.SECONDARY, Phase.ALL_THROUGH):
        return (
            f"Select secondary or all-through: the kind of organisation is ‘{label}’. If that "
            "is wrong, change the kind of organisation first"
        )
    return None


def faith_contradiction(kind, faith_designation):
    """Why a diocese of ``kind`` cannot have ``faith_designation``, or None."""
    expected = DIOCESE_FAITH.get(kind)
    if expected is None or faith_designation == expected:
        return None
    return (
        f"Select {expected.label}: a {OrganisationKind(kind).label} has the religious "
        f"character {expected.label}"
    )


def default_phase(kind):
    if kind in MAINTAINED_PRIMARY_KINDS or kind == OrganisationKind.INDEPENDENT_PRIMARY:
        return Phase.PRIMARY
    if kind in (OrganisationKind.MAINTAINED_SECONDARY, OrganisationKind.INDEPENDENT_SECONDARY):
        return Phase.SECONDARY
    return Phase.NOT_APPLICABLE


class OrganisationDetailsForm(VersionedFormMixin, forms.Form):
    """Step two: the details for one kind. The URN, UKPRN and National
    Support School questions are asked only of the kinds they belong to."""

    name = NameField(
        label="Name",
        help_text="The organisation's full name, as it appears on official documents.",
        max_length=200,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    urn = forms.CharField(
        label="URN (unique reference number)",
        help_text="6 digits, like 123456. It is on Get information about schools.",
        # Its validator holds it to 6 digits: a length limit too would say
        # the same thing twice.
        validators=[URN_VALIDATOR, REAL_URN_VALIDATOR],
        error_messages={"required": "Enter the school's URN"},
    )
    ukprn = forms.CharField(
        label="UKPRN",
        help_text="The UK provider reference number: 8 digits starting with 1, like 10012345.",
        validators=[UKPRN_VALIDATOR],
        error_messages={"required": "Enter the UKPRN"},
    )
    local_authority = LocalAuthorityField(
        label="Local authority",
        help_text="The local authority area it is in.",
        message="Select the local authority",
    )
    phase = forms.ChoiceField(
        label="Phase of education",
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the phase of education",
            "invalid_choice": "Select the phase of education",
        },
    )
    claims_national_support_school = forms.TypedChoiceField(
        label="Is it a National Support School?",
        help_text="A maintained primary school whose head is a National Leader of Education. "
        "The accreditation team will check this. A National Support School does not answer "
        "the Part Two questions on leadership and management and on pupil achievement.",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if it is a National Support School",
            "invalid_choice": "Select yes if it is a National Support School",
        },
    )
    faith_designation = forms.ChoiceField(
        label="Faith designation",
        choices=FaithDesignation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select its faith designation",
            "invalid_choice": "Select its faith designation",
        },
    )
    address = BoundedTextField(
        label="Address",
        help_text="Including the postcode.",
        max_length=500,
        widget=forms.Textarea(attrs={"autocomplete": "street-address"}),
        error_messages={
            "required": "Enter the address",
            "max_length": "The address must be 500 characters or fewer",
        },
    )
    schools_led_count = count_field(
        "How many schools does it lead improvement in through a formal partnership now?",
        "Count the schools in a trust or federation it leads, not itself. Enter 0 if none.",
        "schools it leads",
    )
    primary_governance_count = count_field(
        "For how many primary schools is it accountable for governance?",
        "Infant, junior, primary and middle schools deemed primary. Enter 0 if none.",
        "primary schools",
    )

    def __init__(self, *args, kind, organisation=None, **kwargs):
        self.kind = kind
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        if not services.needs_urn(kind):
            del self.fields["urn"]
        if not services.needs_ukprn(kind):
            del self.fields["ukprn"]
        if not services.may_claim_national_support_school(kind):
            del self.fields["claims_national_support_school"]
        self.contested = self._contested_identifier()
        self.fields["phase"].initial = default_phase(kind)
        self.fields["faith_designation"].initial = DIOCESE_FAITH.get(kind, FaithDesignation.NONE)
        layout = [Field.text("name")]
        if "urn" in self.fields:
            layout.append(Field.text("urn", field_width=10))
        if "ukprn" in self.fields:
            layout.append(Field.text("ukprn", field_width=10))
        if self.contested:
            layout.append(Field.radios("contest_identifier", legend_size=Size.SMALL))
        layout += [
            Field.select("local_authority"),
            Field.radios("phase", legend_size=Size.SMALL),
        ]
        if "claims_national_support_school" in self.fields:
            layout.append(Field.radios("claims_national_support_school", legend_size=Size.SMALL))
        layout += [
            Field.radios("faith_designation", legend_size=Size.SMALL),
            Field.textarea("address", rows=4),
            Field.text("schools_led_count", field_width=3),
            Field.text("primary_governance_count", field_width=3),
            Field("version"),
        ]
        self.helper = gds_helper(*layout, submit="Save")

    @classmethod
    def initial_from(cls, organisation):
        initial = {field: getattr(organisation, field) for field in services.PROFILE_FIELDS}
        initial["local_authority"] = organisation.local_authority_id
        initial["claims_national_support_school"] = (
            "yes" if organisation.claims_national_support_school else "no"
        )
        initial["version"] = services.profile_version(organisation)
        return initial

    def _contested_identifier(self):
        """If the URN or UKPRN sent is one another organisation holds (and
        this one did not already), ask whether it is really this one's: the
        field name, or None."""
        for field, label in services.IDENTIFIER_LABELS.items():
            if field not in self.fields or not self.is_bound:
                continue
            value = str(self.data.get(self.add_prefix(field), "")).strip()
            if not (value.isascii() and value.isdigit()):
                continue
            if self.organisation is not None and getattr(self.organisation, field) == value:
                continue
            if services.identifier_in_use(field, value, exclude=self.organisation):
                whose = "your school's" if field == "urn" else "your organisation's"
                self.fields["contest_identifier"] = forms.ChoiceField(
                    label=f"Is {value} {whose} {label}?",
                    help_text=f"Another organisation already uses this {label} on the service. "
                    "If you work there, ask one of its members to invite you instead. If it is "
                    f"{whose} {label} and the other registration is wrong, the accreditation "
                    "team will check both claims.",
                    choices=CONTEST_CHOICES,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": services.duplicate_message(field),
                        "invalid_choice": services.duplicate_message(field),
                    },
                )
                return field
        return None

    def clean(self):
        cleaned = super().clean()
        if self.contested and cleaned.get("contest_identifier") == "no":
            self.add_error(self.contested, services.NOT_CONTESTED[self.contested])
        # The question is not asked of this kind, so a claim in the POST was
        # forged or sent by a stale page: refuse it rather than drop it.
        forged = self.add_prefix("claims_national_support_school")
        if "claims_national_support_school" not in self.fields and self.data.get(forged) not in (
            None,
            "",
            "no",
        ):
            raise forms.ValidationError(services.NSS_REFUSED)
        problem = phase_contradiction(self.kind, cleaned.get("phase"))
        if problem and "phase" in cleaned:
            self.add_error("phase", problem)
        problem = faith_contradiction(self.kind, cleaned.get("faith_designation"))
        if problem and "faith_designation" in cleaned:
            self.add_error("faith_designation", problem)
        return cleaned

    def values(self):
        """The answers, for the services."""
        return {
            **self.cleaned_data,
            "kind": self.kind,
            "contest_identifier": self.cleaned_data.get("contest_identifier") == "yes",
        }


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="We will email them a link to join. It works once, and only for this address.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address that is 254 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("email"), submit="Send invitation")


class ContactsForm(VersionedFormMixin, forms.Form):
    """Which members receive email about the organisation's proposals."""

    contacts = forms.TypedMultipleChoiceField(
        label="Who should receive email about its proposals?",
        help_text="Select all that apply. At least one member must be a contact.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one contact. An organisation must always have a contact.",
            "invalid_choice": "Select contacts from the members listed",
        },
    )

    def __init__(self, *args, organisation, **kwargs):
        members = list(
            Membership.objects.filter(organisation=organisation)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        super().__init__(*args, **kwargs)
        self.fields["contacts"].initial = [m.pk for m in members if m.is_contact]
        self.fields["version"].initial = services.contacts_version(organisation)
        # Choice labels are escaped by crispy-forms-gds's checkbox template.
        self.fields["contacts"].choices = [
            (m.pk, f"{m.user.full_name or m.user.email} ({m.user.email})") for m in members
        ]
        # With one member there is nothing to choose: the page says so.
        self.only_member = self.fields["contacts"].choices[0][1] if len(members) == 1 else None
        self.helper = gds_helper(
            Field.checkboxes("contacts", legend_size=Size.MEDIUM),
            Field("version"),
            submit="Save contacts",
        )
