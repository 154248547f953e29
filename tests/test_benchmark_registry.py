"""The page benchmark's registry (``benchmarks/registry.py``): on the demo
data every page it times answers 200 to the person it names, and its floor
renders the rows it is asked for. The timing itself is ``make bench``'s."""

import pytest
from django.urls import clear_url_caches

from benchmarks.pages import client_for
from benchmarks.registry import PAGES, Data, rows_rendered
from tests.test_seed_demo import seeded  # noqa: F401 - the class-scoped demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def benchmark_urls(settings):
    """The service's URLs and the floor, as the benchmark mounts them, with
    staff signed in without a second factor (as the benchmark's demo is)."""
    settings.ROOT_URLCONF = "benchmarks.floor"
    settings.STAFF_OTP_REQUIRED = False
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.mark.usefixtures("seeded", "benchmark_urls")
class TestRegistry:
    def test_names_are_unique(self):
        names = [page.name for page in PAGES]
        assert len(names) == len(set(names))

    def test_every_page_answers_its_person_and_its_floor_renders_as_many_rows(self):
        data = Data()
        for page in PAGES:
            url = page.url(data)
            client, user = client_for(page, data)
            response = client.get(url)
            assert response.status_code == 200, (page.name, url, response.status_code)
            if page.who(data) is not None:
                assert response.wsgi_request.user == user, page.name
            rows = rows_rendered(response.content.decode())
            floor = client.get(f"/__benchmark__/floor/{rows}/")
            assert floor.status_code == 200
            assert rows_rendered(floor.content.decode()) == rows, page.name

    def test_list_pages_show_rows(self):
        """A list page timed empty would prove nothing."""
        data = Data()
        empty = []
        for page in PAGES:
            if not page.is_list:
                continue
            client, _ = client_for(page, data)
            if rows_rendered(client.get(page.url(data)).content.decode()) == 0:
                empty.append(page.name)
        assert empty == []


def test_rows_rendered_counts_body_rows_summary_rows_tasks_and_timeline_items():
    html = (
        '<table><thead><tr class="govuk-table__row"><th>Case</th></tr></thead>'
        '<tbody><tr class="govuk-table__row"><td>1</td></tr><tr><td>2</td></tr></tbody></table>'
        '<dl><div class="govuk-summary-list__row">a</div></dl>'
        '<ul><li class="govuk-task-list__item govuk-task-list__item--with-link">b</li></ul>'
        '<div class="moj-timeline__item">c</div><div class="moj-timeline__header">d</div>'
    )
    assert rows_rendered(html) == 5
