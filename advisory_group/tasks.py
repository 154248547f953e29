"""Scheduled work of advisory_group (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""

from celery import shared_task

from accreditation.services import scheduler
from advisory_group.services import chasers


@shared_task
def chase_views_before_meetings():
    """Remind members without a view on an open item, days before the meeting."""
    return scheduler.finished(
        "advisory_group.tasks.chase_views_before_meetings", chasers.chase_views()
    )
