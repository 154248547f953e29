"""The assessor's queue: the cases assigned to the signed-in assessor, what
is due first on top, filtered and sorted with django-filter."""

import django_filters
from django import forms
from django.views.generic import ListView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.models import AccreditationType, Round
from accreditation.paging import FirstPageFirstPaginator, NearestPageMixin, nearest_page
from accreditation.queries.rounds import RoundFilter
from assessments.queries import assignment as queries
from assessments.queries.scoring import feedback_to_write, with_quality_assurance_to_resolve


class QueueFilter(django_filters.FilterSet):
    round = RoundFilter(
        label="Round",
        field_name="case__round",
        queryset=Round.objects.order_by("-opens_at"),
        empty_label="Any round",
        error_messages={"invalid_choice": "Select a round from the list"},
    )
    type = django_filters.ChoiceFilter(
        label="Type",
        field_name="case__accreditation_type",
        choices=AccreditationType.choices,
        empty_label="Any type",
        error_messages={"invalid_choice": "Select a type from the list"},
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        field_name="case__status",
        choices=[(status.value, status.label) for status in queries.ASSESSABLE],
        empty_label="Any status",
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    due_before = django_filters.DateFilter(
        label="Due on or before",
        field_name="due",
        lookup_expr="lte",
        input_formats=["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"],
        help_text="For example, 27/3/2026",
        error_messages={
            "invalid": "Enter the due date as a real date, like 27/3/2026",
        },
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    quality_assurance = django_filters.BooleanFilter(
        label="Only scores to agree in quality assurance",
        method="filter_quality_assurance",
        widget=forms.CheckboxInput,
    )
    # Each order once, said in words: the queue's own order (due date,
    # soonest first) is the empty choice, so "due" is not offered again.
    sort = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Due date, soonest first",
        fields=(("due", "due"), ("case__reference", "reference"), ("assigned_at", "assigned")),
        choices=[
            ("-due", "Due date, latest first"),
            ("reference", "Reference"),
            ("-assigned", "Date assigned, newest first"),
            ("assigned", "Date assigned, oldest first"),
        ],
        error_messages={"invalid_choice": "Select how to sort from the list"},
    )

    def filter_overdue(self, queryset, name, value):
        return queries.overdue(queryset, clock.today()) if value else queryset

    def filter_quality_assurance(self, queryset, name, value):
        return with_quality_assurance_to_resolve(queryset) if value else queryset


class QueueView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "assessments.use_queue"
    template_name = "assessments/queue/list.html"
    context_object_name = "assignments"
    paginate_by = 25
    paginator_class = FirstPageFirstPaginator

    ROW_COLUMNS = (
        "kind",
        "case__reference",
        "case__accreditation_type",
        "case__status",
        "case__organisation__name",
        "case__round__term",
        "case__round__year",
        "case__window__deadline",
        "case__window__organisation__name",
    )
    """What a row shows (the due date is annotated): reading every column of
    the case, its organisation, round and window made the page's query
    longer to build and to read than to run."""

    def get_queryset(self):
        self.filterset = QueueFilter(
            self.request.GET or None, queryset=queries.queue(self.request.user)
        )
        # A filter that does not parse is shown with its error and not applied.
        return self.filterset.qs.only(*self.ROW_COLUMNS)

    feedback_paginate_by = 25

    def get_context_data(self, **kwargs):
        # The feedback section pages on its own, beside the cases assigned.
        feedback_page = nearest_page(
            FirstPageFirstPaginator(
                feedback_to_write(self.request.user).only("reference", "organisation__name"),
                self.feedback_paginate_by,
            ),
            self.request.GET.get("feedback_page"),
        )
        return super().get_context_data(
            filter=self.filterset,
            today=clock.today(),
            feedback_page=feedback_page,
            feedback_cases=feedback_page.object_list,
            **kwargs,
        )
