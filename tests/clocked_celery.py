"""Run Celery (a worker or beat) on a clock the test moves: the time is read
from the file named by ``TEST_CLOCK_FILE`` and follows it when the test
writes a new one (time-machine). The clock ticks from the moment the file
was written, so processes started later agree with those already running.
Used as ``python -m tests.clocked_celery -A accreditation worker ...``."""

import os
import sys
import threading
import time
from datetime import datetime, timedelta

import time_machine

_REAL_START = time.time()
_MONOTONIC_START = time.monotonic()


def real_time():
    """The real time, whatever time-machine says."""
    return _REAL_START + time.monotonic() - _MONOTONIC_START


def read(path):
    """The time written in the file, plus the real time since it was written."""
    written = os.stat(path).st_mtime
    with open(path) as file:
        when = datetime.fromisoformat(file.read().strip())
    return when + timedelta(seconds=max(0.0, real_time() - written))


def set_clock(path, when):
    """Write ``when`` for the clocked processes (atomically: never half read)."""
    partial = f"{path}.partial"
    with open(partial, "w") as file:
        file.write(when.isoformat())
    os.replace(partial, path)


def follow(path, coordinates):
    seen = os.stat(path).st_mtime_ns
    while True:
        time.sleep(0.02)
        changed = os.stat(path).st_mtime_ns
        if changed != seen:
            seen = changed
            coordinates.move_to(read(path))


def main():
    path = os.environ["TEST_CLOCK_FILE"]
    coordinates = time_machine.travel(read(path), tick=True).start()
    threading.Thread(target=follow, args=(path, coordinates), daemon=True).start()
    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
