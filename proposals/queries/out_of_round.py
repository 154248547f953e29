"""Out-of-round requests as a casework officer sees them: none of an
organisation they are in conflict with."""

from accreditation.queries.conflicts import conflicted_q
from proposals.models import OutOfRoundRequest


def visible_to(user):
    return OutOfRoundRequest.objects.exclude(conflicted_q(user))


def pending(user):
    """The requests waiting for a decision, oldest first."""
    return (
        visible_to(user)
        .filter(outcome=OutOfRoundRequest.Outcome.PENDING)
        .order_by("requested_at", "pk")
    )
