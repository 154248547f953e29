"""The Advisory Group in the demo: the next meeting to be held (an ad hoc
one in a fortnight when no round's meeting is coming). The ASG cases an
earlier meeting did not reach are carried over to it by the casework officer,
with everything else waiting for the group; the members give their views on
all but the last item, and every item still awaits the chair's advice.

Everything goes through the services, once per item and member, so a rerun
adds nothing."""

from datetime import timedelta

from accreditation.models import User
from accreditation.workflow import Status
from advisory_group.models import AgendaItem, ItemPurpose, MemberView
from advisory_group.queries.agenda import next_meeting
from advisory_group.services import advice, meetings

VIEWS = (
    ("advisory2@example.org", "agree", "The evidence for every criterion is convincing."),
    ("advisory3@example.org", "disagree", "The plan for the second school is thin."),
)
FEEDBACK_VIEWS = (
    ("advisory2@example.org", "approve", "Clear and specific: fit to send."),
    ("advisory3@example.org", "revise", "The feedback on 2B should name the data it relies on."),
)
CARRIED_OVER = "Not reached at the last meeting: carried over to the next."


def seed(now):
    officer = User.objects.get(email="caseworker@example.org")
    meeting = next_meeting()
    if meeting is None:
        meeting = meetings.save_meeting(
            None,
            data={
                "round": None,
                "held_at": now + timedelta(days=14),
                "chair": User.objects.get(email="advisory@example.org"),
                "members": User.objects.filter(email__in=[email for email, *_ in VIEWS]),
                "minutes": "",
            },
            actor=officer,
        )
    not_reached = AgendaItem.objects.filter(
        outcome="",
        purpose=ItemPurpose.ADVICE,
        case__status=Status.ADVISORY_REVIEW,
        meeting__closed_at=None,
        meeting__held_at__lt=meeting.held_at,
    )
    for item in not_reached.select_related("case", "meeting"):
        meetings.move_item(item, to=meeting, reason=CARRIED_OVER, actor=officer)
    meetings.fill_agenda(meeting)
    members = {user.email: user for user in meeting.members.all()}
    for item in list(meeting.items.filter(outcome="").select_related("case", "meeting"))[:-1]:
        views = FEEDBACK_VIEWS if item.purpose == ItemPurpose.FEEDBACK else VIEWS
        for email, view, comment in views:
            member = members.get(email)
            if member is None or MemberView.objects.filter(item=item, member=member).exists():
                continue
            if not member.has_perm("advisory_group.record_view", item):
                continue  # a member conflicted with the case does not see it
            advice.record_view(item, member=member, view=view, comment=comment)
    return meeting
