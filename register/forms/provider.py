"""The accredited provider's forms: its register details, and the details
of a co-partner it proposes (the proposal's co-partner form, on a change)."""

from crispy_forms_gds.layout import Field
from django import forms

from accreditation.forms.helpers import WholeNumberField, gds_helper
from accreditation.versions import VersionedFormMixin
from proposals.forms.journey import CoPartnerForm
from register.models import CoPartnerChange
from register.services.details import MORE_SCHOOLS_MAX


class DetailsForm(VersionedFormMixin, forms.Form):
    more_schools = WholeNumberField(
        label="How many more schools can you take on?",
        help_text="The number of schools you could lead improvement in, on top of those you "
        "lead now. Local authorities see this on the register.",
        min_value=0,
        max_value=MORE_SCHOOLS_MAX,
        error_messages={
            "required": "Enter how many more schools you can take on",
            "invalid": "Enter how many more schools you can take on as a whole number, like 3",
            "min_value": f"Enter a number of schools between 0 and {MORE_SCHOOLS_MAX}",
            "max_value": f"Enter a number of schools between 0 and {MORE_SCHOOLS_MAX}",
        },
    )
    contact_email = forms.EmailField(
        label="Public contact email address",
        help_text="The register shows this address to anyone who wants to contact you.",
        error_messages={
            "required": "Enter the email address the public can contact you at",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("more_schools", field_width=4),
            Field.text("contact_email"),
            Field("version"),
            submit="Save details",
        )


class CoPartnerChangeForm(CoPartnerForm):
    class Meta(CoPartnerForm.Meta):
        model = CoPartnerChange
