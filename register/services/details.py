"""The accredited provider keeps its register details current: how many
more schools it can take on, and its public contact. The register shows a
change at once, "last updated" moves, and the entry's history records it."""

from django.db import transaction

from accreditation import clock
from accreditation.access import require
from accreditation.services import activity
from accreditation.versions import check_version, version_of
from register.models import EventKind, RegisterEntry, RegisterEvent

MORE_SCHOOLS_MAX = 100
"""No provider leads improvement in more than this many more schools: a
larger number is a slip of the keyboard, not a capacity."""

DETAILS_FIELDS = ("more_schools", "contact_email")


class DetailsError(Exception):
    """The details cannot be saved; the message says why."""


def details_version(entry):
    return version_of(entry, DETAILS_FIELDS)


def update_details(entry, *, actor, more_schools, contact_email, version=None):
    """Save the provider's details if they changed; refused for a provider
    not on the register, and (``version``) if someone saved since the page
    was shown. Returns the entry."""
    require(actor, "register.keep_entry", entry)
    if more_schools is not None and not 0 <= more_schools <= MORE_SCHOOLS_MAX:
        raise DetailsError(f"Enter a number of schools between 0 and {MORE_SCHOOLS_MAX}")
    contact_email = contact_email.strip()
    if not contact_email:
        raise DetailsError("Enter the email address the public can contact you at")
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        check_version(details_version(entry), version)
        changes = {
            name: [getattr(entry, name), value]
            for name, value in (("more_schools", more_schools), ("contact_email", contact_email))
            if getattr(entry, name) != value
        }
        if not changes:
            return entry
        now = clock.now()
        entry.more_schools, entry.contact_email, entry.updated_at = (
            more_schools,
            contact_email,
            now,
        )
        entry.save(update_fields=[*DETAILS_FIELDS, "updated_at"])
        RegisterEvent.objects.create(
            entry=entry,
            kind=EventKind.DETAILS_UPDATED,
            accreditation_type=entry.accreditation_type,
            actor=actor,
            details=changes,
            created_at=now,
        )
        activity.record(actor, "register_details_updated", entry, changes)
    return entry
