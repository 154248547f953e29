"""The accredited provider's forms: its register details, and the details
of a co-partner it proposes (the proposal's co-partner form, on a change)."""

from crispy_forms_gds.layout import Field
from django import forms

from accreditation.forms.helpers import WholeNumberField, gds_helper
from accreditation.versions import VersionedFormMixin
from proposals.forms.journey import CoPartnerForm
from register.models import CoPartnerChange
from register.services.details import more_schools_problem


class DetailsForm(VersionedFormMixin, forms.Form):
    """The provider's register details; how many more schools it can take
    on is bounded by its ``accreditation_type`` (``more_schools_problem``)."""

    more_schools = WholeNumberField(
        label="How many more schools can you take on?",
        help_text="The number of schools you could lead improvement in, on top of those you "
        "lead now. Local authorities see this on the register.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter how many more schools you can take on",
            "invalid": "Enter how many more schools you can take on as a whole number, like 1",
        },
    )
    contact_email = forms.EmailField(
        label="Public contact email address",
        help_text="The register shows this address to anyone who wants to contact you.",
        max_length=254,
        # Not necessarily the person's own: the browser offers none.
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the email address the public can contact you at",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address that is 254 characters or fewer",
        },
    )

    def __init__(self, *args, accreditation_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.accreditation_type = accreditation_type
        self.helper = gds_helper(
            Field.text("more_schools", field_width=4),
            Field.text("contact_email"),
            Field("version"),
            submit="Save details",
        )

    def clean_more_schools(self):
        more_schools = self.cleaned_data["more_schools"]
        problem = more_schools_problem(
            self.accreditation_type, more_schools, kept=self.initial.get("more_schools")
        )
        if problem:
            raise forms.ValidationError(problem)
        return more_schools


class CoPartnerChangeForm(CoPartnerForm):
    class Meta(CoPartnerForm.Meta):
        model = CoPartnerChange
