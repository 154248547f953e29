"""Signing in through the form as each of the six roles, the staff second
factor, and the administrator inviting a colleague who then joins."""

import re
import time

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accreditation.models import Invitation, User
from accreditation.roles import Role
from accreditation.tasks import send_outbox
from tests.browser.conftest import (
    code_for,
    code_from_key,
    enter_code,
    sign_in,
    staff_with_device,
    wrong_code_for,
)
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

STAFF_USERS = re.compile(r"Staff users?$")
"""The staff home's count of staff users, in the singular for one."""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_ROLES = [
    Role.CASEWORK_OFFICER,
    Role.ASSESSOR,
    Role.ADVISORY_GROUP_MEMBER,
    Role.DECISION_OFFICIAL,
    Role.ADMINISTRATOR,
]
STRONG = "a-long-and-unusual-passphrase"


def set_up_authenticator(page, assert_accessible):
    """On the set-up page: check it, read the key as a person would type it
    into their app, and enter the code the app would show."""
    expect(page).to_have_url(re.compile(r"/account/two-factor/set-up/\?next=%2Fstaff%2F$"))
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    # The QR code (an SVG from our own origin, allowed by the CSP) loads.
    page.wait_for_function("() => document.querySelector('img.app-qr-code').complete")
    assert page.locator("img.app-qr-code").evaluate("img => img.naturalWidth") > 0
    assert_accessible(page)
    key = page.locator("#secret-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", key), key
    enter_code(page, code_from_key(key))


def wait_until_device_allows_a_try(device, limit=5.0):
    deadline = time.monotonic() + limit
    while True:
        device.refresh_from_db()
        if device.verify_is_allowed()[0]:
            return
        assert time.monotonic() < deadline, "the device stayed throttled"
        time.sleep(0.1)


def test_applicant_signs_in_and_switches_organisation(page, assert_accessible):
    applicant = UserFactory(roles=[Role.APPLICANT])
    MembershipFactory(user=applicant, organisation=OrganisationFactory(name="Alder Primary School"))
    MembershipFactory(
        user=applicant,
        organisation=OrganisationFactory(name="Birch Academy Trust"),
        is_contact=False,
    )

    sign_in(page, applicant.email)
    expect(page).to_have_url(re.compile(r"/applicant/$"))
    expect(page.locator("h1")).to_have_text("Your organisations")
    expect(page).to_have_title(re.compile(r"^Your organisations – "))
    acting = page.get_by_text("You are acting for")
    expect(acting).to_have_text("You are acting for Alder Primary School.")
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.locator("[aria-current]")).to_have_text("Home")
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)

    # The Switch button is drawn as a GOV.UK link: link blue, black on yellow in focus.
    switch = page.get_by_role("button", name="Switch to Birch Academy Trust")
    assert switch.evaluate("e => getComputedStyle(e).color") == "rgb(29, 112, 184)"
    switch.focus()
    assert switch.evaluate("e => getComputedStyle(e).color") == "rgb(11, 12, 12)"
    assert switch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 221, 0)"
    switch.click()
    expect(page).to_have_url(re.compile(r"/applicant/$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("You are now acting for Birch Academy Trust.")
    expect(acting).to_have_text("You are acting for Birch Academy Trust.")
    expect(page.get_by_role("button", name="Switch to Alder Primary School")).to_be_visible()
    expect(page.get_by_role("button", name="Switch to Birch Academy Trust")).to_have_count(0)
    assert_accessible(page)

    # The choice lasts for the session, and the message is shown once.
    page.reload()
    expect(acting).to_have_text("You are acting for Birch Academy Trust.")
    expect(banner).to_have_count(0)

    # Signing out ends the session.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You have been signed out")
    page.goto("/applicant/")
    expect(page.locator("h1")).to_have_text("Sign in")


@pytest.mark.parametrize("role", STAFF_ROLES, ids=[r.value for r in STAFF_ROLES])
def test_staff_member_sets_up_second_factor_then_reaches_staff_area(page, assert_accessible, role):
    person = UserFactory(roles=[role])
    sign_in(page, person.email)
    set_up_authenticator(page, assert_accessible)

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("Staff area")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your authenticator app is set up."
    )
    expect(page.locator("main h2.govuk-heading-m")).to_have_text(
        [role.label, "Conflicts of interest"]
    )
    expect(page.get_by_role("main").get_by_role("link", name=STAFF_USERS)).to_have_count(
        1 if role == Role.ADMINISTRATOR else 0
    )
    assert_accessible(page)
    assert TOTPDevice.objects.get(user=person).confirmed


def test_staff_member_with_an_authenticator_enters_a_code(page, assert_accessible):
    person, device = staff_with_device(Role.ASSESSOR)
    sign_in(page, person.email)
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=%2Fstaff%2F$"))
    expect(page.locator("h1")).to_have_text("Enter your security code")
    assert_accessible(page)

    # The staff area stays shut until the code is right.
    enter_code(page, wrong_code_for(device))
    expect(page).to_have_title(re.compile(r"^Error: Enter your security code – "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)
    page.goto("/staff/")
    expect(page.locator("h1")).to_have_text("Enter your security code")

    # django-otp throttles the device after a wrong code (1 s after the first):
    # wait it out as a person would, then the right code works.
    wait_until_device_allows_a_try(device)
    enter_code(page, code_for(device))
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("Staff area")
    assert_accessible(page)


def test_administrator_invites_a_staff_member_who_joins(page, new_page, assert_accessible):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
    sign_in(page, admin.email)
    set_up_authenticator(page, assert_accessible)

    page.get_by_role("main").get_by_role("link", name=STAFF_USERS).click()
    expect(page.locator("h1")).to_have_text("Staff users")
    expect(page.get_by_role("table")).to_contain_text("Ada Admin")
    assert_accessible(page)

    page.get_by_role("button", name="Invite a staff user").click()
    expect(page.locator("h1")).to_have_text("Invite a staff user")
    expect(page.locator("main .govuk-back-link")).to_have_attribute("href", "/staff/users/")
    assert_accessible(page)

    # Sent empty: the error summary names each problem and takes focus.
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_title(re.compile(r"^Error: Invite a staff user – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    expect(links.nth(2)).to_have_text("Select at least one role")
    # Each message in the summary is also shown by its field.
    expect(page.locator(".govuk-error-message")).to_have_text(
        [re.compile(re.escape(text)) for text in links.all_inner_texts()]
    )
    assert_accessible(page)
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#id_full_name", "#id_email", "#id_roles_1"]
    for i, target in enumerate(targets):
        links.nth(i).click()
        expect(page.locator(target)).to_be_focused()
    assert not Invitation.objects.exists()

    # Filled in: the invitation is sent.
    page.get_by_label("Full name").fill("Ivy Invitee")
    page.get_by_label("Email address").fill("ivy@example.org")
    page.get_by_label("Assessor").check()
    page.get_by_label("Advisory Group member").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_url(re.compile(r"/staff/users/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Invitation sent to ivy@example.org."
    )
    invited = page.get_by_role("region", name="Invitations not yet accepted, scrolls sideways")
    expect(invited.get_by_role("row", name=re.compile("Ivy Invitee"))).to_contain_text(
        "Advisory Group member, Assessor"
    )
    assert_accessible(page)

    assert mail.outbox == [], "the worker sends it"
    assert send_outbox() == {"sent": 1}
    assert mail.outbox[0].to == ["ivy@example.org"]
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[0].body).group(0)

    # The invitee, in a browser of their own, opens the link and joins.
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Accept your invitation")
    expect(
        invitee.get_by_text(
            "Ada Admin has invited you to join the accreditation team on Apply for school "
            "provider accreditation, as an assessor and an Advisory Group member, with the "
            "email address ivy@example.org."
        )
    ).to_be_visible()
    expect(invitee.get_by_label("Full name")).to_have_value("Ivy Invitee")
    assert_accessible(invitee)
    invitee.get_by_label("Full name").fill("Ivy Newcomer")
    invitee.get_by_label("Create a password").fill(STRONG)
    invitee.get_by_label("Confirm your password").fill(STRONG)
    invitee.get_by_role("button", name="Create account").click()
    set_up_authenticator(invitee, assert_accessible)
    expect(invitee.locator("h1")).to_have_text("Staff area")
    expect(invitee.locator("main h2.govuk-heading-m")).to_have_text(
        ["Assessor", "Advisory Group member", "Conflicts of interest"]
    )

    joined = User.objects.get(email="ivy@example.org")
    assert joined.full_name == "Ivy Newcomer"
    assert joined.check_password(STRONG)
    assert set(joined.role_names) == {Role.ASSESSOR.value, Role.ADVISORY_GROUP_MEMBER.value}

    # The link works once.
    again = new_page()
    response = again.goto(link)
    assert response.status == 410
    expect(again.locator("h1")).to_have_text("This invitation link does not work")

    # The administrator sees the new colleague in the list, and can change them.
    page.goto("/staff/users/")
    expect(page.get_by_role("table")).to_contain_text("Ivy Newcomer")
    expect(page.get_by_text("ivy@example.org: expires")).to_have_count(0)
    page.get_by_role("link", name="Change Ivy Newcomer").click()
    expect(page.locator("h1")).to_have_text("Ivy Newcomer")
    expect(page.get_by_label("Assessor")).to_be_checked()
    expect(page.get_by_label("Casework officer")).not_to_be_checked()
    expect(page.get_by_label("Yes")).to_be_checked()
    assert_accessible(page)


def test_password_reset_by_email(page, assert_accessible):
    person = MembershipFactory().user
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page).to_have_url(re.compile(r"/account/password-reset/sent/$"))
    expect(page.locator("h1")).to_have_text("Check your email")

    assert send_outbox() == {"sent": 1}
    assert [message.to for message in mail.outbox] == [[person.email]]
    link = re.search(r"https?://\S+/account/password-reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("Confirm your new password").fill("password")
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_title(re.compile(r"^Error: Choose a new password – "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your password must be 12 characters or more"
    )
    assert_accessible(page)

    page.get_by_label("New password", exact=True).fill(STRONG)
    page.get_by_label("Confirm your new password").fill(STRONG)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Your password has been changed")
    assert_accessible(page)

    # The link works once; the new password signs in and the old one does not.
    page.goto(link)
    expect(page.locator("h1")).to_have_text("This link does not work")
    assert_accessible(page)
    sign_in(page, person.email, PASSWORD)
    expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
    sign_in(page, person.email, STRONG)
    expect(page.locator("h1")).to_have_text("Your organisations")
