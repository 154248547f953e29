"""Decisions in real Chromium, without JavaScript needed: a decision
official decides one case from its page, decides two at once from the queue
(one refused, with its reason beside it), and corrects a decision. Every
page, and every error state, free of axe-core violations."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.test_decisions import recommended

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_decides_one_case_then_a_batch_then_corrects(page, assert_accessible):
    official, device = staff_with_device(Role.DECISION_OFFICIAL, full_name="Dana Decider")
    single = recommended(organisation__name="Ash Learning Trust")
    against = recommended("not_accredit", organisation__name="Birch Learning Trust")
    group = recommended(asg=True, advice="agree", organisation__name="Cedar Schools Group")

    signed_in_as(page, official, device)
    page.locator("#main-content").get_by_role("link", name="Cases awaiting your decision").click()
    expect(page.locator("h1")).to_have_text("Decisions")
    expect(page.locator("table tbody tr")).to_have_count(3)
    assert_accessible(page)

    # One case, from its own page.
    page.get_by_role("link", name=re.compile(single.reference)).click()
    expect(page.locator("h1")).to_have_text(single.reference)
    expect(page.get_by_text("Strong leadership evidence.")).to_be_visible()
    expect(page.get_by_text("Dana Decider")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select accredited or not accredited"
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Accredited", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("h1")).to_have_text("Decisions")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{single.reference} decided: accredited"
    )
    expect(page.locator("table tbody tr")).to_have_count(2)
    assert_accessible(page)

    # Two at once: the one decided against its recommendation without
    # reasons is refused, the other recorded.
    page.get_by_label(f"Select {against.reference}").check()
    page.get_by_label(f"Select {group.reference}").check()
    page.get_by_role("radio", name="Accredited", exact=True).check()
    page.get_by_role("button", name="Record the decision for the selected cases").click()
    expect(page).to_have_title(re.compile(r"^Error: Decisions"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"{against.reference} was not decided. Give the reasons for deciding against the "
        "recommendation"
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{group.reference} decided: accredited."
    )
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.get_by_label(f"Select {against.reference}")).to_be_checked()
    assert_accessible(page)

    # The first decision, corrected before its letter.
    page.goto(f"/staff/decisions/{single.pk}/")
    page.get_by_role("button", name="Correct the decision to: not accredited").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for correcting the decision"
    )
    assert_accessible(page)
    page.get_by_label("Why is the decision being corrected?").fill("The wrong case was chosen.")
    page.get_by_label("Reasons for the corrected decision").fill(
        "The track record in 2B does not show sustained improvement."
    )
    page.get_by_role("button", name="Correct the decision to: not accredited").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The decision on {single.reference} is corrected to: not accredited"
    )
    expect(page.get_by_text("Decision (corrected)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Case page and timeline").click()
    expect(page.get_by_text("Decision corrected")).to_be_visible()
    expect(page.get_by_text("Reason: The wrong case was chosen.")).to_be_visible()
