"""Forms of round management: a round's term, types and dates; its
cancellation; moving its drafts; and a term's usual dates."""

import calendar

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.text import capfirst

from accreditation import clock
from accreditation.forms.helpers import (
    GovukDateField,
    WholeNumberField,
    free_text_field,
    gds_helper,
)
from accreditation.models import AccreditationType, Term
from accreditation.models.rounds import TERM_MONTHS
from accreditation.versions import VersionedFormMixin
from proposals.forms.out_of_round import parse_deadline_time, parse_time


class NamedDateField(GovukDateField):
    """GOV.UK's date input, whose messages name the date (``what``: "the
    deadline date")."""

    def __init__(self, *, what, **kwargs):
        super().__init__(
            real_date=f"{capfirst(what)} must be a real date",
            full_year=f"The year of {what} must include 4 numbers",
            **kwargs,
        )
        self.error_messages.update(
            {
                "required": f"Enter {what}",
                "incomplete": f"{capfirst(what)} must include a day, month and year",
            }
        )
        for subfield, name in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"{capfirst(what)} must include a {name}"
            subfield.validators = [
                RegexValidator(r"^[0-9]+$", f"The {name} of {what} must be a number")
            ]


def time_field(*, label, what, example, initial):
    return forms.CharField(
        label=label,
        help_text=f"For example, {example}",
        initial=initial,
        max_length=10,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Enter {what}, like {example}",
        },
    )


def clean_time(form, name, what, example):
    at = parse_time(form.cleaned_data[name])
    if at is None:
        raise ValidationError(f"Enter {what}, like {example}")
    return at


def date_layout(name):
    return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})


TYPE_CHOICES = [(t.value, t.label) for t in AccreditationType]

ROUND_FIELD_OF = {
    "term": "term",
    "year": "year",
    "accepts_asp": "types",
    "accepts_asg": "types",
    "opens_at": "opens_date",
    "deadline": "deadline_date",
    "assessment_due": "assessment_due",
    "advisory_group_meeting": "advisory_group_meeting",
    "decision_target": "decision_target",
}
"""The form field that shows each of the round's fields."""


class RoundForm(VersionedFormMixin, forms.Form):
    """A new round, or a round's changes. ``opened``: the round has opened,
    so its term, year, types and opening are shown, not asked."""

    term = forms.ChoiceField(
        label="Term",
        choices=Term.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the term of the round",
            "invalid_choice": "Select the term of the round",
        },
    )
    year = WholeNumberField(
        label="Year",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the year of the round",
            "invalid": "Enter the year as 4 digits, like 2027",
            "min_value": "Enter a year from 2000 to 2100",
            "max_value": "Enter a year from 2000 to 2100",
        },
    )
    types = forms.MultipleChoiceField(
        label="Types of proposal it takes",
        choices=TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the types of proposal the round takes",
            "invalid_choice": "Select the types of proposal the round takes",
        },
    )
    opens_date = NamedDateField(
        label="Opening date", what="the opening date", help_text="For example, 15 1 2027"
    )
    opens_time = time_field(
        label="Opening time (UK time)",
        what="the opening time",
        example="9am or 09:00",
        initial="9am",
    )
    deadline_date = NamedDateField(
        label="Deadline date", what="the deadline date", help_text="For example, 5 3 2027"
    )
    deadline_time = time_field(
        label="Deadline time (UK time)",
        what="the deadline time",
        example="5pm or 17:00",
        initial="5pm",
    )
    assessment_due = NamedDateField(
        label="Assessments due", what="the assessment due date", help_text="For example, 16 4 2027"
    )
    advisory_group_meeting = NamedDateField(
        label="Advisory Group meeting",
        what="the date of the Advisory Group meeting",
        help_text="For example, 30 4 2027",
    )
    decision_target = NamedDateField(
        label="Decision target",
        what="the decision target date",
        help_text="For example, 14 5 2027",
    )

    FIXED_ONCE_OPEN = ("term", "year", "types", "opens_date", "opens_time")

    def __init__(self, *args, opened=False, submit="Save the round", buttons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened = opened
        if opened:
            for name in self.FIXED_ONCE_OPEN:
                del self.fields[name]
        layout = [
            Fieldset(
                Field.radios("term", legend_size=Size.SMALL, inline=True),
                Field.text("year", field_width=4),
                legend="Which term is it for?",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("types", legend_size=Size.SMALL),
            Fieldset(
                date_layout("opens_date"),
                Field.text("opens_time", field_width=5),
                legend="When does it open?",
                legend_size=Size.MEDIUM,
            ),
        ]
        if opened:
            layout = []
        layout += [
            Fieldset(
                date_layout("deadline_date"),
                Field.text("deadline_time", field_width=5),
                legend="Submission deadline",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                date_layout("assessment_due"),
                date_layout("advisory_group_meeting"),
                date_layout("decision_target"),
                legend="After the deadline",
                legend_size=Size.MEDIUM,
            ),
            "version",
        ]
        self.helper = gds_helper(
            *layout, buttons=buttons if buttons is not None else [Button("save", submit)]
        )

    @staticmethod
    def initial_for(values):
        """The form's initial data from a round's fields (or the calendar's)."""
        opens, deadline = clock.local(values["opens_at"]), clock.local(values["deadline"])
        return {
            "term": values["term"],
            "year": values["year"],
            "types": [t for t in ("asp", "asg") if values[f"accepts_{t}"]],
            "opens_date": opens.date(),
            "opens_time": opens.strftime("%H:%M"),
            "deadline_date": deadline.date(),
            "deadline_time": deadline.strftime("%H:%M"),
            "assessment_due": values["assessment_due"],
            "advisory_group_meeting": values["advisory_group_meeting"],
            "decision_target": values["decision_target"],
        }

    def clean_opens_time(self):
        return clean_time(self, "opens_time", "the opening time", "9am or 09:00")

    def clean_deadline_time(self):
        # The stored deadline, sent back unchanged, is kept as it is.
        kept = (
            parse_time(str(self.initial.get("deadline_time", "")))
            if self.cleaned_data.get("deadline_date") == self.initial.get("deadline_date")
            else None
        )
        return parse_deadline_time(self.cleaned_data["deadline_time"], "5pm or 17:00", kept=kept)

    def values(self, round_=None):
        """The round's fields as the service takes them; a round that has
        opened keeps its own term, year, types and opening."""
        data = self.cleaned_data
        if self.opened:
            fixed = {
                "term": round_.term,
                "year": round_.year,
                "accepts_asp": round_.accepts_asp,
                "accepts_asg": round_.accepts_asg,
                "opens_at": round_.opens_at,
            }
        else:
            fixed = {
                "term": data["term"],
                "year": data["year"],
                "accepts_asp": "asp" in data["types"],
                "accepts_asg": "asg" in data["types"],
                "opens_at": data["opens_at"],
            }
        return {
            **fixed,
            "deadline": data["deadline"],
            "assessment_due": data["assessment_due"],
            "advisory_group_meeting": data["advisory_group_meeting"],
            "decision_target": data["decision_target"],
        }

    def clean(self):
        cleaned = super().clean()
        pairs = [("deadline", "deadline_date", "deadline_time")]
        if not self.opened:
            pairs.append(("opens_at", "opens_date", "opens_time"))
        for name, day_field, time_name in pairs:
            day, at = cleaned.get(day_field), cleaned.get(time_name)
            if day is None or at is None:
                continue
            when = clock.at(day, at)
            if when is None:
                self.add_error(
                    time_name,
                    "That time does not exist on that day because the clocks go forward; "
                    "choose another time",
                )
            else:
                cleaned[name] = when
        return cleaned

    def add_service_errors(self, error):
        """Show the service's refusal (a ValidationError keyed by the round's
        fields) beside the fields that show them."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = ROUND_FIELD_OF.get(name)
            if field == "deadline_date" and self._only_the_deadline_time_changed():
                field = "deadline_time"
            self.add_error(field if field in self.fields else None, errors)

    def _only_the_deadline_time_changed(self):
        """The deadline was moved within its day: a refusal of it is about
        the time typed, and links there."""
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get("deadline_date") == self.initial.get("deadline_date") and cleaned.get(
            "deadline_time"
        ) != parse_time(str(self.initial.get("deadline_time", "")))


class CancelForm(forms.Form):
    reason = free_text_field(
        label="Why is the round being cancelled?",
        what="The reason",
        help_text="The contacts of organisations with drafts in the round will see this.",
        error_messages={"required": "Enter why the round is being cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", rows=4), buttons=[Button.warning("cancel", "Cancel the round")]
        )


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} (deadline {clock.describe(obj.deadline)})"


class MoveDraftsForm(forms.Form):
    target = RoundChoiceField(
        label="Which round should the drafts move to?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the round to move the drafts to",
            "invalid_choice": "Select a round that is open now",
        },
    )

    def __init__(self, *args, rounds, submit="Move the drafts", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = rounds
        self.helper = gds_helper(Field.radios("target", legend_size=Size.SMALL), submit=submit)


class CalendarForm(VersionedFormMixin, forms.Form):
    opens_day = WholeNumberField(
        label="Day it opens",
        min_value=1,
        max_value=31,
        error_messages={
            "required": "Enter the day of the month the round opens",
            "invalid": "Enter the day of the month as a number, like 15",
            "min_value": "Enter a day from 1 to 31",
            "max_value": "Enter a day from 1 to 31",
        },
    )
    opens_month = forms.TypedChoiceField(
        label="Month it opens",
        coerce=int,
        choices=[],
        error_messages={
            "required": "Select the month the round opens",
            "invalid_choice": "Select a month in the term",
        },
    )
    opens_time = time_field(
        label="Time it opens (UK time)",
        what="the opening time",
        example="9am or 09:00",
        initial="9am",
    )
    deadline_days = WholeNumberField(
        label="Days from opening to the deadline",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days from opening to the deadline",
            "invalid": "Enter the number of days from opening to the deadline as a number",
            "min_value": "The deadline must be at least 1 day after the round opens",
            "max_value": "The deadline must be within 365 days of the round opening",
        },
    )
    deadline_time = time_field(
        label="Time of the deadline (UK time)",
        what="the deadline time",
        example="5pm or 17:00",
        initial="5pm",
    )
    assessment_due_days = WholeNumberField(
        label="Days from the deadline to assessments being due",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days from the deadline to assessments being due",
            "invalid": "Enter the number of days to assessments being due as a number",
            "min_value": "Assessments must be due at least 1 day after the deadline",
            "max_value": "Assessments must be due within 365 days of the deadline",
        },
    )
    advisory_group_days = WholeNumberField(
        label="Days from assessments being due to the Advisory Group meeting",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days to the Advisory Group meeting",
            "invalid": "Enter the number of days to the Advisory Group meeting as a number",
            "min_value": "The meeting must be at least 1 day after assessments are due",
            "max_value": "The meeting must be within 365 days of assessments being due",
        },
    )
    decision_target_days = WholeNumberField(
        label="Days from the Advisory Group meeting to the decision target",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days to the decision target",
            "invalid": "Enter the number of days to the decision target as a number",
            "min_value": "The decision target must be at least 1 day after the meeting",
            "max_value": "The decision target must be within 365 days of the meeting",
        },
    )

    def __init__(self, *args, term, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = TERM_MONTHS[Term(term)]
        self.fields["opens_month"].choices = [
            (m, calendar.month_name[m]) for m in range(first, last + 1)
        ]
        self.helper = gds_helper(
            Fieldset(
                Field.text("opens_day", field_width=2),
                Field.select("opens_month"),
                Field.text("opens_time", field_width=5),
                legend="When it opens",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("deadline_days", field_width=3),
                Field.text("deadline_time", field_width=5),
                Field.text("assessment_due_days", field_width=3),
                Field.text("advisory_group_days", field_width=3),
                Field.text("decision_target_days", field_width=3),
                legend="The dates after it opens",
                legend_size=Size.MEDIUM,
            ),
            "version",
            submit="Save the calendar",
        )

    def clean_opens_time(self):
        return clean_time(self, "opens_time", "the opening time", "9am or 09:00")

    def clean_deadline_time(self):
        # The stored time, sent back unchanged, is kept as it is.
        kept = parse_time(str(self.initial.get("deadline_time", "")))
        return parse_deadline_time(self.cleaned_data["deadline_time"], "5pm or 17:00", kept=kept)
