"""Forms for information requests: the staff member's questions and due
date, the extension of a due date, and the applicant's answers."""

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import escape

from accreditation.forms.helpers import (
    NULL_REFUSED,
    GovukDateField,
    free_text_field,
    gds_helper,
    multi_line_text,
)
from accreditation.numbers import parse_id
from assessments.services import requests as services
from proposals.services.evidence import ACCEPT_ATTRIBUTE, EMPTY, describe_size, validate_upload


class DueDateField(GovukDateField):
    """GOV.UK's date input, with messages about the due date."""

    def __init__(self, *, what="due date", **kwargs):
        super().__init__(
            real_date=f"The {what} must be a real date",
            full_year=f"The {what} year must include 4 numbers",
            **kwargs,
        )
        self.error_messages.update(
            {
                "required": f"Enter the {what}",
                "incomplete": f"The {what} must include a day, month and year",
            }
        )
        for subfield, name in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"The {what} must include a {name}"
            subfield.validators = [
                RegexValidator(r"^[0-9]+$", f"The {what} {name} must be a number")
            ]


def date_initial(day):
    return [day.day, day.month, day.year]


class AskForm(forms.Form):
    """Up to ``MAX_QUESTIONS`` questions, each perhaps about one criterion;
    blank boxes are left out."""

    due = DueDateField(label="Due date", help_text="For example, 27 3 2027")

    def __init__(self, *args, criteria, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        choices = [("", "No particular criterion")] + [
            (str(criterion.pk), f"{criterion.code}: {criterion.title}") for criterion in criteria
        ]
        fieldsets = []
        for number in range(1, services.MAX_QUESTIONS + 1):
            self.fields[f"question_{number}"] = free_text_field(
                label="Question",
                what="The question",
                max_length=services.QUESTION_MAX_CHARS,
                required=False,
                rows=4,
            )
            self.fields[f"criterion_{number}"] = forms.ChoiceField(
                label="Criterion (optional)",
                choices=choices,
                required=False,
                error_messages={
                    "invalid_choice": "Select a criterion from the list, or no particular criterion"
                },
            )
            fieldsets.append(
                Fieldset(
                    Field.textarea(f"question_{number}"),
                    Field.select(f"criterion_{number}"),
                    legend=f"Question {number}" + (" (optional)" if number > 1 else ""),
                    legend_size=Size.SMALL,
                )
            )
        self.fields["due"].initial = date_initial(services.default_due(today))
        self.helper = gds_helper(
            *fieldsets,
            Field("due", context={"legend_size": Size.for_legend(Size.SMALL)}),
            submit="Send the request",
        )

    def clean_due(self):
        due = self.cleaned_data["due"]
        problem = services.due_date_problem(due, self.today)
        if problem:
            raise ValidationError(problem)
        return due

    def clean(self):
        cleaned = super().clean()
        questions = []
        for number in range(1, services.MAX_QUESTIONS + 1):
            text = (cleaned.get(f"question_{number}") or "").strip()
            criterion = cleaned.get(f"criterion_{number}")
            if text:
                questions.append(services.NewQuestion(text, int(criterion) if criterion else None))
            elif criterion:
                self.add_error(f"question_{number}", "Enter the question, or choose no criterion")
        if not questions and not self.has_error("question_1"):
            self.add_error("question_1", "Enter at least one question")
        cleaned["questions"] = questions
        return cleaned


class ExtendForm(forms.Form):
    due = DueDateField(
        label="New due date", what="new due date", help_text="For example, 27 3 2027"
    )
    reason = free_text_field(
        label="Why are you giving more time?",
        what="The reason",
        max_length=services.REASON_MAX_CHARS,
        help_text="The applicant will read this on their proposal’s page, and it is kept on the "
        "case timeline.",
        error_messages={"required": "Enter the reason for giving more time"},
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.helper = gds_helper(
            Field("due", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("reason"),
            submit="Extend the due date",
        )

    def clean_due(self):
        """Checked here as well as by the service, so that a bad date is
        told together with a missing reason, not once the reason is given."""
        due = self.cleaned_data["due"]
        problem = services.extension_problem(due, self.current)
        if problem:
            raise ValidationError(problem)
        return due


class AnswersForm(forms.Form):
    """One box per question, the version of each answer the page showed, and
    a document to send with the answers."""

    document = forms.FileField(
        label="Upload a document (optional)",
        required=False,
        error_messages={"invalid": "Select a file to upload", "empty": EMPTY},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(request.questions.all())
        layout = []
        for question in self.questions:
            name = f"answer_{question.pk}"
            about = (
                f"About {question.criterion.code}: {question.criterion.title}. "
                if question.criterion
                else ""
            )
            # crispy-forms-gds renders labels and hints unescaped.
            self.fields[name] = forms.CharField(
                label=escape(f"{question.position}. {question.text}"),
                help_text=escape(f"{about}A word is any group of characters between spaces."),
                required=False,
                strip=False,
                initial=question.answer,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={"null_characters_not_allowed": NULL_REFUSED},
            )
            # Missing or forged, the version never matches: the save is
            # refused as stale, with a message, rather than a hidden error.
            self.fields[f"version_{question.pk}"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=question.version
            )
            layout += [
                Field.textarea(name, max_words=services.ANSWER_WORD_LIMIT, label_size=Size.SMALL),
                Field(f"version_{question.pk}"),
            ]
        self.fields["document"].help_text = (
            "The file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG, and smaller than "
            f"{describe_size(settings.EVIDENCE_MAX_BYTES)}."
        )
        self.helper = gds_helper(
            *layout,
            Field("document"),
            Button.secondary("upload", "Upload document"),
            buttons=[
                Button("send", "Send answers"),
                Button.secondary("save", "Save and come back later"),
            ],
        )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = f"answer_{question.pk}"
            text = cleaned[name] = multi_line_text(cleaned.get(name) or "")
            problem = services.answer_problem(text)
            if problem:
                self.add_error(name, problem)
        return cleaned

    def clean_document(self):
        uploaded = self.cleaned_data["document"]
        if uploaded:
            self.content_type, self.sha256 = validate_upload(uploaded)
        return uploaded

    def answers(self):
        """{question pk: (text, version shown)} for the service; a missing
        version is one no answer has, so the save is refused as stale."""
        answers = {}
        for question in self.questions:
            version = parse_id(self.cleaned_data.get(f"version_{question.pk}"))
            answers[question.pk] = (
                self.cleaned_data.get(f"answer_{question.pk}") or "",
                -1 if version is None else version,
            )
        return answers
