"""Forms for the proposal journey. Criterion text from the database is
escaped before crispy-forms-gds renders it (it renders labels unescaped)."""

from crispy_forms_gds.layout import HTML, Button, Field, Size
from django import forms
from django.core.validators import RegexValidator
from django.utils.html import escape

from accreditation import clock
from accreditation.forms.helpers import (
    ANSWER_CHARS_PER_WORD,
    FREE_TEXT_MAX_CHARS,
    NULL_REFUSED,
    GovukDateField,
    LocalAuthorityField,
    NameField,
    free_text_field,
    gds_helper,
    multi_line_text,
)
from accreditation.models import AccreditationType, OrganisationKind
from accreditation.models.organisations import (
    NON_EDUCATIONAL_KINDS,
    REAL_URN_VALIDATOR,
    UKPRN_VALIDATOR,
    URN_VALIDATOR,
)
from accreditation.versions import VersionedFormMixin
from proposals.models import CoPartner, PartnershipKind, Route, SchoolLed
from proposals.queries.journey import count_words


def save_buttons():
    return [
        Button("save", "Save and continue"),
        Button.secondary("later", "Save and come back later"),
    ]


def helper(*fields, buttons=None):
    """Section forms save with two buttons unless told otherwise."""
    return gds_helper(*fields, buttons=buttons if buttons is not None else save_buttons())


class StartForm(forms.Form):
    accreditation_type = forms.ChoiceField(
        label="Which type of accreditation are you applying for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of accreditation",
            "invalid_choice": "Select the type of accreditation",
        },
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["accreditation_type"]
        field.choices = [(t, AccreditationType(t).label) for t in types]
        # With one type to choose, the page states it rather than asking.
        self.only_type = AccreditationType(types[0]).label if len(types) == 1 else None
        if self.only_type:
            field.widget = forms.HiddenInput()
            field.initial = types[0]
            question = Field("accreditation_type")
        else:
            question = Field.radios("accreditation_type", legend_size=Size.MEDIUM)
        self.helper = helper(question, buttons=[Button("start", "Start proposal")])


class TypeForm(VersionedFormMixin, forms.Form):
    route = forms.ChoiceField(
        label="How is your organisation applying?",
        choices=Route.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how your organisation is applying",
            "invalid_choice": "Select how your organisation is applying",
        },
    )
    partnerships = forms.MultipleChoiceField(
        label="Which partnerships do you want to lead?",
        help_text="Select all that apply. Only a maintained school can lead a federation.",
        choices=[("majority_trust", "Majority trust"), ("federation", "Federation")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the partnerships you want to lead",
            "invalid_choice": "Select the partnerships you want to lead",
        },
    )

    def __init__(self, *args, organisation, may_federate, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_federate = may_federate
        fields = []
        if not organisation.is_educational:
            fields.append(Field.radios("route", legend_size=Size.MEDIUM))
        else:
            del self.fields["route"]
        if may_federate:
            fields.append(Field.checkboxes("partnerships", legend_size=Size.MEDIUM))
        else:
            # A majority trust is the one partnership it can lead: stated,
            # not asked with a lone checkbox.
            self.fields["partnerships"].required = False
            fields.append(
                HTML(
                    '<p class="govuk-body">Your organisation can lead a majority trust. '
                    "Only a maintained school can lead a federation.</p>"
                )
            )
        self.helper = helper(*fields, Field("version"))

    def clean_partnerships(self):
        if not self.may_federate:
            return ["majority_trust"]
        return self.cleaned_data["partnerships"]


class AnswerForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        strip=False,
        error_messages={"null_characters_not_allowed": NULL_REFUSED},
    )
    # The column's range: a larger number is a forged page, not a version.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        # The page's <h1> is the criterion's code and title, above its
        # guidance; the question itself labels the box.
        field = self.fields["text"]
        field.label = escape(criterion.question)
        most = criterion.word_limit * ANSWER_CHARS_PER_WORD
        field.help_text = (
            "A word is any group of characters between spaces. An answer can have up to "
            f"{most:,} characters in all."
        )
        self.helper = helper(
            Field.textarea("text", max_words=criterion.word_limit, label_size=Size.SMALL),
            Field("version"),
        )

    def clean_text(self):
        text = multi_line_text(self.cleaned_data["text"])
        most = self.criterion.word_limit * ANSWER_CHARS_PER_WORD
        if len(text) > most:
            raise forms.ValidationError(
                f"Your answer must be {most:,} characters or fewer. It has {len(text):,}."
            )
        words = count_words(text)
        if words > self.criterion.word_limit:
            raise forms.ValidationError(
                f"Your answer must be {self.criterion.word_limit} words or fewer. "
                f"It has {words} words."
            )
        return text


EARLIEST_YEAR = 1900
"""No school has been led, nor a case decided, before this: an earlier year
is a slip of the keyboard (1066 for 2016)."""


class PastDateField(GovukDateField):
    """GOV.UK's date input (day, month and year) for a date that has
    passed; its messages name it by its label, or by ``what`` ("The date of
    the decision" for the label "Date of the decision")."""

    def __init__(self, *, label, required_message, what=None, **kwargs):
        what = what or label
        super().__init__(
            label=label,
            real_date=f"{what} must be a real date",
            full_year=f"{what} must include a year with 4 numbers, like 2023",
            **kwargs,
        )
        self.error_messages.update(
            {
                "required": required_message,
                "incomplete": f"{what} must include a day, month and year",
            }
        )
        self.in_the_past = f"{what} must be today or in the past"
        self.too_early = f"{what} must be in {EARLIEST_YEAR} or later"
        for subfield, name in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"{what} must include a {name}"
            subfield.validators = [RegexValidator(r"^[0-9]+$", self.real_date)]

    def clean(self, value):
        """As the date input's, but each message once, at the first box it
        is about: GOV.UK shows one message per date input."""
        try:
            return super().clean(value)
        finally:
            seen = set()
            for subfield in self.fields:
                errors = getattr(subfield.widget, "errors", [])
                subfield.widget.errors = [error for error in errors if error not in seen]
                seen.update(errors)

    def compress(self, data_list):
        parsed = super().compress(data_list)
        if parsed is not None and parsed > clock.today():
            raise forms.ValidationError(self.in_the_past)
        if parsed is not None and parsed.year < EARLIEST_YEAR:
            raise forms.ValidationError(self.too_early)
        return parsed


class SchoolForm(forms.ModelForm):
    """A school for the schools section, asked for in the words of the
    basis on which the organisation may be an ASG (``SchoolsBasis``): a
    school led through a formal partnership needs the kind of partnership;
    a primary school whose governance it is accountable for does not."""

    urn = forms.CharField(
        label="URN (unique reference number)",
        validators=[URN_VALIDATOR, REAL_URN_VALIDATOR],
        help_text="6 digits, for example 123456",
        error_messages={"required": "Enter the school’s URN"},
    )
    local_authority = LocalAuthorityField(
        label="Local authority", message="Select the school’s local authority"
    )

    class Meta:
        model = SchoolLed
        fields = ["name", "urn", "local_authority", "partnership", "since"]
        field_classes = {"name": NameField}
        widgets = {"partnership": forms.RadioSelect}
        error_messages = {
            "name": {
                "required": "Enter the school’s name",
                "max_length": "The school’s name must be 200 characters or fewer",
            },
            "partnership": {
                "required": "Select the kind of partnership",
                "invalid_choice": "Select the kind of partnership",
            },
        }

    def __init__(self, *args, basis, federation, **kwargs):
        """``federation``: whether the organisation can lead a federation
        (only a maintained school can): if not, it is not offered."""
        super().__init__(*args, **kwargs)
        self.fields["since"] = PastDateField(
            label=basis.since_label,
            help_text="For example, 1 9 2023",
            required_message="Enter the date you began leading the school"
            if basis.with_partnership
            else "Enter the date your organisation became accountable for the school’s governance",
        )
        layout = [
            Field.text("name"),
            Field.text("urn", field_width=10),
            Field.select("local_authority"),
        ]
        if basis.with_partnership:
            self.fields["partnership"].required = True
            self.fields["partnership"].choices = [
                (value, label)
                for value, label in PartnershipKind.choices
                if federation or value != PartnershipKind.FEDERATION
            ]
            self.fields["partnership"].help_text = (
                "The formal partnership through which your organisation leads improvement "
                "in this school"
            )
            layout.append(Field.radios("partnership", legend_size=Size.SMALL))
        else:
            del self.fields["partnership"]
        layout.append(Field("since", context={"legend_size": Size.for_legend(Size.SMALL)}))
        self.helper = helper(*layout, buttons=[Button("add", "Add school")])


class CoPartnerForm(VersionedFormMixin, forms.ModelForm):
    local_authority = LocalAuthorityField(
        label="Local authority where it is based",
        message="Select the local authority where the co-partner is based",
    )
    role_in_partnership = free_text_field(
        label="What it will do in the partnership",
        what="What the co-partner will do",
        error_messages={"required": "Describe what the co-partner will do in the partnership"},
    )

    class Meta:
        model = CoPartner
        fields = [
            "name",
            "kind",
            "identifier",
            "local_authority",
            "contact_name",
            "contact_email",
            "role_in_partnership",
        ]
        field_classes = {"name": NameField, "contact_name": NameField}
        labels = {
            "name": "Co-partner’s name",
            "kind": "Kind of organisation",
            "contact_name": "Contact’s name",
            "contact_email": "Contact’s email address",
        }
        # Someone else's address: the browser must not offer the applicant's own.
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})
        }
        error_messages = {
            "name": {
                "required": "Enter the co-partner’s name",
                "max_length": "The co-partner’s name must be 200 characters or fewer",
            },
            "identifier": {
                "max_length": "Enter a URN of 6 digits, like 123456, or a UKPRN of 8 digits "
                "starting with 1",
            },
            "kind": {
                "required": "Select the kind of organisation the co-partner is",
                "invalid_choice": "Select the kind of organisation the co-partner is",
            },
            "contact_name": {
                "required": "Enter the name of a contact at the co-partner",
                "max_length": "The contact’s name must be 200 characters or fewer",
            },
            "contact_email": {
                "required": "Enter the contact’s email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
                "max_length": "Enter an email address that is 254 characters or fewer",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select a kind")] + [
            (k.value, k.label) for k in OrganisationKind if k not in NON_EDUCATIONAL_KINDS
        ]
        self.fields["kind"].help_text = "The co-partner must be an educational organisation"
        self.fields["identifier"].help_text = "If it has one: a URN of 6 digits or a UKPRN of 8"
        self.helper = helper(
            Field.text("name"),
            Field.select("kind"),
            Field.text("identifier", field_width=10),
            Field.select("local_authority"),
            Field.text("contact_name"),
            Field.text("contact_email"),
            Field.textarea("role_in_partnership"),
            Field("version"),
        )

    def clean_identifier(self):
        identifier = self.cleaned_data["identifier"].strip()
        if identifier and not any(
            validator.regex.search(identifier) for validator in (URN_VALIDATOR, UKPRN_VALIDATOR)
        ):
            raise forms.ValidationError(
                "Enter a URN of 6 digits, like 123456, or a UKPRN of 8 digits starting with 1"
            )
        if identifier:
            REAL_URN_VALIDATOR(identifier)
        return identifier


class NewProvisionForm(VersionedFormMixin, forms.Form):
    seeks = forms.TypedChoiceField(
        label="Are you seeking accreditation for new faith provision?",
        help_text="New provision is additional to the existing Church estate, through an "
        "intervention trust or federation that needs department funding to set up.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if you seek accreditation for new faith provision",
            "invalid_choice": "Select yes if you seek accreditation for new faith provision",
        },
    )
    statement = free_text_field(
        label="Describe the new faith provision you seek",
        what="The description of the new faith provision",
        help_text="Where, for which schools, and why it needs department funding.",
        rows=6,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("seeks", legend_size=Size.MEDIUM),
            Field.textarea("statement", max_characters=FREE_TEXT_MAX_CHARS),
            Field("version"),
        )

    def clean(self):
        cleaned = super().clean()
        # A description refused for its length is not in ``cleaned``: its
        # own error says so, without this one too.
        if cleaned.get("seeks") and "statement" in cleaned and not cleaned["statement"].strip():
            self.add_error("statement", "Describe the new faith provision you seek")
        return cleaned


DECLARATION = (
    "I confirm that the information in this proposal is true and complete, and that I "
    "am authorised to submit it for my organisation"
)
"""What the person making the declaration confirms, as check answers and the
PDF repeat it."""


class DeclarationForm(forms.Form):
    """The declaration is stated and confirmed with the button, not asked
    with a lone checkbox."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            HTML(
                '<p class="govuk-body">By confirming, you make this declaration:</p>'
                f'<div class="govuk-inset-text">{DECLARATION}.</div>'
            ),
            buttons=[Button("save", "Confirm and continue")],
        )


class WithdrawForm(forms.Form):
    reason = free_text_field(
        label="Why are you withdrawing this proposal?",
        what="The reason",
        max_length=2000,
        help_text="A sentence or two is enough, up to 2,000 characters. It goes on your case's "
        "record, which the accreditation team and your organisation's members can read, and "
        "is emailed to your organisation's contacts.",
        rows=4,
        error_messages={"required": "Enter why you are withdrawing the proposal"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.textarea("reason"), buttons=[Button.warning("withdraw", "Withdraw proposal")]
        )
