"""Print the table of the last ``make bench`` from
``benchmarks/results/latest.json``: every row with its figure, its budget
and PASS or FAIL. Exits non-zero if any budget failed.

    .venv/bin/python benchmarks/report.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402
from benchmarks.letter_batch import table as letter_batch_table  # noqa: E402
from benchmarks.load import table as load_table  # noqa: E402
from benchmarks.pages import table as pages_table  # noqa: E402


def failures(results):
    failed = []
    for row in results.get("assignment", []):
        if row["check"] == "FAIL":
            failed.append(f"assignment {row['cases']} cases")
    for row in results.get("pages", {}).get("rows", []):
        failed += [
            f"{row['page']}: {name}" for name, v in row.get("checks", {}).items() if v == "FAIL"
        ]
    for name, verdict in results.get("load", {}).get("checks", {}).items():
        if verdict == "FAIL":
            failed.append(f"load: {name}")
    if results.get("case_list_csv", {}).get("check") == "FAIL":
        failed.append("case list CSV: memory")
    for name, verdict in results.get("letter_batch", {}).get("checks", {}).items():
        if verdict == "FAIL":
            failed.append(f"letter batch: {name}")
    return failed


def main():
    results = json.loads(common.RESULTS.read_text())
    machine = results.get("machine", {})
    print(f"commit {results.get('commit')}")
    print(
        f"machine: {machine.get('cpu')}, {machine.get('cores')} cores, "
        f"{machine.get('memory_gib')} GiB, load average at start "
        f"{machine.get('load_average_at_start')}"
    )
    print()
    for row in results.get("assignment", []):
        target = f"target < {row['target_s']}s: {row['check']}" if row["target_s"] else ""
        print(
            f"assignment, {row['cases']} cases and {row['assessors']} assessors: median "
            f"{row['median_s']}s, worst {row['worst_s']}s  {target}"
        )
    letters = results.get("letters")
    if letters:
        print(
            f"feedback letter, {letters['criteria']} criteria: median {letters['median_ms']} ms, "
            f"p95 {letters['p95_ms']} ms (CPU: median {letters.get('median_cpu_ms')} ms), "
            f"peak memory {letters['peak_mib']} MiB"
        )
    letter_batch = results.get("letter_batch")
    if letter_batch:
        print(letter_batch_table(letter_batch))
    pages = results.get("pages")
    if pages:
        print()
        print(
            f"Pages at scale {pages['scale']}: {pages['cases']} cases on {pages['database']} "
            f"(seed {pages['seed_seconds']}s{', reused' if pages['seed_reused'] else ''}); "
            f"{pages['requests']} requests per page after {pages['warmup']}; process peak RSS "
            f"{pages['process_peak_rss_mib']} MiB"
        )
        print(pages_table(pages))
    download = results.get("case_list_csv")
    if download:
        print()
        print(
            f"Case list CSV at scale {download['scale']}: {download['rows']} rows in "
            f"{download['seconds']}s, {download['queries']} queries; peak memory "
            f"{download['first_quarter_peak_kib'] / 1024:.1f} MiB over the first quarter, "
            f"{download['peak_kib'] / 1024:.1f} MiB over every row (growth "
            f"{download['growth']:.0%}, budget 10%): {download['check']}"
        )
    load = results.get("load")
    if load:
        print()
        print(load_table(load))
    failed = failures(results)
    print()
    print(
        "All budgets met." if not failed else f"{len(failed)} budgets FAILED: " + "; ".join(failed)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
