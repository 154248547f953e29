"""The staff case list: every case a person may see (``visible_to``), its
filters (django-filter), search, the sorts it offers, and the rows of its
CSV download. The filter state is the query string, so a list can be
bookmarked, shared and linked to from the staff homes."""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.apps import apps
from django.db import connections
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    Expression,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
)

from accreditation import clock
from accreditation.forms.helpers import select_choices
from accreditation.models import (
    AccreditationType,
    LocalAuthority,
    Organisation,
    OrganisationKind,
    Region,
    Round,
    User,
)
from accreditation.queries import options
from accreditation.queries.cases import overdue, visible_to, with_target
from accreditation.queries.names import name_contains
from accreditation.queries.rounds import RoundFilter
from accreditation.roles import Role
from accreditation.workflow import Status
from register.queries.register import SearchFilter

NO_ASSESSOR = "none"
"""The assessor filter's value for cases with no assessor assigned now."""

STATUSES = [(s.value, s.label) for s in Status if s not in (Status.DRAFT, Status.LAPSED)]
"""The statuses a staff member can meet: drafts (and drafts that lapsed)
are the applicant's own."""


class IsAnyOf(Expression):
    """``field`` holds one of the values ``queryset`` (one column) reads.

    On PostgreSQL ``field = ANY(ARRAY(subquery))``: the subquery is run once,
    to an array, before the query it is in, which can then find the rows
    through an index on ``field``. (``field IN (subquery)`` is tested row by
    row against the subquery's hashed result instead, and two of them
    ``OR``ed cannot use an index.) Elsewhere ``field IN (subquery)``."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field, queryset):
        super().__init__()
        self.column, self.values = F(field), Subquery(queryset.order_by())

    def get_source_expressions(self):
        return [self.column, self.values]

    def set_source_expressions(self, expressions):
        self.column, self.values = expressions

    def _parts(self, compiler):
        column_sql, column_params = compiler.compile(self.column)
        values_sql, values_params = compiler.compile(self.values)
        return column_sql, values_sql, (*column_params, *values_params)

    def as_sql(self, compiler, connection):
        column_sql, values_sql, params = self._parts(compiler)
        return f"{column_sql} IN {values_sql}", params

    def as_postgresql(self, compiler, connection):
        column_sql, values_sql, params = self._parts(compiler)
        return f"{column_sql} = ANY(ARRAY{values_sql})", params


class Outcome:
    DECIDED_ACCREDITED = "accredited"
    DECIDED_NOT_ACCREDITED = "not_accredited"
    NOT_ELIGIBLE = "not_eligible"
    WITHDRAWN = "withdrawn"
    OPEN = "open"

    CHOICES = [
        (DECIDED_ACCREDITED, "Accredited"),
        (DECIDED_NOT_ACCREDITED, "Not accredited"),
        (NOT_ELIGIBLE, "Screened out: not eligible"),
        (WITHDRAWN, "Withdrawn"),
        (OPEN, "No outcome yet"),
    ]
    STATUSES = {
        DECIDED_ACCREDITED: (Status.ACCREDITED,),
        DECIDED_NOT_ACCREDITED: (Status.NOT_ACCREDITED,),
        NOT_ELIGIBLE: (Status.CLOSED_INELIGIBLE,),
        WITHDRAWN: (Status.WITHDRAWN,),
    }


def filter_options(form, names):
    """[(bound field, [(value, label)])] of the selects ``names`` of a case
    filter set's ``form``. The options read from the database (rounds,
    local authorities, regions and assessors: 4 queries, about 4 ms of a
    list at national scale) are kept between changes to them
    (``accreditation.queries.options``)."""
    read = [name for name in names if hasattr(form.fields[name], "queryset")]
    kept = options.kept(
        "case-list:" + ",".join(read),
        lambda: {name: select_choices(form.fields[name]) for name in read},
    )
    return [
        (form[name], kept[name] if name in kept else select_choices(form.fields[name]))
        for name in names
    ]


def assessor_choices(request):
    """The assessor filter's options, built when its form field is (django-filter
    passes the request): a filter set copies its filters for each list, and a
    queryset built up front would be copied with them."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.ASSESSOR.value)
        .distinct()
        .order_by("full_name", "pk")
        .only("pk", "full_name", "email")  # hundreds of options: their labels only
    )


class AssessorChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class AssessorFilter(django_filters.ModelChoiceFilter):
    field_class = AssessorChoiceField


class CaseFilter(django_filters.FilterSet):
    q = SearchFilter(label="Reference or organisation name", method="filter_search")
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=STATUSES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_status",
        error_messages={
            "invalid_choice": "Select statuses from the list",
            "invalid_list": "Select statuses from the list",
        },
    )
    overdue = django_filters.BooleanFilter(
        label="Only cases past their target date",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    second_wanted = django_filters.BooleanFilter(
        label="Only cases waiting for a second assessor",
        method="filter_second_wanted",
        widget=forms.CheckboxInput,
    )
    round = RoundFilter(
        label="Round",
        queryset=lambda request: Round.objects.order_by("-opens_at", "-pk"),
        empty_label="Any round",
        null_label="Out of round",
        null_value="out-of-round",
        error_messages={"invalid_choice": "Select a round from the list"},
    )
    type = django_filters.ChoiceFilter(
        label="Type",
        field_name="accreditation_type",
        choices=AccreditationType.choices,
        empty_label="Any type",
        error_messages={"invalid_choice": "Select a type from the list"},
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of organisation",
        field_name="organisation__kind",
        choices=OrganisationKind.choices,
        empty_label="Any kind",
        error_messages={"invalid_choice": "Select a kind of organisation from the list"},
    )
    local_authority = django_filters.ModelChoiceFilter(
        label="Local authority",
        field_name="organisation__local_authority",
        queryset=lambda request: LocalAuthority.objects.order_by("name").only("code", "name"),
        to_field_name="code",
        empty_label="Any local authority",
        error_messages={"invalid_choice": "Select a local authority from the list"},
    )
    region = django_filters.ModelChoiceFilter(
        label="Region",
        field_name="organisation__local_authority__region",
        queryset=lambda request: Region.objects.order_by("name"),
        empty_label="Any region",
        error_messages={"invalid_choice": "Select a region from the list"},
    )
    assessor = AssessorFilter(
        label="Assessor (first or second)",
        queryset=assessor_choices,
        method="filter_assessor",
        empty_label="Any assessor",
        null_label="No assessor yet",
        null_value=NO_ASSESSOR,
        error_messages={"invalid_choice": "Select an assessor from the list"},
    )
    outcome = django_filters.ChoiceFilter(
        label="Outcome",
        choices=Outcome.CHOICES,
        method="filter_outcome",
        empty_label="Any outcome",
        error_messages={"invalid_choice": "Select an outcome from the list"},
    )

    def filter_search(self, queryset, name, value):
        """Cases whose reference or organisation's name holds the text as
        typed (one phrase, in any letter case, an apostrophe either way:
        ``name_contains``). The cases and the
        organisations that match are each looked up once (on PostgreSQL
        through the trigram indexes ``proposal_reference_trigram`` and
        ``organisation_name_trigram``), and the list reads the cases with
        either. On PostgreSQL each set is read first, as an array
        (``IsAnyOf``), so the cases are found through their primary key and
        organisation indexes together: testing each of 25,718 cases against
        the two sets instead took 9.5 ms to count the 28 that match "trust",
        against 0.3 ms. (A search that matches nearly every case, a single
        letter, takes longer this way: 38 ms, against 22.)"""
        value = value.strip()
        if not value:
            return queryset
        cases = queryset.model.objects.filter(reference__icontains=value).values("pk")
        organisations = Organisation.objects.filter(name_contains("name", value)).values("pk")
        return queryset.filter(Q(IsAnyOf("pk", cases)) | Q(IsAnyOf("organisation", organisations)))

    def filter_status(self, queryset, name, value):
        """Cases in any of the statuses ticked, as one ``IN`` (the filter's
        own ``OR`` of one test per status is read by PostgreSQL as a filter
        over every submitted case in ``proposal_submitted_status``, not a
        condition of that index: 19,189 entries read to count 1,357)."""
        return queryset.filter(status__in=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        """A ticked box narrows the list; an unticked one does not."""
        return overdue(with_target(queryset), clock.today()) if value else queryset

    def filter_second_wanted(self, queryset, name, value):
        """Cases being assessed that get a second assessor for quality
        assurance (``second_assessor_rule``) and have none now. A ticked box
        narrows the list; an unticked one does not."""
        if not value:
            return queryset
        from assessments.queries.assignment import ASSESSABLE
        from assessments.services.assignment import second_assessor_rule

        second = (
            apps.get_model("assessments", "Assignment")
            .objects.filter(case=OuterRef("pk"), kind="second", ended_at__isnull=True)
            .order_by()
        )
        return (
            queryset.filter(status__in=ASSESSABLE)
            .filter(second_assessor_rule())
            .exclude(Exists(second))
        )

    def filter_assessor(self, queryset, name, value):
        """The cases the person assesses now, as first or second assessor
        (the list's column names the first); or those with no first
        assessor now."""
        if value == NO_ASSESSOR:
            return queryset.filter(~Exists(current_first_assignment()))
        current = apps.get_model("assessments", "Assignment").objects.filter(
            case=OuterRef("pk"), assessor=value, ended_at__isnull=True
        )
        return queryset.filter(Exists(current))

    def filter_outcome(self, queryset, name, value):
        if value == Outcome.OPEN:
            decided = [s for statuses in Outcome.STATUSES.values() for s in statuses]
            return queryset.exclude(status__in=decided)
        return queryset.filter(status__in=Outcome.STATUSES[value])


def current_first_assignment():
    """The current first assessment of the outer query's case (one at most:
    the constraint ``assignment_one_current_per_kind``, so unordered)."""
    return (
        apps.get_model("assessments", "Assignment")
        .objects.filter(case=OuterRef("pk"), kind="first", ended_at__isnull=True)
        .order_by()
    )


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    order: tuple
    nullable: bool = True
    """Whether a row may have no value: empty ones go last. Only then, since
    an order that names where the nulls go no longer matches the indexes
    of the columns that have none (the most recently changed first walks
    ``proposal_recently_changed`` and stops at a page's worth)."""
    prepare: Callable | None = None
    """What the order reads that the list does not hold until asked: the
    current first assessor through a join (``with_current_first``), the
    stage's target date (``with_target``)."""


def with_current_first(cases):
    """``cases`` joined to their current first assessment, as
    ``current_first`` (a case has one at most: the constraint
    ``assignment_one_current_per_kind``): to sort by the assessor's name
    without asking it of every case in turn (80 to 104 ms at 25,000 cases;
    joined, 22 ms). Only for that order: a count through the join takes
    twice as long."""
    return cases.annotate(
        current_first=FilteredRelation(
            "assignments",
            condition=Q(assignments__kind="first", assignments__ended_at__isnull=True),
        )
    )


SORTS = {
    sort.key: sort
    for sort in (
        Sort("reference", "Reference", ("reference",)),
        Sort("organisation", "Organisation", ("organisation__name",), nullable=False),
        Sort("round", "Round", ("round__opens_at",)),
        Sort("status", "Status", ("status",), nullable=False),
        Sort(
            "assessor",
            "Assessor",
            ("current_first__assessor__full_name",),
            prepare=with_current_first,
        ),
        Sort("target", "Target date", ("target",), prepare=with_target),
        Sort("updated", "Last changed", ("updated_at",), nullable=False),
    )
}
DEFAULT_SORT = "-updated"


def read_sort(value):
    """(key, descending) of an offered sort (``reference``, ``-reference``);
    anything else is the default."""
    value = value if isinstance(value, str) else ""
    key = value.removeprefix("-")
    if key not in SORTS:
        value = DEFAULT_SORT
        key = value.removeprefix("-")
    return key, value.startswith("-")


def ordered(cases, sort_value):
    key, descending = read_sort(sort_value)
    sort = SORTS[key]
    nulls = {"nulls_last": True} if sort.nullable else {}
    order = [
        F(field).desc(**nulls) if descending else F(field).asc(**nulls) for field in sort.order
    ]
    if sort.prepare is not None:
        cases = sort.prepare(cases)
    return cases.order_by(*order, "-pk" if descending else "pk")


def page_keys(cases, sort_value):
    """The keys of ``cases`` in the order ``sort_value`` names, as a
    paginator reads them (``count()`` and slices)."""
    key, descending = read_sort(sort_value)
    if key == "assessor":
        return KeysByAssessor(cases, descending)
    return ordered(cases, sort_value).values_list("pk", flat=True)


class KeysByAssessor:
    """The keys of ``cases`` by their current first assessor's name, those
    with none last (each part then by key), read a slice at a time in one
    query of two parts, each as far as the slice's end: the cases with an
    assessor, walking the assessors in name order (index ``user_full_name``)
    and stopping there; then those without, by key. Joining every case to
    its assessor to sort them all took 18 ms at 25,000 cases; this, 2 ms.
    (SQLite cannot limit the parts of a union: there each is read whole.)"""

    def __init__(self, cases, descending):
        self.cases = cases
        self.descending = descending

    def count(self):
        return self.cases.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("KeysByAssessor is read in slices")
        start, stop = index.start or 0, index.stop
        if stop is None:
            raise TypeError("KeysByAssessor is read in slices with an end")
        if stop <= start or self.cases.query.is_empty():
            # Nothing to read (an empty list's page): Django's union of an
            # empty part is the other part alone, which cannot be reordered.
            return []
        name = F("current_first__assessor__full_name")
        by_name = name.desc() if self.descending else name.asc()
        by_key = "-pk" if self.descending else "pk"
        assessed = (
            with_current_first(self.cases)
            .filter(current_first__isnull=False)
            .annotate(part=Value(0), name=name)
            .values_list("pk", "part", "name")
        )
        unassessed = (
            self.cases.exclude(Exists(current_first_assignment()))
            .annotate(part=Value(1), name=Value(None, output_field=CharField()))
            .values_list("pk", "part", "name")
        )
        if connections[self.cases.db].features.supports_slicing_ordering_in_compound:
            assessed = assessed.order_by(by_name, by_key)[:stop]
            unassessed = unassessed.order_by(by_key)[:stop]
        else:  # SQLite: each part whole, sorted with the other
            assessed, unassessed = assessed.order_by(), unassessed.order_by()
        both = assessed.union(unassessed, all=True).order_by(
            "part", "-name" if self.descending else "name", by_key
        )
        return [pk for pk, _, _ in both[start:stop]]


def cases_for(user):
    """The cases ``user`` may see, with what a row of the list shows but its
    target date (``rows``): the organisation, its local authority and
    region, the round and the current assessor's name, in one query."""
    first = current_first_assignment()
    return (
        visible_to(user)
        # The period's name says whose window an out-of-round case is in.
        .select_related("organisation__local_authority__region", "round", "window__organisation")
        .annotate(assessor_name=Subquery(first.values("assessor__full_name")[:1]))
    )


def rows(cases):
    """``cases`` with the stage's target date too, as a row shows it. Only
    the rows read it, and a filter or order that asks for it: the round it
    joins kept a count of every case from reading an index alone (5 ms at
    25,000 cases; 2 ms from the index)."""
    return with_target(cases)


PAGE_COLUMNS = (
    "reference",
    "status",
    "updated_at",
    "round__term",
    "round__year",
    "organisation__name",
    "organisation__local_authority__name",
)


def page_rows(cases, pks):
    """The rows of one page of ``cases`` (ordered), whose pks a query of the
    order's own columns read first (``cases.values_list("pk")``, paged):
    sorting every case the person may see with its organisation, local
    authority, region, round and window joined took 42 to 50 ms at 25,000
    cases for any order but the most recently changed; sorting their keys,
    2 to 11 ms. The page's own rows come back in the same order, with only
    the columns a row of the page shows (the CSV shows more)."""
    shown = (
        cases.select_related(None)
        .select_related("organisation__local_authority", "round")
        .only(*PAGE_COLUMNS)
    )
    return list(rows(shown).filter(pk__in=list(pks)))


def search(user, params):
    """The filter set of the query ``params`` over the cases ``user`` may
    see. A filter value that does not parse is left out (and shown with its
    error), so an address with an unknown value still answers."""
    return CaseFilter(params, queryset=cases_for(user))


def count(user, params):
    """How many cases the list at ``params`` holds, in one query: the staff
    homes' counts, so a count and the list it links to never disagree."""
    filterset = CaseFilter(params, queryset=visible_to(user))
    # A filter the query does not name narrows nothing: left out, its form
    # field (and a select's options) is not built.
    filterset.filters = {name: f for name, f in filterset.filters.items() if name in params}
    return filterset.qs.count()
