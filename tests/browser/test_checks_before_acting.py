"""Pages that stop a person before something they may not mean, in real
Chromium, each free of axe-core violations: the staff users page naming the
cases someone would be taken off, the page an assessor taken off a case meets
when they send its scores, and the public register refusing a filter it
cannot use."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accreditation.roles import Role
from assessments.models import Assignment
from assessments.queries.scoring import items_of
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import person_with
from tests.factories import RegisterEntryFactory
from tests.scoring_helpers import case_in_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_taking_the_assessor_role_away_names_their_cases_first(page, assert_accessible):
    admin, device = staff_with_device(Role.ADMINISTRATOR)
    case = case_in_assessment()
    assessor = person_with("assessor", case)
    signed_in_as(page, admin, device)
    page.goto(f"/staff/users/{assessor.pk}/")
    page.get_by_role("checkbox", name="Assessor").uncheck()
    page.get_by_role("checkbox", name="Decision official").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        f"is assessing, or writing the feedback of, 1 case: {case.reference}"
    )
    expect(page.get_by_role("checkbox", name="Decision official")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"taken off 1 case ({case.reference})"
    )
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()


def test_an_assessor_taken_off_a_case_sees_what_they_wrote(page, assert_accessible):
    case = case_in_assessment()
    assessor = person_with("assessor", case)
    device = TOTPDevice.objects.create(user=assessor, name="Authenticator app", confirmed=True)
    signed_in_as(page, assessor, device)
    page.goto(f"/staff/cases/{case.pk}/scores/")
    person_with("assessor", case)  # reassigned while the page is open
    item = items_of(case)[0]
    section = page.locator(f'[id="{item.slug}"]')
    section.get_by_label("3: Sufficient evidence").check()
    section.get_by_label("Internal comment (staff only)").fill("Thin on outcomes.")
    section.get_by_role("button", name=f"Save score for {item.criterion.code}").click()
    expect(page.locator("h1")).to_have_text(f"You are no longer assessing {case.reference}")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Thin on outcomes.")
    assert_accessible(page)


def test_the_register_refuses_a_filter_it_cannot_use(page, assert_accessible):
    RegisterEntryFactory(name="Oak Learning Trust")
    page.goto("/register/?type=xyz")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a type from the list")
    expect(page.locator("#results")).to_have_text("No providers shown")
    expect(page.get_by_text("Oak Learning Trust")).to_have_count(0)
    assert_accessible(page)
