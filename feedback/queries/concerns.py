"""Which concerns a decision official may decide, as a query."""

from django.apps import apps

from accreditation.queries.decisions import had_part_q
from feedback.guards import cases_with_part


def decidable_by(concerns, user):
    """Those of ``concerns`` about a case ``user`` had no part in, as the
    ``feedback.decide_concern`` rule judges it one case at a time: not its
    assessor, nor on an Advisory Group meeting that had it, nor who screened
    it out, recommended or decided it. (Conflicts: ``visible_to``.)"""
    Proposal = apps.get_model("proposals", "Proposal")
    parted = Proposal.objects.filter(had_part_q(user)).values("pk")
    return concerns.exclude(case_id__in=cases_with_part(user)).exclude(case_id__in=parted)
