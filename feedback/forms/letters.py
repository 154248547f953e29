"""Checking a letter: by its file, or by its reference and hash."""

import re

from django import forms

MAX_LETTER_BYTES = 10 * 1024 * 1024


class CheckLetterForm(forms.Form):
    letter = forms.FileField(
        label="Upload the letter (PDF)",
        required=False,
        help_text="The PDF file exactly as you received or downloaded it",
        error_messages={
            "invalid": "Select the letter's PDF file",
            "empty": "The selected file is empty",
        },
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=20,
        help_text="For example, ASP-2026-0042",
        error_messages={"max_length": "Reference must be 20 characters or fewer"},
    )
    sha256 = forms.CharField(
        label="SHA-256 hash",
        required=False,
        max_length=80,
        help_text="64 letters and numbers",
        error_messages={"max_length": "The hash must be 64 letters and numbers"},
    )

    def clean_letter(self):
        upload = self.cleaned_data.get("letter")
        if upload is None:
            return None
        if upload.size > MAX_LETTER_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10MB")
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError("The selected file must be a PDF")
        return data

    def clean_sha256(self):
        value = self.cleaned_data.get("sha256", "").strip().lower()
        if value and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise forms.ValidationError("Enter the SHA-256 hash as 64 letters (a to f) and numbers")
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("letter"):
            return cleaned
        if not cleaned.get("reference") and not cleaned.get("sha256"):
            self.add_error(
                "letter", "Select the PDF of the letter, or enter its reference and hash"
            )
        elif not cleaned.get("reference"):
            self.add_error("reference", "Enter the reference of the letter")
        elif not cleaned.get("sha256"):
            self.add_error("sha256", "Enter the SHA-256 hash of the letter")
        return cleaned
