"""Scheduled work of the spine."""

from celery import shared_task

from accreditation import outbox


@shared_task
def send_outbox():
    """Send every e-mail that is due, including ones that failed before."""
    return {"sent": outbox.deliver()}
