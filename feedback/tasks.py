"""Scheduled work of feedback (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""

from celery import shared_task

from feedback.services import letters


@shared_task
def issue_letters(case_ids):
    """Issue the letter each case is owed now (see feedback.services.letters)."""
    return {"issued": letters.issue_many(case_ids)}


@shared_task
def issue_owed_letters():
    """The sweeper: issue every letter a case is owed and has not been
    issued, so a task message lost by the broker costs a minute."""
    return {"issued": letters.issue_many(list(letters.owed_cases()))}
