"""A casework officer finds the email that could not be sent and sends it
again, in real Chromium; every state of the page free of axe-core violations."""

import re

import pytest
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import OutboxMessage
from accreditation.roles import Role
from tests.browser.conftest import signed_in_as, staff_with_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def failed_message(to, subject):
    return OutboxMessage.objects.create(
        to=to,
        subject=subject,
        body="Body",
        attempts=6,
        last_error="SMTPRecipientsRefused: {'" + to + "': (550, b'Mailbox unavailable')}",
        failed_at=clock.now(),
    )


def test_an_officer_sends_failed_mail_again(page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    failed_message("ada@example.org", "ASP-2026-0001: your proposal has been submitted")
    failed_message("bob@example.org", "Join Oak Primary on the service")

    signed_in_as(page, officer, device)
    count = page.get_by_role("main").get_by_role("link", name="Emails that could not be sent")
    expect(count).to_have_text("2 Emails that could not be sent")
    count.click()
    expect(page.locator("h1")).to_have_text("Email that could not be sent")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="ada@example.org")).to_contain_text("Mailbox unavailable")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Send again to ada@example.org")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "1 email will be sent again."
    )
    expect(rows).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("button", name="Send all 1 again").click()
    expect(page.get_by_text("No email is waiting to be sent again.")).to_be_visible()
    assert_accessible(page)
    assert not OutboxMessage.objects.filter(failed_at__isnull=False).exists()
