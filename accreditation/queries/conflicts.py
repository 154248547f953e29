"""Whether a person stands in conflict with an organisation: they belong to
it, or have declared a conflict with it or with its local authority. The one
definition that case lists and out-of-round decisions share (the case roles
resolver applies the same rule case by case)."""

from django.apps import apps
from django.db.models import Q

from accreditation import case_roles
from accreditation.kept import Version

CONFLICTS = Version("conflicts")
"""The token of each person's organisations in conflict kept
(``organisations_in_conflict``)."""
KEPT_SECONDS = 120


def _conflicts(user, prefix):
    """The three ways ``user`` is in conflict with the organisation reached
    through ``prefix``, one Q each."""
    conflicts = apps.get_model("assessments", "Conflict").objects.active().filter(user=user)
    path = f"{prefix}__" if prefix else ""
    return (
        Q(**{f"{path}memberships__user": user}),
        Q(**{f"{path}pk__in": conflicts.exclude(organisation=None).values("organisation")}),
        Q(
            **{
                f"{path}local_authority_id__in": conflicts.exclude(local_authority=None).values(
                    "local_authority"
                )
            }
        ),
    )


def conflicted_q(user, prefix="organisation"):
    """A Q matching the rows whose organisation (reached through ``prefix``;
    ``""`` on organisations themselves) ``user`` is in conflict with, in the
    query itself: for a query that asks it of several people at once, or a
    service's inside its transaction."""
    member, declared, authority = _conflicts(user, prefix)
    return member | declared | authority


def watch():
    """Connected at start-up: what a person is in conflict with changes with
    their memberships, their conflicts, and where organisations are (a
    conflict with a local authority is with every organisation in it)."""
    CONFLICTS.watch(
        apps.get_model("accreditation", "Membership"), apps.get_model("assessments", "Conflict")
    )
    CONFLICTS.watch(
        apps.get_model("accreditation", "Organisation"),
        fields=("local_authority", "local_authority_id"),
    )


def organisations_in_conflict(user):
    """The ids of the organisations ``user`` is in conflict with, in one
    query. In a request that changes nothing (``case_roles.remembering``),
    read once however many lists ask, and kept between requests until a
    membership, a conflict or where an organisation is changes
    (``CONFLICTS``): every staff list asks, and most people have none
    (the query, 1.5 ms a page). A change made while the cache cannot be
    reached is seen within ``KEPT_SECONDS``. A request that changes
    something (a service judging whether a person may act) reads the
    database."""
    if not case_roles.is_remembering():
        return _read(user)
    return case_roles.remembered(
        ("organisations in conflict", user.pk),
        lambda: CONFLICTS.kept(f"person:{user.pk}", lambda: _read(user), KEPT_SECONDS),
    )


def _read(user):
    organisations = apps.get_model("accreditation", "Organisation").objects.order_by()
    member, declared, authority = (
        organisations.filter(q).values_list("pk", flat=True) for q in _conflicts(user, "")
    )
    return frozenset(member.union(declared, authority))


def without_conflicts(queryset, user, prefix="organisation"):
    """``queryset`` without the rows whose organisation (reached through
    ``prefix``) ``user`` is in conflict with, named by their ids: for most
    people there are none, and then the query holds no clause for it. (The
    rule as subqueries cost every case query a hash of every organisation
    and of its local authority: 3 ms of 4 for a count at 10,000.)"""
    organisations = organisations_in_conflict(user)
    if not organisations:
        return queryset
    path = f"{prefix}__pk__in" if prefix else "pk__in"
    return queryset.exclude(**{path: sorted(organisations)})


def is_conflicted(user, organisation):
    return organisation.pk in organisations_in_conflict(user)
