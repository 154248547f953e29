"""Out-of-round requests as a casework officer sees them: none of an
organisation they are in conflict with."""

from accreditation.queries.conflicts import without_conflicts
from proposals.models import OutOfRoundRequest


def visible_to(user):
    return without_conflicts(OutOfRoundRequest.objects.all(), user)


def pending(user):
    """The requests waiting for a decision, oldest first."""
    return (
        visible_to(user)
        .filter(outcome=OutOfRoundRequest.Outcome.PENDING)
        .order_by("requested_at", "pk")
    )
