"""Staff tables on a phone (375px wide): each scrolls sideways within its own
labelled pane, never the page (WCAG 2.2, 1.4.10 Reflow). No axe-core
violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from feedback.services import concerns
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.factories import InvitationFactory, MembershipFactory, ProposalFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    (Role.CASEWORK_OFFICER, "staff-rounds", "Rounds"),
    (Role.CASEWORK_OFFICER, "staff-reports", "Round reports"),
    (Role.CASEWORK_OFFICER, "screening-queue", "Cases to screen"),
    (Role.CASEWORK_OFFICER, "staff-schedule", "Scheduled tasks"),
    (Role.CASEWORK_OFFICER, "staff-schedule", "Deadlines coming up"),
    (Role.DECISION_OFFICIAL, "decision-queue", "Cases awaiting your decision"),
    (Role.DECISION_OFFICIAL, "staff-concerns", "Concerns"),
    (Role.ADMINISTRATOR, "staff-users", "Staff users"),
    (Role.ADMINISTRATOR, "staff-users", "Invitations not yet accepted"),
]


@pytest.mark.parametrize(("role", "url_name", "pane"), PAGES)
def test_on_a_phone_a_staff_table_scrolls_within_its_pane(
    new_page, assert_accessible, role, url_name, pane
):
    RoundFactory()  # its deadline in two weeks: on the schedule too
    ProposalFactory(status=Status.SUBMITTED, organisation__name="Rowan Learning Trust")
    ProposalFactory(status=Status.AWAITING_DECISION, organisation__name="Hazel Academy Trust")
    staff_with_device(Role.CASEWORK_OFFICER, full_name="Alexandra Montgomery-Fairweather")
    decided = ProposalFactory(
        status=Status.NOT_ACCREDITED, organisation__name="Birch Schools Trust"
    )
    Letter.objects.create(
        case=decided, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7"
    )
    member = MembershipFactory(organisation=decided.organisation).user
    concerns.raise_concern(decided, member, "The assessor did not read our answer to 2B.")
    InvitationFactory(full_name="Wren Invited-Colleague", email="wren.invited@example.org")
    page = new_page(viewport={"width": 375, "height": 700})
    signed_in_as(page, *staff_with_device(role))
    page.goto(reverse(url_name))
    region = page.get_by_role("region", name=f"{pane}, scrolls sideways on a narrow screen")
    expect(region.locator("table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)


def test_a_long_name_wraps_in_the_staff_users_table(new_page):
    staff_with_device(Role.ASSESSOR, full_name="Wolfeschlegelsteinhausenbergerdorff" * 5)
    page = new_page(viewport={"width": 1024, "height": 700})
    signed_in_as(page, *staff_with_device(Role.ADMINISTRATOR))
    page.goto(reverse("staff-users"))
    region = page.get_by_role("region", name="Staff users, scrolls sideways on a narrow screen")
    widths = region.evaluate("pane => [pane.scrollWidth, pane.clientWidth]")
    assert widths[0] <= widths[1] + 1, widths  # a pixel of rounding
