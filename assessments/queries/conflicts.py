"""Read shapes for conflicts of interest."""

from django.db.models import F

from assessments.models import Conflict


def declarations_of(user):
    """A person's conflicts: current ones first, then ended, newest first."""
    return (
        Conflict.objects.filter(user=user)
        .select_related("organisation", "local_authority")
        .order_by(F("ended_at").desc(nulls_first=True), "-declared_at", "-pk")
    )
