"""How the register reacts to the workflow (connected at start-up)."""

from django.dispatch import receiver

from accreditation.models import LocalAuthority, Region
from accreditation.signals import cases_moved, profile_changed
from accreditation.workflow import Action
from register.models import RegisterEntry, RegisterEvent
from register.queries import kept
from register.services.entries import follow_profile, record_decisions

DECISIONS = (Action.ACCREDIT, Action.CORRECT_DECISION)


@receiver(cases_moved)
def enter_decisions(sender, action, cases, events, **kwargs):
    """Accredited cases enter the register at once, in the moving transaction."""
    if action in DECISIONS:
        record_decisions(action, cases, events)


@receiver(profile_changed)
def follow_profile_changes(sender, organisation, actor=None, **kwargs):
    """The register shows a provider as its profile now describes it."""
    follow_profile(organisation, actor)


# What the public register's search shows is read from these: the entries,
# their history for "Last updated", the filters' options, and where each
# entry works (bulk writes, which send no signal, call ``kept.changed``).
kept.VERSION.watch(
    RegisterEntry, RegisterEvent, LocalAuthority, Region, through=(RegisterEntry.works_in.through,)
)
