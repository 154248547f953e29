"""The service's Celery app, observed: a worker started with
``celery -A benchmarks.letter_worker worker`` runs the same tasks as
``-A accreditation``, and writes one line of JSON per letter it issues to
``$LETTER_PROBE_DIR/<pid>.jsonl``: the case, the seconds and the CPU seconds
``feedback.services.letters.issue`` took (lock, render, store, timeline,
e-mail, commit), and the process's memory after it (resident now, and its
peak so far). Used by ``benchmarks/letter_batch.py`` only."""

import json
import os
import resource
import time
from pathlib import Path

import django

from accreditation.celery import app

django.setup()

from feedback.services import letters  # noqa: E402 - needs the apps loaded

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
_issue = letters.issue
_log = Path(os.environ["LETTER_PROBE_DIR"], f"{os.getpid()}.jsonl").open("a", buffering=1)


def resident_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MIB


def observed_issue(case_id):
    started, cpu = time.perf_counter(), time.process_time()
    letter = _issue(case_id)
    record = {
        "case": case_id,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "rss_mib": round(resident_mib(), 1),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    _log.write(json.dumps(record) + "\n")
    return letter


letters.issue = observed_issue

__all__ = ["app"]
