"""Close a round with 5,000 drafts, then send the 5,000 emails through two
Celery workers to a local SMTP server.

    .venv/bin/python benchmarks/close_round.py --drafts 5000

Builds a scratch database (``<name>_close`` beside ``DATABASE_URL``'s, or
SQLite under ``var/bench-close`` when it is not set; PostgreSQL is the
production shape) with a round
whose deadline has just passed and ``--drafts`` drafts in it, each of its own
organisation with one contact. Then:

1. times the closing task's work (``close_periods``: every draft lapsed
   through ``move_many``, its timeline event written and its email queued,
   the round's closing recorded) and counts its queries, at a tenth of the
   drafts and at all of them: the count must not grow with the drafts;
2. starts two Celery workers (Redis when ``REDIS_URL`` is set, else the
   filesystem broker) whose mail goes to an aiosmtpd server in this process,
   asks them to send, and times until every email is accepted.

The target: the close under 10 seconds, its query count flat.
"""

import argparse
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

TARGET_SECONDS = 10.0


class Sink:
    """An SMTP server that counts what it accepts."""

    def __init__(self):
        self.accepted = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_round(drafts, label):
    """A round whose deadline passed a minute ago, holding ``drafts`` drafts
    of organisations with one contact each (bulk inserts)."""
    from datetime import timedelta

    from accreditation import clock
    from accreditation.models import (
        Framework,
        LocalAuthority,
        Membership,
        Organisation,
        Round,
        Term,
        User,
    )
    from proposals.models import Proposal

    now = clock.now()
    year = 2200 + Round.objects.count()
    round_ = Round.objects.create(
        term=Term.AUTUMN,
        year=year,
        framework=Framework.objects.get(version=1),
        opens_at=now - timedelta(days=60),
        deadline=now - timedelta(minutes=1),
        **Round.dates_after_deadline(clock.local_date(now)),
    )
    authority = LocalAuthority.objects.order_by("code").first()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench {label} {year} organisation {n}",
            kind="maintained_primary",
            urn=f"{(year * 10000 + n) % 1000000:06d}",
            local_authority=authority,
            phase="primary",
        )
        for n in range(drafts)
    )
    users = User.objects.bulk_create(
        User(email=f"bench-{label}-{year}-{n}@example.org", full_name=f"Contact {n}")
        for n in range(drafts)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, is_contact=True)
        for user, organisation in zip(users, organisations, strict=True)
    )
    Proposal.objects.bulk_create(
        Proposal(
            organisation=organisation,
            round=round_,
            framework=round_.framework,
            accreditation_type="asp",
            created_by=user,
        )
        for user, organisation in zip(users, organisations, strict=True)
    )
    return round_


def time_close(drafts, label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.services import deadlines

    build_round(drafts, label)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = deadlines.close_periods()
        elapsed = time.perf_counter() - started
    assert result["lapsed"] == drafts, result
    return elapsed, len(queries)


def start_worker(environment, name):
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            *("-m", "celery", "-A", "accreditation", "worker", "--concurrency=1"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("-n", f"{name}@%h", "-l", "WARNING"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=5000)
    options = parser.parse_args()

    if common.database_url(None, "close") is None:
        shutil.rmtree(ROOT / "var" / "bench-close", ignore_errors=True)
    # Its own scratch database and Redis database: it empties the outbox.
    common.configure(None, suffix="close")
    os.environ["OUTBOX_WAKE_WORKER"] = "false"
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command

    from accreditation.celery import app
    from accreditation.models import OutboxMessage

    settings.DEBUG = False
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
    call_command("migrate", verbosity=0)
    OutboxMessage.objects.all().delete()

    small = max(1, options.drafts // 10)
    small_time, small_queries = time_close(small, "small")
    close_time, close_queries = time_close(options.drafts, "full")
    print(f"Closing a round of {small} drafts: {small_time:.2f}s, {small_queries} queries")
    verdict = "met" if close_time < TARGET_SECONDS and close_queries == small_queries else "MISSED"
    print(
        f"Closing a round of {options.drafts} drafts: {close_time:.2f}s, {close_queries} "
        f"queries (target < {TARGET_SECONDS:.0f}s and the same queries: {verdict})"
    )

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    environment = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    workers = [start_worker(environment, f"bench{n}") for n in (1, 2)]
    try:
        started = time.perf_counter()
        for _ in range(waiting // 200 + 4):
            app.send_task("accreditation.tasks.send_outbox")
        while OutboxMessage.objects.filter(sent_at__isnull=True).exists():
            if time.perf_counter() - started > 900:
                raise SystemExit("The workers did not send every email in 15 minutes.")
            time.sleep(1)
            # A run sends up to 200: keep both workers fed, as the sweeper would.
            app.send_task("accreditation.tasks.send_outbox")
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(30)
        app.control.purge()  # the sends still queued: nothing is left waiting
        controller.stop()
    print(
        f"Sending {waiting} emails through two workers to a local SMTP server: {elapsed:.1f}s "
        f"({waiting / elapsed:.0f} a second); the server accepted {sink.accepted}"
    )


if __name__ == "__main__":
    main()
