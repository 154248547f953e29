"""Scheduled work of the spine."""

import logging

from celery import shared_task

from accreditation import timeline
from accreditation.services import decision_chasers, outbox, rounds, scheduler

logger = logging.getLogger(__name__)


@shared_task
def send_outbox():
    """Send every e-mail that is due, including ones that failed before."""
    return scheduler.finished("accreditation.tasks.send_outbox", {"sent": outbox.deliver()})


@shared_task
def anchor_timeline():
    """Anchor every case's chain head under an HMAC, once a day. Scheduled
    hourly: the first run of each day takes the day's anchor, the others find
    it, so a worker that was down at midnight catches up. The MAC is also
    logged, so a copy lives outside the database."""
    anchor, created = timeline.take_anchor()
    if created:
        logger.info(
            "Timeline anchor of %s: %d case(s), MAC %s", anchor.date, len(anchor.heads), anchor.mac
        )
    result = {"date": anchor.date.isoformat(), "cases": len(anchor.heads), "created": created}
    return scheduler.finished("accreditation.tasks.anchor_timeline", result)


@shared_task
def open_rounds():
    """Record each round opening at its opening time (once per opening time:
    a round whose opening moved is recorded again when it opens). A round
    takes proposals from its opening time whatever the scheduler does; the
    record is what the schedule page shows."""
    return scheduler.finished("accreditation.tasks.open_rounds", scheduler.open_rounds())


@shared_task
def chase_decisions():
    """Tell the decision officials of cases past their decision target."""
    return scheduler.finished(
        "accreditation.tasks.chase_decisions", decision_chasers.chase_decisions()
    )


@shared_task
def create_next_round():
    """Next term's round from the term calendar, once (run daily)."""
    created = rounds.create_next_round()
    if created is not None:
        logger.info("Created the %s round from the term calendar", created)
    return scheduler.finished(
        "accreditation.tasks.create_next_round", {"created": str(created) if created else None}
    )
