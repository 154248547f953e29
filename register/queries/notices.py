"""Accreditations under notice of revocation, as a decision official sees
them: none of a provider they are in conflict with."""

from accreditation import clock
from accreditation.queries.conflicts import without_conflicts
from register.models import EntryState, RegisterEntry


def under_notice(user):
    """Entries with notice given, the first response period to end on top."""
    entries = RegisterEntry.objects.filter(state=EntryState.NOTICE_GIVEN)
    return (
        without_conflicts(entries, user)
        .select_related("local_authority")
        .order_by("response_due", "pk")
    )


def due(user):
    """Those whose response period has ended: revoke, or withdraw the notice."""
    return under_notice(user).filter(response_due__lte=clock.now())
