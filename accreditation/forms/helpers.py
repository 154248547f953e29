"""What every form of the service shares: the crispy-forms-gds helper and the
local authority field."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout
from django import forms

from accreditation.models import LocalAuthority


def gds_helper(*fields, submit="Continue", buttons=None):
    """A crispy-forms-gds helper for a form the template wraps in its own
    <form> (with its own CSRF token): the fields, then ``buttons`` or one
    submit button."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(
        *fields, *(buttons if buttons is not None else [Button("submit", submit)])
    )
    return helper


class LocalAuthorityField(forms.ModelChoiceField):
    """A select of England's local authorities by name, with one message
    for a missing or unknown choice."""

    def __init__(self, *, message, **kwargs):
        super().__init__(
            queryset=LocalAuthority.objects.order_by("name"),
            empty_label="Select a local authority",
            error_messages={"required": message, "invalid_choice": message},
            **kwargs,
        )
