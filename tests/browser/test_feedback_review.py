"""Feedback to an applicant in real Chromium, through to its letter: an ASP
case recommended not to accredit goes through the Advisory Group's review
of its draft feedback (a member's view, the chair's approval), the decision
(not accredited) and the feedback letter the applicant downloads; and a
case decided against a recommendation to accredit, whose assessor (assigned
since) writes the feedback from the official's reasons for the chair to
approve by correspondence. Every page, and every error state, free of
axe-core violations."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from accreditation import clock
from accreditation.celery import app as celery_app
from accreditation.roles import Role
from accreditation.workflow import Status
from advisory_group.models import MemberView
from advisory_group.services import meetings
from feedback.models import Letter
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.casework import give_part, person_with
from tests.test_feedback_after_decision import decided_not_accredited, recommended

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """The worker issues a letter as soon as it is asked (in the server's
    process)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def next_meeting(chair, *members):
    """The group's next meeting, in a week: its agenda takes the draft
    feedback waiting for the group, and what comes to wait for it."""
    return meetings.save_meeting(
        None,
        data={
            "round": None,
            "held_at": clock.now() + timedelta(days=7),
            "chair": chair,
            "members": list(members),
            "minutes": "",
        },
        actor=person_with("casework_officer"),
    )


def held_meeting(chair, *members):
    """A meeting being held now, everyone attending (quorate): its agenda
    takes the draft feedback waiting for the group."""
    meeting = meetings.save_meeting(
        None,
        data={
            "round": None,
            "held_at": clock.now() + timedelta(days=1),
            "chair": chair,
            "members": list(members),
            "minutes": "",
        },
        actor=person_with("casework_officer"),
    )
    meeting.held_at = clock.now() - timedelta(minutes=30)
    meeting.save(update_fields=["held_at"])
    meeting.attendees.set([chair, *members])
    return meeting


def text_of(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def approve_feedback(page, meeting, name, assert_accessible, by_correspondence=False):
    """The chair approves the item's feedback (after a refused empty
    choice)."""
    page.goto(f"/staff/advisory-group/{meeting.pk}/")
    page.get_by_role("link", name=re.compile(name)).click()
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_role("button", name="Record the group's advice").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to approve the feedback or return it to the assessor"
    )
    assert_accessible(page)
    page.get_by_label("Approved for the letter", exact=True).check()
    if by_correspondence:
        page.get_by_label("Recorded by correspondence, between meetings").check()
    page.get_by_role("button", name="Record the group's advice").click()
    expect(page.get_by_text("The group's advice has been recorded")).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text("Approved for the letter")
    assert_accessible(page)


def test_feedback_reviewed_by_the_group_goes_into_the_letter_after_the_decision(
    page, new_page, assert_accessible, tmp_path
):
    case, _ = recommended("not_accredit", **{"2B_lead": 2})
    case.organisation.name = "Hazel Learning Trust"
    case.organisation.save(update_fields=["name"])
    chair, chair_device = staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name="Carla Chair")
    member, member_device = staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name="Mona Member")
    other = staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name="Nadia Member")[0]
    meeting = held_meeting(chair, member, other)

    # A member reads the draft feedback and gives a view.
    signed_in_as(page, member, member_device)
    page.goto(f"/staff/advisory-group/{meeting.pk}/")
    expect(page.locator("#agenda")).to_contain_text("Review of draft feedback")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Hazel Learning Trust")).click()
    expect(page.locator("#feedback")).to_contain_text("Give more evidence for 2B.")
    expect(page.locator("#recommendation")).to_contain_text("Recommend not to accredit")
    assert_accessible(page)
    page.get_by_label("The feedback can be approved for the letter").check()
    page.get_by_label("Your comment").fill("The feedback is specific and fair.")
    page.get_by_role("button", name="Save your view").click()
    expect(page.get_by_text("Your view has been saved")).to_be_visible()
    assert MemberView.objects.get().view == "approve"

    chair_page = new_page()
    signed_in_as(chair_page, chair, chair_device)
    approve_feedback(chair_page, meeting, "Hazel Learning Trust", assert_accessible)
    assert not Letter.objects.filter(case=case).exists()  # not decided yet

    # The decision official decides, as recommended: the letter is issued.
    official, official_device = staff_with_device(Role.DECISION_OFFICIAL, full_name="Dana Decider")
    official_page = new_page()
    signed_in_as(official_page, official, official_device)
    official_page.goto(f"/staff/decisions/{case.pk}/")
    expect(official_page.locator("h1")).to_have_text(case.reference)
    assert_accessible(official_page)
    official_page.get_by_role("radio", name="Not accredited", exact=True).check()
    official_page.get_by_role("button", name="Record the decision").click()
    expect(official_page.locator(".govuk-notification-banner")).to_contain_text(
        f"{case.reference} decided: not accredited"
    )
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    letter = Letter.objects.get(case=case)

    # The applicant downloads it: it holds the feedback the chair approved.
    applicant_page = new_page()
    sign_in(applicant_page, case.created_by.email)
    applicant_page.goto(f"/proposals/{case.pk}/status/")
    expect(applicant_page.get_by_text(letter.sha256)).to_be_visible()
    assert_accessible(applicant_page)
    with applicant_page.expect_download() as download:
        applicant_page.get_by_role("link", name="Download your feedback letter (PDF)").click()
    saved = tmp_path / "letter.pdf"
    download.value.save_as(saved)
    text = text_of(saved.read_bytes())
    assert "Give more evidence for 2B." in text and "Dana Decider" in text


def test_the_assessor_writes_feedback_from_the_officials_reasons_for_the_chair_to_approve(
    page, new_page, assert_accessible
):
    case, _ = recommended("accredit")
    case.organisation.name = "Larch Schools Trust"
    case.organisation.save(update_fields=["name"])
    assessor, assessor_device = staff_with_device(Role.ASSESSOR, full_name="Asha Assessor")
    give_part(assessor, "assessor", [case])
    chair, chair_device = staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name="Carla Chair")
    members = [
        staff_with_device(Role.ADVISORY_GROUP_MEMBER, full_name=name)[0]
        for name in ("Mona Member", "Nadia Member")
    ]
    meeting = next_meeting(chair, *members)
    decided_not_accredited(case, reasons="The five-year plan for 1D is not funded.")
    assert not Letter.objects.filter(case=case).exists()

    signed_in_as(page, assessor, assessor_device)
    page.goto(f"/staff/cases/{case.pk}/")
    page.get_by_role("link", name="Write the feedback to the applicant").click()
    expect(page.locator("h1")).to_have_text("Feedback to the applicant")
    expect(page.locator("#decision-reasons")).to_contain_text(
        "The five-year plan for 1D is not funded."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save the feedback").click()
    expect(page).to_have_title(re.compile(r"^Error: Feedback to the applicant"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter feedback to the applicant on at least one criterion"
    )
    assert_accessible(page)
    page.get_by_label(re.compile(r"Feedback on 1D ")).fill(
        "Show how the board will fund the partnership for five years or more."
    )
    page.get_by_role("button", name="Save the feedback").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The feedback is saved")

    chair_page = new_page()
    signed_in_as(chair_page, chair, chair_device)
    chair_page.goto(f"/staff/advisory-group/{meeting.pk}/")
    chair_page.get_by_role("link", name=re.compile("Larch Schools Trust")).click()
    expect(chair_page.locator("#decision")).to_contain_text("Not accredited")
    expect(chair_page.locator("#feedback")).to_contain_text("fund the partnership")
    assert_accessible(chair_page)
    # Between meetings, by correspondence, so the letter need not wait.
    approve_feedback(
        chair_page, meeting, "Larch Schools Trust", assert_accessible, by_correspondence=True
    )
    letter = Letter.objects.get(case=case)
    text = text_of(bytes(letter.pdf))
    assert "fund the partnership for five years" in text
    assert "The five-year plan for 1D is not funded." in text
