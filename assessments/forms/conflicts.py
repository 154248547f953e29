"""Forms for conflicts of interest: declare one, end one, dismiss a suggestion."""

from crispy_forms_gds.layout import Button, Field
from django import forms

from accreditation.forms.helpers import LocalAuthorityField, free_text_field, gds_helper
from accreditation.models import Organisation

NEITHER = "Choose the organisation or the local authority you have a conflict with"
BOTH = (
    "Choose either an organisation or a local authority, not both: "
    "declare a second conflict for the other"
)


class DeclareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="Select an organisation",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    local_authority = LocalAuthorityField(
        label="Or a whole local authority",
        help_text="Every organisation in it: for example, if you work for the local authority",
        required=False,
        message="Select a local authority from the list",
    )
    reason = free_text_field(
        label="Why do you have a conflict of interest?",
        what="The reason",
        help_text="For example, you are a governor of one of its schools.",
        error_messages={"required": "Enter why you have a conflict of interest"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.select("organisation"),
            Field.select("local_authority"),
            Field.textarea("reason", rows=4),
            submit="Declare conflict",
        )

    def clean(self):
        cleaned = super().clean()
        organisation, authority = cleaned.get("organisation"), cleaned.get("local_authority")
        if self.has_error("organisation") or self.has_error("local_authority"):
            return cleaned
        if organisation is None and authority is None:
            self.add_error("organisation", NEITHER)
        elif organisation is not None and authority is not None:
            self.add_error("organisation", BOTH)
        return cleaned


class EndForm(forms.Form):
    end_reason = free_text_field(
        label="Why has the conflict ended?",
        what="The reason",
        help_text="For example, you stepped down as a governor in March.",
        error_messages={"required": "Enter why the conflict has ended"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("end_reason", rows=4), submit="End conflict")


class ConfirmSuggestionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(buttons=[Button("confirm", "Yes, declare this conflict")])


class DismissSuggestionForm(forms.Form):
    reason = free_text_field(
        label="Why is this not a conflict of interest?",
        what="The reason",
        help_text="We keep your reason and will not suggest this again.",
        error_messages={"required": "Enter why this is not a conflict of interest"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", rows=4),
            buttons=[Button.secondary("dismiss", "Not a conflict")],
        )
