"""Screening and conflicts of interest in real Chromium: a casework officer
(past the second factor) screens one case eligible and another not
eligible; a staff member declares a conflict and ends it. Every page, and
every error state, free of axe-core violations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import OrganisationKind
from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.models import Conflict
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    SchoolLedFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_error(page, title, message):
    expect(page).to_have_title(re.compile(rf"^Error: {title}"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([message])


def test_an_officer_screens_one_case_eligible_and_another_not(page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    older = ProposalFactory(
        status="submitted",
        organisation__name="Ash Primary School",
        organisation__kind=OrganisationKind.MAINTAINED_PRIMARY,
        organisation__claims_national_support_school=True,
    )
    newer = ProposalFactory(
        status="submitted",
        accreditation_type="asg",
        organisation__name="Birch Primary School",
        organisation__schools_led_count=2,
    )
    SchoolLedFactory(proposal=newer, name="Birch Infant School")
    type(older).objects.filter(pk=older.pk).update(submitted_at=clock.now() - timedelta(days=2))
    MembershipFactory(organisation=newer.organisation, user__email="head@birch.example")
    # Since submitting, Birch says it leads only one school.
    birch = newer.organisation
    birch.schools_led_count = 1
    birch.save()

    signed_in_as(page, officer, device)
    page.get_by_role("main").get_by_role("link", name=re.compile(r"Cases? to screen")).click()
    expect(page.locator("h1")).to_have_text("Screening")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Ash Primary School")
    assert_accessible(page)

    # The oldest: a National Support School claim, confirmed.
    rows.first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(older.reference)
    expect(page.get_by_text("Eligible today")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Eligible", exact=True).check()
    page.get_by_role("button", name="Record screening decision").click()
    expect_error(
        page,
        f"Screen {older.reference}",
        "Select whether the National Support School claim is confirmed",
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Eligible", exact=True).check()
    page.get_by_label("Yes: criteria 2A and 2B are not needed").check()
    page.get_by_role("button", name="Record screening decision").click()
    expect(page.locator("h1")).to_have_text("Screening")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "screened as eligible and ready for an assessor"
    )
    expect(
        page.locator(".govuk-notification-banner").get_by_role("link", name="Assign its assessor")
    ).to_have_attribute("href", reverse("case-assessors", args=[older.pk]))
    assert_accessible(page)

    # The next: not eligible today, with what changed since submission.
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_text("Not eligible today")).to_be_visible()
    table = page.locator("table", has_text="What changed since submission")
    expect(table).to_contain_text("Schools it leads improvement in")
    expect(page.locator("table", has_text="Birch Infant School")).to_be_visible()
    expect(page.get_by_text("Only 1 listed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Not eligible").check()
    page.get_by_role("button", name="Record screening decision").click()
    expect_error(
        page,
        f"Screen {newer.reference}",
        "Enter why the case is not eligible: the applicant will read it",
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Not eligible").check()
    page.get_by_label("If it is not eligible, why not?").fill(
        "An Accredited Schools Group must lead improvement in at least 2 schools."
    )
    page.get_by_role("button", name="Record screening decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("screened as not eligible")
    expect(page.get_by_text("No submitted cases are waiting to be screened.")).to_be_visible()
    assert_accessible(page)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.status == Status.IN_ASSESSMENT
    assert newer.status == Status.CLOSED_INELIGIBLE

    # The screened case's page shows the decision, and no form.
    page.goto(f"/staff/screening/{newer.pk}/")
    expect(page.get_by_text("by Olive Officer")).to_be_visible()
    expect(page.get_by_role("button", name="Record screening decision")).to_have_count(0)
    assert_accessible(page)


def test_a_staff_member_declares_a_conflict_and_ends_it(page, assert_accessible):
    assessor, device = staff_with_device(Role.ASSESSOR, email="asha@oakschool.org.uk")
    OrganisationFactory(name="Cedar Federation")
    MembershipFactory(user__email="head@oakschool.org.uk", organisation__name="Oak School Trust")

    signed_in_as(page, assessor, device)
    page.get_by_role("link", name="Your conflicts of interest").click()
    expect(page.locator("h1")).to_have_text("Conflicts of interest")
    expect(page.get_by_text("Oak School Trust")).to_be_visible()
    expect(page.get_by_text("You have not declared any conflicts.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Declare a conflict").click()
    expect(page.locator("h1")).to_have_text("Declare a conflict of interest")
    assert_accessible(page)
    page.get_by_label("Why do you have a conflict of interest?").fill("My sister is the head.")
    page.get_by_role("button", name="Declare conflict").click()
    expect_error(
        page,
        "Declare a conflict",
        "Choose the organisation or the local authority you have a conflict with",
    )
    assert_accessible(page)
    # The organisation is found by a search (no list of every one), then chosen.
    page.get_by_label("Find the organisation").fill("cedar")
    page.get_by_label("Find the organisation").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_label("Why do you have a conflict of interest?")).to_have_value(
        "My sister is the head."
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Cedar Federation").check()
    page.get_by_role("button", name="Declare conflict").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Conflict declared with Cedar Federation"
    )
    expect(page.locator("table", has_text="Cedar Federation")).to_contain_text("Current")
    assert_accessible(page)

    # The suggestion: dismissed with a reason.
    page.get_by_role("link", name=re.compile("^Oak School Trust")).click()
    expect(page.locator("h1")).to_have_text("Oak School Trust")
    assert_accessible(page)
    page.get_by_label("Why is this not a conflict of interest?").fill("A different Oak School.")
    page.get_by_role("button", name="Not a conflict").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("dismissed")
    expect(page.get_by_text("Possible conflicts for you to check")).to_have_count(0)

    page.get_by_role("link", name="End the conflict with Cedar Federation").click()
    expect(page.locator("h1")).to_have_text("End a conflict of interest")
    assert_accessible(page)
    page.get_by_role("button", name="End conflict").click()
    expect_error(page, "End a conflict", "Enter why the conflict has ended")
    assert_accessible(page)
    page.get_by_label("Why has the conflict ended?").fill("She has retired.")
    page.get_by_role("button", name="End conflict").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("ended")
    expect(page.locator("table", has_text="Cedar Federation")).to_contain_text("Ended")
    expect(page.get_by_text("She has retired.")).to_be_visible()
    assert_accessible(page)
    conflict = Conflict.objects.get(user=assessor)
    assert conflict.ended_at is not None and conflict.end_reason == "She has retired."
