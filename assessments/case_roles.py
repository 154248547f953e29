"""The parts assessments give people in a case: the assigned assessor, the
second assessor, who screened it, and declared conflicts (registered with
the spine's resolver at start-up)."""

from django.db.models import Exists, OuterRef, Q

from accreditation.case_roles import ADVISING, CaseRole, Found, Question, provider
from accreditation.models import CaseEvent
from accreditation.queries.decisions import DECISION_ACTIONS, SCREENING_ACTIONS
from accreditation.roles import Role
from assessments.models import Assignment, AssignmentKind, Conflict
from feedback.models import Concern


@provider
def assignments_and_conflicts(actor):
    if not actor.is_staff_user:
        # Without a staff role nobody is given a part here, and a conflict or
        # a past part only takes staff case roles away.
        return Question()
    is_assessor = actor.has_role(Role.ASSESSOR)
    assigned = Assignment.objects.filter(case=OuterRef("pk"), assessor=actor)
    current = assigned.filter(ended_at__isnull=True)
    conflicts = (
        Conflict.objects.active()
        .filter(user=actor)
        .filter(
            Q(organisation_id=OuterRef("organisation_id"))
            | Q(local_authority_id=OuterRef("organisation__local_authority_id"))
        )
    )

    def read(values):
        roles = set()
        if is_assessor and values["first"]:
            roles.add(CaseRole.ASSESSOR)
        if is_assessor and values["second"]:
            roles.add(CaseRole.SECOND_ASSESSOR)
        return Found(
            frozenset(roles),
            conflicted=values["conflicted"],
            # Who assessed or screened a case does not decide it.
            part=values["assigned"] or values["screened"],
            # The group reviews the assessor's own recommendation; nor does
            # who screened or decided the case (or a concern about it) advise
            # on it (``advisory_group.queries.agenda._other_parts``).
            excludes=ADVISING
            if values["assigned"] or values["screened"] or values["decided"]
            else frozenset(),
        )

    return Question(
        {
            "assigned": Exists(assigned),
            "first": Exists(current.filter(kind=AssignmentKind.FIRST)),
            "second": Exists(current.filter(kind=AssignmentKind.SECOND)),
            "conflicted": Exists(conflicts),
            "screened": Exists(
                CaseEvent.objects.filter(
                    case=OuterRef("pk"), actor=actor, action__in=SCREENING_ACTIONS
                )
            ),
            "decided": Exists(
                CaseEvent.objects.filter(
                    case=OuterRef("pk"), actor=actor, action__in=DECISION_ACTIONS
                )
            )
            | Exists(Concern.objects.filter(case=OuterRef("pk"), decided_by=actor)),
        },
        read,
    )
