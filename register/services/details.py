"""The accredited provider keeps its register details current: how many
more schools it can take on, and its public contact. The register shows a
change at once, "last updated" moves, and the entry's history records it."""

from django.db import transaction

from accreditation import clock
from accreditation.access import require
from accreditation.models import AccreditationType
from accreditation.services import activity
from accreditation.versions import check_version, version_of
from register.models import EventKind, RegisterEntry, RegisterEvent

MORE_SCHOOLS_MAX = {AccreditationType.ASP: 2, AccreditationType.ASG: 50}
"""The most more schools a provider of each type can say it can take on:
an Accredited School Provider leads improvement in one or two schools (the
prospectus); an Accredited Schools Group grows beyond that, but a number
above this is a slip of the keyboard, not a capacity."""

TOO_MANY_SCHOOLS = {
    AccreditationType.ASP: "An Accredited School Provider can take on at most {max} more schools",
    AccreditationType.ASG: "An Accredited Schools Group can take on at most {max} more schools",
}

DETAILS_FIELDS = ("more_schools", "contact_email")


class DetailsError(Exception):
    """The details cannot be saved; the message says why."""


def details_version(entry):
    return version_of(entry, DETAILS_FIELDS)


def more_schools_problem(accreditation_type, more_schools, *, kept=None):
    """Why a provider of ``accreditation_type`` cannot say it can take on
    ``more_schools`` more schools, or None. ``kept``: the number stored,
    which a form sent back unchanged keeps (one saved before these limits,
    or before its type changed, does not stop its contact being changed)."""
    if more_schools is None or more_schools == kept:
        return None
    if more_schools < 0:
        return "The number of schools must be 0 or more"
    most = MORE_SCHOOLS_MAX[accreditation_type]
    if more_schools > most:
        return TOO_MANY_SCHOOLS[accreditation_type].format(max=most)
    return None


def record_details_updated(entry, actor, changes, when):
    """The entry's history: its details changed (``changes``: {field: [was,
    now]}, as the public reads them) by ``actor`` at ``when``."""
    RegisterEvent.objects.create(
        entry=entry,
        kind=EventKind.DETAILS_UPDATED,
        accreditation_type=entry.accreditation_type,
        actor=actor,
        details=changes,
        created_at=when,
    )


def update_details(entry, *, actor, more_schools, contact_email, version=None):
    """Save the provider's details if they changed; refused for a provider
    not on the register, for more schools than its type can take on, and
    (``version``) if someone saved since the page was shown. Returns the
    entry."""
    require(actor, "register.keep_entry", entry)
    contact_email = contact_email.strip()
    if not contact_email:
        raise DetailsError("Enter the email address the public can contact you at")
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        changes = {
            name: [getattr(entry, name), value]
            for name, value in (("more_schools", more_schools), ("contact_email", contact_email))
            if getattr(entry, name) != value
        }
        if not changes:
            # What was sent is what is kept (the form sent twice, say):
            # nothing to refuse, however old the page.
            return entry
        check_version(details_version(entry), version)
        # Its type as it is now: it may have changed since the page was shown.
        problem = more_schools_problem(
            entry.accreditation_type, more_schools, kept=entry.more_schools
        )
        if problem:
            raise DetailsError(problem)
        now = clock.now()
        entry.more_schools, entry.contact_email, entry.updated_at = (
            more_schools,
            contact_email,
            now,
        )
        entry.save(update_fields=[*DETAILS_FIELDS, "updated_at"])
        record_details_updated(entry, actor, changes, now)
        activity.record(actor, "register_details_updated", entry, changes)
    return entry
