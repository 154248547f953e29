"""The service works with JavaScript off, and the session timeout warning
behaves with it on."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from tests.browser.conftest import code_from_key, enter_code, sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_signs_in_and_switches_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    applicant = MembershipFactory(organisation__name="Alder Primary School").user
    MembershipFactory(user=applicant, organisation__name="Birch Academy Trust")

    # A mistake is reported by the server-rendered error summary.
    sign_in(page, applicant.email, "not-the-password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address")

    sign_in(page, applicant.email)
    expect(page).to_have_url(re.compile(r"/applicant/$"))
    expect(page.locator("h1")).to_have_text("Your organisations")
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    # The timeout warning needs a script; without one it stays out of sight.
    expect(page.locator("#session-timeout")).to_be_hidden()
    # (axe needs JavaScript in the page, so these pages are checked with it on
    # in the other browser tests.)

    page.get_by_role("button", name="Switch to Birch Academy Trust").click()
    expect(page.get_by_text("You are acting for")).to_have_text(
        "You are acting for Birch Academy Trust."
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You have been signed out")


def test_staff_member_sets_up_second_factor_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    person = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in(page, person.email)
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    enter_code(page, code_from_key(page.locator("#secret-key").inner_text()))
    expect(page.locator("h1")).to_have_text("Staff area")


def test_session_timeout_dialog_waits_until_the_session_is_nearly_over(page):
    page.goto("/")
    expect(page.locator("#session-timeout")).to_have_count(0)  # nobody to sign out

    sign_in(page, MembershipFactory().user.email)
    expect(page.locator("h1")).to_have_text("Your organisations")
    dialog = page.locator("dialog#session-timeout")
    expect(dialog).to_have_count(1)
    # The time the session has left: saved as the person signed in, under a minute ago.
    expect(dialog).to_have_attribute("data-timeout", re.compile(r"^(1800|17[4-9][0-9])$"))
    expect(dialog).to_have_attribute("data-warning", "300")
    # Give the script time to have run, then check the dialog has not opened.
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => document.getElementById('session-timeout').open") is False


def test_session_timeout_dialog_warns_and_keeps_the_session(page, settings, assert_accessible):
    # Warn for as long as the whole session: the warning is due at once.
    settings.SESSION_TIMEOUT_WARNING_SECONDS = settings.SESSION_COOKIE_AGE
    sign_in(page, MembershipFactory().user.email)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        re.compile(r"we’ll sign you out in (30|29) minutes if you do nothing")
    )
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)

    # "Stay signed in" touches the session without leaving the page and closes
    # the dialog (here it is due again at once, so count the closing).
    page.evaluate(
        """() => document.getElementById("session-timeout")
                 .addEventListener("close", () => { window.timeoutDialogClosed = true; })"""
    )
    with page.expect_response(re.compile(r"/account/keep-alive/$")) as kept:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert kept.value.ok
    # Its body is not read here: Chromium keeps no copy of a no-store response
    # (tests/test_accounts.py checks what it says).
    assert "no-store" in kept.value.headers["cache-control"]
    page.wait_for_function("() => window.timeoutDialogClosed === true")
    assert page.url.endswith("/applicant/")

    # Escape keeps the session too, as "Stay signed in" does.
    expect(dialog).to_be_visible()
    page.evaluate("() => { window.timeoutDialogClosed = false; }")
    with page.expect_response(re.compile(r"/account/keep-alive/$")) as kept:
        page.keyboard.press("Escape")
    assert kept.value.ok
    page.wait_for_function("() => window.timeoutDialogClosed === true")
    assert page.url.endswith("/applicant/")


def test_a_tab_kept_alive_keeps_the_other_tabs_from_signing_out(page, settings):
    """One session, two tabs: "Stay signed in" in one moves the other's end
    on too, so neither leaves for "signed out" while the session lives."""
    settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 4
    sign_in(page, MembershipFactory().user.email)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("h1")).to_have_text("Your organisations")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_visible(timeout=10000)
    with page.expect_response(re.compile(r"/account/keep-alive/$")):
        stay.click()
    # The other tab, loaded some 6 seconds before, would end 4 seconds from
    # now on its own; 7 seconds on (3 before the session ends) it is still
    # here, its end moved on to the shared one.
    other.wait_for_timeout(7000)
    assert "signed-out" not in other.url
    # And once the shared end passes with nobody staying, both leave.
    other.wait_for_url(re.compile(r"/account/signed-out/\?timeout=1$"), timeout=12000)


def test_the_end_of_the_countdown_signs_the_person_out(page):
    """The page's countdown can end a moment before the server's session
    does: at its end the person is signed out, not only told so. (The
    page's clock is moved on; the server's session still has its time.)"""
    sign_in(page, MembershipFactory().user.email)
    page.clock.install()
    page.reload()
    expect(page.locator("h1")).to_have_text("Your organisations")
    page.clock.run_for(31 * 60 * 1000)
    page.wait_for_url(re.compile(r"/account/signed-out/\?timeout=1$"))
    page.goto("/applicant/")
    assert "/account/sign-in/" in page.url
