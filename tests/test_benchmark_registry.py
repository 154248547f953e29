"""The page benchmark's registry (``benchmarks/registry.py``): its count of
the rows a page renders. On the demo data (one seed shared with the demo's
own tests, ``tests/test_seed_demo.py``) every page it times answers 200 to
the person it names, and its floor renders the rows it is asked for. The
timing itself is ``make bench``'s."""

from benchmarks.registry import PAGES, rows_rendered


def test_names_are_unique():
    names = [page.name for page in PAGES]
    assert len(names) == len(set(names))


def test_rows_rendered_counts_body_rows_summary_rows_tasks_and_timeline_items():
    html = (
        '<table><thead><tr class="govuk-table__row"><th>Case</th></tr></thead>'
        '<tbody><tr class="govuk-table__row"><td>1</td></tr><tr><td>2</td></tr></tbody></table>'
        '<dl><div class="govuk-summary-list__row">a</div></dl>'
        '<ul><li class="govuk-task-list__item govuk-task-list__item--with-link">b</li></ul>'
        '<div class="moj-timeline__item">c</div><div class="moj-timeline__header">d</div>'
    )
    assert rows_rendered(html) == 5
