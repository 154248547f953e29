"""The organisation profile and its members in real Chromium, each page
checked with axe-core: creating a profile (with its error states), the
summary, the members page, inviting a colleague who joins from the link,
choosing contacts, removing a member, and the pages a bad link lands on."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import (
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    OrganisationKind,
)
from accreditation.roles import Role
from accreditation.tasks import send_outbox
from tests.browser.conftest import sign_in
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRONG = "a-long-and-unusual-passphrase"


def error_summary(page):
    return page.locator(".govuk-error-summary")


def test_applicant_creates_a_profile(page, assert_accessible):
    user = UserFactory(roles=[Role.APPLICANT], email="head@example.org")
    authority = LocalAuthority.objects.order_by("name").first()
    sign_in(page, user.email)
    page.goto("/applicant/")
    assert_accessible(page)
    page.get_by_role("button", name="Create an organisation profile").click()

    # Step one: the kind, in groups; no choice is an error.
    expect(page.locator("h1")).to_contain_text("What kind of organisation is it?")
    expect(page.get_by_role("heading", name="Colleges and universities")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(error_summary(page)).to_contain_text("Select the kind of organisation")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    error_summary(page).get_by_role("link").click()
    expect(page.locator("#id_kind_1")).to_be_focused()
    page.get_by_label("Maintained primary school", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    # Step two: the details for a maintained primary, URN and NSS asked.
    expect(page).to_have_url(re.compile(r"/organisation/new/maintained_primary/$"))
    expect(page.get_by_label("URN")).to_be_visible()
    expect(page.get_by_label("UKPRN")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Name").fill("Oak <b>Tree</b> Primary")
    page.get_by_label("URN").fill("12AB")
    page.get_by_label("How many schools does it lead").fill("2.5")
    page.get_by_role("button", name="Save").click()
    summary = error_summary(page)
    expect(summary).to_contain_text("Enter a URN of 6 digits, like 123456")
    expect(summary).to_contain_text("Select the local authority")
    expect(summary).to_contain_text("Select yes if it is a National Support School")
    expect(summary).to_contain_text("as a whole number, like 2")
    expect(page.get_by_label("Name")).to_have_value("Oak <b>Tree</b> Primary")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("URN").fill("123456")
    page.get_by_label("Local authority").select_option(str(authority.pk))
    page.get_by_role("group", name="Is it a National Support School?").get_by_label("Yes").check()
    page.get_by_label("Address").fill("1 Oak Lane\nLeeds LS1 1AA")
    page.get_by_label("How many schools does it lead").fill("2")
    page.get_by_label("For how many primary schools").fill("0")
    page.get_by_role("button", name="Save").click()

    # The summary, with the name shown as text and a Change link per answer.
    expect(page).to_have_url(re.compile(r"/organisation/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You have created the profile"
    )
    expect(page.locator("h1")).to_contain_text("Oak <b>Tree</b> Primary")
    rows = page.locator(".govuk-summary-list__row")
    expect(rows.filter(has_text="URN")).to_contain_text("123456")
    expect(rows.filter(has_text="Local authority")).to_contain_text(authority.name)
    expect(rows.filter(has_text="National Support School")).to_contain_text("Yes")
    assert_accessible(page)
    organisation = Organisation.objects.get()
    assert organisation.claims_national_support_school
    assert Membership.objects.get(organisation=organisation).is_contact

    # Changing the kind away from primary: the claim and the URN go.
    page.get_by_role("link", name="Change kind of organisation").click()
    assert_accessible(page)
    page.get_by_label("Academy trust").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("claim will be withdrawn")
    expect(page.get_by_label("Name")).to_have_value("Oak <b>Tree</b> Primary")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("updated")
    expect(page.locator(".govuk-summary-list")).not_to_contain_text("URN")
    organisation.refresh_from_db()
    assert organisation.kind == OrganisationKind.ACADEMY_TRUST
    assert not organisation.claims_national_support_school


def test_members_invite_a_colleague_who_joins(page, new_page, assert_accessible):
    me = MembershipFactory(
        organisation__name="Elm Primary",
        user__full_name="Ada Lovelace",
        user__email="ada@example.org",
    )
    MembershipFactory(
        organisation=me.organisation, user__full_name="Cora Contact", is_contact=False
    )
    sign_in(page, me.user.email)
    page.goto("/applicant/")
    page.get_by_role("link", name="Members and contacts").click()
    expect(page.locator("h1")).to_contain_text("Members and contacts")
    expect(page.get_by_role("row", name=re.compile("Ada Lovelace"))).to_contain_text("Yes")
    assert_accessible(page)

    # Invite, with a bad address first.
    page.get_by_role("button", name="Invite a colleague").click()
    assert_accessible(page)
    page.get_by_label("Their email address").fill("not an address")
    page.get_by_role("button", name="Send invitation").click()
    expect(error_summary(page)).to_contain_text("Enter an email address in the correct format")
    assert_accessible(page)
    page.get_by_label("Their email address").fill("new@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "We have sent an invitation to new@example.org"
    )
    expect(page.get_by_role("cell", name="new@example.org", exact=True)).to_be_visible()
    assert send_outbox() == {"sent": 1}
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/organisation/join/\S+/", mail.outbox[0].body).group(0)

    # The colleague, signed out in a browser of their own, creates an account and joins.
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Join Elm Primary")
    expect(invitee.get_by_role("link", name="Sign in to join Elm Primary")).to_have_attribute(
        "href", re.compile(r"/account/sign-in/\?next=%2Forganisation%2Fjoin%2F")
    )
    assert_accessible(invitee)
    invitee.get_by_label("Full name").fill("Nina New")
    invitee.get_by_label("Create a password").fill(STRONG)
    invitee.get_by_label("Confirm your password").fill(STRONG + "x")
    invitee.get_by_role("button", name="Create account").click()
    expect(error_summary(invitee)).to_contain_text("Enter the same password in both fields")
    assert_accessible(invitee)
    invitee.get_by_label("Create a password").fill(STRONG)
    invitee.get_by_label("Confirm your password").fill(STRONG)
    invitee.get_by_role("button", name="Create account").click()
    expect(invitee.locator(".govuk-notification-banner--success")).to_contain_text(
        "You have joined Elm Primary"
    )
    expect(invitee.locator("h1")).to_contain_text("Elm Primary")

    # The link works once.
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("This invitation link does not work")
    expect(invitee.locator("main")).to_contain_text("already been used")
    assert_accessible(invitee)

    # Back with the first member: choose contacts, refusing none.
    page.goto("/organisation/members/")
    expect(page.get_by_role("row", name=re.compile("Nina New"))).to_contain_text("No")
    page.get_by_role("link", name="Choose contacts").click()
    assert_accessible(page)
    for box in page.get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_role("button", name="Save contacts").click()
    expect(error_summary(page)).to_contain_text("Select at least one contact")
    assert_accessible(page)
    page.get_by_label(re.compile("Nina New")).check()
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_role("row", name=re.compile("Nina New"))).to_contain_text("Yes")

    # Remove a member after confirming.
    page.get_by_role("link", name="Remove Cora Contact").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to remove Cora Contact?")
    assert_accessible(page)
    page.get_by_role("button", name="Remove member").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Cora Contact has been removed"
    )
    expect(page.get_by_role("row", name=re.compile("Cora Contact"))).to_have_count(0)
    assert_accessible(page)


def test_the_only_contact_cannot_be_removed(page, assert_accessible):
    me = MembershipFactory(is_contact=False, organisation__name="Ash Primary")
    MembershipFactory(organisation=me.organisation, user__full_name="Only Contact")
    sign_in(page, me.user.email)
    page.goto("/organisation/members/")
    page.get_by_role("link", name="Remove Only Contact").click()
    expect(page.locator("h1")).to_have_text("You cannot remove this member")
    expect(page.locator("main")).to_contain_text("Only Contact is the only contact")
    expect(page.get_by_role("button", name="Remove member")).to_have_count(0)
    assert_accessible(page)


def test_bad_links_get_clear_pages(page, assert_accessible):
    organisation = OrganisationFactory(name="Birch Primary")
    InvitationFactory(
        token="expired",
        organisation=organisation,
        roles=[],
        email="late@example.org",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    page.goto("/organisation/join/expired/")
    expect(page.locator("h1")).to_have_text("This invitation link does not work")
    expect(page.locator("main")).to_contain_text("This invitation link has expired")
    assert_accessible(page)

    # Signed in as someone else than the person invited.
    InvitationFactory(token="theirs", organisation=organisation, roles=[], email="x@example.org")
    someone = UserFactory(roles=[Role.APPLICANT], email="someone@example.org")
    sign_in(page, someone.email)
    expect(page.locator("h1")).to_have_text("Your organisations")
    page.goto("/organisation/join/theirs/")
    expect(page.locator("h1")).to_have_text("This invitation is for someone else")
    expect(page.locator("main")).to_contain_text("This invitation is for x@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out and open the link again").click()
    expect(page).to_have_url(re.compile(r"/organisation/join/theirs/$"))
    expect(page.locator("h1")).to_have_text("Join Birch Primary")
    assert not Membership.objects.filter(user=someone).exists()


def test_joining_with_an_existing_account_signs_in_first(page, assert_accessible):
    organisation = OrganisationFactory(name="Cedar Primary")
    InvitationFactory(token="welcome", organisation=organisation, roles=[], email="kim@example.org")
    kim = MembershipFactory(user__email="kim@example.org", organisation__name="Kim's Own School")
    page.goto("/organisation/join/welcome/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in to join").click()
    page.get_by_label("Email address").fill("kim@example.org")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/organisation/join/welcome/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Join Cedar Primary").click()
    expect(page.locator("h1")).to_contain_text("Cedar Primary")
    # Both organisations are theirs; switching reaches each profile.
    page.goto("/applicant/")
    page.get_by_role("button", name="Switch to Kim's Own School").click()
    page.get_by_role("link", name="Organisation profile").click()
    expect(page.locator("h1")).to_contain_text("Kim's Own School")
    assert kim.user.memberships.count() == 2


def test_an_invitation_sent_after_switching_in_another_tab_saves_nothing(page, assert_accessible):
    """Two tabs of one person: the invitation page opened for one of their
    organisations, the other tab switches to their second; sending the
    first saves nothing, says why and shows the address typed."""
    me = MembershipFactory(organisation__name="Alpha Primary")
    MembershipFactory(user=me.user, organisation__name="Beta Academy")
    sign_in(page, me.user.email)
    page.goto(reverse("organisation-invite"))  # for Alpha Primary, first by name
    other = page.context.new_page()
    other.goto("/applicant/")
    other.get_by_role("button", name="Switch to Beta Academy").click()
    page.get_by_label("Their email address").fill("new.colleague@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text(
        "Nothing was saved: you are now acting for Beta Academy"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("new.colleague@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Switch back to Alpha Primary and open the page again").click()
    expect(page.get_by_label("Their email address")).to_be_visible()
    assert not Invitation.objects.exists()
