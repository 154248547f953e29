"""The error pages in real Chromium: the service's own pages, axe-clean, for
someone signed out and someone signed in (whose page carries the service
navigation)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Apply for school provider accreditation"


def assert_error_page(page, status, response, heading, assert_accessible):
    assert response.status == status
    expect(page.locator("h1")).to_have_text(heading)
    expect(page).to_have_title(f"{heading} – {SERVICE} – GOV.UK")
    assert_accessible(page)


@pytest.fixture
def with_failing_pages(settings):
    """The service's URLs plus one that raises and one that refuses."""
    settings.ROOT_URLCONF = "tests.test_error_pages"


def test_the_error_pages_signed_out(page, assert_accessible, with_failing_pages):
    assert_error_page(page, 404, page.goto("/no-such-page/"), "Page not found", assert_accessible)
    assert_error_page(
        page,
        403,
        page.goto("/forbidden/"),
        "You do not have access to this page",
        assert_accessible,
    )
    assert_error_page(
        page,
        500,
        page.goto("/boom/"),
        "Sorry, there is a problem with the service",
        assert_accessible,
    )
    assert_error_page(
        page,
        400,
        page.goto("/bad-request/"),
        "Sorry, what was sent could not be used",
        assert_accessible,
    )
    assert_error_page(
        page,
        405,
        page.goto("/account/sign-out/"),
        "This address is for sending a form",
        assert_accessible,
    )


def test_the_error_pages_signed_in(page, assert_accessible, with_failing_pages):
    sign_in(page, MembershipFactory().user.email)
    expect(page.locator("h1")).to_have_text("Your organisations")
    for path, status, heading in [
        ("/no-such-page/", 404, "Page not found"),
        ("/forbidden/", 403, "You do not have access to this page"),
        ("/boom/", 500, "Sorry, there is a problem with the service"),
        ("/bad-request/", 400, "Sorry, what was sent could not be used"),
        ("/applicant/switch/", 405, "This address is for sending a form"),
    ]:
        assert_error_page(page, status, page.goto(path), heading, assert_accessible)


def test_a_form_sent_without_its_csrf_cookie_gets_the_service_page(page, assert_accessible):
    page.goto("/account/sign-in/")
    page.context.clear_cookies()
    page.get_by_label(re.compile("e-?mail address", re.IGNORECASE)).fill("a@example.com")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    with page.expect_response(re.compile(r"/account/sign-in/$")) as sent:
        page.get_by_role("button", name="Sign in").click()
    assert_error_page(
        page, 403, sent.value, "Sorry, your form could not be sent", assert_accessible
    )
    expect(page.get_by_role("link", name="Read about the cookies we use")).to_have_attribute(
        "href", "/cookies/"
    )
