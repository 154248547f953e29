"""The parts the Advisory Group gives people in a case: the chair and the
members of an open meeting whose agenda holds it; a past meeting's is a part
in the case all the same (registered with the spine's
resolver at start-up). A member's declared conflict is the assessments
provider's to report."""

from django.db.models import Q

from accreditation.case_roles import CaseRole, Findings, provider
from accreditation.roles import Role
from advisory_group.models import AgendaItem


@provider
def meeting_roles(refs, actor):
    findings = Findings()
    if not refs or not actor.has_role(Role.ADVISORY_GROUP_MEMBER):
        return findings
    items = (
        AgendaItem.objects.filter(case_id__in=[ref.pk for ref in refs])
        .filter(Q(meeting__chair=actor) | Q(meeting__members=actor))
        .values_list("case_id", "meeting__chair_id", "meeting__closed_at")
        .distinct()
    )
    for case_id, chair_id, closed_at in items:
        findings.parts.add(case_id)
        if closed_at is None:
            role = CaseRole.MEETING_CHAIR if chair_id == actor.pk else CaseRole.MEETING_MEMBER
            findings.roles[case_id].add(role)
    return findings
