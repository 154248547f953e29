import functools
import html

from django import template
from django.forms import CheckboxSelectMultiple, MultiWidget, RadioSelect
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accreditation import clock
from accreditation.forms.helpers import select_choices
from accreditation.queries import options as filter_options
from accreditation.workflow import REVOKED_LABEL, STATUS_META, UNTOLD_LABEL, Status

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.filter
def count_of(counts, key):
    """``{{ counts|count_of:key }}``: the count under ``key``, 0 when there
    is none (``get_item`` gives back the key, for labels)."""
    return counts.get(key, 0)


@register.filter
def govuk_datetime(value):
    """``{{ deadline|govuk_datetime }}``: "5pm on 1 June 2026", UK time."""
    return clock.describe(value) if value else ""


@register.filter
def on_day(value, format="j F Y"):
    """``{{ due|on_day:"j M Y" }}``: Django's ``date`` filter for a date
    (not a time), each date formatted once in each format: a list's rows
    share a few dates (their rounds'), and the filter's own localised
    formatting costs some 50 microseconds a call."""
    return _day(value, format) if value else ""


@functools.lru_cache(maxsize=1024)
def _day(value, format):
    return date(value, format)


@register.filter
def govuk_deadline(value):
    """``{{ round.deadline|govuk_deadline }}``: as ``govuk_datetime``, with
    the seconds of a deadline that is not on a whole minute."""
    return clock.describe_deadline(value) if value else ""


@register.filter
def error_target(field_id, bound_field):
    """The id the error summary links to: radios and checkboxes are
    rendered by crispy-forms-gds with their first input at ``<id>_1``; an
    error about a whole date input (its day, month and year inputs are
    ``<id>_0`` to ``<id>_2``) leads to the day."""
    if isinstance(bound_field.field.widget, (RadioSelect, CheckboxSelectMultiple)):
        return f"{field_id}_1"
    if isinstance(bound_field.field.widget, MultiWidget) and field_id == bound_field.auto_id:
        return f"{field_id}_0"
    return field_id


@register.simple_tag
def status_tag(proposal, audience="staff"):
    """A case's status as a GOV.UK tag in the workflow's colours
    (``STATUS_META``), on every page that shows one: the applicant's label
    and colour for ``audience`` "applicant", anything else the staff's. A
    tag, not an included template: lists show one a row. A decided case
    whose letter is not yet issued (``decision_told`` false, as
    ``feedback.queries.letters.with_decision_told`` gives it) is "Decision
    made" to the applicant: the letter tells the decision; an accredited
    case whose organisation's accreditation was revoked
    (``accreditation_revoked``, as ``register.queries.register.
    with_accreditation_revoked`` gives it) is "Accreditation revoked"."""
    applicant = audience == "applicant"
    if (
        applicant
        and proposal.status == Status.ACCREDITED
        and getattr(proposal, "accreditation_revoked", False)
    ):
        return _revoked_tag()
    if (
        applicant
        and proposal.status in (Status.ACCREDITED, Status.NOT_ACCREDITED)
        and getattr(proposal, "decision_told", True) is False
    ):
        return _untold_tag()
    return _status_tag(proposal.status, applicant)


@functools.cache
def _revoked_tag():
    return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', REVOKED_LABEL)


@functools.cache
def _untold_tag():
    colour = STATUS_META[Status.AWAITING_DECISION].colour
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, UNTOLD_LABEL)


@functools.cache
def _status_tag(status, applicant):
    """The tag of ``status``: one of a few, made once each."""
    meta = STATUS_META[Status(status)]
    if applicant:
        colour, label = meta.applicant_tag_colour, meta.applicant_label
    else:
        colour, label = meta.colour, Status(status).label
    modifier = f" govuk-tag--{colour}" if colour else ""
    return format_html('<strong class="govuk-tag{}">{}</strong>', modifier, label)


@register.simple_tag
def select_options(field, choices=None, kept=False):
    """The options of a select ``field`` (or ``choices`` read for it; with
    ``kept``, a model choice field's kept between changes, for a field whose
    options are the same for everyone: ``options.field_choices``), its
    value selected. Written here, not in a template loop, and escaped with
    the standard library's ``html.escape`` (what Django's ``conditional_escape``
    does for plain text, without its checks and wrappers; a label marked safe
    is kept as it is): a long list (the
    local authorities) would otherwise cost milliseconds a page."""
    value = field.value()
    chosen = "" if value is None else str(value)
    options = []
    if choices is None:
        choices = filter_options.field_choices(field) if kept else select_choices(field.field)
    for key, label in choices:
        key = str(key)
        selected = " selected" if key == chosen else ""
        label = label.__html__() if hasattr(label, "__html__") else html.escape(str(label))
        options.append(f'<option value="{html.escape(key)}"{selected}>{label}</option>')
    return mark_safe("".join(options))  # noqa: S308 - every value and label escaped above
