"""Every paginated list reads the page asked for the same way: the nearest
page there is, never an error."""

import pytest
from django.core.paginator import Paginator

from accreditation.paging import nearest_page


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
def test_the_nearest_page_there_is(asked, shown):
    assert nearest_page(Paginator(range(30), 10), asked).number == shown


def test_an_empty_list_has_its_first_page():
    page = nearest_page(Paginator([], 10), "-1")
    assert page.number == 1 and list(page.object_list) == []
