"""The casework officer's form for a proposed co-partner: a score and a
comment per answer, then whether it meets the track record criteria."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape

from accreditation.forms.helpers import free_text_field, gds_helper


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Does the co-partner meet the track record criteria?",
        choices=[("meets", "Yes, it meets them"), ("does_not_meet", "No, it does not")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the co-partner meets the track record criteria",
            "invalid_choice": "Select whether the co-partner meets the track record criteria",
        },
    )
    reason = free_text_field(
        label="Reason",
        what="The reason",
        required=False,
        help_text="Needed if it does not meet them. We email it to the provider's contacts.",
    )

    def __init__(self, *args, questions, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        layout = []
        for criterion in questions:
            code = escape(criterion.code)
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=f"Score for {code}",
                choices=[(value, f"{value}: {label}") for value, label in scale],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select a score for {criterion.code}",
                    "invalid_choice": f"Select a score for {criterion.code} on the scale",
                },
            )
            self.fields[f"comment_{criterion.code}"] = free_text_field(
                label=f"Comment on {code}",
                what="The comment",
                help_text="Why you gave this score. The provider does not see it.",
                rows=3,
                error_messages={"required": f"Enter a comment on the score for {criterion.code}"},
            )
            layout += [
                Field.radios(f"score_{criterion.code}", legend_size=Size.SMALL, inline=True),
                Field.textarea(f"comment_{criterion.code}", label_size=Size.SMALL),
            ]
        self.fields["outcome"] = self.fields.pop("outcome")
        self.fields["reason"] = self.fields.pop("reason")
        self.helper = gds_helper(
            *layout,
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("reason", label_size=Size.SMALL),
            submit="Record the outcome",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "does_not_meet" and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason", "Enter why the co-partner does not meet the track record criteria"
            )
        return cleaned
