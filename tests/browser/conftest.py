"""Helpers for the browser tests: a page that fails the test on a script
error or a Content Security Policy refusal, fresh browser contexts, signing
in through the form, and TOTP codes worked out the way an authenticator app
does."""

import base64
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.casework import sign_in_verified
from tests.factories import PASSWORD, UserFactory

# Error pages (403, 404, 410, the locked-out 429) make Chromium log the
# status on the console; that is expected and not a fault.
EXPECTED_CONSOLE = "Failed to load resource: the server responded with a status of"


def watch(page):
    """Collect uncaught script errors and console errors (a CSP refusal is
    one) on ``page``; returns the list they are put in."""
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and EXPECTED_CONSOLE not in message.text
            else None
        ),
    )
    return problems


@pytest.fixture
def page(page):
    problems = watch(page)
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh browser context (no cookies), e.g. a second person or
    a browser with JavaScript off: ``new_page(java_script_enabled=False)``."""
    opened = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        page.set_default_timeout(10_000)
        opened.append((context, watch(page)))
        return page

    yield make
    for context, problems in opened:
        context.close()
        assert not problems, "\n".join(problems)


def sign_in(page, email, password=PASSWORD):
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_as(page, user, device):
    """``user`` signed in past the second factor with their authenticator
    ``device``, on their home page, as ``sign_in`` then ``enter_code`` leave
    them, without loading the sign-in and security-code pages: their
    session is made on the server and its cookie given to the browser as
    Django sets it. Signing in itself is tested through the form
    (test_sign_in.py, and the applicants' journeys); the rest save the suite
    a second or more each time a member of staff signs in."""
    client = sign_in_verified(Client(), user, device)
    # A static file, the lightest page, gives the live server's address.
    page.goto(static("app/app.css"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": cookie.key,
                "value": cookie.value,
                "url": urljoin(page.url, "/"),
                "httpOnly": True,
                "sameSite": settings.SESSION_COOKIE_SAMESITE,
            }
        ]
    )
    page.goto(resolve_url(settings.LOGIN_REDIRECT_URL))


def code_from_key(spaced_key):
    """The code an authenticator app shows for the key printed on the set-up
    page."""
    key = base64.b32decode(spaced_key.replace(" ", ""))
    return f"{totp(key):06d}"


def code_for(device):
    return f"{totp(device.bin_key):06d}"


def wrong_code_for(device):
    """A six-digit code the device will not accept at any tolerated step."""
    valid = {f"{totp(device.bin_key, drift=steps):06d}" for steps in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enter_code(page, code):
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def open_from_more(page, section):
    """Open a staff section the menu lists under "More"."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="More").click()
    page.get_by_role("main").get_by_role("link", name=section, exact=True).click()


def staff_with_device(*roles, **fields):
    """A staff member whose authenticator app is already set up."""
    user = UserFactory(roles=list(roles), **fields)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, device
