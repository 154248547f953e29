"""The scheduler end to end: real Celery beat and worker processes against
Redis and the test database, on a clock the test moves (not eager mode).

- a round opens and closes at the right minute in Europe/London on both sides
  of the October and March clock changes, and its drafts lapse at the close;
- a reminder goes once although the task runs three times;
- a worker killed (SIGKILL) in the middle of a batch of reminders, then
  restarted, leaves each reminder written and sent exactly once;
- two beat processes at once do the work once.
"""

from datetime import date, time, timedelta
from time import monotonic, sleep

import pytest
from django_celery_beat.models import PeriodicTask

from accreditation import clock
from accreditation.celery import app as celery_app
from accreditation.models import OutboxMessage, ScheduledAction, ScheduledKind, TaskRun
from accreditation.workflow import Status
from proposals.models import Proposal
from proposals.services.deadlines import reminder_key
from tests.celery_processes import (
    Clock,
    start_beat,
    start_worker,
    stop,
    wait_for,
    wait_until_ready,
)
from tests.factories import MembershipFactory, ProposalFactory, RoundFactory

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUND_TASKS = ("accreditation.tasks.open_rounds", "proposals.tasks.lapse_overdue_drafts")


def only_scheduled(since, *tasks):
    """Beat fires only ``tasks`` (the others would only slow the test), each
    first a minute after ``since`` (django-celery-beat counts a task that
    never ran from when its row changed, in real time, not the test's)."""
    PeriodicTask.objects.exclude(task__in=tasks).update(enabled=False)
    PeriodicTask.objects.filter(task__in=tasks).update(last_run_at=since)


def ran_since(task, when):
    return lambda: TaskRun.objects.filter(task=task, finished_at__gte=when).exists()


def run_at(test_clock, when, tasks=ROUND_TASKS):
    """Move the clock to ``when`` and wait until beat has fired each task
    and the worker has finished it at that time."""
    test_clock.set(when)
    for task in tasks:
        wait_for(ran_since(task, when), 30, f"{task} to run at {when}", test_clock)


def records(kind):
    return ScheduledAction.objects.filter(kind=kind)


@pytest.fixture
def clean_broker():
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def test_a_round_opens_and_closes_at_the_right_minute_across_the_clock_changes(
    tmp_path, clean_broker
):
    # Opens at 9am on the Sunday the clocks go back (GMT: 09:00 UTC) and
    # closes at 5pm on the Sunday they go forward (BST: 16:00 UTC).
    opens_at = clock.at(date(2026, 10, 25), time(9))
    deadline = clock.at(date(2027, 3, 28), time(17))
    round_ = RoundFactory(opens_at=opens_at, deadline=deadline)
    drafts = [ProposalFactory(round=round_) for _ in range(3)]
    for draft in drafts:
        MembershipFactory(organisation=draft.organisation)
    test_clock = Clock(tmp_path, opens_at - timedelta(minutes=3))
    only_scheduled(opens_at - timedelta(minutes=3), *ROUND_TASKS)
    beat, worker = start_beat(test_clock, tmp_path), start_worker(test_clock)
    try:
        wait_until_ready(test_clock, beat, worker)
        # Beat fires each task a minute (of the clock) after it starts.
        run_at(test_clock, opens_at - timedelta(seconds=55))
        assert not records(ScheduledKind.ROUND_OPENED).exists()
        run_at(test_clock, opens_at + timedelta(seconds=10))
        opened = records(ScheduledKind.ROUND_OPENED).get()
        assert (clock.local(opened.done_at).hour, clock.local(opened.done_at).minute) == (9, 0)
        assert opened.done_at.utcoffset() is not None
        assert opened.target == f"round:{round_.pk}"

        run_at(test_clock, deadline - timedelta(seconds=90))
        run_at(test_clock, deadline - timedelta(seconds=20))
        assert not records(ScheduledKind.ROUND_CLOSED).exists()
        assert set(Proposal.objects.values_list("status", flat=True)) == {Status.DRAFT}
        run_at(test_clock, deadline + timedelta(seconds=45))
        closed = records(ScheduledKind.ROUND_CLOSED).get()
        local = clock.local(closed.done_at)
        assert (local.hour, local.minute, local.tzname()) == (17, 0, "BST")
        assert closed.count == 3
        # Later runs find the round closed, and do nothing more.
        run_at(test_clock, deadline + timedelta(minutes=2))
    finally:
        stop(beat, worker)
    assert records(ScheduledKind.ROUND_OPENED).count() == 1
    assert records(ScheduledKind.ROUND_CLOSED).get().count == 3
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == Status.LAPSED
        assert draft.events.filter(action="lapse").count() == 1
        assert OutboxMessage.objects.filter(key=f"lapsed:{draft.pk}").count() == 1


def drafts_due_in_a_week(count, contacts=1):
    """``count`` drafts in a round whose deadline is just under a week away."""
    round_ = RoundFactory(deadline=clock.now() + timedelta(days=7) - timedelta(hours=1))
    drafts = [ProposalFactory(round=round_) for _ in range(count)]
    for draft in drafts:
        for _ in range(contacts):
            MembershipFactory(organisation=draft.organisation)
    return drafts


def assert_reminded_once(drafts):
    for draft in drafts:
        assert records(ScheduledKind.REMINDER).filter(target=f"proposal:{draft.pk}").count() == 1
        key = reminder_key(7, draft.round.deadline)
        messages = OutboxMessage.objects.filter(key=f"reminder:{draft.pk}:{key}")
        contacts = draft.organisation.memberships.filter(is_contact=True).count()
        assert messages.count() == contacts
        assert not OutboxMessage.objects.filter(key__startswith=f"reminder:{draft.pk}:").exclude(
            key=f"reminder:{draft.pk}:{key}"
        )


def test_each_reminder_goes_once_although_the_task_runs_three_times(tmp_path, clean_broker):
    drafts = drafts_due_in_a_week(4, contacts=2)
    test_clock = Clock(tmp_path, clock.now())
    worker = start_worker(test_clock)
    try:
        wait_until_ready(test_clock, worker)
        for _ in range(3):
            celery_app.send_task("proposals.tasks.remind_drafts")
        celery_app.send_task("accreditation.tasks.send_outbox")
        wait_for(
            lambda: OutboxMessage.objects.filter(sent_at__isnull=False).count() == 8,
            60,
            "the reminders to be sent",
        )
        # A later run finds every reminder recorded.
        later = clock.now() + timedelta(minutes=5)
        test_clock.set(later)
        # Asked again until a run on the moved clock is seen: a run that
        # started before the worker followed the clock does not count.
        deadline = monotonic() + 30
        while not ran_since("proposals.tasks.remind_drafts", later)():
            if monotonic() > deadline:
                pytest.fail("Waited 30 s: a run at the moved time")
            celery_app.send_task("proposals.tasks.remind_drafts")
            sleep(1)
    finally:
        stop(worker)
    assert_reminded_once(drafts)
    assert OutboxMessage.objects.count() == 8
    assert TaskRun.objects.get(task="proposals.tasks.remind_drafts").result == {"reminded": 0}


def test_a_worker_killed_in_a_batch_of_reminders_leaves_each_sent_once(tmp_path, clean_broker):
    """The worker writes reminders in transactions of five. The test holds
    the record of the 13th draft's reminder in an open transaction, so the
    worker's third batch waits on it, and is killed there (SIGKILL) with two
    batches committed. Restarted, it finishes the rest."""
    from django.db import connections

    drafts = drafts_due_in_a_week(20)
    test_clock = Clock(tmp_path, clock.now())
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accreditation_scheduledaction (kind, target, key, summary, count, done_at)"
            " VALUES (%s, %s, %s, '', 0, now())",
            [
                ScheduledKind.REMINDER,
                f"proposal:{drafts[12].pk}",
                reminder_key(7, drafts[12].round.deadline),
            ],
        )
    worker = start_worker(test_clock, SCHEDULER_BATCH_SIZE="5")
    try:
        celery_app.send_task("proposals.tasks.remind_drafts")
        wait_for(lambda: records(ScheduledKind.REMINDER).count() == 10, 60, "two batches")
        worker.kill()  # SIGKILL: no clean-up of any kind
        worker.wait(30)
        blocker.rollback()
        blocker.close()
        assert records(ScheduledKind.REMINDER).count() == 10
        assert OutboxMessage.objects.count() == 10
        assert not TaskRun.objects.filter(task="proposals.tasks.remind_drafts").exists()
        worker = start_worker(test_clock, SCHEDULER_BATCH_SIZE="5")
        # The beat's next firing (the killed worker's message is redelivered
        # by Redis only after its visibility timeout).
        celery_app.send_task("proposals.tasks.remind_drafts")
        wait_for(lambda: records(ScheduledKind.REMINDER).count() == 20, 60, "the rest")
        celery_app.send_task("accreditation.tasks.send_outbox")
        wait_for(
            lambda: OutboxMessage.objects.filter(sent_at__isnull=False).count() == 20,
            60,
            "every reminder to be sent",
        )
    finally:
        stop(worker)
    assert_reminded_once(drafts)
    assert OutboxMessage.objects.count() == 20


def test_two_beat_processes_do_the_work_once(tmp_path, clean_broker):
    round_ = RoundFactory(deadline=clock.now() + timedelta(minutes=2))
    drafts = [ProposalFactory(round=round_) for _ in range(5)]
    for draft in drafts:
        MembershipFactory(organisation=draft.organisation)
    only_scheduled(clock.now(), "proposals.tasks.lapse_overdue_drafts")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    test_clock = Clock(tmp_path, clock.now())
    processes = [
        start_beat(test_clock, tmp_path / "one"),
        start_beat(test_clock, tmp_path / "two"),
        start_worker(test_clock),
        start_worker(test_clock),
    ]
    try:
        wait_until_ready(test_clock, *processes)
        run_at(test_clock, round_.deadline + timedelta(seconds=5), ROUND_TASKS[1:])
        run_at(test_clock, round_.deadline + timedelta(minutes=2), ROUND_TASKS[1:])
    finally:
        stop(*processes)
    closed = records(ScheduledKind.ROUND_CLOSED).get()
    assert closed.count == 5
    for draft in drafts:
        assert draft.events.filter(action="lapse").count() == 1
        assert OutboxMessage.objects.filter(key=f"lapsed:{draft.pk}").count() == 1
