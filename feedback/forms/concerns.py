"""Concerns: the organisation's concern in writing with its documents, and
the decision on it."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.conf import settings

from accreditation.forms.helpers import free_text_field, gds_helper
from feedback.models import CONCERN_MAX_DOCUMENTS, CONCERN_TEXT_MAX_CHARS
from feedback.services import concerns as services
from proposals.services.evidence import ACCEPT_ATTRIBUTE, describe_size


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        # GOV.UK's file upload class by name: the layout styles only Django's
        # own file inputs by their kind.
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "class": "govuk-file-upload"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RaiseConcernForm(forms.Form):
    text = free_text_field(
        label="What is your concern?",
        what="Your concern",
        max_length=CONCERN_TEXT_MAX_CHARS,
        rows=10,
        error_messages={"required": "Enter your concern"},
    )
    documents = MultipleFileField(
        label="Upload documents (optional)",
        required=False,
        # An empty file is refused by ``validate_uploads``, which names it.
        allow_empty_file=True,
        error_messages={"invalid": "Select the files to upload"},
    )

    def __init__(self, *args, screening=False, **kwargs):
        """``screening``: the concern is about the screening letter (the
        proposal was not assessed)."""
        super().__init__(*args, **kwargs)
        about = "how we screened your proposal" if screening else "the assessment or its result"
        self.fields["text"].help_text = (
            f"Say what you think was wrong with {about}, and why. Someone who had no part in "
            "your case will read it."
        )
        self.fields["documents"].help_text = (
            f"Up to {CONCERN_MAX_DOCUMENTS} files. Each must be a PDF, DOCX, XLSX, ODT, PNG or "
            f"JPEG, and smaller than {describe_size(settings.EVIDENCE_MAX_BYTES)}."
        )
        self.helper = gds_helper(
            Field.textarea("text", rows=10, max_characters=CONCERN_TEXT_MAX_CHARS),
            Field("documents"),
            submit="Send your concern",
        )

    def clean_documents(self):
        files = self.cleaned_data["documents"]
        if len(files) > CONCERN_MAX_DOCUMENTS:
            raise forms.ValidationError(
                f"You can send up to {CONCERN_MAX_DOCUMENTS} documents with a concern"
            )
        return services.validate_uploads(files)


NOT_UPHELD, UPHELD = "not_upheld", "upheld"


class DecideConcernForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What is your decision on this concern?",
        choices=[(NOT_UPHELD, "Not upheld"), (UPHELD, "Upheld")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select upheld or not upheld",
            "invalid_choice": "Select upheld or not upheld",
        },
    )
    response = free_text_field(
        label="Your response to the organisation",
        what="The response",
        max_length=CONCERN_TEXT_MAX_CHARS,
        rows=8,
        help_text="Not upheld: this is the response in the letter we send, signed by you. "
        "Upheld: say why; the organisation reads it, and the case is looked at again by "
        "someone else.",
        error_messages={"required": "Enter your response to the organisation"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("response", rows=8),
            submit="Record the decision",
        )
