"""How the register reacts to the workflow (connected at start-up)."""

from django.dispatch import receiver

from accreditation.signals import cases_moved
from accreditation.workflow import Action
from register.services.entries import record_decisions

DECISIONS = (Action.ACCREDIT, Action.CORRECT_DECISION)


@receiver(cases_moved)
def enter_decisions(sender, action, cases, events, **kwargs):
    """Accredited cases enter the register at once, in the moving transaction."""
    if action in DECISIONS:
        record_decisions(action, cases, events)
