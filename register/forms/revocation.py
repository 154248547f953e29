"""The decision official's forms for revoking an accreditation."""

from django import forms

from accreditation.forms.helpers import free_text_field, gds_helper


class NoticeForm(forms.Form):
    reason = free_text_field(
        label="Why is the accreditation being revoked?",
        what="The reason",
        help_text="We send this to the provider's contacts with the notice. "
        "It is not published on the register.",
        error_messages={"required": "Enter the reason for revoking the accreditation"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("reason", submit="Give notice")
