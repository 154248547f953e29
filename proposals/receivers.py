"""How proposals react to changes in the spine (connected at start-up)."""

from django.dispatch import receiver

from accreditation.signals import profile_changed, round_changed
from proposals.models import Proposal
from proposals.services.applicant import undeclare
from proposals.services.deadlines import tell_of_new_deadline


@receiver(profile_changed)
def undeclare_drafts(sender, organisation, **kwargs):
    """Drafts describe the organisation by its profile: a change to it means
    their declarations must be made again."""
    undeclare(Proposal.objects.filter(organisation=organisation), by_profile=True)


@receiver(round_changed)
def tell_drafts_of_a_new_deadline(sender, round, changes, **kwargs):
    """A round's deadline moved: its drafts' contacts are told the new one."""
    if "deadline" in changes:
        tell_of_new_deadline(round, before=changes["deadline"][0])
