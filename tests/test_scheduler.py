"""The scheduler's work, each run in the test's process on a moved clock:
opening and closing rounds and windows, reminders, and the chasers. Each is
done once however often it runs (the real worker and beat are in
tests/test_scheduler_broker.py)."""

from datetime import date, time, timedelta

import pytest
import time_machine

from accreditation import clock
from accreditation.models import OutboxMessage, ScheduledAction, ScheduledKind
from accreditation.roles import Role
from accreditation.tasks import chase_decisions, open_rounds
from accreditation.workflow import Status
from advisory_group.models import Advice, MemberView
from advisory_group.tasks import chase_views_before_meetings
from assessments.models import Assignment, AssignmentKind, InformationRequest
from assessments.services import assignment as assigning
from assessments.services import conflicts
from assessments.tasks import chase_overdue_assessments, chase_overdue_requests
from proposals.services.deadlines import reminder_key, reminder_stage
from proposals.tasks import lapse_overdue_drafts, remind_drafts
from tests.casework import person_with
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


def sent(prefix):
    return sorted(OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", "to"))


def sent_to(key):
    return sorted(OutboxMessage.objects.filter(key=key).values_list("to", flat=True))


def done(kind):
    return ScheduledAction.objects.filter(kind=kind)


# --- Opening and closing ----------------------------------------------------


def test_a_round_is_recorded_opening_once_at_its_opening_time():
    round_ = RoundFactory(opens_at=clock.now() + timedelta(hours=1))
    with time_machine.travel(round_.opens_at - timedelta(seconds=1)):
        assert open_rounds() == {"opened": 0}
    with time_machine.travel(round_.opens_at):
        assert open_rounds() == {"opened": 1}
        assert open_rounds() == {"opened": 0}
    assert done(ScheduledKind.ROUND_OPENED).get().summary == str(round_)


def test_a_window_closes_at_its_deadline_and_its_draft_lapses_once():
    window = WindowFactory()
    draft = ProposalFactory(round=None, window=window, organisation=window.organisation)
    MembershipFactory(organisation=window.organisation)
    with time_machine.travel(window.deadline):
        assert lapse_overdue_drafts() == {"closed": 1, "lapsed": 1}
        assert lapse_overdue_drafts() == {"closed": 0, "lapsed": 0}
    draft.refresh_from_db()
    assert draft.status == Status.LAPSED
    closed = done(ScheduledKind.WINDOW_CLOSED).get()
    assert (closed.target, closed.count) == (f"window:{window.pk}", 1)
    assert len(sent(f"lapsed:{draft.pk}")) == 1
    message = OutboxMessage.objects.get(key=f"lapsed:{draft.pk}")
    assert "was not submitted by its deadline" in message.body
    assert "<h1" in message.html_body and "was not submitted by its deadline" in message.html_body


def test_a_round_whose_deadline_moved_later_is_closed_again_at_the_new_deadline():
    round_ = RoundFactory()
    with time_machine.travel(round_.deadline):
        lapse_overdue_drafts()
    round_.deadline += timedelta(days=7)
    round_.save()
    draft = ProposalFactory(round=round_)
    with time_machine.travel(round_.deadline):
        assert lapse_overdue_drafts() == {"closed": 1, "lapsed": 1}
    assert done(ScheduledKind.ROUND_CLOSED).count() == 2
    assert done(ScheduledKind.ROUND_CLOSED).order_by("pk").last().count == 1
    draft.refresh_from_db()
    assert draft.status == Status.LAPSED


# --- Reminders ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "stage"),
    [
        (timedelta(days=15), None),
        (timedelta(days=14), 14),
        (timedelta(days=8), 14),
        (timedelta(days=7), 7),
        (timedelta(days=3), 7),
        (timedelta(hours=23), 1),
        (timedelta(seconds=1), 1),
        (timedelta(0), None),
    ],
)
def test_the_reminder_due_at_each_moment_before_a_deadline(before, stage):
    deadline = clock.at(date(2026, 11, 20), time(17))
    assert reminder_stage(deadline, deadline - before, (14, 7, 1)) == stage


def test_reminder_days_are_wall_clock_days_across_the_clock_change():
    # 5pm on 6 November (GMT); 14 days before is 5pm on 23 October (BST).
    deadline = clock.at(date(2026, 11, 6), time(17))
    fourteen_days_before = clock.at(date(2026, 10, 23), time(17))
    assert reminder_stage(deadline, fourteen_days_before - timedelta(seconds=1), (14,)) is None
    assert reminder_stage(deadline, fourteen_days_before, (14,)) == 14


def test_each_draft_is_reminded_at_14_7_and_1_days_once_each():
    draft = ProposalFactory()
    contacts = [MembershipFactory(organisation=draft.organisation) for _ in range(2)]
    submitted = ProposalFactory(round=draft.round, status=Status.SUBMITTED)
    deadline = draft.round.deadline
    for days in (14, 7, 1):
        with time_machine.travel(deadline - timedelta(days=days)):
            assert remind_drafts() == {"reminded": 1}
            assert remind_drafts() == {"reminded": 0}
    addresses = sorted(m.user.email for m in contacts)
    for days in (14, 7, 1):
        assert sent_to(f"reminder:{draft.pk}:{reminder_key(days, deadline)}") == addresses
    assert not sent(f"reminder:{submitted.pk}:")
    assert done(ScheduledKind.REMINDER).count() == 3
    message = OutboxMessage.objects.get(
        key=f"reminder:{draft.pk}:{reminder_key(1, deadline)}", to=addresses[0]
    )
    assert message.subject == f"{draft.draft_name}: the deadline is tomorrow"
    assert "that is tomorrow" in message.body
    assert message.body.rstrip().endswith(f"/proposals/{draft.pk}/")


def test_a_deadline_moved_later_has_its_own_reminders():
    """A round's deadline extended after its reminders went: its drafts are
    reminded again before the new one, once each."""
    draft = ProposalFactory()
    MembershipFactory(organisation=draft.organisation)
    period = draft.round
    with time_machine.travel(period.deadline - timedelta(days=1)):
        assert remind_drafts() == {"reminded": 1}
    moved = period.deadline + timedelta(days=7)
    type(period).objects.filter(pk=period.pk).update(deadline=moved)
    for days in (7, 1):
        with time_machine.travel(moved - timedelta(days=days)):
            assert remind_drafts() == {"reminded": 1}
            assert remind_drafts() == {"reminded": 0}
    keys = [key for key, _ in sent(f"reminder:{draft.pk}:")]
    assert sorted(keys) == sorted(
        [
            f"reminder:{draft.pk}:{reminder_key(1, moved - timedelta(days=7))}",
            f"reminder:{draft.pk}:{reminder_key(7, moved)}",
            f"reminder:{draft.pk}:{reminder_key(1, moved)}",
        ]
    )


def test_reminders_recorded_before_their_key_named_the_deadline_are_not_sent_again():
    """The migration gives a reminder recorded as ``"7"`` its draft's
    deadline: the next run finds it sent."""
    import importlib

    from django.apps import apps

    from accreditation.models import ScheduledAction

    migration = importlib.import_module(
        "proposals.migrations.0011_reminder_keys_name_their_deadline"
    )
    draft = ProposalFactory()
    MembershipFactory(organisation=draft.organisation)
    ScheduledAction.objects.create(
        kind=ScheduledKind.REMINDER, target=f"proposal:{draft.pk}", key="7"
    )
    migration.name_the_deadline(apps, None)
    assert ScheduledAction.objects.get().key == reminder_key(7, draft.round.deadline)
    with time_machine.travel(draft.round.deadline - timedelta(days=3)):
        assert remind_drafts() == {"reminded": 0}


def test_a_draft_started_three_days_before_the_deadline_gets_only_the_reminders_still_to_come():
    draft = ProposalFactory()
    MembershipFactory(organisation=draft.organisation)
    with time_machine.travel(draft.round.deadline - timedelta(days=3)):
        remind_drafts()
    assert [key for key, _ in sent(f"reminder:{draft.pk}:")] == [
        f"reminder:{draft.pk}:{reminder_key(7, draft.round.deadline)}"
    ]


@pytest.mark.parametrize(
    "before, stage, subject, text",
    [
        (timedelta(days=3), 7, "the deadline is in 3 days", ", in 3 days."),
        (timedelta(hours=8), 1, "the deadline is today", ": that is today."),
    ],
)
def test_a_reminder_says_how_long_is_left_not_when_it_became_due(before, stage, subject, text):
    draft = ProposalFactory()
    MembershipFactory(organisation=draft.organisation)
    draft.round.deadline = clock.at(clock.today() + timedelta(days=10), time(17))
    draft.round.save(update_fields=["deadline"])
    with time_machine.travel(draft.round.deadline - before):
        remind_drafts()
    message = OutboxMessage.objects.get(
        key=f"reminder:{draft.pk}:{reminder_key(stage, draft.round.deadline)}"
    )
    assert message.subject.endswith(subject)
    assert text in message.body


def test_drafts_in_a_cancelled_round_are_not_reminded():
    draft = ProposalFactory()
    MembershipFactory(organisation=draft.organisation)
    draft.round.cancelled_at = clock.now()
    draft.round.cancellation_reason = "Moved to spring"
    draft.round.save()
    with time_machine.travel(draft.round.deadline - timedelta(days=1)):
        assert remind_drafts() == {"reminded": 0}


# --- Chasers ------------------------------------------------------------------


def test_an_overdue_assessment_chases_its_assessor_then_the_casework_officers_once():
    assignment = Assignment.objects.create(
        # Out of round: the assignment's own date is its due date.
        case=ProposalFactory(status=Status.IN_ASSESSMENT, round=None, window=WindowFactory()),
        assessor=person_with("assessor"),
        kind=AssignmentKind.FIRST,
        due_on=date(2026, 12, 11),  # a Friday
    )
    officer = person_with("casework_officer")
    prefix = f"assessment-overdue:{assignment.pk}:"
    with time_machine.travel(clock.at(date(2026, 12, 11), time(23, 59))):
        assert chase_overdue_assessments() == {"chased": 0, "escalated": 0}
    with time_machine.travel(clock.at(date(2026, 12, 12), time(9))):
        assert chase_overdue_assessments() == {"chased": 1, "escalated": 0}
        assert chase_overdue_assessments() == {"chased": 0, "escalated": 0}
    assert [to for _, to in sent(prefix)] == [assignment.assessor.email]
    # Three working days after Saturday 12 December is Wednesday 16th.
    with time_machine.travel(clock.at(date(2026, 12, 15), time(23))):
        assert chase_overdue_assessments() == {"chased": 0, "escalated": 0}
    with time_machine.travel(clock.at(date(2026, 12, 16), time(9))):
        assert chase_overdue_assessments() == {"chased": 0, "escalated": 1}
        assert chase_overdue_assessments() == {"chased": 0, "escalated": 0}
    officers = sent(f"assessment-overdue-officers:{assignment.pk}:")
    assert officer.email in [to for _, to in officers]


def test_an_overdue_information_request_chases_the_applicant_then_the_assessor():
    case = ProposalFactory(status=Status.INFORMATION_REQUESTED)
    contact = MembershipFactory(organisation=case.organisation)
    request = InformationRequest.objects.get(case=case)
    day_after = clock.at(request.due + timedelta(days=1), time(9))
    with time_machine.travel(day_after):
        assert chase_overdue_requests() == {"chased": 1, "escalated": 0}
        assert chase_overdue_requests() == {"chased": 0, "escalated": 0}
    assert contact.user.email in [to for _, to in sent(f"request-overdue:{request.pk}:")]
    with time_machine.travel(day_after + timedelta(days=7)):
        assert chase_overdue_requests() == {"chased": 0, "escalated": 1}
        assert chase_overdue_requests() == {"chased": 0, "escalated": 0}
    assert [to for _, to in sent(f"request-overdue-assessor:{request.pk}:")] == [
        request.asked_by.email
    ]


def test_an_overdue_request_whose_asker_was_stood_down_is_escalated_to_their_successor():
    """They declared a conflict with the organisation: the assessor assigned
    in their place is told instead."""
    case = ProposalFactory(status=Status.INFORMATION_REQUESTED)
    request = InformationRequest.objects.get(case=case)
    conflicts.declare(request.asked_by, reason="A new post.", organisation=case.organisation)
    successor = person_with("assessor")
    assigning.assign(case, successor, "first", person_with("casework_officer"))
    day_after = clock.at(request.due + timedelta(days=1), time(9))
    with time_machine.travel(day_after):
        chase_overdue_requests()
    with time_machine.travel(day_after + timedelta(days=7)):
        assert chase_overdue_requests() == {"chased": 0, "escalated": 1}
    assert [to for _, to in sent(f"request-overdue-assessor:{request.pk}:")] == [successor.email]


def test_members_without_a_view_are_chased_once_before_the_meeting():
    item = AgendaItemFactory(meeting=MeetingFactory(held_at=clock.now() + timedelta(days=10)))
    meeting = item.meeting
    member, given = (
        UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]),
        UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]),
    )
    meeting.members.add(member, given)
    MemberView.objects.create(item=item, member=given, view=Advice.AGREE)
    with time_machine.travel(meeting.held_at - timedelta(days=4)):
        assert chase_views_before_meetings() == {"chased": 0}
    with time_machine.travel(meeting.held_at - timedelta(days=2)):
        assert chase_views_before_meetings() == {"chased": 2}  # the member and the chair
        assert chase_views_before_meetings() == {"chased": 0}
    recipients = [to for _, to in sent(f"views-wanted:{meeting.pk}:")]
    assert sorted(recipients) == sorted([member.email, meeting.chair.email])


def test_a_case_past_its_decision_target_is_sent_to_the_decision_officials_once():
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    official = person_with("decision_official")
    after_target = clock.at(case.round.decision_target + timedelta(days=1), time(9))
    with time_machine.travel(after_target - timedelta(days=1)):
        assert chase_decisions() == {"chased": 0}
    with time_machine.travel(after_target):
        assert chase_decisions() == {"chased": 1}
        assert chase_decisions() == {"chased": 0}
    assert official.email in [to for _, to in sent(f"decision-overdue:{case.pk}:")]
