"""Changes of co-partner as a casework officer sees them (none of a
provider they are in conflict with), and as the provider sees its own."""

from accreditation.queries.conflicts import without_conflicts
from register.models import PUBLIC_STATES, ChangeState, CoPartnerChange


def visible_to(user):
    """Sent changes of providers ``user`` has no conflict with (a draft is
    the provider's alone)."""
    return without_conflicts(CoPartnerChange.objects.exclude(state=ChangeState.DRAFT), user)


def waiting(user):
    """The changes waiting for the officer's decision, oldest first: of
    providers still on the register (a revoked one has no co-partner to
    change)."""
    return (
        visible_to(user)
        .filter(state=ChangeState.SUBMITTED, entry__state__in=PUBLIC_STATES)
        .select_related("entry", "local_authority")
        .order_by("submitted_at", "pk")
    )


def of_provider(entry):
    """Every change the provider has made, newest first."""
    return CoPartnerChange.objects.filter(entry=entry).select_related("decided_by")
