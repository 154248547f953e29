"""What every form of the service shares: the crispy-forms-gds helper, the
local authority field, bounded free text, whole numbers, GOV.UK's date input
and a select's options."""

import re
import unicodedata

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Div, Layout
from django import forms

from accreditation.models import LocalAuthority
from accreditation.numbers import parse_date


def gds_helper(*fields, submit="Continue", buttons=None):
    """A crispy-forms-gds helper for a form the template wraps in its own
    <form> (with its own CSRF token): the fields, then ``buttons`` (two or
    more in a GOV.UK button group) or one submit button."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    buttons = buttons if buttons is not None else [Button("submit", submit)]
    if len(buttons) > 1:
        buttons = [Div(*buttons, css_class="govuk-button-group")]
    helper.layout = Layout(*fields, *buttons)
    return helper


class LocalAuthorityField(forms.ModelChoiceField):
    """A select of England's local authorities by name, with one message
    for a missing or unknown choice."""

    def __init__(self, *, message, **kwargs):
        super().__init__(
            queryset=LocalAuthority.objects.order_by("name"),
            empty_label="Select a local authority",
            error_messages={"required": message, "invalid_choice": message},
            **kwargs,
        )


# Free text is bounded on the server: every real answer fits, and a pasted
# file or a runaway script cannot fill the database, the permanent timeline or
# a PDF. Answers to criteria are bounded by their word limit and this many
# characters a word (a long URL is one word).
FREE_TEXT_MAX_CHARS = 5000
ANSWER_CHARS_PER_WORD = 20


def single_line_breaks(text):
    """``text`` with each line break one character, as the page's character
    count counts it: a browser sends a textarea's line breaks as two (CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Characters that change the direction of the text after them (U+202A to
# U+202E, U+2066 to U+2069, the marks U+200E, U+200F and U+061C), and
# zero-width spaces: invisible, and a name ending in U+202E reversed the
# sentence it was put into in a PDF. Joiners (U+200C, U+200D) stay: emoji
# and many scripts are written with them.
_DIRECTION_AND_ZERO_WIDTH = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\ufeff]")


def without_invisible_characters(text):
    """``text`` without direction controls and zero-width spaces, and
    without control characters (a tab is a space; line breaks are left for
    the field to refuse: a name is on one line)."""
    text = _DIRECTION_AND_ZERO_WIDTH.sub("", text.replace("\t", " "))
    return "".join(ch for ch in text if ch in "\r\n" or unicodedata.category(ch) != "Cc")


_EMBEDDINGS_AND_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")
_TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
"""A terminal's escape sequences (colours, bold), pasted in with their text."""
_LINE_ENDS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n"})


def multi_line_text(text):
    """Text of several lines as it can be read, counted, printed and
    e-mailed: each line break one character, as the page's character count
    counts it (a browser sends a textarea's as two); without control
    characters but line breaks and tabs (a bell; a terminal's colour codes,
    whole), a vertical tab, form feed or next-line a line break; without the
    characters that embed, override or isolate the direction of the text
    after them (which reverse what follows them in a letter or an e-mail);
    and "" if nothing in it can be seen (``blank_if_invisible``). A null
    character is left for the field to refuse; direction marks stay, as
    right-to-left text uses them."""
    text = single_line_breaks(text).translate(_LINE_ENDS)
    text = _EMBEDDINGS_AND_OVERRIDES.sub("", _TERMINAL_CODES.sub("", text))
    text = "".join(ch for ch in text if ch in "\n\t\x00" or unicodedata.category(ch) != "Cc")
    return blank_if_invisible(text)


BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
"""Characters that show nothing though they are not format characters: the
Hangul fillers, the blank braille pattern, the combining grapheme joiner."""


def _invisible(ch):
    return (
        ch.isspace()
        or ch in BLANK_LETTERS
        # Format and control characters, and marks with nothing to mark
        # (variation selectors among them).
        or unicodedata.category(ch) in ("Cf", "Cc", "Mn", "Me")
    )


def blank_if_invisible(text):
    """``text``, or "" if nothing in it can be seen: spaces, line breaks,
    format characters (a zero-width space, a direction mark) and marks
    alone, which an answer, a reason or a concern must not pass for one."""
    if text and all(_invisible(ch) for ch in text):
        return ""
    return text


NULL_REFUSED = "Remove the null character from what you entered: it cannot be saved"
"""Django's message for text with a null character, in the service's words
(``multi_line_text`` leaves the character for the field to refuse)."""


class OneLineTextField(forms.CharField):
    """Text on one line that others read (a document's description), kept
    without invisible characters (``without_invisible_characters``) and
    trimmed; text with a line break is refused."""

    default_error_messages = {"line_break": "Enter the text on one line"}

    def to_python(self, value):
        value = super().to_python(value)
        return without_invisible_characters(value).strip() if value else value

    def validate(self, value):
        super().validate(value)
        if value and ("\n" in value or "\r" in value):
            raise forms.ValidationError(self.error_messages["line_break"], code="line_break")


class NameField(OneLineTextField):
    """A name on one line (of a person, an organisation, a school), as
    ``OneLineTextField`` keeps it."""

    default_error_messages = {"line_break": "Enter the name on one line"}


class BoundedTextField(forms.CharField):
    """Text of at most ``max_length`` characters, checked on the server
    only: a ``maxlength`` attribute would make the browser cut pasted text
    silently, so the page shows the error with the text kept instead (and a
    GOV.UK character count where the form asks for one). Line breaks count
    one character each, as that count counts them; control characters are
    dropped (``multi_line_text``)."""

    default_error_messages = {"null_characters_not_allowed": NULL_REFUSED}

    def to_python(self, value):
        return multi_line_text(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def free_text_field(*, label, what, max_length=FREE_TEXT_MAX_CHARS, rows=5, **kwargs):
    """A multi-line answer of at most ``max_length`` characters, with the
    GOV.UK message naming ``what`` ("The reason")."""
    error_messages = {
        "max_length": f"{what} must be {max_length:,} characters or fewer",
        **kwargs.pop("error_messages", {}),
    }
    return BoundedTextField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=error_messages,
        **kwargs,
    )


WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class WholeNumberField(forms.IntegerField):
    """A whole number typed in the digits 0 to 9 (``accreditation.numbers``):
    Django's own field takes whatever Python's ``int()`` takes, Arabic-Indic
    digits, say, which nobody here means. Asked in a text box with the
    numeric keypad, as GOV.UK's pattern has it (a number box's arrows and
    scrolling change what was typed, and it takes no GOV.UK style)."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric", "spellcheck": "false"}

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not WHOLE_NUMBER.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


DIGITS = re.compile("[0-9]+")
FULL_YEAR = re.compile("[1-9][0-9]{3}")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
"""A month written as a word, as GOV.UK's date input asks a service to take
it: in full or its first three letters ("Jan", "sept" too)."""


def month_number(typed):
    """The month ``typed`` as its number's text if it is a month's name
    (any case, a full stop after it or not); else ``typed`` as it came."""
    if not isinstance(typed, str):
        return typed
    number = MONTHS.get(typed.strip().rstrip(".").lower())
    return typed if number is None else str(number)


class GovukDateField(DateInputField):
    """GOV.UK's date input: day, month and year boxes, each needed, read as
    a date by ``parse_date``; the month may be written as a word ("Jan",
    "March"). ``real_date``: the message for a date that does
    not exist. ``full_year``: the message for a year not written as 4 numbers
    (GOV.UK's "Year must include 4 numbers"), "27" or "0027" or "20271": the
    year 27 would be refused by the form's later checks with a misleading
    message ("The deadline must be in the future"), or taken."""

    def __init__(self, *, real_date, full_year, **kwargs):
        super().__init__(require_all_fields=False, **kwargs)
        self.real_date = real_date
        self.full_year = full_year

    def clean(self, value):
        if isinstance(value, (list, tuple)) and len(value) == 3:
            month = month_number(value[1])
            if isinstance(month, str) and month.strip() and not DIGITS.fullmatch(month.strip()):
                # A word that names no month ("Janvier"): no real date, not
                # "must be a number", now that a month's name is taken.
                raise forms.ValidationError(self.real_date)
            value = [value[0], month, value[2]]
        return super().clean(value)

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if DIGITS.fullmatch(year) and not FULL_YEAR.fullmatch(year):
            # Only the year wrong is said as such; more than one part wrong
            # ("0 0 0") is not a real date (GOV.UK's date input guidance).
            # 2000: a leap year, so 29 February fits.
            day_and_month_fit = parse_date(day, month, "2000") is not None
            raise forms.ValidationError(self.full_year if day_and_month_fit else self.real_date)
        parsed = parse_date(day, month, year)
        if parsed is None:
            raise forms.ValidationError(self.real_date)
        return parsed


def select_choices(field):
    """[(value, label)] of a select form ``field``, as its own choices give
    them. A model choice field's options are read in one plain query: its
    own iterator reads them through a server-side cursor, three round trips
    to PostgreSQL (declare, fetch, close) for a list of a few hundred."""
    queryset = getattr(field, "queryset", None)
    if queryset is None:
        return [(str(value), label) for value, label in field.choices]
    choices = []
    if field.empty_label is not None:
        choices.append(("", field.empty_label))
    if getattr(field, "null_label", None) is not None:  # django-filter's "none of them"
        choices.append((str(field.null_value), field.null_label))
    choices += [(str(field.prepare_value(obj)), field.label_from_instance(obj)) for obj in queryset]
    return choices
