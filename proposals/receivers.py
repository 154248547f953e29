"""How proposals react to changes in the spine (connected at start-up)."""

from django.dispatch import receiver

from accreditation.signals import profile_changed
from proposals.models import Proposal
from proposals.services.applicant import undeclare


@receiver(profile_changed)
def undeclare_drafts(sender, organisation, **kwargs):
    """Drafts describe the organisation by its profile: a change to it means
    their declarations must be made again."""
    undeclare(Proposal.objects.filter(organisation=organisation), by_profile=True)
