"""Real Celery worker and beat processes for the tests that claim to cover
them: on the test database (PostgreSQL) and the test's Redis, on a clock the
test moves (``tests.clocked_celery``)."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.clocked_celery import set_clock


def environment(**extra):
    database = connection.settings_dict
    login = quote(database["USER"]) + (
        f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    )
    return {
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "accreditation.settings_test",
        "DATABASE_URL": (
            f"postgres://{login}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        **extra,
    }


class Clock:
    """The time the clocked processes read, moved by the test."""

    def __init__(self, folder, when):
        self.folder = folder
        self.path = str(folder / "clock")
        self.set(when)

    def set(self, when):
        set_clock(self.path, when)


def start(clock, *arguments, **extra):
    if connection.vendor != "postgresql":
        pytest.fail("Celery processes need the test database on PostgreSQL (DATABASE_URL).")
    path = clock.folder / f"{arguments[0]}-{time.monotonic_ns()}.log"
    with open(path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.clocked_celery", "-A", "accreditation", *arguments],
            cwd=settings.BASE_DIR,
            env=environment(TEST_CLOCK_FILE=clock.path, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log, process.kind = path, arguments[0]
    return process


def wait_until_ready(clock, *processes):
    """Wait until each process says it has started (its log's last line of
    start-up), so the clock moved next is the one it runs on."""
    for process in processes:
        marker = READY[process.kind]
        wait_for(
            lambda process=process, marker=marker: marker in process.log.read_text(),
            120,
            f"{process.kind} to start",
            clock,
        )


READY = {"worker": " ready.", "beat": "beat: Starting..."}


def start_worker(clock, **extra):
    return start(
        clock,
        *("worker", "--pool=solo", "--without-gossip", "--without-mingle"),
        *("--without-heartbeat", "-l", "INFO"),
        **extra,
    )


def start_beat(clock, folder, **extra):
    return start(
        clock,
        *("beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler"),
        *("--max-interval", "1", "-l", "INFO", "--pidfile", str(folder / "beat.pid")),
        **extra,
    )


def stop(*processes):
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def wait_for(condition, seconds, what, clock=None):
    """Wait until ``condition()``; fail saying ``what`` did not happen, with
    the processes' logs when the test's ``clock`` is given."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    logs = ""
    if clock is not None:
        for log in sorted(clock.folder.glob("*.log")):
            logs += f"\n--- {log.name}\n{log.read_text()[-3000:]}"
    pytest.fail(f"Waited {seconds} s: {what}{logs}")
