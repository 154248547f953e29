"""The parts assessments give people in a case: the assigned assessor, the
second assessor, and declared conflicts (registered with the spine's
resolver at start-up)."""

from django.db.models import Q

from accreditation.case_roles import CaseRole, Findings, provider
from accreditation.roles import Role
from assessments.models import Assignment, AssignmentKind, Conflict

ROLE_OF_KIND = {
    AssignmentKind.FIRST: CaseRole.ASSESSOR,
    AssignmentKind.SECOND: CaseRole.SECOND_ASSESSOR,
}


@provider
def assignments_and_conflicts(refs, actor):
    findings = Findings()
    if not refs or not actor.is_staff_user:
        # Without a staff role nobody is given a part here, and a conflict or
        # a past part only takes staff case roles away.
        return findings
    pks = [ref.pk for ref in refs]
    is_assessor = actor.has_role(Role.ASSESSOR)
    for case_id, kind, ended_at in (
        Assignment.objects.filter(case_id__in=pks, assessor=actor)
        .order_by()
        .values_list("case_id", "kind", "ended_at")
    ):
        findings.parts.add(case_id)
        if ended_at is None and is_assessor:
            findings.roles[case_id].add(ROLE_OF_KIND[kind])
    organisations = {ref.organisation_id for ref in refs}
    authorities = {ref.local_authority_id for ref in refs} - {None}
    conflicts = list(
        Conflict.objects.active()
        .filter(user=actor)
        .filter(Q(organisation_id__in=organisations) | Q(local_authority_id__in=authorities))
        .values_list("organisation_id", "local_authority_id")
    )
    with_organisations = {organisation for organisation, _ in conflicts if organisation}
    with_authorities = {authority for _, authority in conflicts if authority}
    for ref in refs:
        if ref.organisation_id in with_organisations or ref.local_authority_id in with_authorities:
            findings.conflicted.add(ref.pk)
    return findings
