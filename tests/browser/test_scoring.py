"""Scoring, quality assurance and the recommendation in real Chromium: an
ASP case scored and recommended with JavaScript off, all the way to
awaiting decision; an ASG through quality assurance with a disagreement
resolved. Every page free of axe-core violations."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.models import AccreditationType
from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.models import AgreedScore
from assessments.queries.scoring import items_of
from assessments.services import scoring
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import give_part
from tests.scoring_helpers import case_in_assessment, score_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assessor_signed_in(page, case, part="assessor", **fields):
    person, device = staff_with_device(Role.ASSESSOR, **fields)
    give_part(person, part, [case])
    signed_in_as(page, person, device)
    expect(page.locator("h1")).to_have_text("Staff area")
    return person


def test_an_asp_case_is_scored_and_recommended_without_javascript(new_page):
    case = case_in_assessment(organisation__name="Oak Primary School")
    page = new_page(java_script_enabled=False)
    assessor_signed_in(page, case, full_name="Asha Assessor")
    page.goto(reverse("staff-case", args=[case.pk]))
    page.locator("#summary").get_by_role("link", name="Scores", exact=True).click()
    expect(page.locator("h1")).to_have_text("Scores")

    # A score below the threshold without feedback is refused, and says how to fix it.
    section = page.locator('[id="2B-lead"]')
    section.get_by_label("2: Limited evidence").check()
    section.get_by_label("Internal comment (staff only)").fill("Only one year of results.")
    section.get_by_role("button", name="Save score for 2B").click()
    expect(page).to_have_title(re.compile(r"^Error: Scores"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter feedback to the applicant: a score below 3 needs it"
    )
    section = page.locator('[id="2B-lead"]')
    expect(section.get_by_label("Internal comment (staff only)")).to_have_value(
        "Only one year of results."
    )

    for item in items_of(case):
        section = page.locator(f'[id="{item.slug}"]')
        section.get_by_label("3: Sufficient evidence").check()
        section.get_by_label("Internal comment (staff only)").fill(
            f"Enough on {item.criterion.code}."
        )
        section.get_by_role("button", name=f"Save score for {item.criterion.code}").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Your score for {item} has been saved"
        )

    page.get_by_role("link", name="Recommendation").first.click()
    expect(page.locator("#suggestion")).to_contain_text("Recommend accreditation")
    page.get_by_label("Recommend accreditation").check()
    page.get_by_label("Your reasons").fill("Every criterion is met with sufficient evidence.")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Assessment completed: the case has gone to the decision official"
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION


def test_a_refused_score_puts_focus_on_the_error_summary(page):
    """The summary is announced: the page comes back at its top, not at the
    criterion's section, whose jump took the focus the summary had."""
    case = case_in_assessment()
    assessor_signed_in(page, case)
    page.goto(reverse("case-scores", args=[case.pk]))
    page.locator('[id="1B-lead"]').get_by_role("button", name="Save score for 1B").click()
    expect(page).to_have_title(re.compile(r"^Error: Scores"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    # Saved, the page comes back at the criterion it saved.
    section = page.locator('[id="1B-lead"]')
    section.get_by_label("3: Sufficient evidence").check()
    section.get_by_label("Internal comment (staff only)").fill("Enough.")
    section.get_by_role("button", name="Save score for 1B").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert page.url.endswith("#1B-lead")


def test_the_scoring_pages_are_accessible(page, assert_accessible):
    case = case_in_assessment()
    assessor = assessor_signed_in(page, case)
    page.goto(reverse("case-scores", args=[case.pk]))
    assert_accessible(page)
    section = page.locator('[id="1A-lead"]')
    section.get_by_role("button", name="Save score for 1A").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a score for 1A")
    assert_accessible(page)
    page.goto(reverse("case-recommendation", args=[case.pk]))
    expect(page.locator("#unscored")).to_contain_text("1A Vision for leading improvement")
    assert_accessible(page)
    score_all(case, assessor, 3)
    page.goto(reverse("case-recommendation", args=[case.pk]))
    page.get_by_label("Recommend not to accredit").check()
    page.get_by_label("Your reasons").fill("Doubts.")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why your recommendation differs from the suggested one"
    )
    assert_accessible(page)
    page.goto(reverse("case-quality-assurance", args=[case.pk]))
    expect(page.locator("h1")).to_have_text("Quality assurance")
    assert_accessible(page)


def test_an_asg_goes_through_quality_assurance_with_a_disagreement_resolved(
    new_page, assert_accessible
):
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG,
        organisation__schools_led_count=3,
        organisation__name="Elm Federation School",
    )
    first_page = new_page()
    first = assessor_signed_in(first_page, case, full_name="Fay First")
    second_page = new_page()
    second = assessor_signed_in(second_page, case, part="second_assessor", full_name="Sam Second")
    score_all(case, first, 3, **{"2C_lead": 4})
    scoring.finish_scoring(case, actor=first)
    score_all(case, second, 3, **{"2C_lead": 2})

    # The second assessor sees only their own scores, then finishes.
    second_page.goto(reverse("case-scores", args=[case.pk]))
    expect(second_page.locator("h1")).to_have_text("Scores: quality assurance")
    assert_accessible(second_page)
    second_page.get_by_role("button", name="Finish scoring").click()
    expect(second_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You have finished scoring this case"
    )

    # The first assessor cannot recommend yet: the difference on 2C is unresolved.
    first_page.goto(reverse("case-recommendation", args=[case.pk]))
    expect(first_page.locator("main")).to_contain_text(
        "Record an agreed score for 2C Partnership working."
    )
    first_page.get_by_role("link", name="Quality assurance").first.click()
    expect(first_page.locator("table")).to_contain_text("Differs: agree a score")
    assert_accessible(first_page)
    section = first_page.locator('[id="2C-lead"]')
    section.get_by_label("3: Sufficient evidence").check()
    section.get_by_label("Why the assessors agreed this score").fill(
        "We met: the impact evidence is sufficient but not strong."
    )
    section.get_by_role("button", name="Record agreed score for 2C").click()
    expect(first_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The agreed score for 2C Partnership working has been recorded"
    )
    assert AgreedScore.objects.get().agreed_by == first

    first_page.get_by_role("link", name="Recommendation").first.click()
    expect(first_page.locator("main")).to_contain_text("Quality assurance is done")
    first_page.get_by_label("Recommend accreditation").check()
    first_page.get_by_label("Your reasons").fill("Met throughout, with an agreed 2C.")
    first_page.get_by_role("button", name="Complete the assessment").click()
    expect(first_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "the case has gone to the Advisory Group"
    )
    case.refresh_from_db()
    assert case.status == Status.ADVISORY_REVIEW
