"""Accreditations under notice of revocation, as a decision official sees
them: none of a provider they are in conflict with."""

from accreditation import clock
from accreditation.queries.conflicts import without_conflicts
from register.models import EntryState, EventKind, RegisterEntry


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


def responses_to_notice(entry):
    """The provider's responses to the entry's notice (the one standing, or
    the one it was revoked on), oldest first: not those to an earlier notice
    that was withdrawn, which stay in its history."""
    if entry is None or entry.notice_given_at is None:
        return []
    return (
        entry.events.filter(kind=EventKind.RESPONSE_RECEIVED, created_at__gte=entry.notice_given_at)
        .select_related("response")
        .order_by("created_at", "pk")
    )
