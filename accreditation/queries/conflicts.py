"""Whether a person stands in conflict with an organisation: they belong to
it, or have declared a conflict with it or with its local authority. The one
definition that case lists and out-of-round decisions share (the case roles
resolver applies the same rule case by case)."""

from django.apps import apps
from django.db.models import Q


def conflicted_q(user, prefix="organisation"):
    """A Q matching the rows whose organisation (reached through ``prefix``;
    ``""`` on organisations themselves) ``user`` is in conflict with."""
    conflicts = apps.get_model("assessments", "Conflict").objects.active().filter(user=user)
    path = f"{prefix}__" if prefix else ""
    return (
        Q(**{f"{path}memberships__user": user})
        | Q(**{f"{path}pk__in": conflicts.exclude(organisation=None).values("organisation")})
        | Q(
            **{
                f"{path}local_authority_id__in": conflicts.exclude(local_authority=None).values(
                    "local_authority"
                )
            }
        )
    )


def is_conflicted(user, organisation):
    Organisation = apps.get_model("accreditation", "Organisation")
    return Organisation.objects.filter(pk=organisation.pk).filter(conflicted_q(user, "")).exists()
