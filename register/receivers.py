"""How the register reacts to the workflow (connected at start-up)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
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
def follow_profile_changes(sender, organisation, **kwargs):
    """The register shows a provider as its profile now describes it."""
    follow_profile(organisation)


PUBLISHED = (RegisterEntry, RegisterEvent, LocalAuthority, Region)
"""What the public register's search shows is read from these (the
entries, their history for "Last updated", the filters' options)."""


def published_changed(sender, action=None, **kwargs):
    """A row the register's search shows changed: its kept results are not
    shown again (bulk writes, which send no signal, call ``kept.changed``
    themselves). Of a many-to-many change, once it is made (``post_add``,
    ``post_remove``, ``post_clear``), not also as it starts."""
    if action is None or action.startswith("post_"):
        kept.changed()


for model in PUBLISHED:
    post_save.connect(published_changed, sender=model, dispatch_uid=f"register-kept-{model}")
    post_delete.connect(
        published_changed, sender=model, dispatch_uid=f"register-kept-delete-{model}"
    )
m2m_changed.connect(
    published_changed, sender=RegisterEntry.works_in.through, dispatch_uid="register-kept-works-in"
)
