"""How assessments react to changes in the spine (connected at start-up)."""

from django.db.models import Exists, OuterRef
from django.dispatch import receiver

from accreditation.models import Membership
from accreditation.roles import STAFF_ROLES
from accreditation.signals import can_no_longer_assess, cases_moved, parts_may_clash
from accreditation.workflow import Action, Status
from advisory_group.signals import feedback_returned
from assessments.models import Assignment, Conflict

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


@receiver(can_no_longer_assess)
def release_their_cases(sender, user, by, **kwargs):
    """Someone switched off, or no longer an assessor, holds no case: each
    goes back to its officers to assign someone else."""
    from assessments.services.assignment import release

    release(user, by)


@receiver(cases_moved)
def end_assignments_on_an_upheld_concern(sender, action, cases, events, **kwargs):
    """A concern upheld about an assessed case: it is reassessed by someone
    else, so its assessors' assignments end with the move (and
    ``queries.assignment.barred_pairs`` keeps them from being assigned again)."""
    if action != Action.UPHOLD_CONCERN:
        return
    ended_at = {event.case_id: event.created_at for event in events}
    for case in cases:
        Assignment.objects.filter(case_id=case.pk, ended_at__isnull=True).update(
            ended_at=ended_at[case.pk]
        )


@receiver(cases_moved)
def return_referred_back_cases_to_their_assessors(sender, action, cases, events, **kwargs):
    """A case the Advisory Group refers back returns to its assessors: one
    who declared a conflict with the organisation while it was away is
    stood down then, and the casework officers told; the others are given
    time and emailed the group's comment."""
    if action != Action.REFER_BACK:
        return
    from assessments.services.assignment import return_referred_back, stand_down_conflicted

    stand_down_conflicted(cases)
    return_referred_back(cases, events)


@receiver(cases_moved)
def ask_for_feedback_after_a_decision_against(sender, action, cases, events, **kwargs):
    """A case decided (or corrected to) not accredited against a
    recommendation to accredit: its assessor writes the feedback."""
    if action not in (Action.NOT_ACCREDIT, Action.CORRECT_DECISION):
        return
    from assessments.services.assignment import stand_down_conflicted_writers
    from assessments.services.feedback import ask_assessor_for_feedback

    decided = [
        (case, event)
        for case, event in zip(cases, events, strict=True)
        if event.to_status == Status.NOT_ACCREDITED
    ]
    stand_down_conflicted_writers([case for case, _ in decided])
    for case, event in decided:
        ask_assessor_for_feedback(case, event)


@receiver(feedback_returned)
def hand_returned_feedback_to_its_writer(sender, case, event, **kwargs):
    """Feedback the Advisory Group returns goes back to the case's assessor,
    who is emailed the group's comment; one who declared a conflict with the
    organisation since is stood down then instead, and the casework officers
    told."""
    from assessments.services.assignment import stand_down_conflicted_writers
    from assessments.services.feedback import ask_assessor_to_revise_feedback

    stand_down_conflicted_writers([case])
    ask_assessor_to_revise_feedback(case, event)
