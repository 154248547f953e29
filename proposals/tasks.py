"""Scheduled work on proposals. Each task re-derives what to do from the
database and records what it did once (``accreditation.services.scheduler``),
so running it twice, or after a worker died half way, does the same thing
once."""

from celery import shared_task

from accreditation.services import scheduler
from proposals.services import deadlines


@shared_task
def lapse_overdue_drafts():
    """Close every round and out-of-round window whose deadline has passed:
    its drafts lapse and their contacts are told, in one transaction per
    round or window. Drafts in a cancelled round are kept, to be moved to
    another round."""
    return scheduler.finished("proposals.tasks.lapse_overdue_drafts", deadlines.close_periods())


@shared_task
def remind_drafts():
    """Remind the contacts of drafts 14, 7 and 1 days before the deadline."""
    return scheduler.finished("proposals.tasks.remind_drafts", deadlines.remind_drafts())
