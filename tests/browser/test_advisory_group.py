"""The Advisory Group in real Chromium: a casework officer sets up a meeting
whose agenda takes an assessed ASG case and, on its day, records who
attended; a member records a view (after a refused empty one); the chair,
without JavaScript, records the group's advice and the case goes for a
decision. Every page, and every error state, free of axe-core violations."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from accreditation.workflow import Status
from advisory_group.models import Meeting, MemberView
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_asg_case_goes_through_a_meeting_to_decision(page, new_page, assert_accessible):
    officer = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    chair = staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name="Carla Chair")
    members = [
        staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name=name)
        for name in ("Mona Member", "Nadia Member")
    ]
    case = ProposalFactory(
        status=Status.ADVISORY_REVIEW,
        accreditation_type="asg",
        organisation__name="Rowan Schools Trust",
    )
    when = clock.local(clock.now() + timedelta(days=7))

    # The officer sets up the meeting: the case is on its agenda at once.
    signed_in_as(page, *officer)
    page.goto("/staff/advisory-group/")
    expect(page.locator("h1")).to_have_text("Advisory Group meetings")
    assert_accessible(page)
    page.get_by_role("button", name="Set up a meeting").click()
    page.get_by_role("button", name="Save the meeting").click()
    expect(page).to_have_title(re.compile(r"^Error: Set up a meeting"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the chair of the meeting")
    assert_accessible(page)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time (UK time)").fill("10am")
    page.get_by_label("Chair", exact=True).select_option(label="Carla Chair")
    page.get_by_label("Mona Member").check()
    page.get_by_label("Nadia Member").check()
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_text("The meeting has been saved")).to_be_visible()
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Rowan Schools Trust")
    expect(page.locator("#quorum")).to_have_text("Not quorate")
    assert_accessible(page)
    meeting_url = page.url

    # Who attended can be recorded from the day of the meeting: it comes.
    expect(page.locator("#attendance-opens")).to_be_visible()
    expect(page.get_by_role("button", name="Record attendance")).to_have_count(0)
    meeting = Meeting.objects.get()
    meeting.held_at = clock.now() - timedelta(hours=1)
    meeting.save(update_fields=["held_at"])
    page.reload()
    page.get_by_role("button", name="Record attendance").click()
    assert_accessible(page)
    for name in ("Carla Chair", "Mona Member", "Nadia Member"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Save the attendance").click()
    expect(page.locator("#quorum")).to_have_text("Quorate")

    # A member reads the item and records a view.
    member_page = new_page()
    signed_in_as(member_page, *members[0])
    member_page.goto(meeting_url)
    member_page.get_by_role("link", name=re.compile("Rowan Schools Trust")).click()
    expect(member_page.locator("h1")).to_have_text("Rowan Schools Trust")
    expect(member_page.locator("#scores")).to_be_visible()
    assert_accessible(member_page)
    member_page.get_by_role("button", name="Save your view").click()
    expect(member_page.locator(".govuk-error-summary")).to_contain_text(
        "Choose agree, disagree or refer back"
    )
    assert_accessible(member_page)
    member_page.get_by_label("Agree with the recommendation", exact=True).check()
    member_page.get_by_label("Your comment").fill("A convincing case.")
    member_page.get_by_role("button", name="Save your view").click()
    expect(member_page.get_by_text("Your view has been saved")).to_be_visible()
    expect(member_page.locator("#views")).to_contain_text("A convincing case.")
    assert MemberView.objects.get().view == "agree"

    # The chair, without JavaScript, records the group's advice.
    chair_page = new_page(java_script_enabled=False)
    signed_in_as(chair_page, *chair)
    chair_page.goto(meeting_url)
    chair_page.get_by_role("link", name=re.compile("Rowan Schools Trust")).click()
    chair_page.get_by_role("button", name="Record the group's advice").click()
    expect(chair_page.locator(".govuk-error-summary")).to_contain_text(
        "Choose agree, disagree or refer back"
    )
    advice_form = chair_page.locator(
        "form", has=chair_page.get_by_role("button", name="Record the group's advice")
    )
    advice_form.get_by_label("Agree with the recommendation", exact=True).check()
    chair_page.get_by_role("button", name="Record the group's advice").click()
    expect(chair_page.get_by_text("The group's advice has been recorded")).to_be_visible()
    expect(chair_page.locator("#agenda")).to_contain_text("Agree with the recommendation")
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION

    member_page.goto(meeting_url)
    expect(member_page.locator("#agenda")).to_contain_text("Agree with the recommendation")
    assert_accessible(member_page)


def test_the_officers_warnings_of_items_still_open_and_short_of_quorum(page, assert_accessible):
    """On the meeting's day, with the chair and two members attending, one
    of whom is in conflict with a case: the meeting page singles that item
    out as short of quorum, and the close page lists both items still open."""
    from advisory_group.models import AgendaItem
    from advisory_group.services import meetings
    from tests.factories import ConflictFactory

    officer = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    chair, first, second = (
        staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name=name)[0]
        for name in ("Carla Chair", "Mona Member", "Nadia Member")
    )
    cases = [
        ProposalFactory(
            status=Status.ADVISORY_REVIEW, accreditation_type="asg", organisation__name=n
        )
        for n in ("Rowan Schools Trust", "Hazel Academy Trust")
    ]
    meeting = meetings.save_meeting(
        None,
        data={
            "round": None,
            "held_at": clock.now() - timedelta(hours=1),
            "chair": chair,
            "members": [first, second],
            "minutes": "",
        },
        actor=officer[0],
    )
    for case in cases:
        AgendaItem.objects.get_or_create(meeting=meeting, case=case, purpose="advice")
    meeting.attendees.set([chair, first, second])
    ConflictFactory(user=first, organisation=cases[1].organisation)

    signed_in_as(page, *officer)
    page.goto(f"/staff/advisory-group/{meeting.pk}/")
    expect(page.locator("#short-of-quorum")).to_contain_text("Hazel Academy Trust")
    expect(page.locator("#short-of-quorum")).not_to_contain_text("Rowan Schools Trust")
    assert_accessible(page)
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.locator("#open-items")).to_contain_text("2 items are still open")
    assert_accessible(page)
