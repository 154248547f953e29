"""The Advisory Group (SPEC: "The life of a case": Advisory Group, After the
group's advice): meetings whose agenda fills itself, members who do not see
the items they are conflicted on, members' views, the chair's advice once the
meeting is quorate (or by correspondence before it), refer back, and the
group's approval of feedback for the letter."""

import io
import re
from datetime import time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from accreditation import clock, timeline
from accreditation.models import AccreditationType, ActivityEntry, CaseEvent, OutboxMessage
from accreditation.roles import Role
from accreditation.workflow import Action, Status, move
from advisory_group.forms.meetings import MeetingForm
from advisory_group.models import AgendaItem, FeedbackApproval, Meeting, MemberView
from advisory_group.queries import approved_feedback
from advisory_group.queries.agenda import Show, visible_items
from advisory_group.queries.agenda import agenda as advisory_agenda
from advisory_group.services import advice, meetings
from tests.casework import person_with, sign_in_verified, walk_to
from tests.factories import (
    AssignmentFactory,
    ConflictFactory,
    MeetingFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)
from tests.scoring_helpers import case_in_assessment, score_all

pytestmark = pytest.mark.django_db


def events(case, action):
    return list(CaseEvent.objects.filter(case=case, action=action).order_by("sequence"))


def asg_case(**fields):
    return ProposalFactory(
        status=Status.ADVISORY_REVIEW, accreditation_type=AccreditationType.ASG, **fields
    )


def not_accredit_case(asg=False):
    """A case recommended not to accredit, with draft feedback on 2B: an ASP
    (awaiting decision), or an ASG through quality assurance (in Advisory
    Group review)."""
    from assessments.services import recommendation as recommending
    from assessments.services import scoring

    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG if asg else AccreditationType.ASP
    )
    assessor = person_with("assessor", case)
    score_all(case, assessor, 3, **{"2B_lead": 2})
    if asg:
        second = person_with("second_assessor", case)
        score_all(case, second, 3, **{"2B_lead": 2})
        scoring.finish_scoring(case, actor=second)
    recommending.recommend(
        case,
        recommendation="not_accredit",
        reasoning="Pupil achievement is not shown.",
        departure_reason="",
        actor=assessor,
    )
    case.refresh_from_db()
    return case


def revise_feedback(case, assessor, text):
    """The assessor's draft feedback on 2B written again (as their feedback
    page saves it), now."""
    from assessments.models import DraftFeedback, FeedbackOccasion, FeedbackRevision

    [shown] = DraftFeedback.objects.filter(recommendation__case=case)
    revision = FeedbackRevision.objects.create(
        case=case, occasion=FeedbackOccasion.RETURNED, written_by=assessor
    )
    DraftFeedback.objects.create(
        revision=revision,
        criterion=shown.criterion,
        party=shown.party,
        score=shown.score,
        text=text,
    )


def assert_comment_error(response, message, outcome):
    """The chair's form was refused for its comment: the summary links to the
    comment, which shows the error beside it, and the outcome chosen is kept."""
    assert response.status_code == 200
    page = response.text
    assert re.search(rf'value="{outcome}"\s+checked="checked"', page)
    assert f'<a href="#id_advice-comment">{message}</a>' in page
    assert 'id="id_advice-comment_1_error"' in page
    assert page.count(message) == 2


@pytest.fixture
def officer():
    return person_with("casework_officer")


@pytest.fixture
def group():
    return [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(4)]


def new_meeting(officer, group, *, days=14):
    chair, *members = group
    return meetings.save_meeting(
        None,
        data={
            "round": None,
            "held_at": clock.now() + timedelta(days=days),
            "chair": chair,
            "members": members,
            "minutes": "",
        },
        actor=officer,
    )


def hold(meeting, *people):
    """The meeting is being held, with ``people`` attending."""
    meeting.held_at = clock.now() - timedelta(hours=1)
    meeting.save(update_fields=["held_at"])
    meeting.attendees.set(people)


class TestTheAgenda:
    def test_a_new_meeting_takes_every_asg_case_waiting_and_feedback_to_review(
        self, officer, group
    ):
        waiting = asg_case()
        feedback = not_accredit_case()
        accredit = ProposalFactory(status=Status.AWAITING_DECISION)
        meeting = new_meeting(officer, group)
        assert {(item.case_id, item.purpose) for item in meeting.items.all()} == {
            (waiting.pk, "advice"),
            (feedback.pk, "feedback"),
        }
        assert not accredit.agenda_items.exists()
        [added] = events(waiting, "agenda_item_added")
        assert added.details["meeting"] == meeting.pk
        [created] = ActivityEntry.objects.filter(action="meeting_created")
        assert created.actor == officer

    def test_a_case_arriving_later_goes_on_the_next_meeting_once(self, officer, group):
        later = new_meeting(officer, group, days=30)
        sooner = new_meeting(officer, group, days=10)
        case = asg_case()
        [item] = case.agenda_items.all()
        assert item.meeting == sooner and item.purpose == "advice"
        assert not later.items.exists()
        # A decision not to accredit does not put its reviewed-or-waiting
        # feedback on twice.
        feedback = not_accredit_case()
        walk_to(feedback, Status.NOT_ACCREDITED)
        assert list(feedback.agenda_items.values_list("purpose", flat=True)) == ["feedback"]

    def test_a_case_decided_not_accredited_whose_feedback_was_not_reviewed(self, officer, group):
        case = not_accredit_case()
        walk_to(case, Status.NOT_ACCREDITED)
        meeting = new_meeting(officer, group)
        assert list(meeting.items.values_list("case_id", "purpose")) == [(case.pk, "feedback")]

    def test_a_case_decided_accredited_against_the_recommendation_takes_its_review_off(
        self, officer, group
    ):
        from accreditation.services import decisions

        case = not_accredit_case()
        meeting = new_meeting(officer, group)
        assert list(meeting.items.values_list("purpose", flat=True)) == ["feedback"]
        decisions.decide(
            case,
            person_with("decision_official"),
            outcome=Action.ACCREDIT,
            decision_date=clock.today(),
            reasons="The trust's results since the assessment meet 2B.",
        )
        assert not meeting.items.exists()
        [removed] = events(case, "agenda_item_removed")
        assert removed.details["reason"] == (
            "The case was decided accredited: no feedback letter is sent."
        )

    def test_a_decision_corrected_to_accredited_takes_its_feedback_review_off_and_back(
        self, officer, group
    ):
        from accreditation.services import decisions

        case = not_accredit_case()
        walk_to(case, Status.NOT_ACCREDITED)
        meeting = new_meeting(officer, group)
        assert list(meeting.items.values_list("purpose", flat=True)) == ["feedback"]
        official = person_with("decision_official")
        decisions.correct(
            case,
            official,
            reason="The wrong case was decided.",
            to=Status.ACCREDITED,
            decision_reasons="The trust's results since the assessment meet 2B.",
        )
        assert not meeting.items.exists()
        [removed] = events(case, "agenda_item_removed")
        assert removed.details["reason"] == (
            "The decision was corrected to accredited: no feedback letter is sent."
        )
        case.refresh_from_db()
        decisions.correct(
            case, official, reason="Corrected the wrong way.", to=Status.NOT_ACCREDITED
        )
        assert list(meeting.items.values_list("case_id", "purpose")) == [(case.pk, "feedback")]

    def test_advice_sent_after_the_item_was_taken_off_says_when_and_why(
        self, client, officer, group
    ):
        """Not a bare 404 for the chair or a member of its meeting whose page
        was opened before (a tester's finding); anyone else still gets one."""
        from accreditation.services import decisions

        case = not_accredit_case()
        walk_to(case, Status.NOT_ACCREDITED)
        meeting = new_meeting(officer, group)
        [item] = meeting.items.all()
        url = reverse("advisory-item", args=[item.pk])
        sign_in_verified(client, group[0])
        assert client.get(url).status_code == 200
        decisions.correct(
            case,
            person_with("decision_official"),
            reason="The wrong case was decided.",
            to=Status.ACCREDITED,
            decision_reasons="The trust's results since the assessment meet 2B.",
        )
        sent = {"record_advice": "", "advice-outcome": "approved", "advice-comment": "Clear."}
        response = client.post(url, sent)
        assert response.status_code == 409
        assert "This item was taken off the agenda" in response.text
        assert "The decision was corrected to accredited: no feedback letter is sent." in (
            response.text
        )
        assert "Clear." in response.text
        sign_in_verified(client, group[1])
        response = client.post(url, {"view-view": "approved", "view-comment": "Fine."})
        assert response.status_code == 409 and "Fine." in response.text
        for outsider in (person_with("meeting_member"), officer):
            sign_in_verified(client, outsider)
            assert client.post(url, sent).status_code == 404

    def test_the_meetings_list_tells_a_meeting_to_come_from_one_held_and_not_closed(
        self, client, officer, group
    ):
        """Not "Open" for both (a tester's suggestion)."""
        coming = new_meeting(officer, group)
        held = new_meeting(officer, group, days=30)
        hold(held, *group)
        sign_in_verified(client, officer)
        page = client.get(reverse("advisory-meetings")).text
        rows = {
            meeting.pk: page[page.index(reverse("advisory-meeting", args=[meeting.pk])) :]
            for meeting in (coming, held)
        }
        assert '<strong class="govuk-tag">To come</strong>' in rows[coming.pk].split("</tr>")[0]
        assert "Held, not yet closed" in rows[held.pk].split("</tr>")[0]
        assert ">Open<" not in page

    def test_an_empty_agenda_says_so_to_the_officer_and_nothing_for_you_to_members(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group)
        url = reverse("advisory-meeting", args=[meeting.pk])
        sign_in_verified(client, officer)
        assert "The agenda is empty." in client.get(url).text
        sign_in_verified(client, group[1])
        assert "There is nothing on the agenda for you." in client.get(url).text

    def test_the_officer_moves_an_item_with_a_reason_on_the_timeline(self, client, officer, group):
        first = new_meeting(officer, group)
        second = new_meeting(officer, group, days=40)
        case = asg_case()
        [item] = case.agenda_items.all()
        sign_in_verified(client, officer)
        page = client.get(reverse("advisory-item", args=[item.pk])).text
        assert f'href="{reverse("staff-case", args=[case.pk])}">Case page and timeline' in page
        url = reverse("advisory-item-move", args=[item.pk])
        response = client.post(url, {"meeting": second.pk, "reason": ""})
        assert "Enter why the item is moving to another meeting" in response.text
        response = client.post(url, {"meeting": first.pk + second.pk + 99, "reason": "x"})
        assert "Select an open meeting from the list" in response.text
        response = client.post(url, {"meeting": second.pk, "reason": "The chair is away."})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.meeting == second
        [moved] = events(case, "agenda_item_moved")
        assert moved.details == {
            "from_meeting": first.pk,
            "to_meeting": second.pk,
            "from_meeting_name": f"{clock.describe(first.held_at)}, chaired by {first.chair}",
            "to_meeting_name": f"{clock.describe(second.held_at)}, chaired by {second.chair}",
            "purpose": "advice",
            "reason": "The chair is away.",
        }
        timeline = client.get(reverse("staff-case", args=[case.pk])).text
        assert escape(f"Moved from: {clock.describe(first.held_at)}, chaired by {first.chair}") in (
            timeline
        )
        assert escape(f"Moved to: {clock.describe(second.held_at)}, chaired by {second.chair}") in (
            timeline
        )

    def test_two_officers_moving_one_item_at_once_the_second_is_told_and_nothing_moves(
        self, client, officer, group
    ):
        """The page carries the meeting it showed the item on: moved since
        by someone else, the second move is refused with where it went, its
        reason kept, and sent again it moves it from there."""
        new_meeting(officer, group)
        second = new_meeting(officer, group, days=40)
        third = new_meeting(officer, group, days=60)
        case = asg_case()
        [item] = case.agenda_items.all()
        sign_in_verified(client, officer)
        url = reverse("advisory-item-move", args=[item.pk])
        page = client.get(url)
        shown = page.context["form"]["moving_from"].value()
        meetings.move_item(item, to=second, reason="The chair is away.", actor=officer)
        sent = {"meeting": third.pk, "reason": "Too full.", "moving_from": shown}
        response = client.post(url, sent)
        assert response.status_code == 200
        moved = "Someone else has moved this item to the meeting at " + clock.describe(
            second.held_at
        )
        assert escape(moved) in response.text
        assert "Too full." in response.text
        item.refresh_from_db()
        assert item.meeting == second
        assert len(events(case, "agenda_item_moved")) == 1
        again = response.context["form"]["moving_from"].value()
        assert str(again) == str(second.pk)
        response = client.post(url, {**sent, "moving_from": again})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.meeting == third

    def test_an_item_does_not_move_to_a_meeting_whose_time_has_come(self, client, officer, group):
        """Its agenda is set: advice recorded "at" it on an item added after
        would say the group considered what it never saw (a tester moved one
        into a meeting dated the day before)."""
        new_meeting(officer, group)
        begun = new_meeting(officer, group, days=40)
        case = asg_case()
        [item] = case.agenda_items.all()
        hold(begun, group[0])
        sign_in_verified(client, officer)
        url = reverse("advisory-item-move", args=[item.pk])
        page = client.get(url).text
        assert f'value="{begun.pk}"' not in page
        # None left to take it: the page says why, and how to make one.
        assert 'id="no-meeting"' in page and reverse("advisory-meeting-new") in page
        with pytest.raises(meetings.MeetingError, match="has begun or been held"):
            meetings.move_item(item, to=begun, reason="Late.", actor=officer)
        response = client.post(url, {"meeting": begun.pk, "reason": "Late."})
        assert "Select an open meeting from the list" in response.text
        item.refresh_from_db()
        assert item.meeting != begun

    @pytest.mark.parametrize("sits_on_it", [True, False])
    def test_a_chair_whose_item_moved_away_meanwhile_is_told_where_it_went(
        self, client, officer, group, sits_on_it
    ):
        first = new_meeting(officer, group)
        case = asg_case()
        [item] = case.agenda_items.all()
        members = [group[0], *group[2:]] if sits_on_it else group[2:]
        second = new_meeting(officer, [group[1], *members], days=40)
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        assert client.get(url).status_code == 200
        meetings.move_item(item, to=second, reason="The chair is away.", actor=officer)
        response = client.post(
            url,
            {"record_advice": "", "advice-outcome": "agree", "advice-comment": "Strong case."},
        )
        assert response.status_code == 409
        assert (
            escape(
                f"moved to the meeting at {clock.describe(second.held_at)}, chaired by "
                f"{second.chair}. Only {second.chair} can record the group’s advice on it. Your "
                "advice was not recorded."
            )
            in response.text
        )
        assert "Strong case." in response.text
        item.refresh_from_db()
        assert (item.meeting, item.outcome) == (second, "")
        # A member who never chaired its meeting is refused, as before.
        sign_in_verified(client, group[2])
        response = client.post(
            url,
            {"record_advice": "", "advice-outcome": "agree", "advice-comment": ""},
        )
        assert response.status_code == 403
        assert first.items.count() == 0

    def test_an_item_does_not_move_to_a_meeting_whose_chair_may_not_advise_on_it(
        self, client, officer, group
    ):
        """The meetings offered are told apart by their time and chair; one
        chaired by the case's assessor (or someone in conflict with it) is
        not offered, and refused if sent all the same, saying why."""
        first = new_meeting(officer, group)
        case = asg_case()
        [item] = case.agenda_items.all()
        chair = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Cy Chair")
        AssignmentFactory(case=case, assessor=chair, ended_at=clock.now())
        theirs = new_meeting(officer, [chair, *group[1:]], days=40)
        conflicted = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Di Chair")
        ConflictFactory(user=conflicted, organisation=case.organisation)
        new_meeting(officer, [conflicted, *group[1:]], days=50)
        fine = new_meeting(officer, [group[1], group[0], *group[2:]], days=60)
        sign_in_verified(client, officer)
        url = reverse("advisory-item-move", args=[item.pk])
        page = client.get(url).text
        assert escape(f"{clock.describe(fine.held_at)}, chaired by {group[1]}") in page
        assert "Cy Chair" not in page and "Di Chair" not in page
        response = client.post(url, {"meeting": theirs.pk, "reason": "The chair is away."})
        assert response.status_code == 200
        assert "Select an open meeting from the list" in response.text
        with pytest.raises(meetings.MeetingError, match="Cy Chair, the chair of that meeting"):
            meetings.move_item(item, to=theirs, reason="The chair is away.", actor=officer)
        item.refresh_from_db()
        assert item.meeting == first
        assert not events(case, "agenda_item_moved")

    def test_a_withdrawn_case_leaves_the_agenda_and_the_meeting_can_close(
        self, client, officer, group
    ):
        from proposals.services import applicant

        meeting = new_meeting(officer, group)
        withdrawn, staying = asg_case(), asg_case()
        item = withdrawn.agenda_items.get()
        MemberView.objects.create(item=item, member=group[1], view="agree")
        applicant.withdraw(withdrawn, withdrawn.created_by, "We are merging with another trust.")
        assert not withdrawn.agenda_items.exists()
        assert list(meeting.items.values_list("case_id", flat=True)) == [staying.pk]
        [removed] = events(withdrawn, "agenda_item_removed")
        assert removed.details == {
            "item": removed.details["item"],
            "meeting": meeting.pk,
            "purpose": "advice",
            "reason": "The proposal was withdrawn.",
        }
        assert removed.actor == withdrawn.created_by
        hold(meeting, *group)
        advice.record_advice(staying.agenda_items.get(), advice="agree", comment="", actor=group[0])
        sign_in_verified(client, officer)
        close = reverse("advisory-meeting-close", args=[meeting.pk])
        assert client.post(close, {"minutes": "Agreed."}).status_code == 302
        meeting.refresh_from_db()
        assert meeting.closed_at is not None
        page = client.get(reverse("advisory-meeting", args=[meeting.pk])).content.decode()
        assert f"Closed at {clock.describe(meeting.closed_at)}" in page


class TestARoundsMeeting:
    """A round's meeting moves with the round's Advisory Group meeting date,
    until it has happened."""

    def change_meeting_date(self, officer, round_, day):
        from accreditation.models import Term
        from accreditation.services import rounds

        # Named by the term it opened in, as the service holds a round
        # (the factory's are named by far-off years).
        opened = clock.local_date(round_.opens_at)
        round_.term, round_.year = Term.of(opened), opened.year
        round_.save(update_fields=["term", "year"])
        values = {name: getattr(round_, name) for name in rounds.EDITABLE_FIELDS}
        return rounds.change_round(officer, round_, {**values, "advisory_group_meeting": day})

    def rounds_meeting(self, round_, group, held_at):
        chair, *members = group
        return MeetingFactory(round=round_, held_at=held_at, chair=chair, members=members)

    def test_the_meeting_still_to_come_moves_to_the_new_date_at_its_time(self, officer, group):
        round_ = RoundFactory()
        day = round_.advisory_group_meeting
        meeting = self.rounds_meeting(round_, group, clock.at(day, time(10, 30)))
        elsewhere = self.rounds_meeting(round_, group, clock.at(day + timedelta(days=3), time(10)))
        ad_hoc = MeetingFactory(held_at=clock.at(day, time(14)))
        later = day + timedelta(days=7)
        self.change_meeting_date(officer, round_, later)
        meeting.refresh_from_db()
        assert meeting.held_at == clock.at(later, time(10, 30))
        [moved] = ActivityEntry.objects.filter(action="meeting_moved_with_round")
        assert moved.object_id == str(meeting.pk) and moved.actor == officer
        assert list(moved.changes) == ["held_at"]
        for other in (elsewhere, ad_hoc):
            held = other.held_at
            other.refresh_from_db()
            assert other.held_at == held

    def test_a_meeting_that_has_happened_stays(self, officer, group):
        round_ = RoundFactory()
        day = round_.advisory_group_meeting
        held = self.rounds_meeting(round_, group, clock.at(day, time(10)))
        closed = self.rounds_meeting(round_, group, clock.at(day, time(14)))
        closed.closed_at = clock.at(day, time(16))
        closed.save(update_fields=["closed_at"])
        with time_machine.travel(clock.at(day, time(12)), tick=False):
            self.change_meeting_date(officer, round_, day + timedelta(days=7))
        for meeting, when in ((held, time(10)), (closed, time(14))):
            meeting.refresh_from_db()
            assert meeting.held_at == clock.at(day, when)
        assert not ActivityEntry.objects.filter(action="meeting_moved_with_round").exists()

    def test_a_meeting_whose_attendance_is_recorded_on_its_day_stays(self, officer, group):
        round_ = RoundFactory()
        day = round_.advisory_group_meeting
        meeting = self.rounds_meeting(round_, group, clock.at(day, time(10)))
        with time_machine.travel(clock.at(day, time(8)), tick=False):
            meetings.record_attendance(meeting, attendees=group, actor=officer)
            self.change_meeting_date(officer, round_, day + timedelta(days=7))
        meeting.refresh_from_db()
        assert meeting.held_at == clock.at(day, time(10))
        assert not ActivityEntry.objects.filter(action="meeting_moved_with_round").exists()


class TestConflicts:
    def test_a_conflicted_member_neither_sees_the_item_nor_reaches_it(self, client, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        other = asg_case()
        member = group[1]
        ConflictFactory(user=member, organisation=case.organisation)
        item = case.agenda_items.get()
        sign_in_verified(client, member)
        page = client.get(reverse("advisory-meeting", args=[meeting.pk])).text
        assert other.organisation.name in page
        assert case.organisation.name not in page
        url = reverse("advisory-item", args=[item.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"view-view": "agree"}).status_code == 404
        assert not MemberView.objects.exists()
        sign_in_verified(client, group[2])
        assert client.get(url).status_code == 200

    def test_a_member_of_another_meeting_does_not_reach_the_item(self, client, officer, group):
        new_meeting(officer, group)
        item = asg_case().agenda_items.get()
        outsider = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        sign_in_verified(client, outsider)
        assert client.get(reverse("advisory-item", args=[item.pk])).status_code == 404


class TestMembersViews:
    def test_the_chair_sees_which_views_no_longer_count_and_why(self, client, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        chair, conflicted, removed, staying = group
        for member in (conflicted, removed, staying):
            advice.record_view(item, member=member, view="agree", comment="")
        ConflictFactory(user=conflicted, organisation=case.organisation)
        meeting.members.remove(removed)
        sign_in_verified(client, chair)
        page = client.get(reverse("advisory-item", args=[item.pk])).text
        assert f"<strong>{escape(conflicted)}</strong> (may no longer advise on this case)" in page
        assert f"<strong>{escape(removed)}</strong> (no longer on this meeting)" in page
        assert f"<strong>{escape(staying)}</strong>: Agree" in page

    def test_a_member_records_and_changes_one_view_until_the_advice(self, client, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        member = group[1]
        sign_in_verified(client, member)
        url = reverse("advisory-item", args=[item.pk])
        page = client.get(url).text
        assert 'id="scores"' in page and 'id="recommendation"' in page
        assert "Both assessors' scores" in page and "Second assessor" in page
        response = client.post(url, {"view-view": "maybe", "view-comment": ""})
        assert response.status_code == 200
        assert "Choose agree, disagree or refer back" in response.text
        response = client.post(url, {"view-view": "refer_back", "view-comment": ""})
        assert "Enter a comment saying what the assessor should look at again" in response.text
        # Disagreeing says why (the SPEC: a view with a comment).
        response = client.post(url, {"view-view": "disagree", "view-comment": "  "})
        assert "Enter a comment saying why you disagree with the recommendation" in response.text
        assert not MemberView.objects.exists()
        with pytest.raises(advice.AdviceError, match="why you disagree"):
            advice.record_view(item, member=member, view="disagree", comment="")
        client.post(url, {"view-view": "agree", "view-comment": "Sound."})
        client.post(url, {"view-view": "disagree", "view-comment": "On reflection, weak on 2B."})
        # Sent twice (a double click): one view, one event.
        client.post(url, {"view-view": "disagree", "view-comment": "On reflection, weak on 2B."})
        [view] = MemberView.objects.all()
        assert (view.member, view.view, view.comment) == (
            member,
            "disagree",
            "On reflection, weak on 2B.",
        )
        assert len(events(case, "member_view_recorded")) == 2
        hold(meeting, group[0], group[1], group[2])
        advice.record_advice(item, advice="agree", comment="", actor=group[0])
        response = client.post(url, {"view-view": "agree", "view-comment": ""})
        assert response.status_code == 200
        assert "already recorded" in response.text
        assert MemberView.objects.get().view == "disagree"

    def test_on_draft_feedback_a_member_says_whether_it_can_be_approved(
        self, client, officer, group
    ):
        new_meeting(officer, group)
        case = not_accredit_case()
        item = case.agenda_items.get(purpose="feedback")
        sign_in_verified(client, group[1])
        url = reverse("advisory-item", args=[item.pk])
        page = client.get(url)
        choices = page.context["view_form"].fields["view"].choices
        assert [label for _, label in choices] == [
            "The feedback can be approved for the letter",
            "The feedback needs revising",
        ]
        assert "Agree with the recommendation" not in page.text
        # An ASP with no route given shows none.
        assert not case.route and "Route" not in page.text
        response = client.post(url, {"view-view": "agree", "view-comment": ""})
        assert "Choose whether the feedback can be approved or needs revising" in response.text
        response = client.post(url, {"view-view": "revise", "view-comment": ""})
        assert "Enter a comment saying what should be revised" in response.text
        client.post(url, {"view-view": "revise", "view-comment": "Name the data for 2B."})
        assert MemberView.objects.get().get_view_display() == "The feedback needs revising"
        with pytest.raises(advice.AdviceError):
            advice.record_view(item, member=group[2], view="agree", comment="")


def test_a_member_who_assessed_a_case_does_not_see_advise_or_count_towards_it(
    client, officer, group
):
    """Roles combine on one person, never on one case: a member who is, or
    was, a case's assessor does not see its item, give a view on it, record
    its advice as chair, nor make the quorum for it."""
    from accreditation.queries import homes

    chair, first, second, third = group
    theirs, chairs, other = asg_case(), asg_case(), asg_case()
    for person in (first, chair):
        person.groups.add(*UserFactory(roles=[Role.ASSESSOR]).groups.all())
    AssignmentFactory(case=theirs, assessor=first, ended_at=clock.now())
    AssignmentFactory(case=chairs, assessor=chair, kind="second")
    meeting = new_meeting(officer, group)
    items = {item.case_id: item for item in meeting.items.select_related("case", "meeting")}
    assert len(items) == 3

    assert [i.case_id for i in advisory_agenda(meeting, first)] == [chairs.pk, other.pk]
    assert [i.case_id for i in advisory_agenda(meeting, chair)] == [theirs.pk, other.pk]
    assert not first.has_perm("advisory_group.view_item", items[theirs.pk])
    assert not first.has_perm("advisory_group.record_view", items[theirs.pk])
    assert not chair.has_perm("advisory_group.record_advice", items[chairs.pk])
    sign_in_verified(client, first)
    item_url = reverse("advisory-item", args=[items[theirs.pk].pk])
    assert client.get(item_url).status_code == 404
    assert client.post(item_url, {"view-view": "agree", "view-comment": ""}).status_code == 404
    assert not MemberView.objects.exists()
    with pytest.raises(PermissionDenied):
        advice.record_view(items[theirs.pk], member=first, view="agree", comment="")
    assert homes.views_to_record(first) == 2
    assert homes.advice_to_record(chair) == 2
    # A casework officer on the group sees every item (they run meetings),
    # but is asked for views, and packed, only on those they did not assess.
    on_group = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.ADVISORY_GROUP_MEMBER, Role.ASSESSOR])
    meeting.members.add(on_group)
    AssignmentFactory(case=other, assessor=on_group, kind="second")
    assert len(advisory_agenda(meeting, on_group)) == 3
    waiting = visible_items(meeting, on_group, Show.WITHOUT_MY_VIEW)
    assert sorted(waiting) == sorted([items[theirs.pk].pk, items[chairs.pk].pk])
    advising = advisory_agenda(meeting, on_group, advising=True)
    assert [i.case_id for i in advising] == [theirs.pk, chairs.pk]

    # The chair and two members attended, one of them the case's assessor:
    # quorate for the meeting (the chair and two), not for the case.
    hold(meeting, chair, first, second)
    with pytest.raises(advice.AdviceError, match="Too few of those who attended may advise"):
        advice.record_advice(items[theirs.pk], advice="agree", comment="", actor=chair)
    # The chair's page says so before the form is filled in.
    sign_in_verified(client, chair)
    page = client.get(reverse("advisory-item", args=[items[theirs.pk].pk])).text
    assert "Too few of those who attended may advise on this case" in page
    page = client.get(reverse("advisory-item", args=[items[other.pk].pk])).text
    assert "Too few of those who attended" not in page
    # With a third member there, it is.
    hold(meeting, chair, first, second, third)
    # Who attended counts as they were at the meeting: one switched off
    # since still took part.
    third.is_active = False
    third.save(update_fields=["is_active"])
    advice.record_advice(items[theirs.pk], advice="agree", comment="", actor=chair)
    # The advice rests on them: the attendance cannot lose the case's quorum.
    with pytest.raises(meetings.MeetingError, match=f"advice on {theirs.reference}"):
        meetings.record_attendance(meeting, attendees=[chair, first, second], actor=officer)
    assert set(meeting.attendees.all()) == {chair, first, second, third}
    # Not with a member in conflict with the case in the assessor's place.
    hold(meeting, chair, second, third)
    ConflictFactory(user=third, organisation=other.organisation)
    with pytest.raises(advice.AdviceError, match="Too few of those who attended may advise"):
        advice.record_advice(items[other.pk], advice="agree", comment="", actor=chair)
    other.refresh_from_db()
    assert other.status == Status.ADVISORY_REVIEW


def test_the_agenda_says_whether_the_meeting_is_quorate_and_who_runs_it(client, officer, group):
    meeting = new_meeting(officer, group)
    chair, first, second, third = group
    url = reverse("advisory-meeting", args=[meeting.pk])
    sign_in_verified(client, chair)
    for attending in ((chair, first), (first, second, third)):  # too few; no chair
        hold(meeting, *attending)
        assert ">Not quorate<" in client.get(url).text
    hold(meeting, chair, first, second)
    page = client.get(url).text
    assert ">Quorate<" in page
    assert "Record attendance" not in page
    sign_in_verified(client, officer)
    page = client.get(url).text
    assert ">Quorate<" in page
    assert "Record attendance" in page


class TestAttendance:
    def test_who_attended_is_recorded_from_the_meetings_day_not_before(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group, days=7)
        meeting_url = reverse("advisory-meeting", args=[meeting.pk])
        url = reverse("advisory-meeting-attendance", args=[meeting.pk])
        sign_in_verified(client, officer)
        page = client.get(meeting_url).text
        assert "Record attendance" not in page
        assert "Who attended can be recorded, and the meeting closed, from the day" in page
        page = client.get(url).text
        assert "Who attended can be recorded from the day of the meeting," in page
        assert 'name="attendees"' not in page
        response = client.post(url, {"attendees": [person.pk for person in group]}, follow=True)
        assert response.redirect_chain == [(url, 302)]
        assert "can be recorded from the day of the meeting" in response.text
        assert "Error:" not in response.text
        assert not meeting.attendees.exists()
        with pytest.raises(meetings.MeetingError, match="from the day of the meeting"):
            meetings.record_attendance(meeting, attendees=group, actor=officer)

    def test_minutes_are_refused_before_the_meetings_day(self, officer, group):
        meeting = new_meeting(officer, group, days=7)
        chair, *members = group
        data = {"round": None, "chair": chair, "members": members, "held_at": meeting.held_at}
        with pytest.raises(meetings.MeetingError, match="from the day of the meeting") as refused:
            meetings.save_meeting(meeting, data={**data, "minutes": "Agreed."}, actor=officer)
        assert refused.value.field == "minutes"
        meeting.refresh_from_db()
        assert meeting.minutes == ""
        today = clock.now()
        meetings.save_meeting(
            meeting, data={**data, "held_at": today, "minutes": "Agreed."}, actor=officer
        )
        meeting.refresh_from_db()
        assert meeting.minutes == "Agreed."

    def test_a_meeting_is_closed_from_its_day_not_before(self, client, officer, group):
        """Its minutes are of a meeting that was held: even with every item
        advised by correspondence, a meeting next week does not close."""
        meeting = new_meeting(officer, group, days=7)
        close = reverse("advisory-meeting-close", args=[meeting.pk])
        sign_in_verified(client, officer)
        assert (
            "Close the meeting"
            not in client.get(reverse("advisory-meeting", args=[meeting.pk])).text
        )
        page = client.get(close).text
        assert "The meeting can be closed, with the minutes the group agreed, from its day" in page
        assert 'name="minutes"' not in page
        response = client.post(close, {"minutes": "Agreed."}, follow=True)
        assert response.redirect_chain == [(close, 302)]
        assert "from its day" in response.text and "Error:" not in response.text
        meeting.refresh_from_db()
        assert meeting.closed_at is None and meeting.minutes == ""
        with pytest.raises(meetings.MeetingError, match="closed from its day"):
            meetings.close_meeting(meeting, minutes="Agreed.", actor=officer)
        hold(meeting, *group)
        assert client.post(close, {"minutes": "Agreed."}).status_code == 302

    def test_on_the_day_before_it_starts_attendance_is_recorded(self, client, officer, group):
        day = clock.local(clock.now()).replace(hour=8, minute=0, second=0, microsecond=0)
        with time_machine.travel(day, tick=False):
            meeting = new_meeting(officer, group, days=0)
            meeting.held_at = day + timedelta(hours=2)  # 10am, two hours away
            meeting.save(update_fields=["held_at"])
            sign_in_verified(client, officer)
            assert (
                "Record attendance"
                in client.get(reverse("advisory-meeting", args=[meeting.pk])).text
            )
            response = client.post(
                reverse("advisory-meeting-attendance", args=[meeting.pk]),
                {"attendees": [person.pk for person in group]},
            )
            assert response.status_code == 302
        assert set(meeting.attendees.all()) == set(group)

    def test_a_meeting_with_its_attendance_cannot_move_to_a_later_day(self, officer, group):
        meeting = new_meeting(officer, group)
        hold(meeting, *group)
        chair, *members = group
        data = {"round": None, "chair": chair, "members": members, "minutes": ""}
        with pytest.raises(meetings.MeetingError, match="its date cannot be after today"):
            meetings.save_meeting(
                meeting, data={**data, "held_at": clock.now() + timedelta(days=2)}, actor=officer
            )
        earlier = clock.now() - timedelta(days=1)
        meetings.save_meeting(meeting, data={**data, "held_at": earlier}, actor=officer)
        meeting.refresh_from_db()
        assert meeting.held_at == earlier

    def test_once_attendance_is_recorded_its_people_stay_on_the_meeting(self, officer, group):
        """Who attended stays the chair or a member; and once advice is
        recorded at the meeting, its chair and when it was held stay."""
        meeting = new_meeting(officer, group, days=0)
        hold(meeting, *group[:3])
        chair, *members = group
        data = {"round": None, "held_at": meeting.held_at, "minutes": ""}
        with pytest.raises(meetings.MeetingError, match="attended this meeting, as recorded"):
            meetings.save_meeting(
                meeting, data={**data, "chair": chair, "members": []}, actor=officer
            )
        assert set(meeting.members.all()) == set(members)
        # One who did not attend may leave; those who did stay.
        meetings.save_meeting(
            meeting, data={**data, "chair": chair, "members": group[1:3]}, actor=officer
        )
        assert set(meeting.members.all()) == set(group[1:3])
        case = asg_case()
        item = case.agenda_items.create(meeting=meeting, purpose="advice")
        advice.record_advice(item, advice="agree", comment="", actor=chair)
        # Another chair, or another time: the advice would say it was given at
        # a meeting that was not as it was.
        with pytest.raises(meetings.MeetingError, match=f"who chaired it .* stays {chair}"):
            meetings.save_meeting(
                meeting,
                data={**data, "chair": group[3], "members": group[:3]},
                actor=officer,
            )
        for moved in (timedelta(days=-2000), timedelta(minutes=1)):
            asked = meeting.held_at + moved
            with pytest.raises(meetings.MeetingError, match="when it was held .* it stays") as no:
                meetings.save_meeting(
                    meeting,
                    data={**data, "held_at": asked, "chair": chair, "members": group[1:3]},
                    actor=officer,
                )
            same_day = clock.local_date(asked) == clock.local_date(meeting.held_at)
            assert no.value.field == ("time" if same_day else "date")
        # Sent back as the form shows it, to the minute, it is the same time,
        # kept as it was (seconds and all).
        held = meeting.held_at
        meetings.save_meeting(
            meeting,
            data={
                **data,
                "held_at": meeting.held_at.replace(second=0, microsecond=0),
                "chair": chair,
                "members": group[1:3],
            },
            actor=officer,
        )
        meeting.refresh_from_db()
        assert meeting.held_at == held
        assert meeting.chair == chair
        # Its members and minutes can still change.
        meetings.save_meeting(
            meeting,
            data={**data, "chair": chair, "members": group[1:], "minutes": "Agreed."},
            actor=officer,
        )
        meeting.refresh_from_db()
        assert (set(meeting.members.all()), meeting.minutes) == (set(group[1:]), "Agreed.")

    def test_the_refusal_to_move_a_held_meeting_is_shown_at_its_date(self, client, officer, group):
        meeting = new_meeting(officer, group)
        hold(meeting, *group)
        chair, *members = group
        when = clock.local(clock.now() + timedelta(days=3))
        sign_in_verified(client, officer)
        response = edit_meeting(
            client,
            meeting,
            {
                "date_0": when.day,
                "date_1": when.month,
                "date_2": when.year,
                "time": "2pm",
                "chair": chair.pk,
                "members": [m.pk for m in members],
                "minutes": "",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == [
            "Who attended this meeting has been recorded, so it has been held: "
            "its date cannot be after today."
        ]
        assert 'href="#id_date_0"' in response.text


class TestTheChairsAdvice:
    NOT_BEGUN = (
        ": until then, record the advice by correspondence. Once it has begun, the advice can "
        "be recorded if the chair and at least 2 members attended (a casework officer records "
        "who attended)."
    )

    @pytest.mark.parametrize(
        "attended, begun, message, link",
        [
            (None, False, NOT_BEGUN, "#id_advice-by_correspondence"),
            # Attendance can be recorded from the meeting's day, before it begins.
            ([0, 1, 2, 3], False, NOT_BEGUN, "#id_advice-by_correspondence"),
            (
                [],
                True,
                "Who attended this meeting is not recorded yet: a casework officer records it, "
                "and the chair and at least 2 members must have attended.",
                "#id_advice-outcome_1",
            ),
            (
                [0, 1],
                True,
                "The meeting was not quorate: the chair and at least 2 members must attend. A "
                "casework officer can move this item to another meeting, or correct who "
                "attended if it is wrong.",
                "#id_advice-outcome_1",
            ),
            (
                [1, 2, 3],
                True,
                "The meeting was not quorate: the chair and at least 2 members must attend.",
                "#id_advice-outcome_1",
            ),
        ],
    )
    def test_advice_without_quorum_is_refused_saying_what_can_be_done(
        self, client, officer, group, attended, begun, message, link
    ):
        meeting = new_meeting(officer, group, days=1)
        case = asg_case()
        item = case.agenda_items.get()
        if begun:
            hold(meeting, *[group[n] for n in attended])
        elif attended is not None:
            meeting.attendees.set([group[n] for n in attended])
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        page = client.get(url)
        assert (
            "At the meeting, once a casework officer has recorded that the chair and at least 2 "
            "members attended; or before it, by correspondence." in page.text
        )
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "agree", "advice-comment": ""}
        )
        assert response.status_code == 200
        assert message in response.text
        assert f'href="{link}"' in response.text
        if link.endswith("by_correspondence"):  # shown by the box too, with when it begins
            begins = f"This meeting begins at {clock.describe(meeting.held_at)}{message}"
            assert response.context["form"].errors["by_correspondence"] == [begins]
        case.refresh_from_db()
        assert case.status == Status.ADVISORY_REVIEW
        assert not item.views.exists() and not type(item).objects.get(pk=item.pk).outcome

    def test_the_chair_records_agreement_once_quorate_and_the_case_goes_to_decision(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        meeting.held_at = clock.now() - timedelta(hours=1)  # its day has come
        meeting.save(update_fields=["held_at"])
        sign_in_verified(client, officer)
        client.post(
            reverse("advisory-meeting-attendance", args=[meeting.pk]),
            {"attendees": [person.pk for person in group[:3]]},
        )
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "perhaps", "advice-comment": ""}
        )
        assert "Choose agree, disagree or refer back" in response.text
        # Disagreeing says why: the decision official reads it beside the advice.
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "disagree", "advice-comment": " "}
        )
        assert_comment_error(
            response,
            "Enter a comment saying why the group disagrees with the recommendation",
            "disagree",
        )
        with pytest.raises(advice.AdviceError, match="why the group disagrees"):
            advice.record_advice(item, advice="disagree", comment="", actor=group[0])
        response = client.post(
            url,
            {"record_advice": "", "advice-outcome": "disagree", "advice-comment": "2B is weak."},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == Status.AWAITING_DECISION
        [advised] = events(case, "advise")
        assert advised.details["advice"] == "disagree"
        assert advised.details["comment"] == "2B is weak."
        assert advised.details["by_correspondence"] is False
        item.refresh_from_db()
        assert (item.outcome, item.decided_by) == ("disagree", group[0])

    def test_once_advice_rests_on_the_attendance_it_cannot_lose_its_quorum(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group)
        case = asg_case()
        hold(meeting, *group[:3])
        advice.record_advice(case.agenda_items.get(), advice="agree", comment="", actor=group[0])
        sign_in_verified(client, officer)
        url = reverse("advisory-meeting-attendance", args=[meeting.pk])
        response = client.post(url, {"attendees": [group[0].pk, group[1].pk]})
        assert response.status_code == 200
        message = (
            "The group's advice has been recorded at this meeting, so who attended must still "
            "make it quorate: the chair and at least 2 members."
        )
        assert response.context["form"].errors["attendees"] == [message]
        assert 'href="#id_attendees_1"' in response.text
        assert set(meeting.attendees.all()) == set(group[:3])
        # Still quorate: the attendance may be corrected.
        assert client.post(url, {"attendees": [p.pk for p in group]}).status_code == 302
        assert set(meeting.attendees.all()) == set(group)

    def test_advice_by_correspondence_does_not_rest_on_the_attendance(self, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        advice.record_advice(
            item, advice="agree", comment="", actor=group[0], by_correspondence=True
        )
        hold(meeting)
        meetings.record_attendance(meeting, attendees=[group[0]], actor=officer)
        assert list(meeting.attendees.all()) == [group[0]]

    def test_a_member_who_is_not_the_chair_cannot_record_the_advice(self, client, officer, group):
        meeting = new_meeting(officer, group)
        item = asg_case().agenda_items.get()
        hold(meeting, *group)
        sign_in_verified(client, group[1])
        url = reverse("advisory-item", args=[item.pk])
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "agree", "advice-comment": ""}
        )
        assert response.status_code == 403
        assert AgendaItem.objects.get().outcome == ""

    def test_refer_back_returns_the_case_to_its_assessor_with_the_comment(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        hold(meeting, *group)
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        response = client.post(
            url,
            {
                "record_advice": "",
                "advice-outcome": "refer_back",
                "advice-comment": " ",
                "advice-by_correspondence": "on",
            },
        )
        assert_comment_error(
            response, "Enter a comment saying what the assessor should look at again", "refer_back"
        )
        too_long = client.post(
            url,
            {"record_advice": "", "advice-outcome": "refer_back", "advice-comment": "x" * 5001},
        )
        assert "The comment must be 5,000 characters or fewer" in too_long.text
        assert "Enter a comment saying" not in too_long.text
        client.post(
            url,
            {
                "record_advice": "",
                "advice-outcome": "refer_back",
                "advice-comment": "Look again at 2B.",
            },
        )
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        [referred] = events(case, "refer_back")
        assert referred.details["reason"] == "Look again at 2B."
        # The item's page and the pack say its scores are changing again.
        again = "The case was referred back and its assessors are assessing it again"
        assert again in client.get(url).text
        pack = client.get(reverse("advisory-meeting-pack", args=[meeting.pk, group[0].pk]))
        pack_text = " ".join(
            "".join(
                page.extract_text() for page in PdfReader(io.BytesIO(pack.content)).pages
            ).split()
        )
        assert "Advised: refer back to the assessor" in pack_text
        assert again in pack_text
        # Its assessor is told, with the comment and a date (the round's has
        # passed, or is near), and reads it again where they score.
        from accreditation.models import OutboxMessage

        assignment = case.assignments.get(ended_at__isnull=True)
        [message] = OutboxMessage.objects.filter(key__startswith=f"referred_back:{case.pk}:")
        assert message.to == assignment.assessor.email
        assert message.subject == f"{case.reference}: referred back to you by the Advisory Group"
        assert "Look again at 2B." in message.body
        sign_in_verified(client, assignment.assessor)
        scores = client.get(reverse("case-scores", args=[case.pk])).text
        assert "The Advisory Group referred this case back</strong> at" in scores
        assert "Look again at 2B." in scores
        # Recommended again but held for quality assurance, the second assessor
        # still re-scores with the comment before them; completed, it is done.
        from assessments.models import Recommendation
        from assessments.queries.scoring import referral_waiting

        def recommended_again(outcome):
            Recommendation.objects.create(
                case=case,
                assignment=assignment,
                recommendation="accredit",
                suggested="accredit",
                reasoning="Looked again at 2B.",
                outcome=outcome,
                made_by=assignment.assessor,
            )

        recommended_again("quality_assurance")
        assert referral_waiting(case) == referred
        recommended_again("completed")
        assert referral_waiting(case) is None

    def test_an_items_scores_say_why_its_case_is_being_assessed_again(self):
        from accreditation import timeline
        from advisory_group.queries.agenda import ASSESSED_AGAIN, assessed_again

        case = ProposalFactory(status=Status.IN_ASSESSMENT)
        assert assessed_again(case) == ""
        timeline.record(case, Action.UPHOLD_CONCERN, None, details={"reason": "Not read."})
        assert assessed_again(case) == ASSESSED_AGAIN[Action.UPHOLD_CONCERN]
        assert "A concern about the case was upheld" in assessed_again(case)
        timeline.record(case, Action.REFER_BACK, None, details={"reason": "Look at 2B."})
        assert assessed_again(case) == ASSESSED_AGAIN[Action.REFER_BACK]
        case.status = Status.AWAITING_DECISION
        assert assessed_again(case) == ""

    def test_refer_back_takes_the_review_of_the_draft_feedback_off_the_agenda(
        self, client, officer, group
    ):
        """An ASG recommended not to accredit comes with its draft feedback to
        review; referred back, there is none to review until it is
        recommended again, and the meeting can close without it."""
        meeting = new_meeting(officer, group)
        case = not_accredit_case(asg=True)
        assert set(meeting.items.values_list("purpose", flat=True)) == {"advice", "feedback"}
        hold(meeting, *group)
        sign_in_verified(client, group[0])
        advice_item = meeting.items.get(purpose="advice")
        client.post(
            reverse("advisory-item", args=[advice_item.pk]),
            {"record_advice": "", "advice-outcome": "refer_back", "advice-comment": "Look at 2B."},
        )
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert list(meeting.items.values_list("purpose", "outcome")) == [("advice", "refer_back")]
        [removed] = events(case, "agenda_item_removed")
        assert removed.details["purpose"] == "feedback"
        assert removed.details["reason"] == "The case was referred back to its assessor."
        meetings.close_meeting(meeting, minutes="Referred back.", actor=officer)

    def test_refer_back_stands_down_an_assessor_who_declared_a_conflict_meanwhile(
        self, officer, group
    ):
        """Declared while the case was with the group (an assessment already
        made stays), the conflict stands them down when it comes back."""
        from accreditation import timeline
        from accreditation.models import OutboxMessage
        from assessments.models import Assignment
        from assessments.services import conflicts

        meeting = new_meeting(officer, group)
        case = asg_case()
        current = Assignment.objects.filter(case=case, ended_at__isnull=True)
        first = current.get(kind="first")
        declared = conflicts.declare(
            first.assessor, reason="A new post.", organisation=case.organisation
        )
        assert declared.stood_down == [] and current.filter(pk=first.pk).exists()
        others = set(current.exclude(pk=first.pk))
        hold(meeting, *group)
        move(case, Action.REFER_BACK, group[0], details={"reason": "Look at 2B."})
        # The caller's case carries the chain's head after the stand-down too.
        head = (case.timeline_sequence, case.timeline_hash)
        case.refresh_from_db()
        assert head == (case.timeline_sequence, case.timeline_hash)
        assert case.status == Status.IN_ASSESSMENT
        assert set(current) == others
        ordered = list(CaseEvent.objects.filter(case=case).order_by("sequence"))
        assert [e.action for e in ordered[-2:]] == ["refer_back", "assessor_stood_down"]
        assert ordered[-1].actor == first.assessor
        assert not list(timeline.verify(ordered)) and case.timeline_sequence == len(ordered)
        assert OutboxMessage.objects.filter(key=f"assessor-stood-down:{first.pk}").exists()

    def test_advice_by_correspondence_before_the_meeting_is_marked(self, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        with pytest.raises(advice.AdviceError, match="This meeting begins at .*: until then"):
            advice.record_advice(item, advice="agree", comment="", actor=group[0])
        advice.record_advice(
            item, advice="agree", comment="Urgent letter.", actor=group[0], by_correspondence=True
        )
        item.refresh_from_db()
        assert item.by_correspondence
        assert events(case, "advise")[0].details["by_correspondence"] is True
        assert meeting.closed_at is None

    @pytest.mark.parametrize(
        ("action", "details", "outcome", "comment"),
        [
            ("advise", {"advice": "agree", "comment": "By email."}, "agree", "By email."),
            ("refer_back", {"reason": "Look at 2C."}, "refer_back", "Look at 2C."),
        ],
    )
    def test_advice_recorded_outside_the_service_settles_the_open_item(
        self, client, officer, group, action, details, outcome, comment
    ):
        """Advice that reaches the workflow without the chair's page (by
        correspondence outside the service, a replayed history) takes the
        item off the open agenda: it is shown as advised and the meeting
        can close."""
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        move(case, action, group[0], details=details)
        item.refresh_from_db()
        assert (item.outcome, item.comment, item.decided_by) == (outcome, comment, group[0])
        assert not item.is_open and not item.by_correspondence
        assert not meeting.items.filter(outcome="").exists()
        sign_in_verified(client, group[1])
        page = client.get(reverse("advisory-meeting", args=[meeting.pk])).text
        assert "Awaiting advice" not in page
        hold(meeting)
        sign_in_verified(client, officer)
        close = reverse("advisory-meeting-close", args=[meeting.pk])
        assert client.post(close, {"minutes": "Advised between meetings."}).status_code == 302

    def test_nothing_changes_once_the_meeting_is_closed(self, client, officer, group):
        meeting = new_meeting(officer, group)
        case = asg_case()
        item = case.agenda_items.get()
        hold(meeting, *group)
        sign_in_verified(client, officer)
        close = reverse("advisory-meeting-close", args=[meeting.pk])
        response = client.post(close, {"minutes": "Agreed."})
        assert "advice on every item, or move it to another meeting" in response.text
        advice.record_advice(item, advice="agree", comment="", actor=group[0])
        assert client.post(close, {"minutes": "Agreed."}).status_code == 302
        meeting.refresh_from_db()
        assert meeting.closed_at is not None and meeting.minutes == "Agreed."
        with pytest.raises(meetings.MeetingError, match="closed"):
            meetings.record_attendance(meeting, attendees=[], actor=officer)
        # Its forms are not offered.
        page = reverse("advisory-meeting", args=[meeting.pk])
        for name in ("advisory-meeting-edit", "advisory-meeting-attendance", close):
            url = close if name == close else reverse(name, args=[meeting.pk])
            response = client.get(url, follow=True)
            assert response.redirect_chain == [(page, 302)], url
            assert "This meeting is closed: its record cannot change." in response.text
        # A later item on the closed meeting (moved there by mistake) is refused.
        stray = AgendaItem.objects.create(meeting=meeting, case=asg_case(), purpose="advice")
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[stray.pk])
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "agree", "advice-comment": ""}
        )
        assert response.status_code == 409 and "This meeting has closed" in response.text
        stray.case.refresh_from_db()
        assert stray.case.status == Status.ADVISORY_REVIEW


def review(client, url, outcome, comment=""):
    """Post the chair's review as the item's page sends it: with the digest
    of the draft the page shows."""
    shown = client.get(url).context["advice_form"]["feedback"].value()
    return client.post(
        url,
        {
            "record_advice": "",
            "advice-outcome": outcome,
            "advice-comment": comment,
            "advice-feedback": shown,
        },
    )


class TestFeedbackReview:
    def test_approved_feedback_is_kept_for_the_letter(self, client, officer, group):
        case = not_accredit_case()
        meeting = new_meeting(officer, group)
        item = case.agenda_items.get(purpose="feedback")
        assert approved_feedback(case) is None
        hold(meeting, *group)
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        assert "Give more evidence for 2B." in client.get(url).text
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "agree", "advice-comment": ""}
        )
        assert "Choose whether to approve the feedback" in response.text
        review(client, url, "approved")
        approval = FeedbackApproval.objects.get()
        assert (approval.approved_by, approval.item) == (group[0], item)
        assert len(approval.digest) == 64
        [row] = approved_feedback(case)
        assert (row["criterion"], row["party"], row["score"], row["text"]) == (
            "2B",
            "lead",
            2,
            "Give more evidence for 2B.",
        )
        assert events(case, "feedback_approved")[0].details["digest"] == approval.digest
        # Approved feedback does not come back.
        assert new_meeting(officer, group, days=60).items.count() == 0

    def test_feedback_saved_again_after_the_chair_opened_it_is_not_approved_unseen(
        self, client, officer, group
    ):
        case = not_accredit_case()
        meeting = new_meeting(officer, group)
        item = case.agenda_items.get(purpose="feedback")
        hold(meeting, *group)
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        shown = client.get(url).context["advice_form"]["feedback"].value()
        assessor = case.assignments.get(kind="first", ended_at__isnull=True).assessor
        revise_feedback(case, assessor, "Name the 2B evidence that was missing.")
        sent = {
            "record_advice": "",
            "advice-outcome": "approved",
            "advice-comment": "Clear.",
            "advice-feedback": shown,
        }
        refused = client.post(url, sent)
        assert "The assessor has saved the draft feedback again since you opened this page" in (
            refused.text
        )
        assert "Name the 2B evidence that was missing." in refused.text
        assert refused.context["advice_form"]["comment"].value() == "Clear."
        assert not FeedbackApproval.objects.exists()
        item.refresh_from_db()
        assert item.is_open
        # Sent again from the page shown, it approves the draft the chair read.
        again = refused.context["advice_form"]
        client.post(url, {**sent, "advice-feedback": again["feedback"].value()})
        [row] = FeedbackApproval.objects.get().feedback
        assert row["text"] == "Name the 2B evidence that was missing."

    def test_a_return_is_not_shown_against_the_feedback_of_a_later_assessment(self, officer, group):
        """After a concern is upheld the case is assessed again: the group's
        return of the earlier feedback is not about the feedback written now."""
        from advisory_group.queries import agenda
        from assessments.models import Recommendation

        case = not_accredit_case()
        meeting = new_meeting(officer, group)
        item = case.agenda_items.get(purpose="feedback")
        hold(meeting, *group)
        advice.review_feedback(item, outcome="returned", comment="Be specific.", actor=group[0])
        assert agenda.last_return(case).comment == "Be specific."
        later = Recommendation.objects.get(case=case)
        later.pk = None
        later.made_at = clock.now() + timedelta(days=30)
        later.save()
        assert agenda.last_return(case) is None

    def test_an_asp_cases_scores_are_its_one_assessors(self, client, officer, group):
        case = not_accredit_case()
        new_meeting(officer, group)
        item = case.agenda_items.get(purpose="feedback")
        sign_in_verified(client, group[0])
        table = client.get(reverse("advisory-item", args=[item.pk])).text
        # The title starts with the page's heading, the organisation.
        assert f"<title>{case.organisation.name}: Review of draft feedback ({case.reference})" in (
            table
        )
        table = table[
            table.index('id="scores"') : table.index("</table>", table.index('id="scores"'))
        ]
        assert "The assessor's scores, criterion by criterion" in table
        assert "Second assessor" not in table and "Agreed" not in table
        assert table.count("<th ") == 3

    def test_returned_feedback_shows_on_the_case_and_comes_back_to_the_next_meeting(
        self, client, officer, group
    ):
        case = not_accredit_case()
        meeting = new_meeting(officer, group)
        later = new_meeting(officer, group, days=40)
        item = case.agenda_items.get()
        assert item.meeting == meeting
        hold(meeting, *group)
        sign_in_verified(client, group[0])
        url = reverse("advisory-item", args=[item.pk])
        response = client.post(
            url, {"record_advice": "", "advice-outcome": "returned", "advice-comment": ""}
        )
        assert_comment_error(
            response, "Enter a comment saying what the assessor should change", "returned"
        )
        review(client, url, "returned", "Say which evidence helps.")
        assert approved_feedback(case) is None
        [returned] = events(case, "feedback_returned")
        assert returned.details["reason"] == "Say which evidence helps."
        [asked] = OutboxMessage.objects.filter(key__startswith=f"feedback_needed:{case.pk}:")
        assessor = case.assignments.get(kind="first", ended_at__isnull=True).assessor
        assert asked.to == assessor.email
        assert asked.subject == f"{case.reference}: revise the feedback for the applicant"
        assert "The Advisory Group returned the feedback" in asked.body
        assert "Say which evidence helps." in asked.body and "Say which" in asked.html_body
        # Off every agenda, and not to be approved, until the assessor revises
        # it (a tester's chair approved the very text the group had returned).
        assert not later.items.exists()
        meetings.fill_agenda(later)
        assert not later.items.exists()
        # An item put on an agenda before it was revised (as this service
        # once did) cannot approve it either, and its meeting takes it off
        # as it closes, rather than staying open for it.
        stale = new_meeting(officer, group, days=20)
        earlier = AgendaItem.objects.create(meeting=stale, case=case, purpose="feedback")
        waiting_message = "waiting for its assessor to write or revise it"
        with pytest.raises(advice.AdviceError, match=waiting_message):
            advice.review_feedback(
                earlier, outcome="approved", comment="", actor=group[0], by_correspondence=True
            )
        hold(stale, *group)
        meetings.close_meeting(stale, minutes="Held.", actor=officer)
        assert not AgendaItem.objects.filter(pk=earlier.pk).exists()
        [removed] = events(case, "agenda_item_removed")
        assert removed.details["reason"] == (
            "Its assessor has not yet revised the feedback the group returned."
        )
        from assessments.services.feedback import write_feedback

        write_feedback(case, texts={"2B-lead": "Name the results you need."}, actor=assessor)
        again = later.items.get()
        assert (again.case, again.purpose) == (case, "feedback")
        sign_in_verified(client, officer)
        assert "Say which evidence helps." in client.get(reverse("staff-case", args=[case.pk])).text


class TestTheAgendaPage:
    """A long agenda comes a page at a time, narrowed to what the person has
    to do; what they may not see is neither listed nor counted."""

    @pytest.fixture
    def agenda_of(self, client, monkeypatch):
        from advisory_group.views.meetings import MeetingView

        monkeypatch.setattr(MeetingView, "items_per_page", 2)

        def agenda_of(person, meeting, query=""):
            sign_in_verified(client, person)
            response = client.get(reverse("advisory-meeting", args=[meeting.pk]) + query)
            assert response.status_code == 200
            return response

        return agenda_of

    def test_items_come_a_page_at_a_time_without_the_conflicted_ones(
        self, officer, group, agenda_of
    ):
        meeting = new_meeting(officer, group)
        cases = [asg_case() for _ in range(4)]
        member = group[1]
        ConflictFactory(user=member, organisation=cases[1].organisation)
        pages = [agenda_of(member, meeting, f"?page={n}") for n in (1, 2)]
        listed = [item.case_id for page in pages for item in page.context["items"]]
        assert listed == [cases[0].pk, cases[2].pk, cases[3].pk]
        assert "3 items, 1 to 2 shown." in pages[0].text
        assert 'href="?page=2" rel="next"' in pages[0].text
        # The officer running the meeting sees every item.
        assert agenda_of(officer, meeting).context["paginator"].count == 4

    @pytest.mark.parametrize("page", ["99", "0", "x", "-1", "1.5", "9" * 30])
    def test_a_page_past_the_end_or_not_a_number_is_answered(self, officer, group, agenda_of, page):
        meeting = new_meeting(officer, group)
        for _ in range(3):
            asg_case()
        response = agenda_of(group[1], meeting, f"?page={page}")
        assert len(response.context["items"]) in (1, 2)

    def test_the_person_narrows_it_to_what_waits_for_them(self, officer, group, agenda_of):
        meeting = new_meeting(officer, group)
        viewed, advised, waiting = asg_case(), asg_case(), asg_case()
        member = group[1]
        items = {item.case_id: item for item in meeting.items.all()}
        MemberView.objects.create(item=items[viewed.pk], member=member, view="agree")
        AgendaItem.objects.filter(pk=items[advised.pk].pk).update(outcome="agree")

        without_view = agenda_of(member, meeting, "?show=without-my-view&page=1")
        assert [i.case_id for i in without_view.context["items"]] == [waiting.pk]
        assert 'value="without-my-view" checked' in without_view.text
        awaiting = agenda_of(member, meeting, "?show=awaiting-advice")
        assert [i.case_id for i in awaiting.context["items"]] == [viewed.pk, waiting.pk]
        # Of one kind: ASG cases for advice, or draft feedback for review.
        review = AgendaItem.objects.create(meeting=meeting, case=advised, purpose="feedback")
        asg = agenda_of(member, meeting, "?show=asg-advice")
        assert [i.case_id for i in asg.context["items"]] == [viewed.pk, waiting.pk]
        feedback = agenda_of(member, meeting, "?show=feedback-review")
        assert [i.case_id for i in feedback.context["items"]] == [advised.pk]
        awaiting = agenda_of(member, meeting, "?show=awaiting-advice&page=2")
        assert [i.case_id for i in awaiting.context["items"]] == [advised.pk]  # both kinds
        # Anything else is every item.
        assert agenda_of(member, meeting, "?show=<script>").context["paginator"].count == 4
        # Nothing left to do: said so.
        MemberView.objects.create(item=items[waiting.pk], member=member, view="agree")
        MemberView.objects.create(item=review, member=member, view="agree")
        empty = agenda_of(member, meeting, "?show=without-my-view")
        assert "No items on the agenda for you match this choice." in empty.text

    def test_who_sees_which_item_agrees_with_the_item_rule(self, officer, group):
        """The agenda asks in one query what the rule ``view_item`` asks of
        each item through the case roles resolver: the same answer for a
        casework officer, the chair and members (conflicted by declaration,
        by local authority or by belonging to the organisation), someone
        outside the meeting, and once the meeting is closed."""
        from accreditation.models import Membership
        from advisory_group.queries.agenda import visible_items

        meeting = new_meeting(officer, group)
        later = new_meeting(officer, group[:2], days=30)
        cases = [asg_case() for _ in range(4)]
        ConflictFactory(user=group[1], organisation=cases[0].organisation)
        ConflictFactory(
            user=group[2],
            organisation=None,
            local_authority=cases[1].organisation.local_authority,
        )
        Membership.objects.create(user=group[3], organisation=cases[2].organisation)
        conflicted_officer = person_with("casework_officer")
        ConflictFactory(user=conflicted_officer, organisation=cases[3].organisation)
        outsider = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        # One case also waits on the later meeting, which stays open.
        AgendaItem.objects.create(meeting=later, case=cases[1], purpose="feedback")
        people = [officer, conflicted_officer, *group, outsider]

        def agree():
            items = list(meeting.items.select_related("case", "meeting"))
            for person in people:
                by_rule = [
                    item.pk for item in items if person.has_perm("advisory_group.view_item", item)
                ]
                assert visible_items(meeting, person) == by_rule, person

        agree()
        meeting.closed_at = clock.now()
        meeting.save(update_fields=["closed_at"])
        agree()

    def test_only_the_chair_and_members_are_offered_their_own_views(
        self, officer, group, agenda_of
    ):
        meeting = new_meeting(officer, group)
        asg_case()
        for person, offered in ((group[0], True), (group[1], True), (officer, False)):
            page = agenda_of(person, meeting, "?show=without-my-view")
            assert ("Your view</th>" in page.text) is offered
            assert ("Open items without your view" in page.text) is offered
            assert page.context["show"] == ("without-my-view" if offered else "")
            assert page.context["paginator"].count == 1

    def test_the_page_links_keep_the_choice(self, officer, group, agenda_of):
        meeting = new_meeting(officer, group)
        for _ in range(3):
            asg_case()
        response = agenda_of(group[1], meeting, "?show=awaiting-advice")
        assert 'href="?show=awaiting-advice&amp;page=2" rel="next"' in response.text


def test_the_agenda_page_makes_the_same_queries_whatever_its_size(client, officer, group):
    meeting = new_meeting(officer, group)
    sign_in_verified(client, group[1])
    url = reverse("advisory-meeting", args=[meeting.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    asg_case()
    ConflictFactory(user=group[1], organisation=asg_case().organisation)
    count()  # the first request after signing in also saves the session
    small = count()
    for _ in range(3):
        asg_case()
    assert meeting.items.count() == 5
    count()  # new organisations: the person's conflicts are read again, once
    assert count() == small


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("who", ["chair", "officer"])
def test_an_agenda_of_advice_and_feedback_takes_one_number_of_queries_at_any_size(
    client, officer, group, size, who, django_assert_num_queries
):
    """The same number of queries with one item of each kind or four, for
    the chair (who sees the items through their part in each case) and the
    casework officer who runs the meeting."""
    meeting = new_meeting(officer, group)
    for _ in range(size):
        asg_case()
        not_accredit_case()
    assert meeting.items.count() == 2 * size
    sign_in_verified(client, group[0] if who == "chair" else officer)
    with django_assert_num_queries(AGENDA_QUERIES[who]):
        response = client.get(reverse("advisory-meeting", args=[meeting.pk]))
    assert len(response.context["items"]) == 2 * size


AGENDA_QUERIES = {"chair": 13, "officer": 15}
"""The session, the person and their roles, the organisations they are in
conflict with, the meeting, its members and attendance (which say whether
it is quorate), the items the person may see and that page of them with
their cases and the person's own views; and for the casework officer, the
organisations the chair is in conflict with and the open items the chair
may not advise on. Whether the person may run meetings is the rule's answer
alone: nothing is read for it."""


class TestMeetingPacks:
    def test_a_members_pack_leaves_out_conflicted_items_and_each_download_is_recorded(
        self, client, officer, group
    ):
        meeting = new_meeting(officer, group)
        seen = asg_case(organisation__name="Hazel Schools Trust")
        hidden = asg_case(organisation__name="Rowan Schools Trust")
        member = group[1]
        ConflictFactory(user=member, organisation=hidden.organisation)
        url = reverse("advisory-meeting-pack", args=[meeting.pk, member.pk])

        def text(response):
            assert response["Content-Type"] == "application/pdf"
            pdf = PdfReader(io.BytesIO(response.content))
            return "".join(page.extract_text() for page in pdf.pages)

        from assessments.models import Recommendation

        departing = not_accredit_case(asg=True)
        Recommendation.objects.filter(case=departing).update(
            suggested="accredit", departure_reason="Thin evidence."
        )
        sign_in_verified(client, member)
        pack = text(client.get(url))
        assert "Hazel Schools Trust" in pack and "Rowan Schools Trust" not in pack
        assert "It departs from what the scores suggest: Thin evidence." in pack
        assert "Agreed" in pack  # a column's heading kept whole, not split over lines
        [downloaded] = events(seen, "meeting_pack_downloaded")
        assert downloaded.actor == member and downloaded.details["member"] == member.pk
        assert not events(hidden, "meeting_pack_downloaded")
        # Another member's pack is not theirs to download; an officer's is.
        other = reverse("advisory-meeting-pack", args=[meeting.pk, group[2].pk])
        assert client.get(other).status_code == 404
        sign_in_verified(client, officer)
        assert "Rowan Schools Trust" in text(client.get(other))
        assert events(hidden, "meeting_pack_downloaded")[0].actor == officer

    def test_the_officer_sees_one_link_to_each_pack_the_chair_listed_as_a_member_too(
        self, client, officer, group
    ):
        chair = group[0]
        meeting = meetings.save_meeting(
            None,
            data={
                "round": None,
                "held_at": clock.now() + timedelta(days=14),
                "chair": chair,
                "members": group,
                "minutes": "",
            },
            actor=officer,
        )
        sign_in_verified(client, officer)
        response = client.get(reverse("advisory-meeting", args=[meeting.pk]))
        assert {m.pk for m in response.context["members"]} == {p.pk for p in group[1:]}
        for person in group:
            url = reverse("advisory-meeting-pack", args=[meeting.pk, person.pk])
            assert response.text.count(f'href="{url}"') == 1


def test_the_meeting_form_lists_rounds_latest_opening_first():
    now = clock.now()
    # Made in another order than they open, each in its own year.
    rounds = [RoundFactory(opens_at=now - timedelta(days=days)) for days in (300, 100, 200)]
    shown = [r.pk for r in MeetingForm().fields["round"].queryset if r in rounds]
    assert shown == [rounds[1].pk, rounds[2].pk, rounds[0].pk]


def test_a_cancelled_round_is_offered_to_a_new_meeting_only_if_already_its_own():
    live = RoundFactory()
    cancelled = RoundFactory(cancelled_at=clock.now(), cancellation_reason="Moved.")
    offered = set(MeetingForm().fields["round"].queryset)
    assert live in offered and cancelled not in offered
    meeting = MeetingFactory(round=cancelled)
    kept = MeetingForm(held_round=meeting.round).fields["round"].queryset
    assert {live, cancelled} <= set(kept)


def test_a_meeting_whose_round_was_cancelled_since_is_still_changed(client, officer, group):
    meeting = new_meeting(officer, group)
    period = RoundFactory()
    Meeting.objects.filter(pk=meeting.pk).update(round=period)
    type(period).objects.filter(pk=period.pk).update(
        cancelled_at=clock.now(), cancellation_reason="Moved."
    )
    meeting.refresh_from_db()
    sign_in_verified(client, officer)
    data = {
        key: value
        for key, value in MeetingForm.initial_for(meeting).items()
        if key not in ("date", "time", "chair", "members", "round")
    }
    when = clock.local(meeting.held_at)
    data.update(
        round=period.pk,
        date_0=when.day,
        date_1=when.month,
        date_2=when.year,
        time="3pm",
        chair=meeting.chair_id,
        members=[person.pk for person in meeting.members.all()],
    )
    response = edit_meeting(client, meeting, data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.round == period and clock.local(meeting.held_at).hour == 15


def test_a_list_filter_names_a_cancelled_round_so(client, officer):
    RoundFactory(term="summer", year=2027)
    RoundFactory(term="summer", year=2027, cancelled_at=clock.now(), cancellation_reason="Moved.")
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-cases")).text
    assert page.count(">Summer 2027</option>") == 1
    assert page.count(">Summer 2027 (cancelled)</option>") == 1


def test_the_meeting_list_makes_the_same_queries_whatever_its_length(client, officer, group):
    sign_in_verified(client, officer)
    url = reverse("advisory-meetings")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    new_meeting(officer, group)
    asg_case()
    count()  # the first request after signing in also saves the session
    small = count()
    for days in (20, 30, 40):
        new_meeting(officer, group, days=days)
    asg_case()
    assert count() == small


def meeting_form(day, chair, members, time="2pm"):
    """The meeting form's fields, as the page sends them."""
    return {
        "date_0": day.day,
        "date_1": day.month,
        "date_2": day.year,
        "time": time,
        "chair": chair.pk,
        "members": [m.pk for m in members],
        "minutes": "",
    }


def edit_meeting(client, meeting, data):
    """Send the meeting's edit form as its page shows it now: with its version."""
    url = reverse("advisory-meeting-edit", args=[meeting.pk])
    version = client.get(url).context["form"]["version"].value()
    return client.post(url, {**data, "version": version})


def test_an_edit_from_a_form_opened_before_another_officers_is_refused(client, officer, group):
    chair, *members = group
    meeting = new_meeting(officer, group)
    sign_in_verified(client, officer)
    url = reverse("advisory-meeting-edit", args=[meeting.pk])
    older = client.get(url).context["form"]["version"].value()
    when = clock.local(meeting.held_at)
    data = {
        "date_0": when.day,
        "date_1": when.month,
        "date_2": when.year,
        "time": "12:15pm",
        "chair": chair.pk,
        "members": [m.pk for m in members],
        "minutes": "",
    }
    assert edit_meeting(client, meeting, data).status_code == 302
    refused = client.post(url, {**data, "time": "11am", "version": older})
    assert refused.status_code == 200
    assert "were saved again while you were editing them" in refused.text
    meeting.refresh_from_db()
    assert (clock.local(meeting.held_at).hour, clock.local(meeting.held_at).minute) == (12, 15)
    assert ActivityEntry.objects.filter(action="meeting_changed").count() == 1
    # Sent again from the page shown, it replaces the other knowingly.
    again = refused.context["form"]["version"].value()
    assert client.post(url, {**data, "time": "11am", "version": again}).status_code == 302
    meeting.refresh_from_db()
    assert clock.local(meeting.held_at).hour == 11


def test_the_officer_sets_up_and_edits_a_meeting_refusing_forged_people(client, officer, group):
    chair, *members = group
    outsider = UserFactory(roles=[Role.ASSESSOR])
    sign_in_verified(client, officer)
    when = clock.local(clock.now() + timedelta(days=10))
    data = {
        "date_0": when.day,
        "date_1": when.month,
        "date_2": when.year,
        "time": "2pm",
        "chair": outsider.pk,
        "members": [members[0].pk],
        "minutes": "",
    }
    response = client.post(reverse("advisory-meeting-new"), data)
    assert "Select the chair from the list of Advisory Group members" in response.text
    response = client.post(reverse("advisory-meeting-new"), {**data, "time": "25 o'clock"})
    assert "Enter the time of the meeting, like 10am or 14:30" in response.text
    response = client.post(reverse("advisory-meeting-new"), {**data, "chair": chair.pk})
    assert response.status_code == 302
    # One member: saved, and told it could never be quorate as it is.
    told = client.get(response.url).text
    assert "Even if everyone on it attends, this meeting cannot be quorate" in told
    meeting = Meeting.objects.get()
    assert (meeting.chair, list(meeting.members.all())) == (chair, [members[0]])
    assert clock.local(meeting.held_at).hour == 14
    edited = edit_meeting(
        client, meeting, {**data, "chair": chair.pk, "members": [m.pk for m in members]}
    )
    assert "cannot be quorate" not in client.get(edited.url).text
    [changed] = ActivityEntry.objects.filter(action="meeting_changed")
    assert "members" in changed.changes
    # A member cannot set up meetings.
    sign_in_verified(client, members[0])
    assert client.get(reverse("advisory-meeting-new")).status_code == 403


def test_a_meeting_is_not_set_more_than_a_year_ahead(client, officer, group):
    chair, *members = group
    sign_in_verified(client, officer)
    mistyped = clock.today() + timedelta(days=meetings.MEETING_MAX_DAYS_AHEAD + 1)
    data = meeting_form(mistyped, chair, members)
    refused = client.post(reverse("advisory-meeting-new"), data)
    assert "The date of the meeting must be no later than" in refused.text
    assert not Meeting.objects.exists()
    within = clock.today() + timedelta(days=meetings.MEETING_MAX_DAYS_AHEAD)
    accepted = client.post(
        reverse("advisory-meeting-new"),
        {**data, "date_0": within.day, "date_1": within.month, "date_2": within.year},
    )
    assert accepted.status_code == 302


@pytest.mark.parametrize("forged", ["99999999999999999999999", "abc", "-1"])
def test_a_forged_person_on_a_meeting_is_refused_in_the_services_words(
    client, officer, group, forged
):
    chair, *members = group
    sign_in_verified(client, officer)
    when = clock.local(clock.now() + timedelta(days=10))
    response = client.post(
        reverse("advisory-meeting-new"),
        {
            "date_0": when.day,
            "date_1": when.month,
            "date_2": when.year,
            "time": "2pm",
            "chair": chair.pk,
            "members": [members[0].pk, forged],
            "minutes": "",
        },
    )
    assert response.status_code == 200
    assert "Select members from the list" in response.text
    meeting = new_meeting(officer, group, days=0)
    hold(meeting)
    response = client.post(
        reverse("advisory-meeting-attendance", args=[meeting.pk]), {"attendees": [forged]}
    )
    assert response.status_code == 200
    assert "Select who attended from the chair and members" in response.text


def test_the_officer_is_told_of_items_the_chair_may_not_advise_on(client, officer, group):
    """A chair who assessed a case on the agenda, or is in conflict with it,
    cannot record the group's advice on it: the casework officer running
    the meeting is told which, with the way to move each, before the day."""
    assessed, conflicted, fine = asg_case(), asg_case(), asg_case()
    meeting = new_meeting(officer, group)
    chair = meeting.chair
    items = {
        case: AgendaItem.objects.get_or_create(meeting=meeting, case=case, purpose="advice")[0]
        for case in (assessed, conflicted, fine)
    }
    AssignmentFactory(case=assessed, assessor=chair, ended_at=clock.now())
    ConflictFactory(user=chair, organisation=conflicted.organisation)
    url = reverse("advisory-meeting", args=[meeting.pk])

    sign_in_verified(client, officer)
    page = client.get(url).text
    warning = page[page.index('id="chair-may-not-advise"') :]
    warning = warning[: warning.index("</ul>")]
    assert "has a conflict of interest with these cases or had another part in them" in warning
    for case in (assessed, conflicted):
        assert reverse("advisory-item-move", args=[items[case].pk]) in warning
        assert case.reference in warning
    assert fine.reference not in warning

    # Moved away, or advised on: nothing is left to warn of.
    AgendaItem.objects.filter(pk=items[assessed].pk).update(outcome="agree")
    page = client.get(url).text
    assert "has a conflict of interest with this case or had another part in it" in page
    AgendaItem.objects.filter(pk=items[conflicted].pk).update(outcome="agree")
    assert 'id="chair-may-not-advise"' not in client.get(url).text

    # Only those who run meetings are told, of the cases they may see.
    AgendaItem.objects.filter(pk=items[conflicted].pk).update(outcome="")
    sign_in_verified(client, group[1])
    assert 'id="chair-may-not-advise"' not in client.get(url).text
    other_officer = person_with("casework_officer")
    ConflictFactory(user=other_officer, organisation=conflicted.organisation)
    sign_in_verified(client, other_officer)
    page = client.get(url).text
    assert conflicted.reference not in page
    assert conflicted.organisation.name not in page


def test_a_meeting_is_not_set_up_or_moved_to_a_day_gone_by(client, officer, group):
    """A date in the past (a mistyped year, say) is refused for a new
    meeting and for a meeting not yet held moved to it; the day and time a
    meeting already held was held can still be corrected."""
    chair, *members = group
    sign_in_verified(client, officer)
    yesterday = clock.local(clock.now() - timedelta(days=1))
    data = meeting_form(yesterday, chair, members)
    refused = client.post(reverse("advisory-meeting-new"), data)
    assert refused.status_code == 200
    assert "The date of the meeting must be today or later" in refused.text
    assert not Meeting.objects.exists()

    meeting = new_meeting(officer, group)
    refused = edit_meeting(client, meeting, data)
    assert "The date of the meeting must be today or later" in refused.text
    meeting.refresh_from_db()
    assert clock.local_date(meeting.held_at) > clock.today()

    # Held two days ago: the day and time it was held can be corrected.
    held = clock.local(clock.now() - timedelta(days=2)).replace(hour=10, minute=0)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=held)
    corrected = edit_meeting(
        client,
        meeting,
        {**data, "date_0": held.day, "date_1": held.month, "date_2": held.year, "time": "11am"},
    )
    assert corrected.status_code == 302
    meeting.refresh_from_db()
    assert clock.local(meeting.held_at).hour == 11
    day_before = held - timedelta(days=1)
    corrected = edit_meeting(
        client,
        meeting,
        {
            **data,
            "date_0": day_before.day,
            "date_1": day_before.month,
            "date_2": day_before.year,
            "time": "11am",
        },
    )
    assert corrected.status_code == 302
    meeting.refresh_from_db()
    assert clock.local_date(meeting.held_at) == day_before.date()


def test_the_comment_box_says_when_a_comment_is_needed(client, officer, group):
    """Before anything is sent, a member's and the chair's comment boxes say
    which choices need a comment."""
    new_meeting(officer, group)
    item = asg_case().agenda_items.get()
    url = reverse("advisory-item", args=[item.pk])
    sign_in_verified(client, group[1])
    assert "Needed if you disagree or refer the case back: say why." in client.get(url).text
    sign_in_verified(client, group[0])
    assert "Needed if the group disagrees or refers the case back: say why." in (
        client.get(url).text
    )


def test_a_meeting_sent_twice_is_set_up_once(client, officer, group):
    """The form sent again (the browser's back button): one meeting, and
    the second time says it is set up already."""
    chair, *members = group
    sign_in_verified(client, officer)
    when = clock.local(clock.now() + timedelta(days=10))
    data = meeting_form(when, chair, members)
    assert client.post(reverse("advisory-meeting-new"), data).status_code == 302
    again = client.post(reverse("advisory-meeting-new"), data)
    assert again.status_code == 200
    assert "is already set up: change it rather than setting up another" in again.text
    assert Meeting.objects.count() == 1
    # Another chair at that time is another meeting.
    other = client.post(
        reverse("advisory-meeting-new"),
        {**data, "chair": members[0].pk, "members": [m.pk for m in [chair, *members[1:]]]},
    )
    assert other.status_code == 302
    assert Meeting.objects.count() == 2


def test_who_screened_or_decided_a_case_does_not_advise_on_it(client, officer, group):
    """Roles combine on one person, never on one case: a member who screened
    the case, or decided it or a concern about it (back before the group
    after an upheld concern, say), neither sees its item nor counts towards
    its quorum, as its assessor does not."""
    from accreditation.case_roles import CaseRole, resolve
    from advisory_group.queries.agenda import advising_attendees
    from feedback.models import Concern
    from tests.factories import LetterFactory

    meeting = new_meeting(officer, group)
    case = asg_case()
    item = case.agenda_items.get(meeting=meeting)
    chair, screener, concern_decider, other = group
    timeline.record(case, "screen_eligible", screener)
    Concern.objects.create(
        case=case,
        letter=LetterFactory(case=case),
        text="The assessment missed our second school.",
        raised_by=case.created_by,
        state="upheld",
        decided_by=concern_decider,
        decided_at=clock.now(),
        response="It did.",
    )
    url = reverse("advisory-item", args=[item.pk])
    for person in (screener, concern_decider):
        assert CaseRole.MEETING_MEMBER not in resolve(case, person)
        sign_in_verified(client, person)
        assert client.get(url).status_code == 404
        assert item.pk not in visible_items(meeting, person)
    assert CaseRole.MEETING_MEMBER in resolve(case, other)
    assert {p.pk for p in advising_attendees(item, group)} == {chair.pk, other.pk}


def test_the_close_page_lists_the_items_still_open_with_the_way_to_move_each(
    client, officer, group
):
    """A meeting closes only once every item is advised on or moved: its
    close page names those left, of the cases the officer may see, and
    counts the others."""
    first, second, theirs = asg_case(), asg_case(), asg_case()
    meeting = new_meeting(officer, group)
    items = {
        case: AgendaItem.objects.get_or_create(meeting=meeting, case=case, purpose="advice")[0]
        for case in (first, second, theirs)
    }
    ConflictFactory(user=officer, organisation=theirs.organisation)
    hold(meeting, *group)
    close = reverse("advisory-meeting-close", args=[meeting.pk])
    sign_in_verified(client, officer)

    page = client.get(close).text
    warning = page[page.index('id="open-items"') :]
    assert "cannot close while 3 items are still open" in warning
    for case in (first, second):
        assert reverse("advisory-item", args=[items[case].pk]) in warning
        assert reverse("advisory-item-move", args=[items[case].pk]) in warning
    assert theirs.reference not in page and theirs.organisation.name not in page
    assert "1 of them is about a case you have a conflict of interest with" in warning
    refused = client.post(close, {"minutes": "Agreed."})
    assert "advice on every item, or move it to another meeting" in refused.text
    assert first.reference in refused.text

    AgendaItem.objects.filter(pk__in=[items[first].pk, items[theirs].pk]).update(outcome="agree")
    page = client.get(close).text
    assert "cannot close while 1 item is still open" in page
    assert "conflict of interest" not in page
    items[second].outcome = "agree"
    items[second].save(update_fields=["outcome"])
    assert 'id="open-items"' not in client.get(close).text
    assert client.post(close, {"minutes": "Agreed."}).status_code == 302


def test_the_officer_is_told_of_items_without_a_quorum_of_those_who_may_advise(
    client, officer, group
):
    """The meeting is quorate (the chair and two members attended), but
    an item whose case one of those members is in conflict with, or
    assessed, or belongs to, has too few who may advise on it: the meeting
    page says which, with the way to move each, as ``quorate_for`` judges."""
    from advisory_group.queries.agenda import quorate_for, short_of_quorum

    chair, first, second, third = group
    conflicted, assessed, member_of, fine, chairs = (asg_case() for _ in range(5))
    ConflictFactory(user=first, organisation=conflicted.organisation)
    meeting = new_meeting(officer, group)
    items = {item.case_id: item for item in meeting.items.select_related("case", "meeting")}
    AssignmentFactory(case=assessed, assessor=second, ended_at=clock.now())
    MembershipFactory(user=first, organisation=member_of.organisation)
    ConflictFactory(user=chair, organisation=chairs.organisation)
    hold(meeting, chair, first, second)
    url = reverse("advisory-meeting", args=[meeting.pk])

    members = list(meeting.members.exclude(pk=chair.pk))
    found = short_of_quorum(meeting, [chair, first, second], members, officer)
    assert [item.case_id for item in found] == [conflicted.pk, assessed.pk, member_of.pk]
    for case, item in items.items():
        if case != chairs.pk:
            assert (case in {i.case_id for i in found}) == (not quorate_for(item)), case

    sign_in_verified(client, officer)
    page = client.get(url).text
    warning = page[page.index('id="short-of-quorum"') :]
    warning = warning[: warning.index("</ul>")]
    assert "The meeting is quorate, but not for these items" in warning
    assert "It needs the chair and at least 2 members who may advise" in warning
    for case in (conflicted, assessed, member_of):
        assert reverse("advisory-item-move", args=[items[case.pk].pk]) in warning
    assert fine.reference not in warning and chairs.reference not in warning

    # Another member attends: every item but the chair's own has its quorum.
    hold(meeting, chair, first, second, third)
    assert 'id="short-of-quorum"' not in client.get(url).text
    # Not quorate at all: the tag says so, and no item is singled out.
    hold(meeting, chair)
    page = client.get(url).text
    assert "Not quorate" in page and 'id="short-of-quorum"' not in page


def test_pages_opened_before_the_meeting_closed_say_so_and_keep_what_was_written(
    client, officer, group
):
    """The chair's advice form, opened before the meeting closed and sent
    after, saves nothing and says why with the comment shown; the officer's
    move page of an item advised on leads to the item; a member opening the
    closed meeting is told why its items are not shown."""
    meeting = new_meeting(officer, group)
    case = asg_case()
    item = case.agenda_items.get()
    hold(meeting, *group)
    item.outcome = "agree"
    item.save(update_fields=["outcome"])
    meetings.close_meeting(meeting, minutes="Agreed.", actor=officer)
    url = reverse("advisory-item", args=[item.pk])

    sign_in_verified(client, group[0])
    sent = {"record_advice": "", "advice-outcome": "agree", "advice-comment": "Strong case."}
    response = client.post(url, sent)
    assert response.status_code == 409
    assert "This meeting has closed" in response.text
    assert "so what you sent was not saved" in response.text
    typed = response.text.split('<dl class="govuk-summary-list">')[1].split("</dl>")[0]
    assert "Your comment" in typed and "Strong case." in typed and "agree" not in typed
    assert client.get(url).status_code == 410
    page = client.get(reverse("advisory-meeting", args=[meeting.pk])).text
    assert 'id="closed-agenda"' in page
    # Someone not in the meeting, or in it but never to see the item (a
    # conflict with the case), still gets the plain 404.
    sign_in_verified(client, UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]))
    assert client.post(url, sent).status_code == 404
    ConflictFactory(user=group[1], organisation=case.organisation)
    sign_in_verified(client, group[1])
    assert client.get(url).status_code == 404

    sign_in_verified(client, officer)
    move = reverse("advisory-item-move", args=[item.pk])
    for response in (client.get(move), client.post(move, {"meeting": meeting.pk, "reason": "x"})):
        assert response.status_code == 302 and response.url == url
    page = client.get(url).text
    assert "so it cannot move to another meeting" in page
