"""GOV.UK components as Chromium draws them: every field in error has the
red border (the local authority select too), the service navigation holds
the person's sections with the one they are in marked, and the messages of
the account forms say how to put each field right."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERROR_RED = "rgb(212, 53, 28)"  # GOV.UK Frontend's $govuk-error-colour


def border_colour(locator):
    return locator.evaluate("element => getComputedStyle(element).borderTopColor")


def service_navigation(page):
    return page.get_by_role("navigation", name="Menu")


def test_every_kind_of_field_in_error_has_a_red_border(page, assert_accessible):
    sign_in(page, MembershipFactory().user.email)
    page.goto("/organisation/new/academy_trust/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the local authority")
    # Move the focus away: a focused field has a black border by design.
    page.locator("h1").click()
    for field in ["#id_name", "#id_local_authority", "#id_address"]:
        assert border_colour(page.locator(field)) == ERROR_RED, field
    assert_accessible(page)


def test_sign_in_says_what_to_enter_and_marks_both_fields(page, assert_accessible):
    page.goto("/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    expect(summary).not_to_contain_text("This field is required")
    page.locator("h1").click()
    assert border_colour(page.locator("#id_username")) == ERROR_RED
    assert border_colour(page.locator("#id_password")) == ERROR_RED
    assert_accessible(page)

    page.locator("#id_username").fill("name.example.com")
    page.locator("#id_password").fill("anything")
    page.get_by_role("button", name="Sign in").click()
    expect(summary).to_contain_text(
        "Enter an email address in the correct format, like name@example.com"
    )


def test_an_applicant_finds_their_sections_and_the_current_one_is_marked(page, assert_accessible):
    sign_in(page, MembershipFactory().user.email)
    navigation = service_navigation(page)
    expect(navigation.get_by_role("link")).to_have_text(
        ["Home", "Proposals", "Organisation", "Guidance", "Register"]
    )
    navigation.get_by_role("link", name="Organisation").click()
    expect(page).to_have_url(re.compile(r"/organisation/$"))
    current = navigation.locator("[aria-current]")
    expect(current).to_have_text("Organisation")
    expect(current).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    navigation.get_by_role("link", name="Guidance").click()
    expect(navigation.locator("[aria-current]")).to_have_text("Guidance")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_casework_officer_finds_the_sections_their_role_gives(page, assert_accessible):
    """The daily work in the menu, the rest under "More"."""
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    signed_in_as(page, officer, device)
    navigation = service_navigation(page)
    expect(navigation.get_by_role("link")).to_have_text(
        ["Staff home", "Cases", "Screening", "Assignment", "Advisory Group", "More"]
    )
    expect(navigation.locator("[aria-current]")).to_have_text("Staff home")
    navigation.get_by_role("link", name="Cases").click()
    expect(navigation.locator("[aria-current]")).to_have_text("Cases")
    assert_accessible(page)
    navigation.get_by_role("link", name="More").click()
    expect(navigation.locator("[aria-current]")).to_have_text("More")
    expect(page.get_by_role("main").get_by_role("link")).to_have_text(
        [
            "Rounds",
            "Concerns",
            "Letters",
            "Reports",
            "Out-of-round requests",
            "Schedule",
            "Emails not sent",
            "Conflicts of interest",
        ]
    )
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Rounds").click()
    expect(page.locator("h1")).to_have_text("Rounds")
    current = navigation.locator("[aria-current]")
    expect(current).to_have_text("More")
    expect(current).to_have_attribute("aria-current", "true")


def test_the_menu_folds_on_a_phone(new_page, assert_accessible):
    page = new_page(viewport={"width": 375, "height": 700})
    sign_in(page, MembershipFactory().user.email)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(service_navigation(page).get_by_role("link", name="Organisation")).to_be_hidden()
    menu.click()
    expect(service_navigation(page).get_by_role("link", name="Organisation")).to_be_visible()
    assert_accessible(page)
