"""Which page of a list an address asks for, read the same way by every
paginated list."""

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator


def nearest_page(paginator, asked):
    """The page ``asked`` names (the ``page`` parameter as sent), or the
    nearest there is: the first when it names none or one before the first
    (``0``, ``-1``, ``abc``), the last when it is past the end. Django's own
    ``get_page`` gives the last for a number before the first."""
    try:
        if int(asked) < 1:
            asked = 1
    except (TypeError, ValueError):
        pass  # not a whole number: ``get_page`` gives the first
    return paginator.get_page(asked)


class FirstPageFirstPaginator(Paginator):
    """A paginator that reads the first page before counting: a list that
    fits on its first page is counted from the rows it shows, in one query
    where Django's paginator makes two (a count, then the rows). A longer
    list is counted as Django's is, once something asks how many pages it
    has. Other pages are read as Django reads them."""

    def get_page(self, number):
        try:
            first = int(number) <= 1
        except (TypeError, ValueError):
            first = True  # Django's paginator shows the first page for these
        if not first:
            return super().get_page(number)
        room = self.per_page + self.orphans
        rows = list(self.object_list[: room + 1])
        if len(rows) <= room:
            self.count = len(rows)
        else:
            rows = rows[: self.per_page]
        return self._get_page(rows, 1, self)


class NearestPageMixin:
    """A ListView that shows the nearest page there is (``nearest_page``)
    for a page past the end or not a number, where Django's answers 404:
    an old link to page 3 of a list that has since shrunk still shows the
    list."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = nearest_page(paginator, self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class KeysFirstMixin(NearestPageMixin):
    """A ListView whose page is read in two queries: the page's keys, in
    the list's order, from the list's own tables; then those rows with what
    they show (their organisation, round and so on). Sorting every row of a
    long list with its joined tables made PostgreSQL hash every
    organisation first (the screening queue at 25,000 cases: 8 ms to
    execute; its keys alone, under 1 ms). The list's order must be of its
    own columns and total (end with the primary key). A row that leaves the
    list between the two reads leaves the page one short."""

    def paginate_queryset(self, queryset, page_size):
        if not queryset.ordered:
            raise ImproperlyConfigured("A list read keys first must be ordered.")
        paginator, page, _, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        page.object_list = list(queryset.filter(pk__in=list(page.object_list)))
        return paginator, page, page.object_list, is_paginated
