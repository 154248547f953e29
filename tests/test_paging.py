"""Every paginated list reads the page asked for the same way: the nearest
page there is, never an error."""

import pytest
from django.core.paginator import Paginator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import ListView

from accreditation.paging import FirstPageFirstPaginator, NearestPageMixin, nearest_page
from accreditation.roles import Role
from accreditation.views.staff_users import StaffUserListView
from tests.casework import person_with, sign_in_verified
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "asked, shown",
    [
        (None, 1),
        ("", 1),
        ("2", 2),
        ("3", 3),
        ("abc", 1),
        ("1.5", 1),
        ("²", 1),
        ("0", 1),
        ("-1", 1),
        ("-99999999999999999999", 1),
        ("4", 3),
        ("9" * 30, 3),
    ],
)
@pytest.mark.parametrize("paginator", [Paginator, FirstPageFirstPaginator])
def test_the_nearest_page_there_is(paginator, asked, shown):
    page = nearest_page(paginator(range(30), 10), asked)
    assert page.number == shown
    assert list(page.object_list) == list(range((shown - 1) * 10, shown * 10))
    assert page.paginator.count == 30 and page.paginator.num_pages == 3


@pytest.mark.parametrize("paginator", [Paginator, FirstPageFirstPaginator])
def test_an_empty_list_has_its_first_page(paginator):
    page = nearest_page(paginator([], 10), "-1")
    assert page.number == 1 and list(page.object_list) == []
    assert page.paginator.count == 0 and not page.has_other_pages()


class Recorded:
    """A list that records how it is read: its rows (a slice) and its count."""

    def __init__(self, size):
        self.rows, self.reads = list(range(size)), []

    def __getitem__(self, index):
        self.reads.append(("rows", index.start, index.stop))
        return self.rows[index]

    def count(self):
        self.reads.append(("count",))
        return len(self.rows)


@pytest.mark.parametrize(
    "size, orphans, shown, reads",
    [
        (0, 0, [], [("rows", None, 11)]),
        (7, 0, list(range(7)), [("rows", None, 11)]),
        (10, 0, list(range(10)), [("rows", None, 11)]),
        (11, 0, list(range(10)), [("rows", None, 11), ("count",)]),
        (12, 2, list(range(12)), [("rows", None, 13)]),
        (13, 2, list(range(10)), [("rows", None, 13), ("count",)]),
    ],
)
def test_a_list_that_fits_on_its_first_page_is_counted_from_its_rows(size, orphans, shown, reads):
    listed = Recorded(size)
    page = nearest_page(FirstPageFirstPaginator(listed, 10, orphans=orphans), None)
    assert list(page.object_list) == shown
    assert page.paginator.count == size
    assert page.has_next() == (len(shown) < size)
    assert listed.reads == reads


def test_a_later_page_is_read_as_djangos_paginator_reads_it():
    listed = Recorded(25)
    page = nearest_page(FirstPageFirstPaginator(listed, 10), "3")
    assert list(page.object_list) == list(range(20, 25))
    assert listed.reads == [("count",), ("rows", 20, 25)]


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "view_class"):
            yield pattern.name, pattern.callback.view_class


def test_every_paginated_list_shows_the_nearest_page():
    lists = {
        name: view
        for name, view in _views(get_resolver().url_patterns)
        if issubclass(view, ListView) and view.paginate_by
    }
    assert len(lists) > 10
    assert [name for name, view in lists.items() if not issubclass(view, NearestPageMixin)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["999", "abc", "0"])
def test_a_list_asked_for_a_page_it_has_not_shows_one_it_has(client, asked):
    client = sign_in_verified(client, person_with("casework_officer"))
    page = client.get(reverse("staff-reports"), {"page": asked})
    assert page.status_code == 200
    assert page.context["page_obj"].number == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "shown"), [("999", "last"), ("abc", 1), ("-1", 1), ("2", 2)])
def test_a_list_of_several_pages_shows_the_nearest(client, monkeypatch, asked, shown):
    monkeypatch.setattr(StaffUserListView, "paginate_by", 1)
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    for role in ("casework_officer", "assessor"):
        person_with(role)
    sign_in_verified(client, admin)
    page = client.get(reverse("staff-users"), {"page": asked}).context["page_obj"]
    assert page.paginator.num_pages == 3
    assert page.number == (3 if shown == "last" else shown)
