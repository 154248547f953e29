"""A casework officer checks the scheduler ran: the schedule page with what
is coming up and what was done, and the previews of the emails the service
sends, in real Chromium and free of axe-core violations."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import OutboxMessage
from accreditation.roles import Role
from proposals.tasks import lapse_overdue_drafts, remind_drafts
from tests.browser.conftest import open_from_more, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, ProposalFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_sees_the_schedule_and_previews_an_email(page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    closing = RoundFactory(deadline=clock.now() + timedelta(days=5))
    MembershipFactory(organisation=ProposalFactory(round=closing).organisation)
    closed = RoundFactory(
        opens_at=clock.now() - timedelta(days=40), deadline=clock.now() - timedelta(minutes=1)
    )
    MembershipFactory(organisation=ProposalFactory(round=closed).organisation)
    lapse_overdue_drafts()
    remind_drafts()
    OutboxMessage.objects.create(
        to="head@example.org", subject="Reminder", body="b", attempts=6, failed_at=clock.now()
    )

    signed_in_as(page, officer, device)
    open_from_more(page, "Schedule")
    expect(page.locator("h1")).to_have_text("Schedule")
    expect(page.get_by_text(f"Round closed: {closed} (1 draft lapsed)")).to_be_visible()
    expect(page.get_by_role("cell", name=f"{closing} round closes")).to_be_visible()
    expect(page.get_by_text("1 email could not be sent")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Preview the emails the service sends").click()
    expect(page.locator("h1")).to_have_text("Emails the service sends")
    assert_accessible(page)
    page.get_by_role("link", name="Reminder of a draft's deadline").click()
    expect(page.locator("h1")).to_contain_text("Reminder of a draft's deadline")
    frame = page.frame_locator("iframe[title='The HTML part of the email']")
    expect(frame.locator("h1")).to_have_text("Your draft proposal is due in 7 days")
    expect(page.locator("pre")).to_contain_text("The deadline is")
    assert_accessible(page)

    page.goto("/staff/schedule/")
    page.get_by_role("button", name="Send it again").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "1 email will be sent again."
    )
