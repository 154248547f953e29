"""How assessments react to changes in the spine (connected at start-up)."""

from django.db.models import Exists, OuterRef
from django.dispatch import receiver

from accreditation.models import Membership
from accreditation.roles import STAFF_ROLES
from accreditation.signals import parts_may_clash
from assessments.models import Conflict

STANDING_REASON = (
    "A member of {organisation}: membership of an applicant organisation is a standing "
    "conflict of interest (recorded by the service)."
)


@receiver(parts_may_clash)
def record_standing_conflicts(sender, user, **kwargs):
    """A staff member who belongs to applicant organisations has a conflict
    with each of them, recorded once while it stands."""
    if not user.groups.filter(name__in=[role.value for role in STAFF_ROLES]).exists():
        return
    recorded = Conflict.objects.active().filter(
        user=user, organisation_id=OuterRef("organisation_id")
    )
    for membership in (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .exclude(Exists(recorded))
    ):
        Conflict.objects.create(
            user=user,
            organisation=membership.organisation,
            reason=STANDING_REASON.format(organisation=membership.organisation.name),
        )
