"""The public register: what is on it, how it is searched and filtered, and
the published fields of the downloads (one list, so the CSV, the JSON and
the schema page never disagree)."""

import operator
from dataclasses import dataclass
from functools import reduce

import django_filters
from django import forms
from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.utils.choices import BaseChoiceIterator

from accreditation.models import AccreditationType, LocalAuthority, Region
from accreditation.models.organisations import FaithDesignation, OrganisationKind, Phase
from accreditation.queries import options
from accreditation.queries.names import name_contains
from register.models import (
    FEED_KINDS,
    LEAVING_KINDS,
    PUBLIC_HISTORY_KINDS,
    PUBLIC_STATES,
    EntryState,
    RegisterEntry,
    RegisterEvent,
)

SEARCH_MAX_LENGTH = 200
"""A search longer than this is cut: no provider's name is longer."""


def public_entries():
    """The entries on the public register, with what a list of them shows."""
    return RegisterEntry.objects.filter(state__in=PUBLIC_STATES).select_related(
        "local_authority", "region"
    )


def last_updated():
    """When the register last changed: an entry on it changed, or one left it."""
    entries = RegisterEntry.objects.filter(state__in=PUBLIC_STATES)
    events = RegisterEvent.objects.filter(kind__in=FEED_KINDS)
    times = [
        entries.aggregate(at=Max("updated_at"))["at"],
        events.aggregate(at=Max("created_at"))["at"],
    ]
    return max((t for t in times if t is not None), default=None)


FEED_PAGE = 50
"""Changes on a page of the feed."""


def feed_events(after=None):
    """A page of the changes the public feed announces, latest first: the
    latest, or those that came before the feed's change ``after`` (the
    last on the page before); and whether earlier changes follow."""
    limit = FEED_PAGE
    events = RegisterEvent.objects.filter(kind__in=FEED_KINDS)
    if after is not None:
        events = events.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, pk__lt=after.pk)
        )
    page = list(events.select_related("entry").order_by("-created_at", "-pk")[: limit + 1])
    return page[:limit], len(page) > limit


def feed_event(pk):
    """The feed's change ``pk``, or None."""
    return RegisterEvent.objects.filter(kind__in=FEED_KINDS, pk=pk).first()


def departure(entry):
    """The event by which ``entry``, no longer on the register, last left
    it, or None."""
    return (
        RegisterEvent.objects.filter(entry=entry, kind=LEAVING_KINDS.get(entry.state))
        .order_by("-created_at", "-pk")
        .first()
    )


def with_accreditation_revoked(cases):
    """``cases`` with ``accreditation_revoked``: their organisation's
    accreditation was revoked (its entry on the register is), so that an
    accredited case is not shown to its applicant as standing."""
    return cases.annotate(
        accreditation_revoked=Exists(
            RegisterEntry.objects.filter(
                organisation=OuterRef("organisation"), state=EntryState.REVOKED
            )
        )
    )


def public_history(entry):
    return [event for event in entry.events.all() if event.kind in PUBLIC_HISTORY_KINDS]


class SearchField(forms.CharField):
    def to_python(self, value):
        """The words searched for, at most ``SEARCH_MAX_LENGTH`` characters,
        without null characters (no name holds one: they find nothing, as
        any other text no name holds), one space between each (two typed
        found nothing)."""
        words = super().to_python(value).replace("\x00", "")[:SEARCH_MAX_LENGTH]
        return " ".join(words.split())


class SearchFilter(django_filters.CharFilter):
    """A name searched for as ``name_contains`` finds it."""

    field_class = SearchField

    def filter(self, qs, value):
        value = (value or "").strip()
        return qs.filter(name_contains(self.field_name, value)) if value else qs


class SharedChoices(BaseChoiceIterator):
    """Choices a form's copy of its fields shares rather than copies: a form
    copies its fields' choices deeply, every search, and the kept lists of
    150 local authorities and the regions are never changed (about 1 ms a
    search). Django's fields take a choice iterator as it is."""

    def __init__(self, choices):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self


class RegisterFilter(django_filters.FilterSet):
    q = SearchFilter(field_name="name", label="Provider name")
    type = django_filters.ChoiceFilter(
        field_name="accreditation_type",
        choices=AccreditationType.choices,
        label="Type",
        empty_label="Any type",
        error_messages={"invalid_choice": "Select a type from the list"},
    )
    local_authority = django_filters.ChoiceFilter(
        method="filter_works_in",
        label="Local authority it will work in",
        empty_label="Any local authority",
        error_messages={"invalid_choice": "Select a local authority from the list"},
    )
    region = django_filters.ChoiceFilter(
        label="Region",
        empty_label="Any region",
        error_messages={"invalid_choice": "Select a region from the list"},
    )
    phase = django_filters.ChoiceFilter(
        choices=Phase.choices,
        label="Phase",
        empty_label="Any phase",
        error_messages={"invalid_choice": "Select a phase from the list"},
    )
    kind = django_filters.ChoiceFilter(
        choices=OrganisationKind.choices,
        label="Kind of organisation",
        empty_label="Any kind",
        error_messages={"invalid_choice": "Select a kind of organisation from the list"},
    )
    faith_designation = django_filters.ChoiceFilter(
        choices=FaithDesignation.choices,
        label="Faith designation",
        empty_label="Any",
        error_messages={"invalid_choice": "Select a faith designation from the list"},
    )
    federation = django_filters.BooleanFilter(
        field_name="leads_federation",
        label="Can lead a federation",
        widget=forms.CheckboxInput,
        method="filter_can_lead",
    )
    majority_trust = django_filters.BooleanFilter(
        field_name="leads_majority_trust",
        label="Can lead a majority trust",
        widget=forms.CheckboxInput,
        method="filter_can_lead",
    )

    class Meta:
        model = RegisterEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The options, read in one query each (a model choice field would
        # count them first and read them through a cursor), and kept between
        # changes to them.
        authorities, regions = options.kept(
            "register",
            lambda: (
                list(LocalAuthority.objects.order_by("name").values_list("code", "name")),
                list(Region.objects.order_by("name").values_list("pk", "name")),
            ),
        )
        self.filters["local_authority"].extra["choices"] = SharedChoices(authorities)
        self.filters["region"].extra["choices"] = SharedChoices(regions)

    def filter_works_in(self, queryset, name, value):
        Through = RegisterEntry.works_in.through
        return queryset.filter(
            Exists(Through.objects.filter(registerentry=OuterRef("pk"), localauthority__code=value))
        )

    CAN_LEAD = {"majority_trust": "leads_majority_trust", "federation": "leads_federation"}
    """The boxes of "What it can lead", and the column each reads."""

    def filter_can_lead(self, queryset, name, value):
        """The providers that can lead any of what is ticked under "What it
        can lead" (boxes in one group widen the list, as GOV.UK's filters'
        do; none ticked, every provider), read once, for the group's first
        box."""
        if name != self.CAN_LEAD["majority_trust"]:
            return queryset
        ticked = [column for box, column in self.CAN_LEAD.items() if self.form.cleaned_data[box]]
        if not ticked:
            return queryset
        return queryset.filter(reduce(operator.or_, (Q(**{column: True}) for column in ticked)))


CODE_FILTERS = ("type", "phase", "kind", "faith_designation")
"""Filters whose values are codes written in small letters (the download's
documentation gives them so): taken in any letter case (?type=ASG)."""


def search(params):
    """The filter set of the query ``params`` over the public register."""
    if any(params.get(name, "") != params.get(name, "").lower() for name in CODE_FILTERS):
        params = params.copy()
        for name in CODE_FILTERS:
            if name in params:
                params[name] = params[name].strip().lower()
    return RegisterFilter(params, queryset=public_entries().order_by("name", "pk"))


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    read: object


PUBLISHED_FIELDS = (
    Field("id", "The entry's number on this register, which never changes", lambda e: e.pk),
    Field("name", "The provider's name", lambda e: e.name),
    Field(
        "type",
        "asp (Accredited School Provider) or asg (Accredited Schools Group)",
        lambda e: e.accreditation_type,
    ),
    Field("kind", "The kind of organisation, as a code", lambda e: e.kind),
    Field("kind_label", "The kind of organisation, in words", lambda e: e.get_kind_display()),
    Field("phase", "primary, secondary, all_through or not_applicable", lambda e: e.phase),
    Field(
        "faith_designation",
        "none, church_of_england, roman_catholic or other",
        lambda e: e.faith_designation,
    ),
    Field(
        "local_authority_code",
        "The 3-digit code of the local authority where the provider is",
        lambda e: e.local_authority.code,
    ),
    Field(
        "local_authority",
        "The local authority where the provider is",
        lambda e: e.local_authority.name,
    ),
    Field("region", "The region where the provider is", lambda e: e.region.name),
    Field(
        "works_in_local_authority_codes",
        "The codes of the local authorities it will work in (a list; in CSV separated by ';')",
        lambda e: [la.code for la in e.works_in_by_code],
    ),
    Field(
        "can_lead_majority_trust",
        "Whether it can lead a majority trust (true or false)",
        lambda e: e.leads_majority_trust,
    ),
    Field(
        "can_lead_federation",
        "Whether it can lead a federation (true or false)",
        lambda e: e.leads_federation,
    ),
    Field(
        "schools_led_urns",
        "The URNs of the schools it leads now (a list; in CSV separated by ';')",
        lambda e: [school["urn"] for school in e.schools_led],
    ),
    Field(
        "more_schools",
        "How many more schools it can take on (empty if not given)",
        lambda e: e.more_schools,
    ),
    Field("contact_email", "The provider's contact email address", lambda e: e.contact_email),
    Field(
        "co_partner",
        "The name of its current educational co-partner (empty if it has none)",
        lambda e: e.co_partner_name,
    ),
    Field(
        "co_partner_kind",
        "The kind of organisation its co-partner is, as a code (empty if it has none)",
        lambda e: e.co_partner_kind,
    ),
    Field(
        "accredited_since",
        "When it was accredited (ISO 8601, UTC)",
        lambda e: e.accredited_since.isoformat(),
    ),
    Field(
        "last_updated",
        "When its entry last changed (ISO 8601, UTC)",
        lambda e: e.updated_at.isoformat(),
    ),
)


def download_rows(filterset):
    """The filtered register, every row (not one page), for a download."""
    works_in = Prefetch(
        "works_in", queryset=LocalAuthority.objects.order_by("code"), to_attr="works_in_by_code"
    )
    return filterset.qs.prefetch_related(works_in).iterator(chunk_size=2000)
