"""Each staff role's home in real Chromium, and the case list without
JavaScript: filters as a GET form, sort links, removable filter tags,
pages. Every page free of axe-core violations."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from register.models import EntryState
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import give_part
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    OrganisationFactory,
    ProposalFactory,
    RegisterEntryFactory,
    RoundFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, *roles, **fields):
    person, device = staff_with_device(*roles, **fields)
    signed_in_as(page, person, device)
    expect(page.locator("h1")).to_have_text("Staff area")
    return person


def late_round():
    now = timezone.now()
    return RoundFactory(
        opens_at=now - timedelta(days=90),
        deadline=now - timedelta(days=60),
        assessment_due=(now - timedelta(days=7)).date(),
    )


def need(page, label):
    return page.get_by_role("main").get_by_role("link", name=re.compile(re.escape(label)))


def test_a_casework_officer_follows_a_count_to_the_filtered_list(page, assert_accessible):
    ProposalFactory(status="submitted", organisation__name="Birch Trust")
    ProposalFactory(status="in_assessment", round=late_round(), organisation__name="Late Trust")
    signed_in(page, Role.CASEWORK_OFFICER)
    expect(page.get_by_role("heading", name="Casework officer")).to_be_visible()
    expect(need(page, "Case to screen")).to_have_text("1 Case to screen")
    assert_accessible(page)

    need(page, "Case past its target date").click()
    expect(page.locator("h1")).to_have_text("Cases")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Late Trust")
    expect(rows).to_contain_text("Overdue")
    expect(page.locator(".moj-filter__tag")).to_have_text(
        ["Remove this filter: Past their target date"]
    )
    assert_accessible(page)

    # Sorted, searched, with several filters and the CSV link (axe runs with
    # JavaScript on; the journey without it is below).
    page.goto(
        "/staff/cases/?status=submitted&status=in_assessment&type=asp&q=trust&sort=-reference"
    )
    expect(page.locator(".moj-filter__tag")).to_have_count(4)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Reference")
    assert_accessible(page)
    page.goto("/staff/cases/?round=nonsense&page=99&sort=secret&q=" + "x" * 10_000)
    expect(page.locator(".govuk-error-summary")).to_contain_text("These filters were left out")
    assert_accessible(page)


def test_the_case_list_works_without_javascript(new_page):
    period = RoundFactory()
    for name in ("Alder Trust", "Beech Group", "Cedar Academy"):
        ProposalFactory(
            status="submitted", round=period, organisation=OrganisationFactory(name=name)
        )
    ProposalFactory(status="accredited", organisation__name="Done Trust")
    ProposalFactory(
        status="in_assessment", accreditation_type="asp", organisation__name="Elder Federation"
    )
    page = new_page(java_script_enabled=False)
    signed_in(page, Role.CASEWORK_OFFICER)
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.locator("#results")).to_have_text("5 cases")

    # Filter by status with the GET form.
    page.get_by_role("group", name="Status").get_by_label("Submitted", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=submitted"))
    expect(page.locator("#results")).to_have_text("3 cases")

    # Sort by organisation, then the other way, with plain links.
    page.get_by_role("link", name="Organisation", exact=True).click()
    names = page.locator("table tbody tr td:nth-child(2)")
    expect(names.first).to_contain_text("Alder Trust")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Organisation")
    page.get_by_role("link", name=re.compile("^Organisation")).click()
    expect(names.first).to_contain_text("Cedar Academy")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Organisation")

    # Search within the filtered, sorted list; the form keeps both.
    page.get_by_label("Search by reference or organisation name").fill("beech")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr")).to_contain_text("Beech Group")
    expect(page).to_have_url(re.compile(r"sort=-organisation"))

    # Remove the status tag: the search stays.
    page.get_by_role("link", name="Remove this filter: Submitted").click()
    expect(page.locator(".moj-filter__tag")).to_have_text(["Remove this filter: “beech”"])
    expect(page.locator("#results")).to_have_text("1 case")

    # Bad input is answered with the page and what was left out.
    page.goto("/staff/cases/?round=nonsense&page=99&sort=secret&q=" + "x" * 10_000)
    expect(page.locator(".govuk-error-summary")).to_contain_text("These filters were left out")
    expect(page.locator("#results")).to_have_text("0 cases")

    page.goto("/staff/cases/?page=99")
    expect(page.get_by_text("There is no such page of cases: this is page 1 of 1.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these cases as a CSV file").click()
    assert download.value.suggested_filename.startswith("cases-")


def test_an_assessor_finds_their_work(page, assert_accessible):
    late = ProposalFactory(
        status="in_assessment", round=late_round(), organisation__name="Late Trust"
    )
    assessor = signed_in(page, Role.ASSESSOR)
    give_part(assessor, "assessor", [late])
    page.reload()
    expect(need(page, "Overdue assessment")).to_have_text("1 Overdue assessment")
    assert_accessible(page)
    need(page, "Overdue assessment").click()
    expect(page.locator("h1")).to_have_text("Your assessments")
    expect(page.locator("table tbody tr")).to_contain_text("Late Trust")
    assert_accessible(page)


def test_a_group_member_goes_to_their_next_meeting(page, assert_accessible):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, case__organisation__name="Grove Schools Group")
    member = signed_in(page, Role.ADVISORY_GROUP_MEMBER)
    meeting.members.add(member)
    page.reload()
    label = "Item on your next meeting's agenda without your view"
    expect(need(page, label)).to_have_text(f"1 {label}")
    assert_accessible(page)
    need(page, label).click()
    expect(page.get_by_text("Grove Schools Group")).to_be_visible()


def test_a_decision_official_finds_revocations_due(page, assert_accessible):
    given = clock.now() - timedelta(days=30)
    RegisterEntryFactory(
        name="Ended Trust",
        state=EntryState.NOTICE_GIVEN,
        notice_given_at=given,
        response_due=given + timedelta(days=28),
    )
    ProposalFactory(status="awaiting_decision")
    signed_in(page, Role.DECISION_OFFICIAL)
    expect(need(page, "awaiting your decision")).to_have_text("1 Case awaiting your decision")
    assert_accessible(page)
    need(page, "Accreditation whose response period has ended").click()
    expect(page.locator("h1")).to_have_text("Accreditations under notice of revocation")
    expect(page.locator("table tbody tr")).to_contain_text("Ended")
    expect(page.get_by_role("link", name="Decisions")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    page.get_by_role("link", name="Ended Trust").click()
    expect(page.locator("h1")).to_have_text("Revoke the accreditation of Ended Trust")


def test_an_administrator_sees_users_and_reference_data(page, assert_accessible):
    signed_in(page, Role.ADMINISTRATOR)
    expect(page.get_by_role("heading", name="Administrator")).to_be_visible()
    expect(need(page, "Staff user")).to_have_text("1 Staff user")
    assert_accessible(page)
    need(page, "Local authorities").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/accreditation/localauthority/"))
