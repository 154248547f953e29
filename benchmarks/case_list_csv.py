"""The case list's CSV of every case, streamed at scale, with its memory.

    .venv/bin/python benchmarks/case_list_csv.py --scale 100

On the scale's seeded database (``common.seeded``: the page benchmark's,
reused), a casework officer downloads ``/staff/cases/download.csv`` with no
filter: every case they may see (25,718 at scale 100). The response is read
a chunk at a time, as a browser would, with Python's allocations traced
(``tracemalloc``). Reported: rows, seconds to the last row, queries, and the
most memory held at once while the first quarter of the rows was read and
while all of them were.

The budget: flat memory, the peak over every row no more than 10% above
the peak over the first quarter. Rows come from one server-side cursor,
2,000 at a time, and leave as CSV lines: memory peaks as the next 2,000
are read while the last are let go, which the first quarter of 25,000
rows holds twice. The figures go to
``benchmarks/results/latest.json`` under ``case_list_csv``.
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

GROWTH_BUDGET = 0.10


def read(client, url):
    """The CSV at ``url`` as a browser reads it, a chunk at a time: yields
    the number of rows read so far after each chunk."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"reference,")  # the header
    rows = 0
    for chunk in chunks:
        rows += chunk.count(b"\n")
        yield rows


def timed(client, url):
    """(rows, seconds, queries) of one download."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        begin = time.perf_counter()
        rows = max(read(client, url), default=0)
        seconds = time.perf_counter() - begin
    return rows, seconds, len(captured)


def peaks(client, url, expected):
    """(peak KiB over the first quarter of ``expected`` rows, peak KiB over
    all) of another download, traced (which slows it: it is not timed)."""
    tracemalloc.start()
    try:
        first = None
        for rows in read(client, url):
            if first is None and rows >= max(1, expected // 4):
                first = tracemalloc.get_traced_memory()[1]
        return first // 1024, tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    options = parser.parse_args()

    common.seeded(options.scale)
    from django.conf import settings
    from django.http import QueryDict
    from django.test import Client
    from django.urls import reverse

    from accreditation.queries import case_list
    from benchmarks.registry import CASEWORKER, Data

    settings.ALLOWED_HOSTS = ["testserver"]
    officer = CASEWORKER(Data())
    client = Client()
    client.force_login(officer)
    expected = case_list.count(officer, QueryDict())  # the rows the list holds
    url = reverse("staff-cases-csv")
    rows, took, queries = timed(client, url)
    assert rows == expected, (rows, expected)
    first_kib, peak_kib = peaks(client, url, expected)
    growth = (peak_kib - first_kib) / first_kib
    verdict = "PASS" if growth <= GROWTH_BUDGET else "FAIL"
    print(
        f"Case list CSV at scale {options.scale}: {rows} rows in {took:.1f}s, {queries} "
        f"queries; peak memory {first_kib / 1024:.1f} MiB over the first quarter, "
        f"{peak_kib / 1024:.1f} MiB over every row (growth {growth:.0%}, budget "
        f"{GROWTH_BUDGET:.0%}): {verdict}"
    )
    common.save(
        "case_list_csv",
        {
            "scale": options.scale,
            "rows": rows,
            "seconds": round(took, 2),
            "queries": queries,
            "first_quarter_peak_kib": first_kib,
            "peak_kib": peak_kib,
            "growth": round(growth, 3),
            "check": verdict,
        },
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
