"""The public register: search and filters, a page per provider, downloads
of the filtered register (CSV and JSON, with their schema) and an Atom feed
of changes. Anyone may read it: no sign-in."""

import csv
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.numbers import id_param
from accreditation.paging import nearest_page
from register.models import EventKind, RegisterEntry, RegisterEvent
from register.queries import kept
from register.queries.register import (
    PUBLISHED_FIELDS,
    SEARCH_MAX_LENGTH,
    RegisterFilter,
    departure,
    download_rows,
    feed_event,
    feed_events,
    last_updated,
    public_history,
    search,
)

PAGE_SIZE = 20
RESULT_COLUMNS = (
    "name",
    "accreditation_type",
    "phase",
    "local_authority__name",
    "region__name",
)
"""What a search's result shows of each provider (and its address, by its key)."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A CSV cell a spreadsheet would run as a formula is written as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def search_query(pairs):
    """The query string of a search's results as shown, from ``pairs``
    (name, value): only the search's own filters and page, so a provider's
    link back to them goes nowhere else and carries nothing else."""
    names = (*RegisterFilter.base_filters, "page")
    query = QueryDict(mutable=True)
    for name, value in pairs:
        if name in names and value:
            query.appendlist(name, value)
    return query.urlencode()


def search_address(query):
    """The register's search at ``query``, a query string as a provider's
    link from the results carries it (``search_query``); one that cannot be
    read is the whole register."""
    try:
        pairs = parse_qsl(query[:2000], max_num_fields=50)
    except ValueError:
        pairs = []
    kept_query = search_query(pairs)
    return reverse("register-search") + (f"?{kept_query}" if kept_query else "")


def csv_cell(value):
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    return neutralise(value)


def search_results(params):
    """A search's results: its form as filled in, its count and page of
    providers, and when the register last changed. The same for everyone
    who asks it, so it is kept until the register changes (``kept``)."""
    filterset = search(params)
    # A filter that cannot be used (a type that does not exist, a local
    # authority since removed) shows no providers, never the whole register
    # as though the reader had not asked for it.
    shown = filterset.qs.none() if filterset.form.errors else filterset.qs.only(*RESULT_COLUMNS)
    page = nearest_page(Paginator(shown, PAGE_SIZE), params.get("page"))
    query = params.copy()
    query.pop("page", None)
    # The results as shown, for each provider's back link to return to.
    shown = [(name, value) for name, values in query.lists() for value in values]
    if page.number > 1:
        shown.append(("page", str(page.number)))
    html = render_to_string(
        "register/_results.html",
        {
            "form": filterset.form,
            # What was searched: the name cut to its longest (``SearchField``);
            # a name refused (a null character) is shown as typed, with its error.
            "searched": filterset.form.cleaned_data.get(
                "q", (filterset.form["q"].value() or "")[:SEARCH_MAX_LENGTH]
            ),
            "page_obj": page,
            "entries": page.object_list,
            "query": query.urlencode(),
            "shown_query": search_query(shown),
            "last_updated": last_updated(),
        },
    )
    return kept.Results(html, bool(filterset.form.errors))


class RegisterView(TemplateView):
    template_name = "register/search.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        return super().get_context_data(
            results=kept.results(params, lambda: search_results(params)), **kwargs
        )


class ProviderView(TemplateView):
    """A provider's page. Its address never changes: once the provider has
    left the register (revoked, or removed when the decision was corrected)
    it answers 410 Gone with a page that says only that and when, so a link
    from the feed or an earlier visit still tells the reader something."""

    template_name = "register/provider.html"

    def get(self, request, *args, **kwargs):
        entry = get_object_or_404(
            RegisterEntry.objects.select_related("local_authority", "region"), pk=kwargs["pk"]
        )
        if not entry.is_public:
            left = departure(entry)
            if left is None:
                raise Http404("No such provider on the register")
            return render(request, "register/gone.html", {"entry": entry, "left": left}, status=410)
        prefetch_related_objects(
            [entry],
            "works_in",
            Prefetch("events", queryset=RegisterEvent.objects.order_by("created_at", "pk")),
        )
        return self.render_to_response(
            self.get_context_data(
                entry=entry,
                history=public_history(entry),
                can_revoke=request.user.has_perm("register.revoke_entry", entry),
                back=search_address(request.GET.get("from", "")),
                **kwargs,
            )
        )


class Echo:
    def write(self, value):
        return value


def refused_filters(filterset):
    """{filter: [message]} of the filters a download was asked for and could
    not use (a type that does not exist, say), or None. A download answers
    them with 400, never with the whole register as if unfiltered."""
    errors = filterset.form.errors
    return {name: list(messages) for name, messages in errors.items()} if errors else None


class DownloadCsvView(View):
    def get(self, request):
        filterset = search(request.GET)
        refused = refused_filters(filterset)
        if refused:
            lines = [
                f"{name}: {message}" for name, messages in refused.items() for message in messages
            ]
            return HttpResponseBadRequest(
                "The register was not downloaded: these filters could not be used.\n"
                + "\n".join(lines)
                + "\n",
                content_type="text/plain; charset=utf-8",
            )
        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow([field.name for field in PUBLISHED_FIELDS])
            for entry in download_rows(filterset):
                yield writer.writerow([csv_cell(field.read(entry)) for field in PUBLISHED_FIELDS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="register.csv"'
        return response


def schema():
    return {
        "description": "The register of accredited school providers and schools groups",
        "fields": {field.name: field.description for field in PUBLISHED_FIELDS},
    }


class DownloadJsonView(View):
    def get(self, request):
        filterset = search(request.GET)
        refused = refused_filters(filterset)
        if refused:
            return JsonResponse({"errors": refused}, status=400)
        providers = [
            {field.name: field.read(entry) for field in PUBLISHED_FIELDS}
            for entry in download_rows(filterset)
        ]
        body = {
            "schema": schema(),
            "generated_at": clock.now().isoformat(),
            "count": len(providers),
            "providers": providers,
        }
        response = HttpResponse(
            json.dumps(body, indent=1), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="register.json"'
        return response


class DownloadSchemaView(TemplateView):
    template_name = "register/download.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(fields=PUBLISHED_FIELDS, **kwargs)


class PagedAtomFeed(Atom1Feed):
    """Atom with a link to the next page of earlier entries (RFC 5005's
    paged feed), when there is one."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("next_page"):
            handler.addQuickElement("link", "", {"rel": "next", "href": self.feed["next_page"]})


@dataclass(frozen=True)
class FeedPage:
    events: list
    url: str
    next_url: str | None


class RegisterFeed(Feed):
    """The latest changes, and through each page's "next" link the earlier
    ones, every change once: a reader who comes back after a busy week
    (a round's decisions) follows the links until it meets a change it has
    seen."""

    feed_type = PagedAtomFeed
    title = "Register of accredited school providers: changes"
    subtitle = "Providers accredited, changing type or co-partner, reinstated, revoked or removed."

    def get_object(self, request):
        after = id_param(request, "after")
        event = None
        if after is not None:
            event = feed_event(after)
            if event is None:
                raise Http404("No such change in the feed")
        events, more = feed_events(after=event)
        url = reverse("register-feed")
        return FeedPage(
            events=events,
            url=f"{url}?after={event.pk}" if event else url,
            next_url=(request.build_absolute_uri(f"{url}?after={events[-1].pk}") if more else None),
        )

    def feed_url(self, page):
        return page.url

    def feed_extra_kwargs(self, page):
        return {"next_page": page.next_url}

    def link(self):
        return reverse("register-search")

    def items(self, page):
        return page.events

    def item_title(self, event):
        return f"{event.entry.name}: {event.get_kind_display().lower()}"

    def item_description(self, event):
        """Atom's summary, which the feed marks as HTML: what a provider
        typed (its name, its co-partner's) is escaped as text in it."""
        if event.kind == EventKind.CO_PARTNER_CHANGED:
            return format_html(
                "{} – co-partner changed to {}, {}.",
                event.entry.name,
                event.details.get("to"),
                clock.describe(event.created_at),
            )
        return format_html(
            "{} – {} ({}), {}.",
            event.entry.name,
            event.get_kind_display(),
            event.get_accreditation_type_display(),
            clock.describe(event.created_at),
        )

    def item_link(self, event):
        """The provider's page, which answers for a provider no longer on
        the register too (410 Gone, saying when it left)."""
        return reverse("register-provider", args=[event.entry_id])

    def author_name(self):
        return settings.DEPARTMENT_NAME

    def item_guid(self, event):
        """A permanent IRI naming the change (Atom's entry id): a tag URI of
        the service's own host, never reused for another change."""
        return f"tag:{urlsplit(settings.SERVICE_URL).hostname},2026:register-event-{event.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.created_at
