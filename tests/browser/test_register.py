"""The public register in real Chromium, signed out: search, filters, a
provider's page, the downloads; with JavaScript and without; and the
decision official's revocation page, with the provider's response. No axe-core violations."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import AccreditationType, LocalAuthority
from accreditation.roles import Role
from register.models import EntryState, RegisterEntry
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, OrganisationFactory, RegisterEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries():
    la = LocalAuthority.objects.order_by("code").first()
    oak = RegisterEntryFactory(
        case__organisation=OrganisationFactory(name="Oak Learning Trust", local_authority=la),
        case__accreditation_type=AccreditationType.ASG,
        leads_federation=True,
        schools_led=[{"name": "Hill Primary", "urn": "123456", "local_authority": la.name}],
    )
    elm = RegisterEntryFactory(
        case__organisation=OrganisationFactory(name="Elm Academy", local_authority=la)
    )
    return oak, elm


def results(page):
    return page.locator("table tbody tr")


def test_a_reader_searches_filters_and_opens_a_provider(page, assert_accessible, entries):
    oak, elm = entries
    page.goto("/")
    page.get_by_role("link", name="search the register of accredited providers").click()
    expect(page.locator("h1")).to_have_text("Register of accredited providers")
    expect(results(page)).to_have_count(2)
    assert_accessible(page)

    page.get_by_label("Provider name").fill("oak")
    page.get_by_role("button", name="Apply filters").click()
    expect(results(page)).to_have_count(1)
    expect(results(page)).to_contain_text("Oak Learning Trust")

    page.get_by_label("Provider name").fill("")
    page.get_by_label("Type").select_option("asp")
    page.get_by_role("button", name="Apply filters").click()
    expect(results(page)).to_have_count(1)
    expect(results(page)).to_contain_text("Elm Academy")
    csv_link = page.get_by_role("link", name="CSV", exact=True)
    expect(csv_link).to_have_attribute("href", re.compile(r"^/register/download\.csv\?.*type=asp"))
    assert_accessible(page)

    page.get_by_label("Type").select_option("")
    page.get_by_label("Can lead a federation").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(results(page)).to_have_count(1)
    page.get_by_role("link", name="Oak Learning Trust").click()
    expect(page.locator("h1")).to_have_text("Oak Learning Trust")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Hill Primary (URN 123456")
    expect(page.locator(".govuk-summary-list")).to_contain_text("A federation")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the register").click()
    page.get_by_role("link", name="what the fields mean").click()
    expect(page.locator("h1")).to_have_text("Download the register")
    assert_accessible(page)

    page.goto("/register/?type=xyz")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_on_a_phone_the_results_scroll_within_their_pane(new_page, assert_accessible, entries):
    page = new_page(viewport={"width": 375, "height": 700})
    page.goto("/register/")
    expect(results(page)).to_have_count(2)
    pane = page.get_by_role("region", name="Providers, scrolls sideways on a narrow screen")
    expect(pane).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)


def test_the_register_works_without_javascript(new_page, entries):
    page = new_page(java_script_enabled=False)
    page.goto("/register/")
    page.get_by_label("Provider name").fill("elm")
    page.get_by_role("button", name="Apply filters").click()
    expect(results(page)).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert "Elm Academy" in text and "Oak Learning Trust" not in text
    page.get_by_role("link", name="Elm Academy").click()
    expect(page.locator("h1")).to_have_text("Elm Academy")


def test_a_decision_official_gives_notice_reads_the_response_and_revokes(
    page, new_page, assert_accessible, entries
):
    oak, _ = entries
    member = MembershipFactory(organisation=oak.organisation).user
    official, device = staff_with_device(Role.DECISION_OFFICIAL, full_name="Dora Decider")
    signed_in_as(page, official, device)
    page.goto(f"/register/{oak.pk}/")
    page.get_by_role("link", name="Revoke this accreditation").click()
    expect(page.locator("h1")).to_have_text("Revoke the accreditation of Oak Learning Trust")
    assert_accessible(page)

    page.get_by_role("button", name="Give notice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for revoking the accreditation"
    )
    assert_accessible(page)

    page.get_by_label("Why is the accreditation being revoked?").fill("It leads no school now.")
    page.get_by_role("button", name="Give notice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Notice given")
    expect(page.get_by_role("button", name="Withdraw the notice")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Dora Decider")
    assert_accessible(page)
    assert RegisterEntry.objects.get(pk=oak.pk).state == EntryState.NOTICE_GIVEN

    provider = new_page()
    sign_in(provider, member.email)
    provider.goto("/accredited/")
    banner = provider.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("We intend to revoke your accreditation")
    expect(banner).to_contain_text("It leads no school now.")
    assert_accessible(provider)
    provider.get_by_role("link", name="Respond to the notice").click()
    expect(provider.locator("h1")).to_have_text("Respond to the notice of revocation")
    provider.get_by_role("button", name="Send your response").click()
    expect(provider.locator(".govuk-error-summary")).to_contain_text(
        "Enter your response to the notice"
    )
    assert_accessible(provider)
    provider.get_by_label("Your response").fill("We lead Hill Primary since September.")
    provider.get_by_role("button", name="Send your response").click()
    expect(provider.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your response has been sent"
    )
    expect(provider.locator(".govuk-inset-text")).to_contain_text("We lead Hill Primary")
    assert_accessible(provider)

    # The response period ends; the official reads the response and decides.
    RegisterEntry.objects.filter(pk=oak.pk).update(
        response_due=timezone.now() - timedelta(minutes=1)
    )
    page.reload()
    expect(page.locator(".govuk-inset-text")).to_contain_text("We lead Hill Primary")
    page.get_by_role("button", name="Revoke the accreditation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for revoking the accreditation"
    )
    assert_accessible(page)
    page.get_by_label("Why are you revoking the accreditation?").fill(
        "Hill Primary is a federation partner, not a school it leads."
    )
    page.get_by_role("button", name="Revoke the accreditation").click()
    expect(page.locator("h1")).to_have_text(
        "Check before you revoke the accreditation of Oak Learning Trust"
    )
    expect(page.locator(".govuk-summary-list").last).to_contain_text("not a school it leads")
    assert_accessible(page)
    assert RegisterEntry.objects.get(pk=oak.pk).state == EntryState.NOTICE_GIVEN
    page.get_by_role("button", name="Yes, revoke the accreditation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Accreditation revoked"
    )
    expect(page.locator("table")).to_contain_text("not a school it leads")
    assert_accessible(page)
    assert RegisterEntry.objects.get(pk=oak.pk).state == EntryState.REVOKED

    # The public page of the provider says only that it was revoked, and when.
    reader = new_page()
    response = reader.goto(f"/register/{oak.pk}/")
    assert response.status == 410
    expect(reader.locator("#left")).to_contain_text("was revoked on")
    expect(reader.locator("main")).not_to_contain_text("not a school it leads")
    assert_accessible(reader)
