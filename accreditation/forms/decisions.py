"""The decision official's forms: one case's decision, one decision for
several cases (reasons per case), and the correction of a decision."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from accreditation import clock
from accreditation.forms.helpers import FREE_TEXT_MAX_CHARS, free_text_field, gds_helper
from accreditation.numbers import parse_id
from accreditation.services.decisions import OUTCOMES
from accreditation.workflow import Status
from proposals.forms.journey import PastDateField

REASONS_HINT = (
    "Required if you decide against the assessor's recommendation or the Advisory Group's "
    "advice. The applicant will read them in the decision letter."
)


OUTCOME_HINT = (
    "A decision can be corrected only until its letter is issued. An accredited provider "
    "joins the register and its letter is issued straight away."
)


def outcome_field(label):
    message = "Select accredited or not accredited"
    return forms.ChoiceField(
        label=label,
        help_text=OUTCOME_HINT,
        choices=list(OUTCOMES.items()),
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def decision_date_field():
    return PastDateField(
        label="Date of the decision",
        what="The date of the decision",
        help_text="For example, 27 3 2026",
        required_message="Enter the date of the decision",
        initial=clock.today,
    )


class DecisionForm(forms.Form):
    outcome = outcome_field("What is the decision?")
    decision_date = decision_date_field()
    reasons = free_text_field(
        label="Reasons for the decision",
        what="The reasons",
        help_text=REASONS_HINT,
        required=False,
        rows=6,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM, inline=True),
            Field("decision_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("reasons", rows=6),
            submit="Record the decision",
        )


class BatchDecisionForm(forms.Form):
    """The cases are the ticked boxes named ``cases``; each case's reasons
    are in ``reasons-<case id>`` (the queue's table draws both)."""

    outcome = outcome_field("Decision for the selected cases")
    decision_date = decision_date_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM, inline=True),
            Field("decision_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            submit="Record the decision for the selected cases",
        )

    def clean(self):
        cleaned = super().clean()
        data = self.data
        chosen = [parse_id(value) for value in data.getlist("cases")]
        chosen = list(dict.fromkeys(pk for pk in chosen if pk is not None))
        if not chosen:
            raise forms.ValidationError("Select at least one case to decide")
        # Each case's reasons as one case's form takes them: invisible
        # characters alone are no reasons, a null character is refused.
        field = DecisionForm.base_fields["reasons"]
        reasons, problems = {}, set()
        for pk in chosen:
            try:
                reasons[pk] = field.clean(data.get(f"reasons-{pk}", ""))
            except forms.ValidationError as error:
                problems.update(problem.code for problem in error.error_list)
        if "max_length" in problems:
            raise forms.ValidationError(
                f"The reasons for each case must be {FREE_TEXT_MAX_CHARS:,} characters or fewer"
            )
        if problems:
            raise forms.ValidationError(
                "The reasons for a case hold a character that cannot be saved (a null "
                "character, pasted from another program): type them again"
            )
        cleaned.update(cases=chosen, reasons=reasons)
        return cleaned


class CorrectionForm(forms.Form):
    reason = free_text_field(
        label="Why is the decision being corrected?",
        what="The reason",
        help_text="This is kept on the case's timeline.",
        error_messages={"required": "Enter the reason for correcting the decision"},
        rows=4,
    )

    to = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Status.ACCREDITED, Status.NOT_ACCREDITED)],
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page was out of date. Check the decision below and correct it again",
            "invalid_choice": "This page was out of date. Check the decision below and correct "
            "it again",
        },
    )
    """The outcome the page offered to correct to: a second correction sent
    from a page opened before the first would otherwise turn it back."""

    decision_reasons = free_text_field(
        label="Reasons for the corrected decision",
        what="The reasons",
        help_text="",
        error_messages={"required": "Enter the reasons for the corrected decision"},
        rows=6,
    )
    """Asked for only where the corrected decision goes against the
    recommendation or the advice (``against``): its letter gives them."""

    def __init__(self, *args, target, against=None, **kwargs):
        super().__init__(*args, initial={"to": target.value}, **kwargs)
        layout = [Field.textarea("reason", rows=4)]
        if against:
            field = self.fields["decision_reasons"]
            field.help_text = (
                f"The corrected decision goes against {against}, so it needs its reasons. "
                "The decision letter gives them to the organisation."
            )
            layout.append(Field.textarea("decision_reasons", rows=6))
        else:
            del self.fields["decision_reasons"]
        self.helper = gds_helper(
            *layout,
            "to",
            submit=f"Correct the decision to: {target.label.lower()}",
        )
