"""An accredited provider adds a co-partner in real Chromium, the casework
officer scores it and records that it meets the track record criteria,
and the public register shows it. No axe-core violations."""

import pytest
from playwright.sync_api import expect

from accreditation.models import LocalAuthority
from accreditation.roles import Role
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, OrganisationFactory, RegisterEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_adds_a_co_partner_the_officer_finds_it_meets_and_the_register_shows_it(
    page, new_page, assert_accessible
):
    la = LocalAuthority.objects.order_by("name").first()
    entry = RegisterEntryFactory(
        case__organisation=OrganisationFactory(name="Oak Services Ltd", local_authority=la)
    )
    member = MembershipFactory(organisation=entry.organisation).user
    sign_in(page, member.email)
    page.goto("/applicant/")
    page.get_by_role("link", name="Your entry on the register").click()
    expect(page.locator("h1")).to_have_text("Your entry on the register")
    assert_accessible(page)

    page.get_by_role("link", name="Change how many more schools you can take on").click()
    page.get_by_label("How many more schools can you take on?").fill("3")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "An Accredited School Provider can take on at most 2 more schools"
    )
    assert_accessible(page)
    page.get_by_label("How many more schools can you take on?").fill("2")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("2")

    page.get_by_role("button", name="Add a co-partner").click()
    expect(page.locator("h1")).to_have_text("Your co-partner’s details")
    assert_accessible(page)
    page.get_by_label("Co-partner’s name").fill("Riverside Primary School")
    page.get_by_label("Kind of organisation").select_option("maintained_primary")
    page.get_by_label("Local authority where it is based").select_option(str(la.pk))
    page.get_by_label("Contact’s name").fill("Rita River")
    page.get_by_label("Contact’s email address").fill("rita@riverside.example.org")
    page.get_by_label("What it will do in the partnership").fill("Leads the curriculum work.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Check your co-partner’s details and answers")
    expect(page.get_by_role("button", name="Send")).to_have_count(0)
    assert_accessible(page)

    for code in ("2A", "2B", "2C"):
        page.get_by_role("link", name=f"Answer {code}").click()
        expect(page.locator("h1")).to_contain_text(code)
        assert_accessible(page)
        page.locator("textarea").fill(f"Our co-partner's evidence for {code}.")
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent")
    assert_accessible(page)

    staff = new_page()
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Carl Casework")
    signed_in_as(staff, officer, device)
    staff.goto("/staff/")
    staff.get_by_role("link", name="Co-partner of an accredited provider to decide").click()
    expect(staff.locator("h1")).to_have_text("Co-partners to decide")
    assert_accessible(staff)
    staff.get_by_role("link", name="Oak Services Ltd").click()
    expect(staff.locator("h1")).to_have_text("Riverside Primary School")
    assert_accessible(staff)
    staff.get_by_role("button", name="Record the outcome").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Select a score for 2A")
    assert staff.title().startswith("Error: ")
    assert_accessible(staff)
    for code in ("2A", "2B", "2C"):
        staff.get_by_role("group", name=f"Score for {code}").get_by_label("3:").check()
        staff.get_by_label(f"Comment on {code}").fill(f"Good evidence for {code}.")
    staff.get_by_label("Yes, it meets them").check()
    staff.get_by_role("button", name="Record the outcome").click()
    expect(staff.locator(".govuk-notification-banner--success")).to_contain_text(
        "meets the track record criteria"
    )

    page.goto(f"/register/{entry.pk}/")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Riverside Primary School")
    expect(summary).to_contain_text("2")
    expect(page.locator("main")).to_contain_text("Co-partner changed to Riverside Primary School")
    assert_accessible(page)
