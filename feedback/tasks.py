"""Scheduled work of feedback (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""

from celery import shared_task

from accreditation.services import scheduler
from feedback.services import letters


@shared_task
def issue_letters(case_ids):
    """Issue the letter each case is owed now (see feedback.services.letters)."""
    return {"issued": letters.issue_many(case_ids)}


SWEEP_LIMIT = 100
"""Cases a sweeper run takes on (a letter renders in well under a second), so
a run ends before the next is due; the rest wait for the next run."""


@shared_task
def issue_owed_letters(limit=SWEEP_LIMIT):
    """The sweeper: issue the letters cases are owed and have not been
    issued, so a task message lost by the broker costs a minute."""
    issued = letters.issue_many(list(letters.owed_cases()[:limit]))
    return scheduler.finished("feedback.tasks.issue_owed_letters", {"issued": issued})
