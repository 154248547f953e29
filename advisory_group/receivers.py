"""What the group does when cases move: an ASG case sent to the group, a
case sent for decision or decided not accredited goes on the next meeting's
agenda for what it waits for (advice, a review of its feedback)."""

from django.dispatch import receiver

from accreditation.signals import cases_moved
from accreditation.workflow import Action
from advisory_group.services.meetings import place

FILLS_AGENDA = {Action.REFER_TO_ADVISORY_GROUP, Action.REFER_TO_DECISION, Action.NOT_ACCREDIT}


@receiver(cases_moved)
def put_on_agenda(sender, action, cases, **kwargs):
    if action in FILLS_AGENDA:
        place([case.pk for case in cases])
