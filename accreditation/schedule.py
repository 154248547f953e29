"""The scheduler's standing work, kept in the database by django-celery-beat.

``ensure_schedule`` is idempotent (by task: a renamed entry is renamed, and an
interval changed in the admin is kept): a data migration calls it with the
historical app registry, and tests call it after a flush has emptied the
tables.
"""

from django.apps import apps as django_apps

EVERY = (
    ("Record rounds opening at their opening time", "accreditation.tasks.open_rounds", 60),
    (
        "Close rounds and out-of-round windows at their deadline, lapsing drafts",
        "proposals.tasks.lapse_overdue_drafts",
        60,
    ),
    ("Remind contacts of drafts before the deadline", "proposals.tasks.remind_drafts", 60),
    ("Chase overdue assessments", "assessments.tasks.chase_overdue_assessments", 3600),
    ("Chase overdue information requests", "assessments.tasks.chase_overdue_requests", 3600),
    (
        "Chase Advisory Group members' views before meetings",
        "advisory_group.tasks.chase_views_before_meetings",
        3600,
    ),
    ("Chase decisions past their target", "accreditation.tasks.chase_decisions", 3600),
    ("Send email waiting in the outbox", "accreditation.tasks.send_outbox", 60),
    ("Issue letters cases are owed", "feedback.tasks.issue_owed_letters", 60),
    (
        "Anchor every case's timeline head (once a day)",
        "accreditation.tasks.anchor_timeline",
        3600,
    ),
    (
        "Create next term's round from the term calendar",
        "accreditation.tasks.create_next_round",
        86400,
    ),
)
"""(name, task, every so many seconds). Every task is a sweeper that reads the
one clock (Europe/London, ``accreditation.clock``) and records what it did
once, so how often it fires changes only how soon the work is done."""


def ensure_schedule(apps=django_apps):
    """One query when every entry is there under its name."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = dict(
        PeriodicTask.objects.filter(task__in=[task for _, task, _ in EVERY]).values_list(
            "task", "name"
        )
    )
    for name, task, seconds in EVERY:
        if names.get(task) == name:
            continue
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.update_or_create(
            task=task, defaults={"name": name}, create_defaults={"name": name, "interval": every}
        )
