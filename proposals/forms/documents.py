"""The supporting documents upload form."""

from crispy_forms_gds.layout import Field
from django import forms
from django.conf import settings

from accreditation.forms.helpers import OneLineTextField, gds_helper
from proposals.services.evidence import ACCEPT_ATTRIBUTE, EMPTY, describe_size, validate_upload


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a file to upload",
            "invalid": "Select a file to upload",
            "empty": EMPTY,
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    description = OneLineTextField(
        label="Describe the document (optional)",
        help_text="For example, ‘Ofsted report for Hill Primary School, 2025’",
        max_length=200,
        required=False,
        error_messages={
            "max_length": "The description must be 200 characters or fewer",
            "line_break": "Enter the description on one line",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "The file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG, and smaller than "
            f"{describe_size(settings.EVIDENCE_MAX_BYTES)}."
        )
        self.helper = gds_helper(
            Field("file"),
            Field.text("description"),
            submit="Upload file",
        )

    def clean_file(self):
        uploaded_file = self.cleaned_data["file"]
        self.content_type, self.sha256 = validate_upload(uploaded_file)
        return uploaded_file
