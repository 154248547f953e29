"""How feedback reacts to the workflow, the register and the Advisory Group
(connected at start-up): a case that reaches the point of issue, and a step
of a register entry's revocation, get their letter from the worker once the
change commits (a change rolled back issues nothing); so does a case decided
not accredited once the Advisory Group approves the feedback its letter
carries."""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import receiver

from accreditation import worker
from accreditation.signals import cases_moved
from accreditation.workflow import Action, Status
from advisory_group.signals import feedback_approved
from register.signals import revocation_step

logger = logging.getLogger(__name__)

ISSUING_ACTIONS = (
    Action.SCREEN_INELIGIBLE,
    Action.ACCREDIT,
    Action.NOT_ACCREDIT,
    Action.CORRECT_DECISION,
)
"""Moves after which a case may be owed a letter: screened out (screening
letter), decided (decision or feedback letter), or its decision corrected
(the letter of the standing decision, if none was issued yet)."""


@receiver(cases_moved)
def schedule_letters(sender, action, cases, **kwargs):
    if action not in ISSUING_ACTIONS:
        return
    transaction.on_commit(partial(send_issue_task, [case.pk for case in cases]))


@receiver(revocation_step)
def schedule_revocation_letter(sender, event, **kwargs):
    transaction.on_commit(partial(send_task, "issue_revocation_letters", [event.pk]))


@receiver(feedback_approved)
def issue_feedback_letter(sender, case, **kwargs):
    """Feedback approved after the decision (written from the official's
    reasons, or revised): the feedback letter it waited for is issued."""
    if case.status == Status.NOT_ACCREDITED:
        transaction.on_commit(partial(send_issue_task, [case.pk]))


LETTERS_PER_TASK = 10
"""Cases per issuing task: a batch decided at once is shared among the
workers (a letter takes a fraction of a second, so a task ends in seconds),
and a case whose letter fails holds up only its own task's few."""


def send_issue_task(case_ids):
    for start in range(0, len(case_ids), LETTERS_PER_TASK):
        send_task("issue_letters", case_ids[start : start + LETTERS_PER_TASK])


def send_task(name, ids):
    """Ask the worker to issue letters (``feedback.tasks.<name>``). If the
    broker cannot be reached the sweeper (every minute) issues them, so the
    error is only logged (and nothing is asked inside ``worker.not_asked``)."""
    from feedback import tasks

    if not worker.is_asked():
        return
    try:
        getattr(tasks, name).apply_async(args=[ids], retry=False)
    except Exception:  # noqa: BLE001 - the sweeper issues them anyway
        logger.warning(
            "Could not ask the worker to issue letters; the sweeper will.", exc_info=True
        )
