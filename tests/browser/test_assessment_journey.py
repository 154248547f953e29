"""One ASP case from submission to awaiting decision in real Chromium, as
the people who move it: the casework officer screens it eligible and
assigns an assessor (pages checked with axe-core); the assessor scores every
criterion and recommends with JavaScript off."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.queries.scoring import items_of
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.factories import AnswerFactory, ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, user, device):
    signed_in_as(page, user, device)
    expect(page.locator("h1")).to_have_text("Staff area")


def test_a_submitted_asp_case_is_screened_assigned_scored_and_recommended(
    page, new_page, assert_accessible
):
    case = ProposalFactory(status=Status.SUBMITTED, organisation__name="Rowan Learning Trust")
    for item in items_of(case):
        AnswerFactory(proposal=case, criterion=item.criterion, party=item.party, text=f"On {item}.")
    officer = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    assessor = staff_with_device(Role.ASSESSOR, full_name="Asha Assessor")

    # The casework officer screens it eligible ...
    signed_in(page, *officer)
    page.get_by_role("main").get_by_role("link", name=re.compile(r"Cases? to screen")).click()
    page.get_by_role("link", name=case.reference).click()
    assert_accessible(page)
    page.get_by_role("radio", name="Eligible", exact=True).check()
    page.get_by_role("button", name="Record screening decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("screened as eligible")

    # ... and assigns the assessor from the case's page.
    page.goto(reverse("staff-case", args=[case.pk]))
    page.get_by_role("link", name="Assign or change assessors").click()
    expect(page.get_by_role("heading", name="Assessors", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Assessor", exact=True).check()
    page.get_by_label("Person to assign").select_option(
        label="Asha Assessor (0 of 12 cases this round)"
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Asha Assessor is now the assessor of")).to_be_visible()
    assert_accessible(page)

    # The assessor, without JavaScript, finds it in their queue and scores it.
    quiet = new_page(java_script_enabled=False)
    signed_in(quiet, *assessor)
    quiet.get_by_role("main").get_by_role(
        "link", name=re.compile(r"Your assessments? to do")
    ).click()
    quiet.get_by_role("link", name=case.reference).click()
    quiet.locator("#summary").get_by_role("link", name="Scores", exact=True).click()
    for item in items_of(case):
        section = quiet.locator(f'[id="{item.slug}"]')
        section.get_by_label("3: Sufficient evidence").check()
        section.get_by_label("Internal comment (staff only)").fill(f"Enough on {item}.")
        section.get_by_role("button", name=f"Save score for {item.criterion.code}").click()
        expect(quiet.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Your score for {item} has been saved"
        )
    quiet.get_by_role("link", name="Recommendation").first.click()
    expect(quiet.locator("#suggestion")).to_contain_text("Recommend accreditation")
    quiet.get_by_label("Recommend accreditation").check()
    quiet.get_by_label("Your reasons").fill("Every criterion is met with sufficient evidence.")
    quiet.get_by_role("button", name="Complete the assessment").click()
    expect(quiet.locator(".govuk-notification-banner--success")).to_contain_text(
        "the case has gone to the decision official"
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION
