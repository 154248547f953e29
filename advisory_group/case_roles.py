"""The parts the Advisory Group gives people in a case: the chair and the
members of an open meeting whose agenda holds it; a past meeting's is a part
in the case all the same (registered with the spine's
resolver at start-up). A member's declared conflict is the assessments
provider's to report."""

from django.db.models import Exists, OuterRef, Q

from accreditation.case_roles import CaseRole, Found, Question, provider
from accreditation.roles import Role
from advisory_group.models import AgendaItem


@provider
def meeting_roles(actor):
    if not actor.has_role(Role.ADVISORY_GROUP_MEMBER):
        return Question()
    items = AgendaItem.objects.filter(case=OuterRef("pk"))
    open_items = items.filter(meeting__closed_at__isnull=True)

    def read(values):
        roles = set()
        if values["chair"]:
            roles.add(CaseRole.MEETING_CHAIR)
        if values["member"]:
            roles.add(CaseRole.MEETING_MEMBER)
        return Found(frozenset(roles), part=values["on_agenda"])

    return Question(
        {
            "on_agenda": Exists(items.filter(Q(meeting__chair=actor) | Q(meeting__members=actor))),
            "chair": Exists(open_items.filter(meeting__chair=actor)),
            # A member of an open meeting it does not chair.
            "member": Exists(
                open_items.filter(meeting__members=actor).exclude(meeting__chair=actor)
            ),
        },
        read,
    )
