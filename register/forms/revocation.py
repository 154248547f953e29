"""The forms of revoking an accreditation: the decision official's notice
and decision, and the provider's response to the notice."""

from crispy_forms_gds.layout import Button, Field
from django import forms

from accreditation.forms.helpers import FREE_TEXT_MAX_CHARS, free_text_field, gds_helper


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
        self.helper = gds_helper(
            Field.textarea("reason", rows=5, max_characters=FREE_TEXT_MAX_CHARS),
            submit="Give notice",
        )


class RevokeForm(forms.Form):
    reason = free_text_field(
        label="Why are you revoking the accreditation?",
        what="The reason",
        help_text="Say how you considered the provider's response, if it sent one. "
        "We send this to the provider in the revocation letter.",
        error_messages={"required": "Enter the reason for revoking the accreditation"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", rows=5, max_characters=FREE_TEXT_MAX_CHARS),
            buttons=[Button.warning("submit", "Revoke the accreditation")],
        )


class ResponseForm(forms.Form):
    response = free_text_field(
        label="Your response",
        what="Your response",
        rows=10,
        help_text="Tell us why your organisation should keep its accreditation. "
        "The decision official reads it before deciding.",
        error_messages={"required": "Enter your response to the notice"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("response", rows=10, max_characters=FREE_TEXT_MAX_CHARS),
            submit="Send your response",
        )
