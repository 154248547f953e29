"""Scheduled work of assessments (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""

from celery import shared_task

from accreditation.services import scheduler
from assessments.services import chasers


@shared_task
def chase_overdue_assessments():
    """Chase overdue assessments: the assessor, then the casework officers."""
    return scheduler.finished(
        "assessments.tasks.chase_overdue_assessments", chasers.chase_assessments()
    )


@shared_task
def chase_overdue_requests():
    """Chase overdue information requests: the applicant, then the assessor."""
    return scheduler.finished("assessments.tasks.chase_overdue_requests", chasers.chase_requests())
