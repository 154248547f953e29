"""Meetings: created and edited by casework officers (activity log), their
agendas filled with what the group has to look at, items moved between
meetings (case timeline), attendance recorded and the meeting closed; a
round's meeting still to come moves with the round's meeting date."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accreditation import clock, timeline
from accreditation.access import require
from accreditation.events import EventType, register
from accreditation.models import CaseEvent
from accreditation.services import activity
from accreditation.versions import NEW, check_version, fingerprint
from advisory_group.models import AgendaItem, ItemPurpose, Meeting
from advisory_group.queries.agenda import (
    advisable_by,
    next_meeting,
    quorate,
    quorate_for,
    quorum_needed,
    waiting,
)
from assessments.queries.scoring import with_feedback_unwritten
from proposals.models import Proposal

register(
    EventType("agenda_item_added", "Put on an Advisory Group agenda"),
    EventType("agenda_item_moved", "Moved to another Advisory Group meeting"),
    EventType("agenda_item_removed", "Taken off an Advisory Group agenda"),
)

MEETING_FIELDS = ("round", "held_at", "chair", "members", "minutes")


def describe_meeting(meeting):
    """A meeting as the timeline names it: its day and time, and its chair
    (several meetings can be held on one day)."""
    return f"{clock.describe(meeting.held_at)}, chaired by {meeting.chair}"


class MeetingError(Exception):
    """A refused change, with a message fit to show the person who tried,
    and the form field it is about (None: the whole form)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _add(meeting, case, purpose, actor=None):
    item = AgendaItem.objects.create(meeting=meeting, case=case, purpose=purpose)
    timeline.record(
        case,
        "agenda_item_added",
        actor,
        details={"meeting": meeting.pk, "purpose": purpose},
        internal=True,
    )
    return item


def fill_agenda(meeting, case_ids=None):
    """Put on ``meeting`` everything waiting for the group (of ``case_ids``
    only, when given). Returns the items added."""
    return [_add(meeting, case, purpose) for case, purpose in waiting(case_ids)]


def place(case_ids, after=None):
    """Put what these cases now wait for on the next meeting (after the
    meeting ``after``, if given), if one is set."""
    meeting = next_meeting(after=after)
    if meeting is None:
        return []
    return fill_agenda(meeting, case_ids)


def meeting_version(meeting):
    """The version of what the meeting's form edits (``NEW`` for none yet)."""
    if meeting is None:
        return NEW
    members = sorted(meeting.members.values_list("pk", flat=True))
    return fingerprint(
        [meeting.round_id, meeting.held_at.isoformat(), meeting.chair_id, members, meeting.minutes]
    )


MEETING_MAX_DAYS_AHEAD = 365
"""How far ahead a meeting can be set: a year (a mistyped year is refused)."""


@transaction.atomic
def save_meeting(meeting, *, data, actor, version=None):
    """Create (``meeting`` None) or edit a meeting from ``data`` (the form's
    cleaned data); a new one takes everything waiting for the group.
    ``version``: the ``meeting_version`` the form showed (None: no form);
    an edit from a form opened before another was saved raises ``StaleEdit``."""
    require(actor, "advisory_group.run_meetings")
    created = meeting is None
    if not created:
        # Locked: its attendance is not recorded meanwhile.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not created and meeting.closed_at is not None:
        raise MeetingError("This meeting is closed: its record cannot change.")
    if not created:
        check_version(meeting_version(meeting), version)
        if _same_minute(data["held_at"], meeting.held_at):
            # The form shows the time to the minute: sent back as shown, it
            # is the time it was (seconds and all), not a change.
            data = {**data, "held_at": meeting.held_at}
        _check_advice_keeps_its_meeting(meeting, data)
    if (
        not created
        and clock.local_date(data["held_at"]) > clock.today()
        and meeting.attendees.exists()
    ):
        raise MeetingError(
            "Who attended this meeting has been recorded, so it has been held: "
            "its date cannot be after today.",
            field="date",
        )
    day = clock.local_date(data["held_at"])
    if created or day != clock.local_date(meeting.held_at):
        # A meeting is set up before it is held; once its time has come, the
        # day it was held can be corrected.
        if day < clock.today() and (created or meeting.held_at > clock.now()):
            raise MeetingError(
                "The date of the meeting must be today or later: a meeting is set up before "
                "it is held",
                field="date",
            )
        latest = clock.today() + timedelta(days=MEETING_MAX_DAYS_AHEAD)
        if day > latest:
            raise MeetingError(
                f"The date of the meeting must be no later than {latest.day} {latest:%B %Y}, "
                "a year from today",
                field="date",
            )
    if created:
        same = Meeting.objects.filter(
            held_at=data["held_at"], chair=data["chair"], closed_at__isnull=True
        ).first()
        if same is not None:
            # The form sent again (the browser's back button, say).
            raise MeetingError(
                f"A meeting at {clock.describe(same.held_at)} chaired by {same.chair} is "
                "already set up: change it rather than setting up another.",
                field="date",
            )
    if data["minutes"].strip() and clock.local_date(data["held_at"]) > clock.today():
        raise MeetingError(
            "Minutes can be recorded from the day of the meeting: leave them empty until then.",
            field="minutes",
        )
    if not created:
        _check_people_keep_attendance(meeting, data["chair"], data["members"])
    before = {} if created else activity.snapshot(meeting, MEETING_FIELDS)
    meeting = meeting or Meeting()
    for name in ("round", "held_at", "chair", "minutes"):
        setattr(meeting, name, data[name])
    meeting.save()
    meeting.members.set(data["members"])
    after = activity.snapshot(meeting, MEETING_FIELDS)
    activity.record(
        actor,
        "meeting_created" if created else "meeting_changed",
        meeting,
        activity.diff(before, after),
    )
    if created:
        fill_agenda(meeting)
    return meeting


def _same_minute(one, other):
    return one.replace(second=0, microsecond=0) == other.replace(second=0, microsecond=0)


def _check_advice_keeps_its_meeting(meeting, data):
    """Once the group's advice is recorded at the meeting, when it was held
    and who chaired it are part of that advice's record: they stay as they
    were (its minutes and members can still change)."""
    if not meeting.items.exclude(outcome="").filter(by_correspondence=False).exists():
        return
    held, asked = clock.local(meeting.held_at), clock.local(data["held_at"])
    if held != asked:
        raise MeetingError(
            "The group's advice has been recorded at this meeting, so when it was held is part "
            f"of that record: it stays {clock.describe(meeting.held_at)}.",
            field="date" if held.date() != asked.date() else "time",
        )
    if data["chair"] != meeting.chair:
        raise MeetingError(
            "The group's advice has been recorded at this meeting, so who chaired it is part of "
            f"that record: it stays {meeting.chair}.",
            field="chair",
        )


def _check_people_keep_attendance(meeting, chair, members):
    """Once who attended is recorded, the meeting's chair and members keep
    everyone recorded as attending (so a meeting whose advice rests on its
    attendance, whose chair stays, stays quorate)."""
    attendees = list(meeting.attendees.all())
    if not attendees:
        return
    people = {person.pk for person in members} | {chair.pk}
    left_out = sorted(p.full_name or p.email for p in attendees if p.pk not in people)
    if left_out:
        raise MeetingError(
            f"{', '.join(left_out)} attended this meeting, as recorded, so they stay its chair "
            "or a member. To change who sat on it, correct who attended first.",
            field="members",
        )


def take_off_agendas(cases, *, reason, actor, purposes=None):
    """Take the open items of ``cases`` (withdrawn: the group has nothing
    left to advise on), or those of ``purposes`` only, off the agendas of
    meetings not yet closed, each with a note on its case's timeline, so the
    meetings can close. Returns how many items were taken off."""
    by_pk = {case.pk: case for case in cases}
    items = AgendaItem.objects.select_for_update(of=("self",)).filter(
        case__in=list(by_pk), outcome="", meeting__closed_at=None
    )
    if purposes is not None:
        items = items.filter(purpose__in=purposes)
    items = list(items)
    for item in items:
        timeline.record(
            by_pk[item.case_id],
            "agenda_item_removed",
            actor,
            details={
                "item": item.pk,
                "meeting": item.meeting_id,
                "purpose": item.purpose,
                "reason": reason,
            },
            internal=True,
        )
    AgendaItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return len(items)


def follow_round(round_, *, moved_from, actor):
    """The round's Advisory Group meeting date moved from ``moved_from``:
    its meetings on that day that have not happened yet (not closed, still
    to come) move to the new date, at the same time of day (activity log).
    Returns the meetings moved."""
    moved = []
    # Not one whose attendance is recorded: it is being held today.
    attended = Meeting.attendees.through.objects.filter(meeting=OuterRef("pk"))
    meetings = (
        round_.meetings.select_for_update()
        .filter(closed_at=None, held_at__gt=clock.now())
        .exclude(Exists(attended))
    )
    for meeting in meetings:
        held = clock.local(meeting.held_at)
        if held.date() != moved_from:
            continue
        before = activity.snapshot(meeting, ["held_at"])
        meeting.held_at = timezone.make_aware(
            datetime.combine(round_.advisory_group_meeting, held.time())
        )
        meeting.save(update_fields=["held_at"])
        activity.record(
            actor,
            "meeting_moved_with_round",
            meeting,
            activity.diff(before, activity.snapshot(meeting, ["held_at"])),
        )
        moved.append(meeting)
    return moved


@transaction.atomic
def record_attendance(meeting, *, attendees, actor):
    require(actor, "advisory_group.run_meetings")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)  # not moved meanwhile
    if meeting.closed_at is not None:
        raise MeetingError("This meeting is closed: its attendance cannot change.")
    if not meeting.its_day_has_come:
        raise MeetingError(
            "Who attended can be recorded from the day of the meeting, "
            f"{clock.local_date(meeting.held_at):%-d %B %Y}."
        )
    advised_at_it = meeting.items.exclude(outcome="").filter(by_correspondence=False)
    if advised_at_it.exists() and not quorate(meeting, attendees, meeting.members.only("pk")):
        raise MeetingError(
            "The group's advice has been recorded at this meeting, so who attended must "
            f"still make it quorate: {quorum_needed()}.",
            field="attendees",
        )
    for item in advised_at_it.select_related("meeting", "case__organisation"):
        # Each advice rests on those who attended who could give it.
        if not quorate_for(item, attendees):
            raise MeetingError(
                f"The group's advice on {item.case.reference} has been recorded at this "
                f"meeting, so who attended must still include {quorum_needed()} who may "
                "advise on it (no conflict with it, and not its assessor).",
                field="attendees",
            )
    before = activity.snapshot(meeting, ["attendees"])
    meeting.attendees.set(attendees)
    activity.record(
        actor,
        "meeting_attendance",
        meeting,
        activity.diff(before, activity.snapshot(meeting, ["attendees"])),
    )


@transaction.atomic
def close_meeting(meeting, *, minutes, actor):
    """Agree the minutes: the agenda is final; open items must first move.
    Only from the meeting's day: minutes are of a meeting that was held."""
    require(actor, "advisory_group.run_meetings")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.closed_at is not None:
        raise MeetingError("This meeting is already closed.")
    if not meeting.its_day_has_come:
        raise MeetingError(
            "The meeting can be closed from its day, "
            f"{clock.local_date(meeting.held_at):%-d %B %Y}."
        )
    # Feedback put on this agenda before its assessor revised what the group
    # returned (as the service once did) waits for them, off the agendas: a
    # meeting after the revision takes it.
    waiting_for_assessor = with_feedback_unwritten(
        Proposal.objects.filter(
            agenda_items__meeting=meeting,
            agenda_items__outcome="",
            agenda_items__purpose=ItemPurpose.FEEDBACK,
        )
    )
    take_off_agendas(
        list(waiting_for_assessor),
        reason="Its assessor has not yet revised the feedback the group returned.",
        actor=actor,
        purposes=[ItemPurpose.FEEDBACK],
    )
    if meeting.items.filter(outcome="").exists():
        raise MeetingError(
            "Record the group's advice on every item, or move it to another meeting, "
            "before closing the meeting."
        )
    meeting.minutes = minutes
    meeting.closed_at = clock.now()
    meeting.save(update_fields=["minutes", "closed_at"])
    activity.record(actor, "meeting_closed", meeting, {"minutes": ["", minutes]})


def moved_from_chair(item, person):
    """Whether ``item`` moved to its meeting from one ``person`` chairs."""
    moves = CaseEvent.objects.filter(
        case_id=item.case_id, action="agenda_item_moved", details__to_meeting=item.meeting_id
    ).values_list("details__from_meeting", flat=True)
    return Meeting.objects.filter(pk__in=list(moves), chair=person).exists()


@transaction.atomic
def move_item(item, *, to, reason, actor, moving_from=None):
    """Move an open item to another open meeting still to come, with a
    reason (timeline). ``moving_from``: the meeting the page showed it on
    (None: no page); moved elsewhere since, it is not moved again."""
    require(actor, "advisory_group.move_item", item)
    # Locked alone: joined rows would be read as they were before a move
    # that commits while this waits, and the item not found.
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_open:
        raise MeetingError("The group has already given its advice on this item.")
    if moving_from is not None and item.meeting_id != moving_from:
        raise MeetingError(
            f"Someone else has moved this item to the meeting at {describe_meeting(item.meeting)} "
            "since this page was opened: nothing was changed. Move it again from there if it "
            "should go elsewhere."
        )
    if to.closed_at is not None or to.pk == item.meeting_id:
        raise MeetingError("Choose another meeting that is not closed.")
    if to.held_at <= clock.now():
        raise MeetingError(
            "That meeting has begun or been held: its agenda cannot take another item. Choose "
            "a meeting still to come."
        )
    if AgendaItem.objects.filter(
        meeting=to, case=item.case, purpose=item.purpose, outcome=""
    ).exists():
        raise MeetingError("That meeting already has this item on its agenda.")
    if not reason.strip():
        raise MeetingError("Enter why the item is moving to another meeting.")
    if not advisable_by(AgendaItem.objects.filter(pk=item.pk), to.chair).exists():
        raise MeetingError(
            f"{to.chair}, the chair of that meeting, has a conflict of interest with this case "
            "or had another part in it, so could not record what the group decides on this "
            "item: choose a meeting someone else chairs."
        )
    source = item.meeting
    item.meeting = to
    item.save(update_fields=["meeting"])
    timeline.record(
        item.case,
        "agenda_item_moved",
        actor,
        details={
            "from_meeting": source.pk,
            "to_meeting": to.pk,
            "from_meeting_name": describe_meeting(source),
            "to_meeting_name": describe_meeting(to),
            "purpose": item.purpose,
            "reason": reason,
        },
        internal=True,
    )
    return item
