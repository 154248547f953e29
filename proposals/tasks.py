"""Scheduled work on proposals. Each task re-derives what to do from the
database, so running it twice, or after a worker died half way, does the
same thing once."""

from celery import shared_task
from django.db import transaction
from django.db.models import Q

from accreditation import clock
from accreditation.workflow import Action, Status, move_many
from proposals.models import Proposal
from proposals.services.applicant import queue_lapsed_emails


@shared_task
def lapse_overdue_drafts():
    """Lapse every draft whose round or window deadline has passed, and tell
    its contacts by email in the same transaction. Drafts in a cancelled
    round are kept, to be moved to another round."""
    now = clock.now()
    overdue = Proposal.objects.filter(status=Status.DRAFT).filter(
        Q(round__deadline__lte=now, round__cancelled_at__isnull=True) | Q(window__deadline__lte=now)
    )
    with transaction.atomic():
        result = move_many(overdue, Action.LAPSE, None, when=now)
        queue_lapsed_emails(result.moved)
    return {"lapsed": len(result.moved), "refused": len(result.refused)}
