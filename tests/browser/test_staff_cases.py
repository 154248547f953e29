"""The staff path to a case in real Chromium: an assessor past the second
factor finds the case assigned to them and reads its timeline. Every page
free of axe-core violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.roles import Role
from accreditation.workflow import move
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import give_part, person_with
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_assessor_finds_their_case_and_reads_its_timeline(page, assert_accessible):
    assessor, device = staff_with_device(Role.ASSESSOR, full_name="Asha Assessor")
    case = ProposalFactory(status="submitted", organisation__name="Oak Learning Trust")
    ProposalFactory(status="in_assessment", organisation__name="Not Theirs Trust")
    move(case, "screen_eligible", person_with("casework_officer", full_name="Olive Officer"))
    give_part(assessor, "assessor", [case])

    signed_in_as(page, assessor, device)
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.locator("h1")).to_have_text("Cases")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Oak Learning Trust")
    expect(rows).to_contain_text("In assessment")
    assert_accessible(page)

    rows.get_by_role("link", name=case.reference).click()
    expect(page.locator("h1")).to_have_text(case.reference)
    expect(page.get_by_text("Assigned assessor")).to_be_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.moj-timeline__item')).position")
        == "relative"
    ), "MOJ Frontend's stylesheet is served and applied"
    expect(page.locator(".moj-identity-bar")).to_contain_text("Oak Learning Trust")
    timeline = page.locator(".moj-timeline__item")  # newest first
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("Screened: eligible")
    expect(timeline.first).to_contain_text("by Olive Officer")
    expect(timeline.nth(1)).to_contain_text("Proposal submitted")
    assert_accessible(page)


def test_an_administrator_has_no_casework_link(page):
    admin, device = staff_with_device(Role.ADMINISTRATOR)
    signed_in_as(page, admin, device)
    expect(page.locator("h1")).to_have_text("Staff area")
    expect(page.get_by_role("link", name="Cases", exact=True)).to_have_count(0)


def test_on_a_laptop_the_case_list_needs_no_sideways_scroll(new_page, assert_accessible):
    """At 1280px the list takes the screen's width beside its filters: every
    column shows, and a reference stays on one line."""
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    case = ProposalFactory(
        status="submitted", organisation__name="The Hawthorncroft Sixth Form College Trust"
    )
    page = new_page(viewport={"width": 1280, "height": 800})
    signed_in_as(page, officer, device)
    page.goto(reverse("staff-cases"))
    pane = page.get_by_role("region", name="Cases, scrolls sideways")
    expect(pane.locator("table tbody tr")).to_have_count(1)
    assert pane.evaluate("pane => pane.scrollWidth <= pane.clientWidth"), "the table fits"
    link = pane.get_by_role("link", name=case.reference)
    line_height = float(link.evaluate("a => getComputedStyle(a).lineHeight").removesuffix("px"))
    assert link.bounding_box()["height"] < 2 * line_height, "the reference is on one line"
    assert_accessible(page)


def test_on_a_phone_the_case_list_is_below_its_filters(new_page, assert_accessible):
    """MOJ Frontend fixes the filter over a phone's screen for a toggle the
    service does not run: it stays in the page, and the list can be read."""
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    case = ProposalFactory(status="submitted", organisation__name="Oak Learning Trust")
    page = new_page(viewport={"width": 375, "height": 700})
    signed_in_as(page, officer, device)
    page.goto(reverse("staff-cases"))
    link = page.get_by_role("link", name=case.reference)
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('table') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    ), "the filter covers the list"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
