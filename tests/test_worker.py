"""Asking the worker for follow-up work at commit, and not asking it
(``accreditation.worker``): the demo seed records its letters as history,
so it leaves the worker no queue of tasks with nothing to do."""

from types import SimpleNamespace

import pytest

from accreditation import demo, worker
from accreditation.demo.seeder import Seeder
from accreditation.services import outbox
from accreditation.workflow import Action
from feedback.receivers import schedule_letters


@pytest.fixture
def asked(monkeypatch, settings):
    """What was asked of the worker: letter tasks and outbox wake-ups."""
    settings.OUTBOX_WAKE_WORKER = True
    sent = []
    monkeypatch.setattr(
        "feedback.tasks.issue_letters.apply_async",
        lambda args, **options: sent.append(("issue_letters", args[0])),
    )
    monkeypatch.setattr(
        outbox.celery_app, "send_task", lambda name, **options: sent.append((name, None))
    )
    return sent


def decide_and_wake(capture):
    with capture(execute=True):
        schedule_letters(sender=None, action=Action.ACCREDIT, cases=[SimpleNamespace(pk=7)])
        outbox.wake_worker()


@pytest.mark.django_db
def test_changes_ask_the_worker_unless_told_not_to(asked, django_capture_on_commit_callbacks):
    decide_and_wake(django_capture_on_commit_callbacks)
    assert sorted(asked, key=str) == [(outbox.SEND_TASK, None), ("issue_letters", [7])]
    asked.clear()
    with worker.not_asked():
        decide_and_wake(django_capture_on_commit_callbacks)
    assert asked == []
    assert worker.is_asked()


def test_the_demo_seed_asks_the_worker_for_nothing(monkeypatch):
    seen = []
    monkeypatch.setattr(Seeder, "run", lambda self, scale_units: seen.append(worker.is_asked()))
    monkeypatch.setattr("accreditation.kept.all_changed", lambda: None)
    demo.seed()
    assert seen == [False]
    assert worker.is_asked()
