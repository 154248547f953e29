"""Forms for scoring, agreed scores and the recommendation. Each score form
carries the version it showed, so a save over a newer score is refused."""

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.utils.html import escape

from accreditation.forms.helpers import free_text_field, gds_helper
from accreditation.numbers import parse_id
from assessments.models import RecommendationChoice


def score_field(scale, item):
    return forms.TypedChoiceField(
        label=f"Score for {item.criterion.code}",
        choices=[(value, f"{value}: {label}") for value, label in scale],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select a score for {item.criterion.code}",
            "invalid_choice": f"Select a score for {item.criterion.code} on the scale",
        },
    )


def feedback_hint(threshold):
    return (
        f"Needed for a score below {threshold}, and sent to the applicant only then, as it is "
        "written: plain and specific. With a higher score it is kept but not sent."
    )


class FeedbackBelowThreshold(forms.Form):
    """A score below the threshold needs feedback to the applicant."""

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("value")
        # Feedback refused for its length is not in ``cleaned``: its own
        # error says so, without this one too.
        if (
            value is not None
            and value < self.threshold
            and "applicant_feedback" in cleaned
            and not cleaned["applicant_feedback"].strip()
        ):
            self.add_error(
                "applicant_feedback",
                f"Enter feedback to the applicant: a score below {self.threshold} needs it",
            )
        return cleaned


class ScoreForm(FeedbackBelowThreshold):
    """One criterion, for one party: the score, the staff-only comment and,
    below the threshold, feedback fit to send to the applicant. The scoring
    page shows one for each criterion and party, written with the lean
    field templates (``templates/includes/fields/``), not crispy's layout."""

    internal_comment = free_text_field(
        label="Internal comment (staff only)",
        what="The internal comment",
        help_text="Why you gave this score. The applicant never sees this.",
        error_messages={"required": "Enter an internal comment explaining the score"},
    )
    applicant_feedback = free_text_field(
        label="Feedback to the applicant", what="The feedback", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, item, scale, threshold, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.threshold = item, threshold
        self.fields = {"value": score_field(scale, item), **self.fields}
        self.fields["applicant_feedback"].help_text = feedback_hint(threshold)


class AgreedScoreForm(FeedbackBelowThreshold):
    reason = free_text_field(
        label="Why the assessors agreed this score",
        what="The reason",
        error_messages={"required": "Enter why the assessors agreed this score"},
    )
    applicant_feedback = free_text_field(
        label="Feedback to the applicant", what="The feedback", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, item, scale, threshold, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.threshold = item, threshold
        field = score_field(scale, item)
        # Escaped here: crispy writes a label as it is (the scoring page's
        # own field templates escape theirs).
        field.label = f"Agreed score for {escape(item.criterion.code)}"
        self.fields = {"value": field, **self.fields}
        self.fields["applicant_feedback"].help_text = feedback_hint(threshold)
        self.helper = gds_helper(
            Field.radios("value", legend_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL),
            Field.textarea("applicant_feedback", label_size=Size.SMALL),
            Field("version"),
            buttons=[
                Button(
                    "save",
                    f"Record agreed score for {escape(item.criterion.code)}",
                    css_id=f"agree-{item.slug}",
                )
            ],
        )


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label="Your recommendation",
        choices=RecommendationChoice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you recommend accreditation",
            "invalid_choice": "Select whether you recommend accreditation",
        },
    )
    reasoning = free_text_field(
        label="Your reasons",
        what="Your reasons",
        help_text="For the casework team, the Advisory Group and the decision official.",
        error_messages={"required": "Enter the reasons for your recommendation"},
    )
    departure_reason = free_text_field(
        label="If your recommendation differs from the suggested one, why",
        what="The reason",
        required=False,
        help_text="A recommendation that differs from the suggestion goes to quality "
        "assurance: a second assessor scores the case too.",
    )
    after = forms.CharField(widget=forms.HiddenInput, required=False)
    """The latest recommendation the page showed (empty for none): a form
    sent again, or from a tab opened before another recommendation, is
    refused. A value that is not a number is taken for none."""

    def __init__(self, *args, suggested, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.helper = gds_helper(
            Field.radios("recommendation", legend_size=Size.MEDIUM),
            Field.textarea("reasoning", label_size=Size.SMALL),
            Field.textarea("departure_reason", label_size=Size.SMALL),
            "after",
            buttons=[Button("complete", "Complete the assessment")],
        )

    def clean_after(self):
        return parse_id(self.cleaned_data["after"]) or 0

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("recommendation")
        if (
            chosen
            and self.suggested
            and chosen != self.suggested
            and not cleaned.get("departure_reason", "").strip()
        ):
            self.add_error(
                "departure_reason",
                "Enter why your recommendation differs from the suggested one",
            )
        return cleaned
