"""A change to the organisation's profile that affects a draft, in real
Chromium: the task list and the section concerned say what changed and what
to do, and the profile, reached from the task list, leads back to it."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.models import AccreditationType, OrganisationKind
from accreditation.models.organisations import PROFILE_FIELDS
from accreditation.services.organisations import update_organisation
from proposals.models import Proposal
from proposals.services import applicant as services
from tests.browser.conftest import sign_in
from tests.browser.journey_steps import (
    SUBMIT_STEP,
    click_and_wait,
    expect_cannot_submit_yet,
    open_section,
    section_status,
)
from tests.factories import MembershipFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOLD = "You told us it is accountable for governance in 0 primary schools."
COUNT = "For how many primary schools is it accountable for governance?"


@pytest.fixture
def trust_draft():
    """An academy trust's ASG draft, complete and declared."""
    membership = MembershipFactory(
        organisation__name="Riverside Academy Trust",
        organisation__kind=OrganisationKind.ACADEMY_TRUST,
        organisation__urn="",
        organisation__primary_governance_count=2,
        organisation__address="1 River Road",
    )
    proposal = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASG,
        actor=membership.user,
    )
    return complete(proposal, membership.user, schools=2), membership.user


def change_governance_count(page, check, count):
    """From the profile, reached from the task list: change the count and
    save, which returns to the task list."""
    expect(page.get_by_role("link", name="Back to your proposal")).to_be_visible()
    check(page)
    click_and_wait(
        page,
        page.get_by_role(
            "link", name="Change primary schools whose governance it is accountable for"
        ),
    )
    page.get_by_label(COUNT).fill(str(count))
    click_and_wait(page, page.get_by_role("button", name="Save"))
    # (The browser keeps the change link's #fragment through the redirect.)
    expect(page).to_have_url(re.compile(r"/proposals/\d+/(#\w+)?$"))


def test_a_profile_change_that_affects_a_draft_says_what_changed_and_what_to_do(
    page, assert_accessible, trust_draft
):
    proposal, applicant = trust_draft
    sign_in(page, applicant.email)
    page.goto(f"/proposals/{proposal.pk}/")
    expect(section_status(page, SUBMIT_STEP)).to_have_text("Ready to submit")

    open_section(page, "Organisation details")
    expect(page.locator("h1")).to_contain_text("Riverside Academy Trust")
    change_governance_count(page, assert_accessible, 0)

    banner = page.locator(".govuk-notification-banner").filter(has_text="Important")
    expect(banner).to_contain_text(TOLD)
    expect(banner).to_contain_text("after you made the declaration")
    expect(section_status(page, "Type and partnerships")).to_have_text("There is a problem")
    expect(section_status(page, "Declaration")).to_have_text("There is a problem")
    expect_cannot_submit_yet(page)
    assert_accessible(page)

    open_section(page, "Type and partnerships")
    notice = page.locator(".govuk-notification-banner")
    expect(notice).to_contain_text(TOLD)
    expect(notice).to_contain_text("start an Accredited School Provider (ASP) proposal instead")
    assert_accessible(page)

    # The profile was wrong: put it right from the notice, back to the task list.
    click_and_wait(page, notice.get_by_role("link", name="Change your organisation’s profile"))
    change_governance_count(page, assert_accessible, 2)
    expect(page.get_by_text(TOLD)).to_have_count(0)
    expect(section_status(page, "Type and partnerships")).to_have_text("Completed")
    expect(section_status(page, "Declaration")).to_have_text("There is a problem")

    open_section(page, "Declaration")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Check that your answers are still true and complete, then make the declaration again."
    )
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Confirm and continue"))
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your proposal")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert Proposal.objects.get(pk=proposal.pk).declaration_undone_at is None


def test_governed_schools_are_asked_again_once_the_kind_makes_the_basis_leading(
    page, assert_accessible, trust_draft
):
    proposal, applicant = trust_draft
    proposal.schools_led.update(partnership="")
    organisation = proposal.organisation
    update_organisation(
        organisation,
        {
            **{name: getattr(organisation, name) for name in PROFILE_FIELDS},
            "kind": OrganisationKind.MAINTAINED_PRIMARY,
            "urn": "777777",
            "schools_led_count": 2,
        },
        actor=applicant,
    )
    sign_in(page, applicant.email)
    page.goto(f"/proposals/{proposal.pk}/")
    expect(section_status(page, "Schools you lead now")).to_have_text("There is a problem")
    open_section(page, "Schools you lead now")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "were added without the kind of partnership"
    )
    expect(page.get_by_role("group", name="Kind of partnership")).to_be_visible()
    assert_accessible(page)
