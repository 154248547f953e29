"""Every public page in real Chromium: no axe-core violations (WCAG 2.2 AA
tags), and the GOV.UK page furniture is where assistive technology expects."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Apply for school provider accreditation"

# (path, expected status, the page's <h1>)
PUBLIC_PAGES = [
    ("/", 200, SERVICE),
    ("/cookies/", 200, "Cookies"),
    ("/accessibility/", 200, "Accessibility statement"),
    ("/privacy/", 200, "Privacy notice"),
    ("/account/sign-in/", 200, "Sign in"),
    ("/account/register/", 200, "Create an account"),
    ("/account/register/sent/", 200, "Check your email"),
    ("/account/password-reset/", 200, "Reset your password"),
    ("/account/password-reset/sent/", 200, "Check your email"),
    ("/account/signed-out/", 200, "You have been signed out"),
    ("/letters/check/", 200, "Check a letter"),
    ("/no-such-page/", 404, "Page not found"),
    ("/invitation/not-a-real-token/", 410, "This invitation link does not work"),
]


def test_every_public_page_is_accessible(page, assert_accessible):
    """One test walks them all: the live server starts once, and a failure
    names the page in the axe report."""
    for path, status, heading in PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == status, path
        expect(page.locator("h1")).to_have_text(heading)
        # Title: the page, the service and GOV.UK (the start page is the service).
        assert page.title().endswith(f"{SERVICE} – GOV.UK"), path
        if path != "/":
            assert page.title().startswith(f"{heading} – "), path
        assert_accessible(page)


def test_layout_skip_link_header_and_footer(page):
    page.goto("/")
    # The skip link is the first thing a keyboard reaches, and it lands on <main>.
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_have_attribute("href", "#main-content")
    expect(page.locator("main#main-content")).to_have_count(1)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"

    # One banner landmark, holding the GOV.UK header, navigation and phase banner.
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.locator("header .govuk-header")).to_have_count(1)
    expect(page.locator("header .govuk-phase-banner")).to_have_count(1)
    expect(page.locator(".govuk-phase-banner")).to_have_count(1)
    expect(page.locator("header .govuk-phase-banner .govuk-tag")).to_have_text("Beta")

    footer = page.get_by_role("contentinfo")
    expect(footer).to_have_count(1)
    for name, path in [
        ("Accessibility statement", "/accessibility/"),
        ("Cookies", "/cookies/"),
        ("Privacy notice", "/privacy/"),
    ]:
        expect(footer.get_by_role("link", name=name)).to_have_attribute("href", path)
    footer.get_by_role("link", name="Accessibility statement").click()
    expect(page).to_have_url(re.compile(r"/accessibility/$"))
    expect(page.locator("h1")).to_have_text("Accessibility statement")

    # GOV.UK Frontend's scripts ran under the Content Security Policy.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")


def test_start_page_links_to_sign_in_and_register(page):
    page.goto("/")
    page.get_by_role("button", name="Start now").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("h1")).to_have_text("Create an account")


def test_expired_and_used_invitations_show_the_invalid_page(page, assert_accessible):
    InvitationFactory(token="expired-token", expires_at=timezone.now() - timedelta(minutes=1))
    InvitationFactory(token="used-token", accepted_at=timezone.now())
    InvitationFactory(token="revoked-token", revoked_at=timezone.now())
    for token, says in [
        ("expired-token", "This invitation link has expired."),
        ("used-token", "This invitation link has already been used."),
        ("revoked-token", "This invitation has been withdrawn."),
        ("unknown-token", "This invitation link is not right."),
    ]:
        response = page.goto(f"/invitation/{token}/")
        assert response.status == 410
        expect(page.locator("h1")).to_have_text("This invitation link does not work")
        expect(page.get_by_text(says)).to_be_visible()
        expect(page.get_by_label("Create a password")).to_have_count(0)
    assert_accessible(page)
