"""Members' views and the group's advice: a member's view per item
(changeable until the advice), the chair's advice on an ASG case (through
the workflow) and the group's review of draft feedback (approved for the
letter, or returned to the assessor)."""

from django.db import transaction

from accreditation import clock, timeline
from accreditation.access import require
from accreditation.events import EventType, register
from accreditation.workflow import Action, move
from advisory_group.models import (
    Advice,
    AgendaItem,
    FeedbackApproval,
    FeedbackOutcome,
    FeedbackView,
    ItemPurpose,
    MemberView,
    views_for,
)
from advisory_group.queries.agenda import (
    digest,
    feedback_rows,
    quorate_for,
    quorum_needed,
    quorum_present,
)
from advisory_group.services.meetings import MeetingError, describe_meeting
from advisory_group.signals import feedback_approved, feedback_returned
from assessments.queries.scoring import feedback_unwritten

register(
    EventType("member_view_recorded", "Advisory Group member's view recorded"),
    EventType("feedback_approved", "Feedback approved by the Advisory Group"),
    EventType("feedback_returned", "Feedback returned to the assessor by the Advisory Group"),
)


class AdviceError(MeetingError):
    pass


class FeedbackChanged(AdviceError):
    """The draft feedback is not the one the chair's page showed: its
    assessor saved it again since. ``current``: the digest of the draft now."""

    def __init__(self, current):
        super().__init__(
            "The assessor has saved the draft feedback again since you opened this page, so the "
            "group's review has not been recorded. Read the feedback as it is now, below, then "
            "record the review again."
        )
        self.current = current


def _open_item(item):
    """The item locked, refused if its advice is recorded or its meeting
    closed. Its meeting is locked with it (attendance and closing wait), and
    its case: the assessor's feedback is saved under the case's lock
    (``write_feedback``), so the draft the group reviews cannot change until
    the review is recorded."""
    locked = (
        AgendaItem.objects.select_for_update(of=("self", "meeting", "case"))
        .select_related("meeting", "case")
        .get(pk=item.pk)
    )
    if locked.meeting.closed_at is not None:
        raise AdviceError("This meeting is closed: its advice cannot change.")
    if not locked.is_open:
        raise AdviceError("The group's advice on this item is already recorded.")
    return locked


@transaction.atomic
def record_view(item, *, member, view, comment):
    require(member, "advisory_group.record_view", item)
    item = _open_item(item)
    if view not in views_for(item.purpose).values:
        raise AdviceError("Choose one of the views offered for this item.")
    if view == Advice.REFER_BACK and not comment.strip():
        raise AdviceError("Enter a comment saying what the assessor should look at again.")
    if view == Advice.DISAGREE and not comment.strip():
        raise AdviceError("Enter a comment saying why you disagree with the recommendation.")
    if view == FeedbackView.REVISE and not comment.strip():
        raise AdviceError("Enter a comment saying what should be revised.")
    if MemberView.objects.filter(item=item, member=member, view=view, comment=comment).exists():
        return  # the same view sent again (a double click, two tabs): nothing changes
    MemberView.objects.update_or_create(
        item=item,
        member=member,
        defaults={"view": view, "comment": comment, "updated_at": clock.now()},
    )
    timeline.record(
        item.case,
        "member_view_recorded",
        member,
        details={"item": item.pk, "view": view, "comment": comment},
        internal=True,
    )


def _check_chair_may_record(item, by_correspondence):
    meeting = item.meeting
    if by_correspondence:
        if clock.now() >= meeting.held_at:
            raise AdviceError(
                "Advice by correspondence is for between meetings: this meeting has been held, "
                "so record the advice with its attendance."
            )
    elif clock.now() < meeting.held_at:
        # Attendance can be recorded from the meeting's day: the meeting
        # itself has still to begin.
        raise AdviceError(not_quorate(meeting), field="by_correspondence")
    elif not quorum_present(meeting):
        raise AdviceError(not_quorate(meeting))
    elif not quorate_for(item):
        raise AdviceError(too_few_may_advise())


def too_few_may_advise():
    """Why the chair cannot record advice on an item though the meeting was
    quorate: those who attended who may advise on the case are too few."""
    return (
        "Too few of those who attended may advise on this case: "
        f"{quorum_needed()} with no conflict with it and no other part in it must have "
        "attended. A casework officer can move this item to another meeting."
    )


def not_quorate(meeting):
    """Why the chair cannot record advice at ``meeting`` (not quorate), and
    what can be done: advice by correspondence is for before the meeting;
    who attended is recorded by a casework officer, who also moves items."""
    if clock.now() < meeting.held_at:
        return (
            f"This meeting begins at {clock.describe(meeting.held_at)}: until then, record "
            "the advice by correspondence. Once it has begun, the advice can be recorded "
            f"if {quorum_needed()} attended (a casework officer records who attended)."
        )
    if not meeting.attendees.exists():
        return (
            "Who attended this meeting is not recorded yet: a casework officer records it, "
            f"and {quorum_needed()} must have attended."
        )
    return (
        f"The meeting was not quorate: {quorum_needed()} must attend. A casework officer can "
        "move this item to another meeting, or correct who attended if it is wrong."
    )


@transaction.atomic
def record_advice(item, *, advice, comment, actor, by_correspondence=False):
    """The chair records the group's advice on an ASG case: refer back
    returns it to its assessor with the comment; agree or disagree sends it
    for a decision with the advice beside the recommendation."""
    require(actor, "advisory_group.record_advice", item)
    item = _open_item(item)
    if item.purpose != ItemPurpose.ADVICE:
        raise AdviceError("This item is a review of feedback: approve it or return it.")
    if advice not in Advice.values:
        raise AdviceError("Choose agree, disagree or refer back.")
    if advice == Advice.REFER_BACK and not comment.strip():
        raise AdviceError("Enter a comment saying what the assessor should look at again.")
    if advice == Advice.DISAGREE and not comment.strip():
        # The decision official reads why, beside the advice.
        raise AdviceError("Enter a comment saying why the group disagrees with the recommendation.")
    _check_chair_may_record(item, by_correspondence)
    details = _details(item, comment, by_correspondence)
    if advice == Advice.REFER_BACK:
        move(item.case, Action.REFER_BACK, actor, details={**details, "reason": comment})
    else:
        move(item.case, Action.ADVISE, actor, details={**details, "advice": advice})
    _settle(item, advice, comment, actor, by_correspondence)
    return item


def _details(item, comment, by_correspondence):
    """What the timeline keeps of the chair's record: the item, the comment,
    and whether it was recorded by correspondence or at its meeting (named)."""
    details = {"item": item.pk, "comment": comment, "by_correspondence": by_correspondence}
    if not by_correspondence:
        details["meeting_name"] = describe_meeting(item.meeting)
    return details


def _settle(item, outcome, comment, actor, by_correspondence):
    item.outcome = outcome
    item.comment = comment
    item.decided_by = actor
    item.decided_at = clock.now()
    item.by_correspondence = by_correspondence
    item.save(update_fields=["outcome", "comment", "decided_by", "decided_at", "by_correspondence"])


@transaction.atomic
def review_feedback(item, *, outcome, comment, actor, by_correspondence=False, seen=None):
    """The chair records the group's review of a case's draft feedback:
    approved for the letter (the version kept), or returned to the assessor
    with a comment, to come back to the next meeting once they have revised
    it (``queries.agenda.waiting``). ``seen``: the digest
    of the draft the chair's page showed (None: no page, as a script);
    refused (``FeedbackChanged``) when the draft is another now."""
    require(actor, "advisory_group.record_advice", item)
    item = _open_item(item)
    if item.purpose != ItemPurpose.FEEDBACK:
        raise AdviceError("This item asks for advice on a recommendation.")
    if outcome not in FeedbackOutcome.values:
        raise AdviceError("Choose whether to approve the feedback or return it to the assessor.")
    if outcome == FeedbackOutcome.RETURNED and not comment.strip():
        raise AdviceError("Enter a comment saying what the assessor should change.")
    _check_chair_may_record(item, by_correspondence)
    if feedback_unwritten(item.case) is not None:
        raise AdviceError(
            "This case's feedback is waiting for its assessor to write or revise it: the group "
            "can review it once they have."
        )
    rows = feedback_rows(item.case)
    if not rows:
        raise AdviceError("This case has no draft feedback to review.")
    if seen is not None and seen != digest(rows):
        raise FeedbackChanged(digest(rows))
    _settle(item, outcome, comment, actor, by_correspondence)
    details = _details(item, comment, by_correspondence)
    if outcome == FeedbackOutcome.APPROVED:
        approval = FeedbackApproval.objects.create(
            case=item.case, item=item, feedback=rows, digest=digest(rows), approved_by=actor
        )
        timeline.record(
            item.case, "feedback_approved", actor, details={**details, "digest": approval.digest}
        )
        feedback_approved.send(sender=FeedbackApproval, case=item.case, approval=approval)
    else:
        event = timeline.record(
            item.case, "feedback_returned", actor, details={**details, "reason": comment}
        )
        feedback_returned.send(sender=AgendaItem, case=item.case, event=event)
    return item
