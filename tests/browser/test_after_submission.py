"""After submission: the dashboard, the case's status page with its
applicant timeline, and withdrawal, in real Chromium with axe."""

import pytest
from playwright.sync_api import expect

from accreditation.models import AccreditationType
from accreditation.workflow import Status
from proposals.models import Proposal
from proposals.services import applicant as services
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_follows_and_withdraws_a_submitted_proposal(page, assert_accessible):
    membership = MembershipFactory(
        organisation__name="Oak Primary", organisation__address="1 Oak Lane"
    )
    applicant = membership.user
    draft = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASP,
        actor=applicant,
    )
    submitted = services.submit(complete(draft, applicant), applicant)

    sign_in(page, applicant.email)
    page.goto("/proposals/")
    expect(page.get_by_role("link", name=submitted.reference)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=submitted.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(submitted.reference)
    expect(page.locator("main")).to_contain_text("Proposal submitted")
    expect(page.locator("main")).to_contain_text("Requests for information")
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw this proposal").click()
    page.get_by_role("button", name="Withdraw proposal").click()
    expect(page).to_have_title(
        "Error: Withdraw your proposal – Apply for school provider accreditation – GOV.UK"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are withdrawing")
    assert_accessible(page)

    page.get_by_label("Why are you withdrawing this proposal?").fill(
        "We have merged with another trust"
    )
    page.get_by_role("button", name="Withdraw proposal").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been withdrawn")
    expect(page.locator("main")).to_contain_text("Proposal withdrawn")
    expect(page.get_by_role("link", name="Withdraw this proposal")).to_have_count(0)
    assert_accessible(page)
    assert Proposal.objects.get(pk=submitted.pk).status == Status.WITHDRAWN
