"""Scheduled work on proposals. Each task re-derives what to do from the
database, so running it twice, or after a worker died half way, does the
same thing once."""

from celery import shared_task
from django.db.models import Q

from accreditation import clock
from accreditation.workflow import Action, Status, move_many
from proposals.models import Proposal


@shared_task
def lapse_overdue_drafts():
    """Lapse every draft whose round or window deadline has passed. Drafts in
    a cancelled round are kept, to be moved to another round."""
    now = clock.now()
    overdue = Proposal.objects.filter(status=Status.DRAFT).filter(
        Q(round__deadline__lte=now, round__cancelled_at__isnull=True) | Q(window__deadline__lte=now)
    )
    result = move_many(overdue, Action.LAPSE, None, when=now)
    return {"lapsed": len(result.moved), "refused": len(result.refused)}
