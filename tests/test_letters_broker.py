"""Issuing a batch of letters through a real Celery worker on Redis, killed
half way (SIGKILL, as a machine dies), then restarted: every case ends with
exactly one letter and one email per contact, and nothing twice."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accreditation.celery import app as celery_app
from accreditation.models import OutboxMessage
from accreditation.models.organisations import contact_addresses
from accreditation.workflow import Action, move
from feedback.models import Letter
from tests.casework import person_with
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

CASES = 8


def start_worker():
    """A real worker process on the test database and the test's Redis."""
    database = connection.settings_dict
    login = quote(database["USER"]) + (
        f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    )
    # This process's settings already chose its xdist worker's Redis database
    # and folders: the worker is given them as they are, not chosen again.
    environment = {
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "accreditation.settings_test",
        "DATABASE_URL": (
            f"postgres://{login}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }
    return subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "accreditation", "worker", "--pool=solo"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_half_way_through_a_batch_issues_each_letter_once():
    if connection.vendor != "postgresql":
        pytest.fail("The worker needs the test database on PostgreSQL (DATABASE_URL).")
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.control.purge()
    official = person_with("decision_official")
    cases = [ProposalFactory(status="awaiting_decision") for _ in range(CASES)]
    for case in cases:
        move(case, Action.ACCREDIT, official)  # each commit sends its task to Redis
    worker = start_worker()
    try:
        assert wait_for(lambda: Letter.objects.exists(), 120), "the worker issued nothing"
        worker.kill()
        worker.wait(30)
        issued_before_restart = Letter.objects.count()
        assert issued_before_restart < CASES, "the worker finished before it was killed"
        worker = start_worker()
        # The sweeper's run, as the scheduler fires it every minute: it
        # issues what the killed worker's unacknowledged task held.
        celery_app.send_task("feedback.tasks.issue_owed_letters")
        assert wait_for(lambda: Letter.objects.count() == CASES, 180)
        time.sleep(1)  # any task still queued runs, and must add nothing
    finally:
        worker.kill()
        worker.wait(30)
    for case in cases:
        assert Letter.objects.filter(case=case).count() == 1
        contacts = contact_addresses(case.organisation_id)
        emails = OutboxMessage.objects.filter(key=f"letter:{case.pk}:decision:0")
        assert sorted(emails.values_list("to", flat=True)) == sorted(contacts)
        assert case.events.filter(action="letter_issued").count() == 1
