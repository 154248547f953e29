"""Answer pages in the states the journeys do not reach: 1E, and an answer
someone else saved while this person was editing it."""

import pytest
from playwright.sync_api import expect

from accreditation.models import AccreditationType, Criterion
from proposals.models import Answer, Route
from proposals.services import applicant as services
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def charity_proposal():
    membership = MembershipFactory(
        organisation__non_educational=True,
        organisation__name="Bright Futures Charity",
        organisation__address="2 Market Street",
    )
    proposal = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    services.set_type_and_models(
        proposal,
        route=Route.OWN_RIGHT,
        majority_trust=True,
        federation=False,
        actor=membership.user,
    )
    return proposal, membership.user


def test_the_1e_page(page, assert_accessible):
    proposal, applicant = charity_proposal()
    sign_in(page, applicant.email)
    page.goto(f"/proposals/{proposal.pk}/answers/1E/lead/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "1E: Education strategy and access to primary expertise"
    )
    assert_accessible(page)


def test_an_answer_saved_elsewhere_meanwhile_is_shown_and_nothing_is_lost(page, assert_accessible):
    proposal, applicant = charity_proposal()
    criterion = Criterion.objects.get(part__framework=proposal.framework, code="1A")
    services.save_answer(
        proposal, criterion=criterion, party="lead", text="First", version=0, actor=applicant
    )
    sign_in(page, applicant.email)
    page.goto(f"/proposals/{proposal.pk}/answers/1A/lead/")
    colleague = MembershipFactory(organisation=proposal.organisation).user
    services.save_answer(
        proposal,
        criterion=criterion,
        party="lead",
        text="A colleague's version",
        version=1,
        actor=colleague,
    )
    page.locator("textarea[name=text]").fill("My version")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Someone else saved this answer")
    expect(page.locator(".govuk-inset-text")).to_contain_text("A colleague's version")
    expect(page.locator("textarea[name=text]")).to_have_value("My version")
    assert_accessible(page)
    assert (
        Answer.objects.get(proposal=proposal, criterion=criterion).text == "A colleague's version"
    )

    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"/proposals/{proposal.pk}/answers/1B/lead/", timeout=10_000)
    assert Answer.objects.get(proposal=proposal, criterion=criterion).text == "My version"
