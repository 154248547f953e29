"""Time the pages people use every day, each beside its floor, at a scale.

    .venv/bin/python benchmarks/pages.py --scale 100 --requests 100

seeds ``seed_demo --scale N`` into the scale's scratch database (see
``common.py``; reused when already seeded at that scale and seed version),
then requests every page of ``registry.PAGES`` as the person who uses it,
through Django's test client in this one process: a few requests to warm
up, then ``--requests`` timed ones. For each page it reports the queries
of one request, the median and 95th percentile server time, the peak of
Python memory one request allocates, and the page's floor (the same number
of rows from one indexed query through the same base template,
``floor.py``; timed in turn with the page, request by request) with the
page's 95th percentile over the floor's.

Budgets, printed PASS or FAIL per page:

- 95th percentile under 150 ms (the budget is set at 25,000 cases on
  PostgreSQL: scale 100);
- 95th percentile under 3 times the floor's;
- a list page makes the same number of queries at ``--compare-scale``
  (default 1, run first in a child process on its own database) as here;
- pages with a query budget (``max_queries``) stay within it.

The figures go to ``benchmarks/results/latest.json`` under ``pages``.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

P95_BUDGET_MS = 150
FLOOR_BUDGET = 3.0
BUDGET_SCALE = 100


def _get(client, url, count_queries=False):
    """One request of ``url``: (ms, queries or None, response). Queries are
    counted only when asked: counting them records each query's SQL with its
    parameters (Django's debug cursor), work the service does not do, and
    more of it on a page than on its floor, which makes fewer queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) if count_queries else nullcontext() as captured:
        begin = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = (time.perf_counter() - begin) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(captured.captured_queries) if count_queries else None, response


def measure(client, urls, requests, warmup, before=None):
    """Time each of ``urls`` ``requests`` times after ``warmup`` untimed,
    taking them in turn (a page, then its floor, then the page again), so
    a change in the machine's speed during the run moves both alike; then
    count the queries of one more request of each. ``before`` (if any) is
    called before each request of the first url, untimed. For each url:
    (sorted timings in ms, queries, the last response)."""

    def get(url, count_queries=False):
        if before is not None and url == urls[0]:
            before()
        return _get(client, url, count_queries)

    timings = {url: [] for url in urls}
    for index in range(warmup + requests):
        for url in urls:
            elapsed, _, _ = get(url)
            if index >= warmup:
                timings[url].append(elapsed)
    counted = [get(url, count_queries=True) for url in urls]
    return [
        (sorted(timings[url]), queries, response)
        for url, (_, queries, response) in zip(urls, counted, strict=True)
    ]


def peak_memory_kib(client, url, before=None):
    """The most Python memory one request of ``url`` held at once."""
    if before is not None:
        before()
    tracemalloc.start()
    try:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


def client_for(page, data):
    from django.test import Client

    client = Client()
    user = page.who(data)
    if user is not None:
        client.force_login(user)
        if page.organisation is not None:
            session = client.session
            session["current_organisation_id"] = page.organisation(data)
            session.save()
    return client, user


def run_pages(options, out):
    from django.conf import settings
    from django.core.cache import cache
    from django.urls import clear_url_caches

    from benchmarks.registry import PAGES, Data, NoData, rows_rendered

    settings.ROOT_URLCONF = "benchmarks.floor"
    settings.ALLOWED_HOSTS = ["testserver"]
    clear_url_caches()
    # One Redis database serves the runs at every scale, and what the
    # service keeps there (a round report's figures) is keyed by its rows'
    # ids, which each scale's database reuses: start from nothing.
    cache.clear()
    data = Data()
    results = []
    for page in PAGES:
        if options.only and page.name not in options.only:
            continue
        try:
            url = page.url(data)
            client, user = client_for(page, data)
        except NoData as missing:
            out(f"  {page.name}: skipped, {missing}")
            results.append({"page": page.name, "skipped": str(missing)})
            continue
        for _ in range(max(options.warmup, 1)):
            if page.before is not None:
                page.before()
            _, queries, response = _get(client, url, count_queries=True)
        content = b"" if response.streaming else response.content
        rows = page.rows if page.rows is not None else rows_rendered(content.decode())
        row = {
            "page": page.name,
            "url": url,
            "as": user.email if user else "anyone",
            "is_list": page.is_list,
            "max_queries": page.max_queries,
            "queries": queries,
            "rows": rows,
        }
        if not options.counts_only:
            floor_url = f"/__benchmark__/floor/{rows}/"
            (timings, queries, _), (floor_timings, floor_queries, _) = measure(
                client, [url, floor_url], options.requests, options.warmup, page.before
            )
            row["queries"] = queries
            row.update(
                median_ms=round(statistics.median(timings), 1),
                p95_ms=round(common.percentile(timings, 0.95), 1),
                worst_ms=round(timings[-1], 1),
                floor_median_ms=round(statistics.median(floor_timings), 1),
                floor_p95_ms=round(common.percentile(floor_timings, 0.95), 1),
                floor_queries=floor_queries,
                peak_kib=peak_memory_kib(client, url, page.before),
            )
            row["times_floor"] = round(row["p95_ms"] / row["floor_p95_ms"], 2)
        results.append(row)
        out(
            f"  {page.name}: {queries} queries"
            + ("" if options.counts_only else f", p95 {row['p95_ms']} ms")
        )
    return results


def judge(rows, compare_counts, compare_scale):
    """Each row's budgets: PASS, FAIL, or '-' where one does not apply."""
    for row in rows:
        if "skipped" in row:
            continue
        checks = {
            "p95": "PASS" if row["p95_ms"] < P95_BUDGET_MS else "FAIL",
            "floor": "PASS" if row["times_floor"] < FLOOR_BUDGET else "FAIL",
        }
        if row["is_list"]:
            other = compare_counts.get(row["page"])
            row[f"queries_scale_{compare_scale}"] = other
            checks["same_queries"] = (
                "-" if other is None else "PASS" if other == row["queries"] else "FAIL"
            )
        if row["max_queries"] is not None:
            checks["max_queries"] = "PASS" if row["queries"] <= row["max_queries"] else "FAIL"
        row["checks"] = checks
    return rows


def table(section):
    """The pages' table, as printed and as ``report.py`` prints it again."""
    compare = section.get("compare_scale")
    head = (
        f"{'page':<32}{'rows':>5}{'queries':>8}{f'@s{compare}':>6}{'median':>8}{'p95':>7}"
        f"{'floor':>7}{'x floor':>8}{'peak MiB':>9}  budgets (p95<{P95_BUDGET_MS}ms, "
        f"<{FLOOR_BUDGET:g}x floor, queries)"
    )
    lines = [head, "-" * len(head)]
    for row in section["rows"]:
        if "skipped" in row:
            lines.append(f"{row['page']:<32}skipped: {row['skipped']}")
            continue
        other = row.get(f"queries_scale_{compare}")
        checks = row["checks"]
        verdicts = [f"p95 {checks['p95']}", f"floor {checks['floor']}"]
        if "same_queries" in checks:
            verdicts.append(f"same queries {checks['same_queries']}")
        if "max_queries" in checks:
            verdicts.append(f"<={row['max_queries']} queries {checks['max_queries']}")
        lines.append(
            f"{row['page']:<32}{row['rows']:>5}{row['queries']:>8}"
            f"{'' if other is None else other:>6}{row['median_ms']:>8.1f}{row['p95_ms']:>7.1f}"
            f"{row['floor_p95_ms']:>7.1f}{row['times_floor']:>8.2f}"
            f"{row['peak_kib'] / 1024:>9.1f}  {', '.join(verdicts)}"
        )
    return "\n".join(lines)


def compare_counts(options):
    """The pages' query counts at ``--compare-scale``, from a child process
    on that scale's own database."""
    if not options.compare_scale or options.compare_scale == options.scale:
        return {}
    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--scale",
            str(options.compare_scale),
            "--requests",
            "2",
            "--warmup",
            "2",
            "--counts-only",
            handle.name,
        ]
        for name in options.only or ():
            command += ["--only", name]
        subprocess.run(command, check=True)
        return json.loads(Path(handle.name).read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=BUDGET_SCALE)
    parser.add_argument(
        "--requests",
        type=int,
        default=100,
        # A 95th percentile of 50 is the third slowest: one pause of the
        # machine moved a page of a few milliseconds, or its floor, by a
        # tenth or more from run to run.
        help="timed requests per page",
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--compare-scale", type=int, default=1)
    parser.add_argument("--only", action="append", help="time only this page (repeatable)")
    parser.add_argument("--counts-only", metavar="PATH", help=argparse.SUPPRESS)
    options = parser.parse_args()

    counts = compare_counts(options)
    print(f"Pages at scale {options.scale}:")
    seed_seconds, reused = common.seeded(options.scale)
    from django.db import connection

    from proposals.models import Proposal

    rows = run_pages(options, lambda line: print(line, flush=True))
    if options.counts_only:
        Path(options.counts_only).write_text(
            json.dumps({row["page"]: row.get("queries") for row in rows})
        )
        return
    section = {
        "scale": options.scale,
        "cases": Proposal.objects.count(),
        "database": connection.vendor,
        "seed_seconds": round(seed_seconds, 1),
        "seed_reused": reused,
        "requests": options.requests,
        "warmup": options.warmup,
        "compare_scale": options.compare_scale,
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows": judge(rows, counts, options.compare_scale),
    }
    common.save("pages", section)
    print()
    print(
        f"{section['cases']} cases on {section['database']}, {options.requests} requests per "
        f"page after {options.warmup} to warm up; process peak RSS "
        f"{section['process_peak_rss_mib']} MiB"
    )
    print(table(section))
    if options.scale != BUDGET_SCALE or connection.vendor != "postgresql":
        print(
            f"(The 150 ms budget is set for scale {BUDGET_SCALE} on PostgreSQL; this run is "
            f"scale {options.scale} on {connection.vendor}.)"
        )


if __name__ == "__main__":
    main()
