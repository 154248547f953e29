"""Read shapes for conflicts of interest."""

from django.db.models import F, Q

from accreditation.models import Organisation
from accreditation.queries.names import name_contains
from assessments.models import Conflict


def declarations_of(user):
    """A person's conflicts: current ones first, then ended, newest first."""
    return (
        Conflict.objects.filter(user=user)
        .select_related("organisation", "local_authority")
        .order_by(F("ended_at").desc(nulls_first=True), "-declared_at", "-pk")
    )


def organisations_matching(query, limit):
    """Up to ``limit`` organisations whose name contains ``query``, or whose
    URN or UKPRN it is, by name: the choices of the declaration form, so it
    lists a handful of matches, not every organisation in the service."""
    query = query.strip()
    if not query:
        return []
    return list(
        Organisation.objects.filter(name_contains("name", query) | Q(urn=query) | Q(ukprn=query))
        .select_related("local_authority")
        .order_by("name", "pk")[:limit]
    )


def organisations_with_pk(pk):
    """The organisation ``pk`` as a one-item list (none if it is not there)."""
    return list(Organisation.objects.select_related("local_authority").filter(pk=pk))
