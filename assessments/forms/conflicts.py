"""Forms for conflicts of interest: declare one, end one, dismiss a suggestion."""

from crispy_forms_gds.layout import HTML, Button, Field, Fluid
from django import forms
from django.utils.html import escape

from accreditation.forms.helpers import LocalAuthorityField, free_text_field, gds_helper
from accreditation.models import Organisation
from accreditation.numbers import parse_id
from assessments.queries.conflicts import organisations_matching, organisations_with_pk

NEITHER = "Choose the organisation or the local authority you have a conflict with"
MATCHES_SHOWN = 20
"""Matches listed for a search; more asks for a closer search."""
NO_MATCH = (
    '<p class="govuk-body" role="status">No organisation matches ‘{query}’. Check the '
    "spelling, or search for part of the name, or its URN or UKPRN.</p>"
)
NOTHING_TO_FIND = (
    '<p class="govuk-body" role="status">Enter part of the organisation’s name, or its URN '
    "or UKPRN, to search for it.</p>"
)
MORE = (
    '<p class="govuk-body" role="status">Only the first {count} matches are shown. Search '
    "for more of the name, or its URN or UKPRN, to find others.</p>"
)
BOTH = (
    "Choose either an organisation or a local authority, not both: "
    "declare a second conflict for the other"
)


class DeclareForm(forms.Form):
    """Find the organisation by name, URN or UKPRN (the "Search" button
    shows the matches as choices, with no JavaScript), or choose a whole
    local authority; then say why."""

    query = forms.CharField(
        label="Find the organisation",
        help_text="Enter part of its name, or its URN or UKPRN, then select Search",
        required=False,
        max_length=200,
        error_messages={"max_length": "The search must be 200 characters or fewer"},
    )
    organisation = forms.ModelChoiceField(
        label="Choose the organisation",
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    local_authority = LocalAuthorityField(
        label="Or a whole local authority",
        help_text="Every organisation in it: for example, if you work for the local authority",
        required=False,
        message="Select a local authority from the list",
    )
    reason = free_text_field(
        label="Why do you have a conflict of interest?",
        what="The reason",
        help_text="For example, you are a governor of one of its schools.",
        error_messages={"required": "Enter why you have a conflict of interest"},
    )

    def __init__(self, *args, query=None, searched=False, **kwargs):
        """``searched``: the "Search" button was pressed (with nothing to
        search for, the page says what to enter)."""
        super().__init__(*args, **kwargs)
        if query is None:
            query = self.data.get("query") or ""
        self.query = query.strip()[:200]
        found = organisations_matching(self.query, MATCHES_SHOWN + 1)
        self.more_matches = len(found) > MATCHES_SHOWN
        self.matches = found[:MATCHES_SHOWN]
        chosen = parse_id(
            str(self.data.get("organisation") or self.initial.get("organisation") or "")
        )
        if chosen is not None and all(o.pk != chosen for o in self.matches):
            # Chosen from an earlier search: still shown, still chosen.
            self.matches = organisations_with_pk(chosen) + self.matches
        self.fields["organisation"].choices = [(o.pk, describe(o)) for o in self.matches]
        choose = [Field.radios("organisation")] if self.matches else []
        if searched and not self.query:
            # An organisation chosen from an earlier search stays offered.
            choose = [HTML(NOTHING_TO_FIND), *choose]
        elif self.query and not self.matches:
            choose = [HTML(NO_MATCH.format(query=escape(self.query)))]
        elif self.more_matches:
            choose.append(HTML(MORE.format(count=MATCHES_SHOWN)))
        self.helper = gds_helper(
            Field.text("query", field_width=Fluid.TWO_THIRDS),
            Button.secondary("find", "Search"),
            *choose,
            Field.select("local_authority"),
            Field.textarea("reason", rows=4),
            submit="Declare conflict",
        )

    def clean(self):
        cleaned = super().clean()
        organisation, authority = cleaned.get("organisation"), cleaned.get("local_authority")
        if self.has_error("organisation") and not self.matches:
            # An organisation that is not there: said at the search, which
            # is on the page.
            self.add_error("query", self.errors.pop("organisation")[0])
            return cleaned
        if self.has_error("organisation") or self.has_error("local_authority"):
            return cleaned
        choose = "organisation" if self.matches else "query"
        if organisation is None and authority is None:
            self.add_error(choose, NEITHER)
        elif organisation is not None and authority is not None:
            self.add_error(choose, BOTH)
        return cleaned


def describe(organisation):
    """An organisation as a choice: its name, identifier and local authority."""
    identifier = (
        f"URN {organisation.urn}"
        if organisation.urn
        else f"UKPRN {organisation.ukprn}"
        if organisation.ukprn
        else ""
    )
    where = organisation.local_authority.name if organisation.local_authority else ""
    return ", ".join(part for part in (organisation.name, identifier, where) if part)


class EndForm(forms.Form):
    end_reason = free_text_field(
        label="Why has the conflict ended?",
        what="The reason",
        help_text="For example, you stepped down as a governor in March.",
        error_messages={"required": "Enter why the conflict has ended"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("end_reason", rows=4), submit="End conflict")


class ConfirmSuggestionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(buttons=[Button("confirm", "Yes, declare this conflict")])


class DismissSuggestionForm(forms.Form):
    reason = free_text_field(
        label="Why is this not a conflict of interest?",
        what="The reason",
        help_text="We keep your reason and will not suggest this again.",
        error_messages={"required": "Enter why this is not a conflict of interest"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", rows=4),
            buttons=[Button.secondary("dismiss", "Not a conflict")],
        )
