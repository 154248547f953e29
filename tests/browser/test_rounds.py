"""A casework officer creates a round from the term calendar, changes it,
cancels it and sees its state; the drafts of a cancelled round are moved,
one by its applicant and the rest by the officer, in real Chromium; every
page free of axe-core violations."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.models import Round
from accreditation.roles import Role
from accreditation.services.rounds import cancel_round
from tests.browser.conftest import open_from_more, sign_in, signed_in_as, staff_with_device
from tests.factories import RoundFactory
from tests.test_rounds import draft_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_creates_changes_and_cancels_a_round(page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=UTC), tick=True):
        signed_in_as(page, officer, device)
        open_from_more(page, "Rounds")
        expect(page.locator("h1")).to_have_text("Rounds")
        assert_accessible(page)

        page.get_by_role("link", name="Term calendar").click()
        expect(page.locator("h1")).to_have_text("Term calendar")
        assert_accessible(page)
        page.get_by_role("link", name="Change the summer term’s dates").click()
        assert_accessible(page)
        page.get_by_label("Days from opening to the deadline").fill("0")
        page.get_by_role("button", name="Save the calendar").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "The deadline must be at least 1 day after the round opens"
        )
        assert_accessible(page)
        page.get_by_label("Days from opening to the deadline").fill("42")
        page.get_by_role("button", name="Save the calendar").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "summer term calendar has been changed"
        )

        page.goto("/staff/rounds/new/")
        # Prefilled for summer 2027 from the calendar: opens Tuesday 4 May
        # (1 May is a Saturday, 3 May a bank holiday), 42 days to the deadline.
        expect(page.locator("#id_opens_date_0")).to_have_value("4")
        expect(page.locator("#id_deadline_date_0")).to_have_value("15")
        expect(page.locator("#id_deadline_date_1")).to_have_value("6")
        assert_accessible(page)
        page.locator("#id_deadline_date_1").fill("4")
        page.locator("#id_deadline_date_0").fill("1")
        page.get_by_role("button", name="Create the round").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "The deadline must be after the round opens"
        )
        assert_accessible(page)
        page.locator("#id_deadline_date_0").fill("15")
        page.locator("#id_deadline_date_1").fill("6")
        page.get_by_role("button", name="Create the round").click()
        expect(page.locator("h1")).to_contain_text("Summer 2027")
        expect(page.locator("h1 .govuk-tag")).to_have_text("Upcoming")
        assert_accessible(page)

        page.get_by_role("link", name="Change the dates").click()
        page.locator("#id_deadline_time").fill("23:59")
        page.get_by_role("button", name="Save the round").click()
        expect(page.locator(".govuk-summary-list")).to_contain_text("11:59pm on 15 June 2027")
        expect(page.locator("table")).to_contain_text("Changed")

        page.get_by_role("link", name="Cancel the round").click()
        assert_accessible(page)
        page.get_by_role("button", name="Cancel the round").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter why the round is being cancelled"
        )
        page.get_by_label("Why is the round being cancelled?").fill("Merged with the autumn round")
        page.get_by_role("button", name="Cancel the round").click()
        expect(page.locator("h1 .govuk-tag")).to_have_text("Cancelled")
        assert_accessible(page)
    assert Round.objects.get().cancellation_reason == "Merged with the autumn round"


def test_the_drafts_of_a_cancelled_round_move_to_an_open_one(page, new_page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    cancelled, target = RoundFactory(), RoundFactory()
    own, *others = [draft_in(cancelled) for _ in range(3)]
    cancel_round(officer, cancelled, "Not enough assessors")
    choice = f"{target} (deadline"

    applicant = new_page()
    sign_in(applicant, own.member.email)
    applicant.goto(reverse("proposal-task-list", args=[own.pk]))
    applicant.get_by_role("link", name="Move your draft to another round").click()
    expect(applicant.locator("h1")).to_be_visible()
    assert_accessible(applicant)
    applicant.get_by_role("button", name="Move your draft").click()
    expect(applicant.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(applicant)
    applicant.get_by_label(choice).check()
    applicant.get_by_role("button", name="Move your draft").click()
    expect(applicant.locator(".govuk-notification-banner")).to_contain_text(
        f"Your draft has been moved to the {target} round"
    )

    signed_in_as(page, officer, device)
    page.goto(reverse("staff-round", args=[cancelled.pk]))
    expect(page.get_by_role("heading", name="Move the drafts")).to_be_visible()
    expect(page.get_by_label(choice)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Move the drafts").click()
    expect(page.locator("h1")).to_have_text(f"Move the drafts of the {cancelled} round")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the round to move the drafts to"
    )
    assert_accessible(page)
    page.goto(reverse("staff-round-move", args=[cancelled.pk]))
    expect(page.locator("main")).to_contain_text("2 drafts are in this round")
    assert_accessible(page)
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Move the drafts").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"2 drafts moved to the {target} round"
    )
    for draft in (own, *others):
        draft.refresh_from_db()
        assert draft.round == target
