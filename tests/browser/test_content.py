"""Content the applicant reads, in real Chromium with axe: drafts named by
type and round, deadlines in UK time, the declaration on check answers, the
other type's proposal stated on the start page, and a profile that refuses
a phase its kind contradicts."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import AccreditationType, LocalAuthority
from accreditation.roles import Role
from proposals.forms.journey import DECLARATION
from proposals.services import applicant as services
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, RoundFactory, UserFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drafts_deadlines_and_the_declaration_as_the_applicant_reads_them(page, assert_accessible):
    membership = MembershipFactory(
        organisation__name="Oak Primary",
        organisation__address="1 Oak Lane",
        organisation__schools_led_count=2,
    )
    open_round = RoundFactory()
    later = RoundFactory(
        opens_at=open_round.deadline + timedelta(days=30),
        deadline=open_round.deadline + timedelta(days=60),
    )
    draft = services.start_proposal(
        organisation=membership.organisation,
        period=open_round,
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    name = f"Draft ASP proposal, {open_round}"
    deadline = f"{clock.describe_deadline(open_round.deadline)} (UK time)"

    sign_in(page, membership.user.email)
    page.goto("/proposals/")
    main = page.locator("main")
    expect(main).to_contain_text(f"The {open_round} round is open until {deadline}.")
    expect(main).to_contain_text(
        f"The next round, {later}, opens at {clock.describe(later.opens_at)} (UK time)."
    )
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start a new proposal").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        f"Your organisation already has an ASP proposal ({name}) in this round."
    )
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "You can also start a proposal of the other type."
    )
    expect(main).to_contain_text(deadline)
    assert_accessible(page)

    page.get_by_role("link", name=name).click()
    expect(page).to_have_title(re.compile(rf"^{re.escape(name)} – "))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text(f"submit by {deadline}.")

    complete(draft, membership.user, schools=1)
    page.goto(f"/proposals/{draft.pk}/check/")
    declaration = page.locator(".govuk-summary-list__row").filter(has_text=DECLARATION)
    expect(declaration).to_contain_text(f"Made by {membership.user.full_name} at")
    expect(declaration.get_by_role("link", name="Change the declaration")).to_be_visible()
    expect(page.locator("main")).to_contain_text("URN (unique reference number)")
    assert_accessible(page)

    with page.expect_download() as download:
        page.goto(f"/proposals/{draft.pk}/")
        page.get_by_role("link", name="Download your draft as a PDF").click()
    assert download.value.suggested_filename == (
        f"draft-asp-proposal-{open_round.get_term_display().lower()}-{open_round.year}.pdf"
    )


def test_a_profile_refuses_a_phase_its_kind_contradicts(page, assert_accessible):
    user = UserFactory(roles=[Role.APPLICANT])
    authority = LocalAuthority.objects.order_by("name").first()
    sign_in(page, user.email)
    page.goto("/organisation/new/maintained_primary/")
    expect(page.get_by_label("URN (unique reference number)")).to_be_visible()
    page.get_by_label("Name").fill("Oak Primary")
    page.get_by_label("URN (unique reference number)").fill("123456")
    page.get_by_label("Local authority").select_option(str(authority.pk))
    page.get_by_role("group", name="Phase of education").get_by_label("Secondary").check()
    page.get_by_role("group", name="Is it a National Support School?").get_by_label("No").check()
    page.get_by_label("Address").fill("1 Oak Lane")
    page.get_by_label("How many schools does it lead").fill("0")
    page.get_by_label("For how many primary schools").fill("0")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Select primary: the kind of organisation is ‘Maintained primary school’"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.locator("#id_phase_1")).to_be_focused()
    expect(page.locator("#id_phase_1_error")).to_contain_text("Select primary")
