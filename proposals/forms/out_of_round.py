"""Forms for out-of-round requests: the applicant's request, and the
casework officer's grant or refusal."""

import re
from datetime import time, timedelta

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from accreditation import clock
from accreditation.forms.helpers import (
    GovukDateField,
    LocalAuthorityField,
    NameField,
    free_text_field,
    gds_helper,
)
from accreditation.models.organisations import REAL_URN_VALIDATOR, URN_VALIDATOR
from proposals.models import Urgency
from proposals.services import out_of_round


class OutOfRoundRequestForm(forms.Form):
    local_authority = LocalAuthorityField(
        label="Which local authority is the school in?",
        message="Select the local authority the school is in",
    )
    school_name = NameField(
        label="Name of the school, trust or federation",
        max_length=200,
        error_messages={
            "required": "Enter the name of the school, trust or federation",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    school_urn = forms.CharField(
        label="School URN (unique reference number) (optional)",
        help_text="6 digits, if the school has one",
        required=False,
        max_length=20,
        error_messages={"max_length": "Enter a URN of 6 digits, like 123456"},
    )
    urgency = forms.ChoiceField(
        label="How soon do you need to be considered?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how soon you need to be considered",
            "invalid_choice": "Select how soon you need to be considered",
        },
    )
    reason = free_text_field(
        label="Why do you need to be considered outside the rounds?",
        what="Your reason",
        help_text="Tell us which trust or federation you want to lead, and why it cannot "
        "wait for the next round.",
        rows=10,
        strip=False,
        error_messages={"required": "Enter why you need to be considered outside the rounds"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.select("local_authority"),
            Field.text("school_name"),
            Field.text("school_urn", field_width=10),
            Field.radios("urgency", legend_size=Size.SMALL),
            Field.textarea("reason", max_words=out_of_round.REASON_WORD_LIMIT),
            submit="Send request",
        )

    def clean_school_urn(self):
        # Checked once its spaces are gone: "123 456" is a URN as written.
        urn = self.cleaned_data["school_urn"].replace(" ", "")
        if urn:
            URN_VALIDATOR(urn)
            REAL_URN_VALIDATOR(urn)
        return urn

    def clean_school_name(self):
        return self.cleaned_data["school_name"].strip()

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        try:
            out_of_round.check_reason(reason)
        except out_of_round.OutOfRoundError as error:
            raise ValidationError(str(error)) from error
        return reason


class DeadlineDateField(GovukDateField):
    """GOV.UK's date input, with messages about the deadline in particular."""

    def __init__(self, **kwargs):
        super().__init__(
            real_date="The deadline date must be a real date",
            full_year="The deadline year must include 4 numbers",
            **kwargs,
        )
        self.error_messages.update(
            {
                "required": "Enter the deadline date",
                "incomplete": "The deadline date must include a day, month and year",
            }
        )
        day, month, year = self.fields
        for subfield, name in ((day, "day"), (month, "month"), (year, "year")):
            subfield.error_messages["incomplete"] = f"The deadline date must include a {name}"
            subfield.validators = [
                RegexValidator(r"^[0-9]+$", f"The deadline {name} must be a number")
            ]


_TIME = re.compile(r"^([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*([ap])?\.?m?\.?$", re.IGNORECASE)


_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


def parse_time(text):
    """A time as people write it: 5pm, 5:30pm, 17:30, 17.30, noon, midday,
    midnight (as 12am is; a deadline refuses it, ``parse_deadline_time``)."""
    named = _NAMED_TIMES.get(text.strip().lower().rstrip("."))
    if named is not None:
        return named
    match = _TIME.match(text.strip().replace(" ", ""))
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


MIDNIGHT_DEADLINE = (
    "A deadline cannot be at midnight, which people read as the end of the day "
    "or the start of it: enter 11:59pm for the end of the day"
)


def parse_deadline_time(text, example, *, kept=None):
    """A deadline's time as ``parse_time`` reads it, refused with a message
    naming ``example`` when it is not a time, or when it is midnight: "12am
    on 5 March" is the start of 5 March to the service and the end of it to
    many who read it. ``kept``: the time stored, which a form sent back
    unchanged may keep, midnight or not (a round set at midnight before this
    rule can still have its other dates changed)."""
    at = parse_time(text)
    if at is None:
        raise ValidationError(f"Enter the deadline time, like {example}")
    if at == time(0, 0) and at != kept:
        raise ValidationError(MIDNIGHT_DEADLINE)
    return at


def decision_helper(*layout):
    """The officer's two forms share a page; each button's name says which
    was sent."""
    return gds_helper(*layout, buttons=[])


class GrantForm(forms.Form):
    deadline_date = DeadlineDateField(label="Deadline date")
    deadline_time = forms.CharField(
        label="Deadline time (UK time)",
        help_text="For example, 5pm or 17:30",
        initial="5pm",
        max_length=10,
        error_messages={
            "required": "Enter the deadline time",
            "max_length": "Enter the deadline time, like 5pm or 17:30",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        example = clock.today() + timedelta(weeks=4)  # a date that could be chosen
        self.fields[
            "deadline_date"
        ].help_text = f"For example, {example.day} {example.month} {example.year}"
        self.helper = decision_helper(
            Field("deadline_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("deadline_time", field_width=5),
            Button("grant", "Grant a window"),
        )

    def clean_deadline_time(self):
        return parse_deadline_time(self.cleaned_data["deadline_time"], "5pm or 17:30")

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("deadline_date"), cleaned.get("deadline_time")
        if day is None or at is None:
            return cleaned
        deadline = clock.at(day, at)
        if deadline is None:
            self.add_error(
                "deadline_time",
                "That time does not exist on that day because the clocks go forward; "
                "choose another time",
            )
        elif problem := out_of_round.deadline_problem(deadline, clock.now()):
            self.add_error("deadline_date", problem)
        else:
            cleaned["deadline"] = deadline
        return cleaned


class RefuseForm(forms.Form):
    refusal_reason = free_text_field(
        label="Reason for refusing",
        what="The reason for refusing",
        help_text="The organisation's contacts will see this.",
        error_messages={
            "required": "Enter the reason for refusing, which the organisation will see"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = decision_helper(
            Field.textarea("refusal_reason", rows=5), Button.warning("refuse", "Refuse")
        )
