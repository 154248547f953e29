"""The staff homes: a section per staff role the person holds, each count
what needs them now, linking to the list where it is; counts leave out what
the person may not see, agree with the lists they link to, and cost the
same queries whatever the data's size."""

import re
from datetime import time, timedelta

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from accreditation import clock, homes
from accreditation.models import OutboxMessage
from accreditation.roles import Role
from advisory_group.models import MemberView
from assessments.queries import assignment
from assessments.queries.scoring import assessment_state, with_quality_assurance_to_resolve
from assessments.services import scoring
from register.models import EntryState
from tests.casework import give_part, person_with, sign_in_verified
from tests.factories import (
    AgendaItemFactory,
    AssignmentFactory,
    ConflictFactory,
    InvitationFactory,
    MeetingFactory,
    OutOfRoundRequestFactory,
    ProposalFactory,
    RegisterEntryFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)
from tests.scoring_helpers import case_in_assessment, score_all
from tests.test_quality_assurance import agree

pytestmark = pytest.mark.django_db

HOME = reverse("staff-home")


def late_round():
    now = timezone.now()
    return RoundFactory(
        opens_at=now - timedelta(days=90),
        deadline=now - timedelta(days=60),
        assessment_due=(now - timedelta(days=7)).date(),
    )


def counts(client):
    """{role: {label: (count, href)}} as the home shows them."""
    response = client.get(HOME)
    assert response.status_code == 200
    return {
        section["role"]: {need["label"]: (need["count"], need["href"]) for need in section["needs"]}
        for section in response.context["sections"]
    }


def failed_email(n):
    return OutboxMessage.objects.create(
        to=f"person{n}@example.org",
        subject="Hello",
        body="b",
        attempts=6,
        failed_at=clock.now(),
        last_error="refused",
    )


class TestCaseworkOfficer:
    def test_counts_link_to_the_lists_that_hold_them(self, client):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        ProposalFactory(status="submitted")
        ProposalFactory(status="submitted")
        unassigned = ProposalFactory(status="in_assessment", round=late_round())
        unassigned.assignments.update(ended_at=clock.now())
        ProposalFactory(status="information_requested")
        stood_down = ProposalFactory(status="information_requested")
        stood_down.assignments.update(ended_at=clock.now())
        # Its feedback to write: its assessor stood down.
        ProposalFactory(status="not_accredited").assignments.update(ended_at=clock.now())
        ProposalFactory(status="not_accredited")
        OutOfRoundRequestFactory()
        failed_email(1)
        sign_in_verified(client, officer)

        mine = counts(client)["Casework officer"]
        assert mine["Cases to screen"] == (2, reverse("screening-queue"))
        assert mine["Cases waiting for an assessor"][0] == 3
        assert mine["Cases past their target date"][0] == 1
        assert mine["Cases waiting for information from the applicant"][0] == 2
        assert mine["Out-of-round requests to decide"] == (1, reverse("out-of-round-staff-list"))
        assert mine["Emails that could not be sent"] == (1, reverse("staff-failed-emails"))
        # Each count is the length of the list it links to.
        for count, href in mine.values():
            response = client.get(href)
            assert response.status_code == 200, href
            if href.startswith(reverse("staff-cases")):
                assert response.context["page_obj"].paginator.count == count, href

    def test_cases_waiting_for_a_second_assessor_are_counted_apart(self, client):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        period = late_round()
        waiting = ProposalFactory(status="in_assessment", accreditation_type="asg", round=period)
        AssignmentFactory(case=waiting)
        AssignmentFactory(case=waiting, kind="second", ended_at=clock.now())
        both = ProposalFactory(status="in_assessment", accreditation_type="asg", round=period)
        AssignmentFactory(case=both)
        AssignmentFactory(case=both, kind="second")
        AssignmentFactory(
            case=ProposalFactory(status="in_assessment", accreditation_type="asp", round=period)
        )
        # Decided: no second assessor to assign.
        ProposalFactory(status="accredited", accreditation_type="asg", round=period)
        # Out of a round: not on the rounds' assignment pages the count links to.
        window = WindowFactory()
        out_of_round = ProposalFactory(
            status="in_assessment",
            accreditation_type="asg",
            round=None,
            window=window,
            organisation=window.organisation,
        )
        AssignmentFactory(case=out_of_round)
        sign_in_verified(client, officer)
        mine = counts(client)["Casework officer"]
        assert mine["Cases waiting for a second assessor"] == (1, reverse("assignment-rounds"))
        assert mine["Cases waiting for an assessor"][0] == 0
        # The out-of-round case is counted on its own, linking to the case
        # list that shows it (and only it).
        number, href = mine["Out-of-round cases waiting for a second assessor"]
        assert number == 1
        listed = client.get(href).context
        assert [row.pk for row in listed["cases"]] == [out_of_round.pk]
        assert "Waiting for a second assessor" in [
            label for _, links in listed["selected"] for label, _ in links
        ]
        # Given one, it is no longer counted.
        AssignmentFactory(case=out_of_round, kind="second")
        homes.COUNTS_KEPT.changed()
        assert (
            counts(client)["Casework officer"]["Out-of-round cases waiting for a second assessor"][
                0
            ]
            == 0
        )
        # The rounds' page it links to shows the same number, apart.
        rounds = client.get(reverse("assignment-rounds")).context["rounds"]
        assert [(r.awaiting, r.awaiting_second) for r in rounds if r.pk == period.pk] == [(0, 1)]

    def test_a_conflicted_case_is_not_counted(self, client):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        case = ProposalFactory(status="submitted")
        ProposalFactory(status="submitted")
        ConflictFactory(user=officer, organisation=case.organisation)
        sign_in_verified(client, officer)
        assert counts(client)["Casework officer"]["Cases to screen"][0] == 1

    def test_a_person_with_several_roles_sees_each_roles_section(self, client):
        person = UserFactory(roles=[Role.ADMINISTRATOR, Role.CASEWORK_OFFICER, Role.ASSESSOR])
        sign_in_verified(client, person)
        assert list(counts(client)) == ["Casework officer", "Assessor", "Administrator"]


@pytest.fixture
def asg():
    case = case_in_assessment(accreditation_type="asg", organisation__schools_led_count=3)
    return case, person_with("assessor", case), person_with("second_assessor", case)


class TestAssessor:
    def test_to_do_and_overdue_link_to_the_queue(self, client):
        asha = UserFactory(roles=[Role.ASSESSOR])
        late = ProposalFactory(status="in_assessment", round=late_round())
        give_part(asha, "assessor", [late, ProposalFactory(status="in_assessment")])
        ProposalFactory(status="in_assessment")  # someone else's
        sign_in_verified(client, asha)
        mine = counts(client)["Assessor"]
        assert mine["Your assessments to do"] == (2, reverse("assessor-queue"))
        count, href = mine["Overdue assessments"]
        assert count == 1
        assert len(client.get(href).context["assignments"]) == 1

    @pytest.mark.parametrize(
        "first, second, to_resolve", [(4, 2, True), (3, 2, True), (4, 3, False), (2, 1, False)]
    )
    def test_quality_assurance_to_resolve_agrees_with_the_assessment(
        self, asg, first, second, to_resolve
    ):
        case, one, two = asg
        score_all(case, one, 3, **{"1A_lead": first})
        score_all(case, two, 3, **{"1A_lead": second})
        waiting = with_quality_assurance_to_resolve(assignment.queue(one))
        assert not waiting.exists(), "nothing to agree before both have finished"
        scoring.finish_scoring(case, actor=one)
        scoring.finish_scoring(case, actor=two)
        assert bool(assessment_state(case).unresolved) is to_resolve
        for person in (one, two):
            assert with_quality_assurance_to_resolve(assignment.queue(person)).exists() is (
                to_resolve
            )

    def test_an_agreed_score_resolves_it_and_the_queue_filter_finds_it(self, client, asg):
        case, one, two = asg
        score_all(case, one, 3, **{"1A_lead": 4})
        score_all(case, two, 3, **{"1A_lead": 1})
        scoring.finish_scoring(case, actor=one)
        scoring.finish_scoring(case, actor=two)
        sign_in_verified(client, one)
        count, href = counts(client)["Assessor"]["Cases with scores to agree in quality assurance"]
        assert count == 1
        assert [a.case_id for a in client.get(href).context["assignments"]] == [case.pk]
        agree(case, one, "1A-lead", 3)
        assert counts(client)["Assessor"]["Cases with scores to agree in quality assurance"][0] == 0


class TestAdvisoryGroupMember:
    def test_the_next_meetings_items_without_their_view(self, client):
        member = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        # Made first, so the service puts none of their cases on the next meeting.
        later = MeetingFactory(members=[member], held_at=timezone.now() + timedelta(days=44))
        AgendaItemFactory(meeting=later)
        AgendaItemFactory(meeting=MeetingFactory(held_at=later.held_at))  # not theirs
        meeting = MeetingFactory(members=[member])
        items = [AgendaItemFactory(meeting=meeting) for _ in range(3)]
        ConflictFactory(user=member, organisation=items[2].case.organisation)
        assert meeting.items.count() == 3
        sign_in_verified(client, member)

        mine = counts(client)["Advisory Group member"]
        label = "Items on your next meeting's agenda without your view"
        address = reverse("advisory-meeting", args=[meeting.pk]) + "?show=without-my-view"
        assert mine[label] == (2, address)
        MemberView.objects.create(item=items[0], member=member, view="agree")
        assert counts(client)["Advisory Group member"][label][0] == 1
        # The count's link lists those items: the ones without a view, none conflicted.
        listed = client.get(address).context["items"]
        assert [item.pk for item in listed] == [items[1].pk]

    def test_the_chairs_counts_are_the_items_their_links_list(self, client):
        chair = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        later = MeetingFactory(chair=chair, held_at=timezone.now() + timedelta(days=44))
        AgendaItemFactory(meeting=later)
        first = MeetingFactory(chair=chair)
        asg = [AgendaItemFactory(meeting=first) for _ in range(2)]
        review = AgendaItemFactory(meeting=later, case=asg[0].case, purpose="feedback")
        sign_in_verified(client, chair)

        mine = counts(client)["Advisory Group member"]
        for label, meeting, show, items in (
            ("ASG cases whose advice you are to record as chair", first, "asg-advice", asg),
            (
                "Draft feedback whose review you are to record as chair",
                later,
                "feedback-review",
                [review],
            ),
        ):
            address = reverse("advisory-meeting", args=[meeting.pk]) + f"?show={show}"
            assert mine[label] == (len(items), address)
            listed = client.get(address).context["items"]
            assert [item.pk for item in listed] == [item.pk for item in items]

    def test_a_meeting_under_way_today_is_still_the_next_one(self, client):
        """Its time has passed, but it is not closed: the views it waits for
        are still asked of the member, not the next meeting's."""
        member = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        later = MeetingFactory(members=[member], held_at=timezone.now() + timedelta(days=44))
        AgendaItemFactory(meeting=later)
        # Begun a minute ago, or at midnight if that is later: today's either way.
        today = max(clock.now() - timedelta(minutes=1), clock.at(clock.today(), time(0)))
        under_way = MeetingFactory(members=[member], held_at=today)
        AgendaItemFactory(meeting=under_way)
        AgendaItemFactory(meeting=under_way)
        sign_in_verified(client, member)
        label = "Items on your next meeting's agenda without your view"
        address = reverse("advisory-meeting", args=[under_way.pk]) + "?show=without-my-view"
        assert counts(client)["Advisory Group member"][label] == (2, address)
        # Yesterday's, still open, is not.
        under_way.held_at = today - timedelta(days=1)
        under_way.save(update_fields=["held_at"])
        later_address = reverse("advisory-meeting", args=[later.pk]) + "?show=without-my-view"
        assert counts(client)["Advisory Group member"][label][1] == later_address

    def test_an_empty_meeting_set_up_for_today_does_not_hide_the_views_waiting(self, client):
        """The next meeting to give views for is the first with an item
        waiting for one: not an empty meeting set up for today before it."""
        member = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        later = MeetingFactory(members=[member], held_at=timezone.now() + timedelta(days=44))
        waiting = [AgendaItemFactory(meeting=later) for _ in range(2)]
        today = max(clock.now() - timedelta(minutes=1), clock.at(clock.today(), time(0)))
        MeetingFactory(members=[member], held_at=today)
        sign_in_verified(client, member)
        label = "Items on your next meeting's agenda without your view"
        address = reverse("advisory-meeting", args=[later.pk]) + "?show=without-my-view"
        assert counts(client)["Advisory Group member"][label] == (2, address)
        assert [item.pk for item in client.get(address).context["items"]] == [
            item.pk for item in waiting
        ]

    def test_with_no_meeting_to_come_the_count_links_to_the_meetings(self, client):
        member = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
        sign_in_verified(client, member)
        label = "Items on your next meeting's agenda without your view"
        assert counts(client)["Advisory Group member"][label] == (
            0,
            reverse("advisory-meetings"),
        )


def under_notice(entry, *, days_ago):
    given = clock.now() - timedelta(days=days_ago)
    entry.state = EntryState.NOTICE_GIVEN
    entry.notice_given_at = given
    entry.response_due = given + timedelta(days=28)
    entry.save()
    return entry


class TestDecisionOfficial:
    def test_awaiting_decision_and_revocations_due(self, client):
        official = UserFactory(roles=[Role.DECISION_OFFICIAL])
        ProposalFactory(status="awaiting_decision")
        ended = under_notice(RegisterEntryFactory(name="Ended Trust"), days_ago=30)
        under_notice(RegisterEntryFactory(name="Running Trust"), days_ago=3)
        conflicted = under_notice(RegisterEntryFactory(name="Conflicted Trust"), days_ago=30)
        ConflictFactory(user=official, organisation=conflicted.organisation)
        RegisterEntryFactory()
        sign_in_verified(client, official)

        mine = counts(client)["Decision official"]
        assert mine["Cases awaiting your decision"] == (1, reverse("decision-queue"))
        count, href = mine["Accreditations whose response period has ended"]
        assert (count, href) == (1, reverse("staff-register-notices") + "?ended=on")
        page = client.get(href)
        assert [e.name for e in page.context["entries"]] == ["Ended Trust"]  # as counted
        assert reverse("staff-register-revoke", args=[ended.pk]) in page.text
        every = client.get(reverse("staff-register-notices"))
        assert [e.name for e in every.context["entries"]] == ["Ended Trust", "Running Trust"]
        for response in (page, every):
            assert "Conflicted Trust" not in response.text

    @pytest.mark.parametrize("role", [Role.CASEWORK_OFFICER, Role.ASSESSOR, Role.ADMINISTRATOR])
    def test_only_decision_officials_open_the_notices(self, client, role):
        sign_in_verified(client, UserFactory(roles=[role]))
        assert client.get(reverse("staff-register-notices")).status_code == 403

    @pytest.mark.parametrize("page", ["9", "x", "0"])
    def test_a_page_that_is_not_there_shows_one_that_is(self, client, page):
        sign_in_verified(client, UserFactory(roles=[Role.DECISION_OFFICIAL]))
        assert client.get(reverse("staff-register-notices"), {"page": page}).status_code == 200


class TestAdministrator:
    def test_users_invitations_and_reference_data(self, client):
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        UserFactory(roles=[Role.ASSESSOR])
        InvitationFactory(email="new@example.org", invited_by=admin)
        InvitationFactory(
            email="old@example.org", invited_by=admin, expires_at=clock.now() - timedelta(days=1)
        )
        sign_in_verified(client, admin)
        mine = counts(client)["Administrator"]
        assert mine["Staff users"] == (2, reverse("staff-users"))
        assert mine["Staff invitations waiting to be accepted"] == (1, reverse("staff-users"))
        assert mine["Local authorities"][0] == 153
        for _, href in mine.values():
            assert client.get(href).status_code == 200, href
        # The frameworks not yet in use: the number the list it links to holds.
        count, href = next(
            value for label, value in mine.items() if label.startswith("Criteria framework")
        )
        listed = client.get(href).context["cl"].result_count
        assert listed == count
        assert client.get(href.split("?")[0]).context["cl"].result_count >= count


def test_every_counting_function_is_checked_at_start_up(monkeypatch):
    assert not [e for e in checks.run_checks() if e.id == "accreditation.E003"]
    broken = homes.Need(Role.ASSESSOR, "Broken", "staff-home", count="assessments.queries.nope")
    monkeypatch.setattr(homes, "NEEDS", (*homes.NEEDS, broken))
    assert [e.id for e in checks.run_checks() if e.id == "accreditation.E003"] == [
        "accreditation.E003"
    ]


def test_the_home_shows_each_count_with_its_link(client):
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    ProposalFactory(status="submitted")
    sign_in_verified(client, officer)
    text = client.get(HOME).text
    assert re.search(
        rf'href="{reverse("screening-queue")}"><span class="app-needs__count">1</span> '
        "Case to screen</a>",
        text,
    )
    ProposalFactory(status="submitted")
    assert '<span class="app-needs__count">2</span> Cases to screen</a>' in client.get(HOME).text


def test_concerns_waiting_are_counted_for_officers_and_decision_officials(client):
    """An officer counts every concern waiting; a decision official those
    they may decide: not one about a case they decided."""
    from accreditation import timeline
    from tests.test_concerns import not_accredited, raised

    theirs = not_accredited()
    raised(theirs)
    raised(not_accredited())
    assessed = not_accredited()
    raised(assessed)
    sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    (section,) = counts(client).values()
    assert section["Concerns waiting"] == (3, reverse("staff-concerns"))
    # An officer decides none: the list offers them no such filter.
    assert "Who can decide them" not in client.get(reverse("staff-concerns")).text
    official = UserFactory(roles=[Role.DECISION_OFFICIAL])
    timeline.record(theirs, "not_accredit", official)
    give_part(official, "assessor", [assessed])  # an assessor of it, once
    client.logout()
    sign_in_verified(client, official)
    (section,) = counts(client).values()
    label = "Concerns for you to decide (you had no part in the case)"
    link = reverse("staff-concerns") + "?decide=me"
    assert section[label] == (1, link)
    listed = client.get(link)
    assert listed.context["paginator"].count == 1
    assert "Who can decide them" in listed.text
    assert theirs.reference not in listed.text
    assert client.get(reverse("staff-concerns")).context["paginator"].count == 3


# --- The same queries at any size -----------------------------------------------------


def casework(size):
    for _ in range(size):
        ProposalFactory(status="submitted")
        failed_email(_)
    late = late_round()
    for _ in range(size):
        ProposalFactory(status="information_requested", round=late)
    return UserFactory(roles=[Role.CASEWORK_OFFICER])


def assessing(size):
    asha = UserFactory(roles=[Role.ASSESSOR])
    late = late_round()
    give_part(
        asha, "assessor", [ProposalFactory(status="in_assessment", round=late) for _ in range(size)]
    )
    return asha


def advising(size):
    member = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER])
    meeting = MeetingFactory(members=[member])
    for _ in range(size):
        AgendaItemFactory(meeting=meeting)
    return member


def deciding(size):
    official = UserFactory(roles=[Role.DECISION_OFFICIAL])
    for _ in range(size):
        ProposalFactory(status="awaiting_decision")
        under_notice(RegisterEntryFactory(), days_ago=30)
    return official


def administering(size):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    for n in range(size):
        UserFactory(roles=[Role.ASSESSOR])
        InvitationFactory(email=f"invited{n}@example.org", invited_by=admin)
    return admin


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize(
    "make, queries",
    [
        (casework, 14),
        (assessing, 8),
        (advising, 13),
        (deciding, 7),
        (administering, 9),
    ],
    ids=["casework officer", "assessor", "advisory group member", "decision official", "admin"],
)
def test_each_home_costs_the_same_queries_at_any_size(
    client, size, make, queries, django_assert_num_queries
):
    person = make(size)
    sign_in_verified(client, person)
    client.get(HOME)
    with django_assert_num_queries(queries):
        response = client.get(HOME)
    assert response.context["sections"][0]["needs"][0]["count"] >= size


@pytest.mark.parametrize("size", [1, 4])
def test_the_notices_list_costs_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    for days_ago in range(size):
        under_notice(RegisterEntryFactory(), days_ago=days_ago * 10)
    sign_in_verified(client, UserFactory(roles=[Role.DECISION_OFFICIAL]))
    url = reverse("staff-register-notices")
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["entries"]) == size
