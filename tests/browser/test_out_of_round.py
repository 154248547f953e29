"""Out-of-round requests in real Chromium: the applicant asks and sees the
outcome; a casework officer (past the second factor) grants or refuses.
Every page, and every error state, free of axe-core violations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import LocalAuthority, Window
from accreditation.roles import Role
from proposals.models import OutOfRoundRequest, Urgency
from proposals.services import out_of_round
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Hill Top Primary joins our trust in May and needs our support before then."


def make_request(organisation, school_name, **fields):
    return OutOfRoundRequest.objects.create(
        organisation=organisation,
        local_authority=LocalAuthority.objects.get(name="Leeds"),
        school_name=school_name,
        urgency=Urgency.URGENT,
        reason=REASON,
        requested_by=UserFactory(roles=[Role.APPLICANT]),
        **fields,
    )


def expect_error_summary(page, title, messages):
    expect(page).to_have_title(re.compile(rf"^Error: {title} – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(messages)
    for message in messages:
        expect(page.locator(".govuk-error-message", has_text=message)).to_have_count(1)


def test_an_applicant_asks_for_consideration_and_sees_the_outcomes(page, assert_accessible):
    membership = MembershipFactory(organisation__name="Oak Learning Trust")
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in(page, membership.user.email)

    page.get_by_role("link", name="Out-of-round requests").click()
    expect(page.locator("h1")).to_have_text("Out-of-round requests")
    expect(page.get_by_text("Your organisation has not asked")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Ask for out-of-round consideration").click()
    expect(page.locator("h1")).to_have_text("Ask for out-of-round consideration")
    assert_accessible(page)

    # Sent empty, with a URN that is not one: every problem listed, each
    # link leading to its field.
    page.get_by_label("School URN (unique reference number) (optional)").fill("12345")
    page.get_by_role("button", name="Send request").click()
    expect_error_summary(
        page,
        "Ask for out-of-round consideration",
        [
            "Select the local authority the school is in",
            "Enter the name of the school, trust or federation",
            "Enter a URN of 6 digits, like 123456",
            "Select how soon you need to be considered",
            "Enter why you need to be considered outside the rounds",
        ],
    )
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Select how soon you need to be considered").click()
    expect(page.get_by_label(Urgency.URGENT.label)).to_be_focused()
    expect(page.get_by_label("School URN (unique reference number) (optional)")).to_have_value(
        "12345"
    )

    page.get_by_label("Which local authority is the school in?").select_option(label="Leeds")
    page.get_by_label("Name of the school, trust or federation").fill("Hill Top Primary")
    page.get_by_label("School URN (unique reference number) (optional)").fill("123456")
    page.get_by_label(Urgency.THIS_TERM.label).check()
    reason = page.get_by_label("Why do you need to be considered outside the rounds?")
    reason.fill(REASON)
    reason.press("End")
    expect(page.locator(".govuk-character-count__status")).to_contain_text(
        f"You have {300 - len(REASON.split())} words remaining"
    )
    page.get_by_role("button", name="Send request").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    assert_accessible(page)
    request_obj = OutOfRoundRequest.objects.get()
    assert request_obj.organisation == membership.organisation
    assert request_obj.reason == REASON

    # One request granted, one refused: the applicant sees both outcomes.
    deadline = clock.now() + timedelta(days=21)
    out_of_round.grant(request_obj, officer, deadline, base_url="http://x")
    refused = make_request(membership.organisation, "Valley Federation")
    out_of_round.refuse(refused, officer, "The spring round opens soon.", base_url="http://x")

    page.goto("/out-of-round/")
    granted_card = page.locator(".govuk-summary-card", has_text="Hill Top Primary")
    expect(granted_card).to_contain_text("Granted")
    expect(granted_card).to_contain_text(f"{clock.describe_deadline(deadline)} (UK time)")
    window = Window.objects.get()
    expect(granted_card.get_by_role("link", name="Start a proposal")).to_have_attribute(
        "href", f"{reverse('proposal-start')}?window={window.pk}"
    )
    refused_card = page.locator(".govuk-summary-card", has_text="Valley Federation")
    expect(refused_card).to_contain_text("Refused")
    expect(refused_card).to_contain_text("The spring round opens soon.")
    assert_accessible(page)


def test_an_officer_grants_and_refuses(page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    first = MembershipFactory(organisation__name="Oak Learning Trust").organisation
    second = MembershipFactory(organisation__name="Elm Federation").organisation
    to_grant = make_request(first, "Hill Top Primary", school_urn="123456")
    to_refuse = make_request(second, "Valley Infants")
    out_of_round.refuse(
        make_request(second, "Earlier School"), officer, "Not now", base_url="http://x"
    )

    signed_in_as(page, officer, device)
    page.get_by_role("main").get_by_role("link", name="Out-of-round requests").click()
    expect(page.locator("h1")).to_have_text("Out-of-round requests")
    pending = page.locator("table", has=page.locator("caption", has_text="Waiting"))
    expect(pending.locator("tbody tr")).to_have_count(2)
    expect(page.locator("table", has_text="Recently decided")).to_contain_text("Earlier School")
    assert_accessible(page)

    pending.get_by_role("link", name=re.compile("Hill Top Primary")).click()
    expect(page.locator("h1")).to_have_text("Oak Learning Trust")
    expect(page.locator(".govuk-summary-list")).to_contain_text(REASON)
    assert_accessible(page)

    # A deadline in the past is refused, and what was typed is kept.
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("6")
    page.get_by_label("Year", exact=True).fill("2001")
    page.get_by_label("Deadline time (UK time)").fill("5pm")
    page.get_by_role("button", name="Grant a window").click()
    expect_error_summary(
        page, "Out-of-round request from Oak Learning Trust", ["The deadline must be in the future"]
    )
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.get_by_label("Day", exact=True)).to_be_focused()
    expect(page.get_by_label("Year", exact=True)).to_have_value("2001")
    assert not Window.objects.exists()

    next_year = clock.today().year + 1
    page.get_by_label("Year", exact=True).fill(str(next_year))
    page.get_by_role("button", name="Grant a window").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Window granted to Oak Learning Trust"
    )
    assert_accessible(page)
    window = Window.objects.get()
    assert window.organisation == first
    assert clock.describe(window.deadline) == f"5pm on 1 June {next_year}"

    # Refusing needs a reason.
    page.get_by_role("link", name=re.compile("Valley Infants")).click()
    page.get_by_role("button", name="Refuse").click()
    expect_error_summary(
        page,
        "Out-of-round request from Elm Federation",
        ["Enter the reason for refusing, which the organisation will see"],
    )
    assert_accessible(page)
    page.get_by_label("Reason for refusing").fill("The spring round opens in three weeks.")
    page.get_by_role("button", name="Refuse").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Request from Elm Federation refused"
    )
    to_refuse.refresh_from_db()
    assert to_refuse.outcome == OutOfRoundRequest.Outcome.REFUSED

    # A decided request shows its decision, not the forms.
    page.goto(f"/staff/out-of-round/{to_grant.pk}/")
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    expect(page.get_by_role("button", name="Grant a window")).to_have_count(0)
    expect(page.locator(".govuk-summary-list").last).to_contain_text(f"5pm on 1 June {next_year}")
    assert_accessible(page)


def test_someone_with_no_organisation_is_told_to_set_one_up(page, assert_accessible):
    person = UserFactory(roles=[Role.APPLICANT])
    sign_in(page, person.email)
    page.goto("/out-of-round/new/")
    expect(page.locator("h1")).to_have_text("Set up your organisation first")
    assert_accessible(page)
    page.get_by_role("button", name="Create an organisation profile").click()
    expect(page).to_have_url(re.compile(r"/organisation/new/$"))
