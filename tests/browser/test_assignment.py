"""Assigning assessors in real Chromium: a casework officer assigns one case
from its page, then applies a round's proposed assignment after changing a
line; the assessor finds the cases in their queue. Every page free of
axe-core violations, and the round's assignment works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from assessments.models import Assignment
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.factories import ConflictFactory, OrganisationFactory, ProposalFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, user, device):
    signed_in_as(page, user, device)
    expect(page.locator("h1")).to_have_text("Staff area")


@pytest.fixture
def world():
    period = RoundFactory()
    officer = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    asha = staff_with_device(Role.ASSESSOR, full_name="Asha Assessor")
    ben = staff_with_device(Role.ASSESSOR, full_name="Ben Assessor")
    cases = [
        ProposalFactory(
            round=period,
            status="in_assessment",
            accreditation_type=kind,
            organisation=OrganisationFactory(name=name),
        )
        for kind, name in (("asp", "Oak Learning Trust"), ("asg", "Elm Schools Group"))
    ]
    ConflictFactory(user=ben[0], organisation=cases[0].organisation)
    return period, officer, asha, ben, cases


def current(case, kind="first"):
    return Assignment.objects.filter(case=case, kind=kind, ended_at__isnull=True).first()


def test_an_officer_assigns_a_case_and_a_round_and_the_assessor_sees_them(
    page, new_page, world, assert_accessible
):
    period, officer, asha, ben, (oak, elm) = world
    signed_in(page, *officer)

    # One case, from its page.
    page.goto(f"/staff/cases/{elm.pk}/")
    page.get_by_role("link", name="Assign or change assessors").click()
    expect(page.locator("h1")).to_have_text("Assessors")
    assert_accessible(page)
    page.get_by_label("Assessor", exact=True).check()
    page.get_by_label("Person to assign").select_option(
        label="Ben Assessor (0 of 12 cases this round)"
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Ben Assessor is now the assessor of")).to_be_visible()
    expect(page.locator(".moj-timeline__item").first).to_contain_text("Assessor assigned")
    expect(page.locator(".moj-timeline__item").first).to_contain_text("Ben Assessor")

    # Replacing him without a reason is refused, with the error summary.
    page.get_by_role("link", name="Assign or change assessors").click()
    page.get_by_label("Assessor", exact=True).check()
    page.get_by_label("Person to assign").select_option(
        label="Asha Assessor (0 of 12 cases this round)"
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the assessor")
    assert_accessible(page)

    # The round: Oak's assessor and Elm's second assessor are proposed.
    page.goto("/staff/")
    page.get_by_role("link", name="Assignment", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=str(period)).click()
    expect(page.locator("h1")).to_have_text(str(period))
    assert_accessible(page)
    oak_line = page.get_by_label(f"Assessor for {oak.reference}", exact=True)
    elm_second = page.get_by_label(f"Second assessor for {elm.reference}")
    expect(oak_line.locator("option:checked")).to_have_text("Asha Assessor")
    expect(elm_second.locator("option:checked")).to_have_text("Asha Assessor")
    expect(oak_line.locator("option", has_text="Ben Assessor")).to_have_count(0)  # conflict

    # The officer leaves Oak for later and applies.
    oak_line.select_option(label="Leave unassigned")
    page.get_by_role("button", name="Apply this assignment").click()
    expect(page.get_by_text("1 assignment made")).to_be_visible()
    assert current(oak) is None
    assert current(elm, "second").assessor == asha[0]
    assert_accessible(page)

    # Asha finds Elm in her queue, and the queue's filters.
    assessor_page = new_page()
    signed_in(assessor_page, *asha)
    to_do = re.compile(r"Your assessments? to do")
    assessor_page.get_by_role("main").get_by_role("link", name=to_do).click()
    expect(assessor_page.locator("h1")).to_have_text("Your assessments")
    rows = assessor_page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Elm Schools Group")
    expect(rows).to_contain_text("as second assessor")
    assert_accessible(assessor_page)
    assessor_page.get_by_label("Type").select_option(label="Accredited School Provider (ASP)")
    assessor_page.get_by_role("button", name="Apply filters").click()
    expect(
        assessor_page.get_by_text("No cases assigned to you match these filters.")
    ).to_be_visible()
    assessor_page.get_by_label("Due on or before").fill("31 February")
    assessor_page.get_by_role("button", name="Apply filters").click()
    expect(assessor_page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(assessor_page)
    assessor_page.get_by_role("link", name="Clear filters").click()
    assessor_page.get_by_role("link", name=elm.reference).click()
    expect(assessor_page.locator("h1")).to_have_text(elm.reference)


def test_a_round_is_applied_without_javascript(new_page, world):
    period, officer, asha, ben, (oak, elm) = world
    page = new_page(java_script_enabled=False)
    signed_in(page, *officer)
    page.goto(f"/staff/assignment/{period.pk}/")
    page.get_by_label("Capacity of Asha Assessor in this round").fill("1")
    page.get_by_role("button", name="Save capacities").click()
    expect(page.get_by_text("Capacities saved")).to_be_visible()
    # Asha now has room for one case: the proposal gives her one; the
    # officer gives her both, which is refused line by line, nothing written.
    page.get_by_label(f"Assessor for {oak.reference}", exact=True).select_option(
        label="Asha Assessor"
    )
    page.get_by_label(f"Assessor for {elm.reference}", exact=True).select_option(
        label="Ben Assessor"
    )
    page.get_by_label(f"Second assessor for {elm.reference}").select_option(label="Asha Assessor")
    page.get_by_role("button", name="Apply this assignment").click()
    expect(page).to_have_title(re.compile(rf"^Error: Assign assessors: {period} – "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("more than their capacity of 1")
    assert not Assignment.objects.exists()
    page.get_by_label(f"Assessor for {oak.reference}", exact=True).select_option(
        label="Leave unassigned"
    )
    page.get_by_role("button", name="Apply this assignment").click()
    expect(page.get_by_text("2 assignments made")).to_be_visible()
    assert current(elm).assessor == ben[0]
    assert current(elm, "second").assessor == asha[0]
    assert current(oak) is None
