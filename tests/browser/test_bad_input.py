"""What a person sees when something goes wrong: form errors, throttled
sign-in, pages their role cannot use, and dead invitation links."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.models import User
from accreditation.roles import Role
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRONG = "a-long-and-unusual-passphrase"


def fill_registration(page, *, email, password1=STRONG, password2=STRONG):
    page.goto("/account/register/")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password1)
    page.get_by_label("Confirm your password").fill(password2)
    page.get_by_role("button", name="Create account").click()


def assert_error_page(page, title, messages, assert_accessible, by_fields=True):
    """The GOV.UK error pattern: "Error: " in the title, a focused summary
    whose links lead to the fields, and the same message by each field (a
    message about the whole form is in the summary only)."""
    expect(page).to_have_title(re.compile(rf"^Error: {title} – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(messages)
    for message in messages if by_fields else []:
        expect(page.locator(".govuk-error-message", has_text=message)).to_have_count(1)
    # Every input in error has GOV.UK's red border, whatever its type.
    borders = page.locator(".govuk-form-group--error .govuk-input").evaluate_all(
        "inputs => inputs.map(input => getComputedStyle(input).borderTopColor)"
    )
    assert set(borders) <= {"rgb(212, 53, 28)"}, borders
    assert_accessible(page)
    link = summary.get_by_role("link").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(target)).to_be_focused()


def test_registration_with_an_address_in_use_says_only_check_your_e_mail(page, assert_accessible):
    UserFactory(email="grace@example.org")
    fill_registration(page, email="Grace@Example.org")
    expect(page).to_have_title(re.compile(r"^Check your email – "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
    assert User.objects.filter(email__iexact="grace@example.org").count() == 1


def test_registration_refuses_a_weak_password(page, assert_accessible):
    fill_registration(page, email="grace@example.org", password1="password", password2="password")
    assert_error_page(
        page,
        "Create an account",
        [
            "Your password must be 12 characters or more",
            "Choose a password that is harder to guess: this one is commonly used",
        ],
        assert_accessible,
    )
    assert not User.objects.filter(email="grace@example.org").exists()


def test_registration_refuses_passwords_that_do_not_match(page, assert_accessible):
    fill_registration(page, email="grace@example.org", password2=STRONG + "!")
    assert_error_page(
        page, "Create an account", ["Enter the same password in both fields"], assert_accessible
    )
    assert not User.objects.filter(email="grace@example.org").exists()


def test_registration_that_works_says_check_your_e_mail_then_the_applicant_signs_in(
    page, assert_accessible
):
    fill_registration(page, email="grace@example.org")
    expect(page.locator("h1")).to_have_text("Check your email")
    assert User.objects.get(email="grace@example.org").has_role(Role.APPLICANT)
    sign_in(page, "grace@example.org", STRONG)
    expect(page.locator("h1")).to_have_text("Your organisations")
    assert_accessible(page)


def test_ten_wrong_passwords_lock_the_account(page, assert_accessible):
    person = UserFactory(roles=[Role.APPLICANT])
    sign_in(page, person.email, "not-the-password")
    assert_error_page(
        page,
        "Sign in",
        [
            "Enter a correct email address and password. Both are case-sensitive "
            "apart from the email address."
        ],
        assert_accessible,
        by_fields=False,
    )
    expect(page.get_by_label("Email address")).to_have_value(person.email)
    for attempt in range(2, 10):
        # Straight from the error page, as a person retrying would.
        page.get_by_label("Password", exact=True).fill(f"not-the-password-{attempt}")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
        expect(page.locator(".govuk-error-summary")).to_be_focused()

    sign_in(page, person.email, "not-the-password")
    expect(page.locator("h1")).to_have_text("Your account is locked for now")
    expect(page.get_by_text("You entered the wrong password too many times")).to_be_visible()
    expect(page.get_by_text("you cannot sign in for 30 minutes")).to_be_visible()
    expect(page.get_by_role("link", name="reset it")).to_have_attribute(
        "href", "/account/password-reset/"
    )
    assert_accessible(page)

    # The right password does not get past the lock.
    sign_in(page, person.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Your account is locked for now")
    page.goto("/applicant/")
    expect(page.locator("h1")).to_have_text("Sign in")

    # Someone else at the same address (a school shares one) can still sign in.
    colleague = MembershipFactory().user
    sign_in(page, colleague.email)
    expect(page.locator("h1")).to_have_text("Your organisations")


def test_an_applicant_cannot_enter_the_staff_area(page, assert_accessible):
    applicant = MembershipFactory().user
    sign_in(page, applicant.email)
    expect(page.locator("h1")).to_have_text("Your organisations")
    for path in ["/staff/", "/staff/users/", "/staff/users/invite/"]:
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.locator("h1")).to_have_text("You do not have access to this page")
        expect(page).to_have_title(re.compile(r"^You do not have access to this page – "))
    page.get_by_role("link", name="Go to your account home").click()
    expect(page.locator("h1")).to_have_text("Your organisations")
    page.goto("/staff/")
    assert_accessible(page)


def test_a_staff_member_without_the_administrator_role_cannot_manage_users(page, assert_accessible):
    assessor, device = staff_with_device(Role.ASSESSOR)
    signed_in_as(page, assessor, device)
    expect(page.locator("h1")).to_have_text("Staff area")
    expect(page.get_by_role("link", name="Staff users")).to_have_count(0)
    response = page.goto("/staff/users/invite/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert_accessible(page)
