"""What the group does when cases move: an ASG case sent to the group, a
case sent for decision or decided not accredited goes on the next meeting's
agenda for what it waits for (advice, a review of its feedback).

Only moves made now: a history replayed with its own earlier times (the
demo's) is not today's agenda; whatever of it still waits for the group is
taken by the next meeting set up (``services.meetings.fill_agenda``)."""

from datetime import timedelta

from django.dispatch import receiver

from accreditation import clock
from accreditation.signals import cases_moved
from accreditation.workflow import Action
from advisory_group.services.meetings import place

FILLS_AGENDA = {Action.REFER_TO_ADVISORY_GROUP, Action.REFER_TO_DECISION, Action.NOT_ACCREDIT}
REPLAYED = timedelta(hours=1)


@receiver(cases_moved)
def put_on_agenda(sender, action, cases, events, **kwargs):
    if action not in FILLS_AGENDA:
        return
    recent = clock.now() - REPLAYED
    pks = [case.pk for case, event in zip(cases, events, strict=True) if event.created_at >= recent]
    if pks:
        place(pks)
