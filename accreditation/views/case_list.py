"""The staff case list (MOJ filter layout, sortable by plain links, working
without JavaScript) and its CSV download, streamed row by row."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.paging import nearest_page
from accreditation.queries import case_list
from register.views.public import Echo, neutralise

PAGE_SIZE = 50
SELECTS = ("round", "type", "kind", "local_authority", "region", "assessor", "outcome")
"""The filters chosen from a list (the others: search, status boxes, and
the ``BOXES``)."""
BOXES = {
    "overdue": "Past their target date",
    "second_wanted": "Waiting for a second assessor",
}
"""The filters that are one box to tick, with the tag each shows ticked."""
LIST_KEPT = "case_list_query"
"""The session's record of the case list as the person last had it (its
filters, sort and page), for the case page's back link."""


def list_address(request):
    """The case list as the person last had it."""
    query = request.session.get(LIST_KEPT, "")
    return reverse("staff-cases") + (f"?{query}" if query else "")


def page_note(asked, page):
    """What to tell someone who asked for a page that is not there: they see
    the nearest page that is."""
    if asked in (None, "") or asked == str(page.number):
        return ""
    return (
        f"There is no such page of cases: this is page {page.number} of {page.paginator.num_pages}."
    )


def value_label(field, value):
    """How a chosen value reads, without asking the database again."""
    if value == getattr(field, "null_value", None):
        return field.null_label
    if hasattr(field, "label_from_instance"):
        return field.label_from_instance(value)
    return dict(field.choices).get(value, value)


def selected_filters(filterset, params):
    """[(label, [(value label, address without it)])]: the filters in use, as
    MOJ's removable tags, each linking to the list without that one value."""
    form = filterset.form
    selected = []
    for name, value in form.cleaned_data.items():
        field = form.fields[name]
        if name == "q":
            words = (value or "").strip()
            tags = [(f"“{words}”", params.get(name))] if words else []
        elif name == "status":
            labels = dict(field.choices)
            tags = [(labels[v], v) for v in value or ()]
        elif name in BOXES:
            tags = [(BOXES[name], params.get(name))] if value else []
        elif value in (None, ""):
            tags = []
        else:
            tags = [(value_label(field, value), params.get(name))]
        links = []
        for label, raw in tags:
            remaining = params.copy()
            remaining.pop("page", None)
            kept = [v for v in remaining.getlist(name) if v != raw]
            remaining.setlist(name, kept)
            links.append((label, remaining.urlencode()))
        if links:
            selected.append((field.label, links))
    return selected


class CaseListView(StaffAreaMixin, TemplateView):
    act_permission = "accreditation.do_casework"
    template_name = "staff/cases/list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        if self.request.session.get(LIST_KEPT, "") != params.urlencode():
            self.request.session[LIST_KEPT] = params.urlencode()
        filterset = case_list.search(self.request.user, params)
        sort_key, descending = case_list.read_sort(params.get("sort"))
        cases = case_list.ordered(filterset.qs, params.get("sort"))
        page = nearest_page(
            Paginator(case_list.page_keys(filterset.qs, params.get("sort")), PAGE_SIZE),
            params.get("page"),
        )
        query = params.copy()
        query.pop("page", None)
        # The download is of the list shown: without the filters it left out.
        usable = query.copy()
        for name in filterset.form.errors:
            usable.pop(name, None)
        unsorted = query.copy()
        unsorted.pop("sort", None)
        return super().get_context_data(
            filter=filterset,
            form=filterset.form,
            page_obj=page,
            cases=case_list.page_rows(cases, page.object_list),
            query=query.urlencode(),
            download_query=usable.urlencode(),
            selected=selected_filters(filterset, params),
            headers=self.headers(unsorted, sort_key, descending),
            sort=f"{'-' if descending else ''}{sort_key}",
            page_note=page_note(params.get("page"), page),
            select_fields=case_list.filter_options(filterset.form, SELECTS),
            box_fields=[filterset.form[name] for name in BOXES],
            default_sort=case_list.DEFAULT_SORT,
            today=clock.today(),
            **kwargs,
        )

    def headers(self, unsorted, sort_key, descending):
        """Each column's sort link: the sorted column links to the other
        direction; the others sort ascending."""
        headers = {}
        for key, sort in case_list.SORTS.items():
            current = key == sort_key
            query = unsorted.copy()
            query["sort"] = f"-{key}" if current and not descending else key
            headers[key] = {
                "label": sort.label,
                "href": f"?{query.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
            }
        return headers


CSV_FIELDS = (
    ("reference", lambda c: c.reference),
    ("type", lambda c: c.accreditation_type.upper()),
    ("organisation", lambda c: c.organisation.name),
    ("kind", lambda c: c.organisation.get_kind_display()),
    ("local_authority", lambda c: c.organisation.local_authority.name),
    ("region", lambda c: c.organisation.local_authority.region.name),
    ("round", lambda c: str(c.round) if c.round_id else "Out of round"),
    ("status", lambda c: c.get_status_display()),
    ("assessor", lambda c: c.assessor_name or ""),
    ("submitted_at", lambda c: c.submitted_at.isoformat() if c.submitted_at else ""),
    ("target_date", lambda c: c.target.isoformat() if c.target else ""),
    ("last_changed", lambda c: c.updated_at.isoformat()),
)


class CaseListCsvView(StaffAreaMixin, View):
    """The filtered, sorted list, every row (not one page), streamed from
    one server-side cursor, so 25,000 rows never sit in memory. A filter
    that cannot be used is answered with 400 and why: a file has nowhere to
    say it was left out, as the list does."""

    act_permission = "accreditation.do_casework"

    def get(self, request):
        filterset = case_list.search(request.user, request.GET)
        if filterset.form.errors:
            lines = [
                f"{name}: {message}"
                for name, messages in filterset.form.errors.items()
                for message in messages
            ]
            return HttpResponseBadRequest(
                "The cases were not downloaded: these filters could not be used.\n"
                + "\n".join(lines)
                + "\n",
                content_type="text/plain; charset=utf-8",
            )
        cases = case_list.ordered(filterset.qs, request.GET.get("sort"))
        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow([name for name, _ in CSV_FIELDS])
            for case in case_list.rows(cases).iterator(chunk_size=2000):
                yield writer.writerow([neutralise(read(case)) for _, read in CSV_FIELDS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cases-{clock.today()}.csv"'
        return response
