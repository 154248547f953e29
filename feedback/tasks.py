"""Scheduled work of feedback (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""

from celery import shared_task

from accreditation.services import scheduler
from feedback.services import letters


@shared_task
def issue_letters(case_ids):
    """Issue the letter each case is owed now (see feedback.services.letters)."""
    return {"issued": letters.issue_many(case_ids)}


@shared_task
def issue_concern_responses(concern_ids):
    """Issue the response letter of each concern not upheld."""
    return {"issued": letters.issue_concern_responses(concern_ids)}


@shared_task
def issue_revocation_letters(register_event_ids):
    """Issue the letter of each step of revocation (notice, revocation)."""
    return {"issued": letters.issue_revocation_letters(register_event_ids)}


SWEEP_LIMIT = 100
"""Letters a sweeper run takes on (a letter renders in well under a second),
so a run ends before the next is due; the rest wait for the next run."""


@shared_task
def issue_owed_letters(limit=SWEEP_LIMIT):
    """The sweeper: issue the letters cases, concerns and revocations are
    owed and have not been issued, so a task message lost by the broker
    costs a minute."""
    issued = letters.issue_many(list(letters.owed_cases()[:limit]))
    room = max(limit - issued, 0)
    issued += letters.issue_concern_responses(list(letters.owed_concern_responses()[:room]))
    room = max(limit - issued, 0)
    issued += letters.issue_revocation_letters(list(letters.owed_revocation_letters()[:room]))
    return scheduler.finished("feedback.tasks.issue_owed_letters", {"issued": issued})
