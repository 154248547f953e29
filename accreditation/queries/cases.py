"""Which cases a staff member may see, as one queryset: the staff path to a
case that every staff list and page uses.

- a casework officer: every submitted case;
- an assessor: the cases they are assigned to now;
- an Advisory Group member: the cases on the agenda of an open meeting they
  chair or sit on;
- a decision official: the cases awaiting decision, and those they decided.

Whatever the role, never a case of an organisation the person belongs to or
has a declared conflict with (or whose local authority they have one with).
Drafts are the applicant's own until submitted.
"""

from django.apps import apps
from django.db.models import Q

from accreditation.queries.conflicts import without_conflicts
from accreditation.roles import Role
from accreditation.workflow import Action, Status

DECIDING_ACTIONS = (
    Action.ACCREDIT,
    Action.NOT_ACCREDIT,
    Action.CORRECT_DECISION,
    Action.UPHOLD_CONCERN,
)


def _model(label):
    return apps.get_model(*label.split("."))


def visible_to(user, queryset=None):
    Proposal = _model("proposals.Proposal")
    cases = Proposal.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_staff_user:
        return cases.none()
    roles = user.role_names
    if Role.CASEWORK_OFFICER in roles:
        reach = None
    else:
        reach = Q(pk__in=[])
        if Role.ASSESSOR in roles:
            assigned = _model("assessments.Assignment").objects.filter(
                assessor=user, ended_at__isnull=True
            )
            reach |= Q(pk__in=assigned.values("case_id"))
        if Role.ADVISORY_GROUP_MEMBER in roles:
            on_agenda = _model("advisory_group.AgendaItem").objects.filter(
                Q(meeting__chair=user) | Q(meeting__members=user), meeting__closed_at__isnull=True
            )
            reach |= Q(pk__in=on_agenda.values("case_id"))
        if Role.DECISION_OFFICIAL in roles:
            decided = _model("accreditation.CaseEvent").objects.filter(
                actor=user, action__in=DECIDING_ACTIONS
            )
            reach |= Q(status=Status.AWAITING_DECISION) | Q(pk__in=decided.values("case_id"))
    cases = cases.filter(submitted_at__isnull=False)
    if reach is not None:
        cases = cases.filter(reach)
    return without_conflicts(cases, user)
