"""A contested URN in real Chromium: a head teacher
finds the school's URN registered by another organisation and registers
anyway, saying the other registration is wrong; the casework officer sees
both claims at screening, cannot find the case eligible until deciding, and
decides (with JavaScript off: the pages need none); the other organisation
is asked for its right URN. Every page, and every error state, free of
axe-core violations (axe runs as a script, so those pages have it on)."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.models import IdentifierClaim, LocalAuthority, Organisation, OutboxMessage
from accreditation.roles import Role
from accreditation.workflow import Status
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URN = "151999"


def expect_errors(page, *messages):
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(list(messages))


def test_a_contested_urn_is_registered_and_decided(page, new_page, assert_accessible):
    squatter = MembershipFactory(
        organisation__name="Squatter Learning Ltd",
        organisation__urn=URN,
        user__email="someone@freemail.example",
    )
    head = UserFactory(roles=[Role.APPLICANT], email="head@genuine-primary.example.org")
    authority = LocalAuthority.objects.order_by("name").first()

    # The head teacher registers the school: the URN is taken.
    sign_in(page, head.email)
    page.goto("/organisation/new/maintained_primary/")
    page.get_by_label("Name").fill("Genuine Primary School")
    page.get_by_label("URN").fill(URN)
    page.get_by_label("Local authority").select_option(str(authority.pk))
    page.get_by_role("group", name="Is it a National Support School?").get_by_label("No").check()
    page.get_by_label("Address").fill("1 School Lane\nLeeds LS1 1AA")
    page.get_by_label("How many schools does it lead").fill("1")
    page.get_by_label("For how many primary schools").fill("0")
    page.get_by_role("button", name="Save").click()
    expect_errors(
        page,
        "Another organisation already uses this URN. Select yes if it is your school's URN "
        "and the other registration is wrong, or select no",
    )
    question = page.get_by_role("group", name=f"Is {URN} your school's URN?")
    expect(question).to_contain_text("ask one of its members to invite you instead")
    assert_accessible(page)
    question.get_by_label("Yes, and the other registration is wrong").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/organisation/$"))
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Another organisation also claims this URN"
    )
    assert_accessible(page)
    genuine = Organisation.objects.get(name="Genuine Primary School")
    assert genuine.identifier_claim == IdentifierClaim.CONTESTED
    case = ProposalFactory(organisation=genuine, status="submitted")

    # The officer sees both claims and cannot find the case eligible yet.
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    staff = new_page()
    signed_in_as(staff, officer, device)
    staff.goto(f"/staff/screening/{case.pk}/")
    expect(staff.locator(".govuk-notification-banner")).to_contain_text(
        f"Another organisation also claims URN {URN}"
    )
    claims = staff.locator("table", has_text="Members' email domains")
    expect(claims).to_contain_text("Squatter Learning Ltd")
    expect(claims).to_contain_text("freemail.example")
    expect(claims).to_contain_text("genuine-primary.example.org")
    assert_accessible(staff)
    staff.get_by_role("radio", name="Eligible", exact=True).check()
    staff.get_by_role("button", name="Record screening decision").click()
    expect_errors(
        staff,
        "Another organisation also claims Genuine Primary School's URN. Decide which claim "
        "is genuine before screening the case eligible.",
    )
    assert_accessible(staff)

    # Deciding: nothing chosen is an error, then the genuine claim.
    staff.get_by_role("button", name="Record whose claim is genuine").click()
    expect_errors(
        staff,
        "Select the organisation whose claim is genuine",
        "Enter why this claim is genuine: the other organisations will read it",
    )
    assert_accessible(staff)
    no_script = new_page(java_script_enabled=False)
    no_script.context.add_cookies(staff.context.cookies())
    no_script.goto(f"/staff/screening/{case.pk}/")
    no_script.get_by_role("group", name="Whose claim is genuine?").get_by_label(
        "Genuine Primary School"
    ).check()
    no_script.get_by_label("Why is this claim genuine?").fill("Get information about schools.")
    no_script.get_by_role("button", name="Record whose claim is genuine").click()
    expect(no_script.locator(".govuk-notification-banner--success")).to_contain_text(
        "It has been cleared from Squatter Learning Ltd"
    )
    staff.reload()
    expect(staff.get_by_role("button", name="Record whose claim is genuine")).to_have_count(0)
    assert_accessible(staff)
    staff.get_by_role("radio", name="Eligible", exact=True).check()
    staff.get_by_role("button", name="Record screening decision").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("screened as eligible")
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT
    assert OutboxMessage.objects.filter(to="someone@freemail.example").exists()

    # The other organisation is asked for its right URN.
    other = new_page()
    sign_in(other, squatter.user.email)
    other.goto("/organisation/")
    banner = other.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Enter the organisation's URN")
    assert_accessible(other)
    banner.get_by_role("link", name="Enter the URN").click()
    other.get_by_role("button", name="Save").click()
    expect(other.locator(".govuk-error-summary")).to_contain_text("Enter the school's URN")
    assert_accessible(other)
