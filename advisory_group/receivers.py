"""What the group does when cases move: an ASG case sent to the group, a
case sent for decision or decided not accredited goes on the next meeting's
agenda for what it waits for (advice, a review of its feedback), and so
does feedback an assessor writes after the assessment. A withdrawn case
leaves the agendas, and the review of a referred-back case's feedback, or
of a case decided, or corrected, to accredited; a round's meeting moves with the
round's meeting date.

Only moves made now: a history replayed with its own earlier times (the
demo's) is not today's agenda; whatever of it still waits for the group is
taken by the next meeting set up (``services.meetings.fill_agenda``)."""

from datetime import timedelta

from django.dispatch import receiver

from accreditation import clock
from accreditation.signals import cases_moved, round_changed
from accreditation.workflow import Action, Status
from advisory_group.models import Advice, AgendaItem, FeedbackOutcome, ItemPurpose
from advisory_group.services.meetings import follow_round, place, take_off_agendas
from assessments.signals import feedback_written

FILLS_AGENDA = {Action.REFER_TO_ADVISORY_GROUP, Action.REFER_TO_DECISION, Action.NOT_ACCREDIT}
REPLAYED = timedelta(hours=1)


@receiver(cases_moved)
def put_on_agenda(sender, action, cases, events, **kwargs):
    if action not in FILLS_AGENDA:
        return
    recent = clock.now() - REPLAYED
    pks = [case.pk for case, event in zip(cases, events, strict=True) if event.created_at >= recent]
    if pks:
        place(pks)


ADVISING = {Action.ADVISE, Action.REFER_BACK}


@receiver(cases_moved)
def settle_advised_items(sender, action, cases, events, actor, **kwargs):
    """A case advised on (agree, disagree or refer back) leaves the open
    agenda, however the advice reached the workflow: the chair's page
    settles its own item, and advice recorded outside the service (by
    correspondence, or a history replayed) settles the item still open."""
    if action not in ADVISING:
        return
    for case, event in zip(cases, events, strict=True):
        details = event.details or {}
        AgendaItem.objects.filter(case_id=case.pk, purpose=ItemPurpose.ADVICE, outcome="").update(
            outcome=details.get("advice") if action == Action.ADVISE else Advice.REFER_BACK,
            comment=details.get("comment") or details.get("reason", ""),
            decided_by=actor,
            decided_at=event.created_at,
            by_correspondence=bool(details.get("by_correspondence")),
        )


@receiver(cases_moved)
def take_withdrawn_cases_off_agendas(sender, action, cases, actor, **kwargs):
    """A withdrawn case leaves the agendas it waited on, so its meetings can close."""
    if action == Action.WITHDRAW:
        take_off_agendas(cases, reason="The proposal was withdrawn.", actor=actor)


@receiver(cases_moved)
def take_referred_back_feedback_off_agendas(sender, action, cases, actor, **kwargs):
    """A case referred back to its assessor has no draft feedback for the
    group to review until it is recommended again: the review leaves the
    agendas (it would hold the meeting open, and a review returned would ask
    the assessor to revise feedback while they assess again). The next
    recommendation's feedback comes to the next meeting with it."""
    if action == Action.REFER_BACK:
        take_off_agendas(
            cases,
            reason="The case was referred back to its assessor.",
            actor=actor,
            purposes=[ItemPurpose.FEEDBACK],
        )


@receiver(feedback_written)
def put_written_feedback_on_agenda(sender, case, **kwargs):
    """Feedback the assessor wrote after the assessment goes to the next
    meeting for the chair's approval (unless an open item already holds it):
    revised after the group returned it, to a meeting after the one that
    returned it."""
    returned = (
        AgendaItem.objects.filter(
            case=case, purpose=ItemPurpose.FEEDBACK, outcome=FeedbackOutcome.RETURNED
        )
        .select_related("meeting")
        .order_by("-decided_at", "-pk")
        .first()
    )
    place([case.pk], after=returned.meeting if returned else None)


@receiver(round_changed)
def move_the_rounds_meeting(sender, round, changes, actor, **kwargs):
    """The round's meeting date moved: so does its meeting still to come."""
    if "advisory_group_meeting" in changes:
        before, _ = changes["advisory_group_meeting"]
        follow_round(round, moved_from=before, actor=actor)


@receiver(cases_moved)
def follow_decisions(sender, action, cases, events, actor, **kwargs):
    """A case decided, or a decision corrected, to accredited has no
    feedback letter: the review of the feedback drafted for it (recommended
    not to accredit) leaves the agendas, where its chair could otherwise
    return it to an assessor with nothing to revise. A decision corrected
    to not accredited waits for that review, as a decision not to accredit
    does."""
    if action not in (Action.ACCREDIT, Action.CORRECT_DECISION):
        return
    moved = list(zip(cases, events, strict=True))
    accredited = [case for case, event in moved if event.to_status == Status.ACCREDITED]
    if accredited:
        take_off_agendas(
            accredited,
            reason=(
                "The decision was corrected to accredited: no feedback letter is sent."
                if action == Action.CORRECT_DECISION
                else "The case was decided accredited: no feedback letter is sent."
            ),
            actor=actor,
            purposes=[ItemPurpose.FEEDBACK],
        )
    recent = clock.now() - REPLAYED
    not_accredited = [
        case.pk
        for case, event in moved
        if event.to_status == Status.NOT_ACCREDITED and event.created_at >= recent
    ]
    if not_accredited:
        place(not_accredited)
