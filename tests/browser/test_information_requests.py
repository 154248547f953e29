"""Information requests in real Chromium: the assessor asks, the applicant
answers with a document, and the assessor reads the answer beside its
criterion; and the applicant's part again with JavaScript off. Every page
free of axe-core violations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import CaseEvent, Criterion
from accreditation.roles import Role
from accreditation.workflow import Status
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.casework import give_part, person_with
from tests.factories import ProposalFactory
from tests.test_information_requests import ask
from tests.test_uploads import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def next_saturday():
    today = clock.today()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def fill_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def test_assessor_asks_applicant_answers_with_a_document_assessor_reads_it(
    page, new_page, assert_accessible
):
    assessor, device = staff_with_device(Role.ASSESSOR, full_name="Asha Assessor")
    case = ProposalFactory(status="in_assessment", organisation__name="Oak Learning Trust")
    give_part(assessor, "assessor", [case])
    criterion = Criterion.objects.get(part__framework=case.framework, code="2A")

    # The assessor asks.
    signed_in_as(page, assessor, device)
    page.goto(reverse("staff-case", args=[case.pk]))
    page.locator("#summary").get_by_role("link", name="Information requests").click()
    expect(page.locator("h1")).to_have_text("Information requests")
    expect(page.get_by_text("Nobody has asked the applicant")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Ask for information").click()
    expect(page.locator("h1")).to_have_text("Ask for information")
    assert_accessible(page)
    page.locator("#id_question_1").fill("Send the latest inspection report of each school.")
    page.locator("#id_criterion_1").select_option(label=f"2A: {criterion.title}")
    default_due = page.get_by_label("Day").input_value()
    saturday = next_saturday()
    fill_date(page, saturday)
    page.get_by_role("button", name="Send the request").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("is a Saturday")
    assert_accessible(page)
    due = clock.working_days_after(clock.today(), 10)
    assert default_due == str(due.day)
    fill_date(page, due)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Your request has been sent")
    expect(page.get_by_text("Waiting for the applicant")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Extend the due date").click()
    expect(page.locator("h1")).to_have_text("Extend the due date")
    assert_accessible(page)

    # The applicant answers.
    applicant = new_page()
    sign_in(applicant, case.created_by.email)
    applicant.goto(reverse("proposal-dashboard"))
    applicant.get_by_role("link", name=re.compile("Answer our questions")).click()
    expect(applicant.locator("h1")).to_have_text("Answer our questions")
    assert_accessible(applicant)
    answer = applicant.get_by_label(re.compile("Send the latest inspection report"))
    answer.fill("Both reports are attached.")
    applicant.get_by_role("button", name="Save and come back later").click()
    expect(applicant.get_by_role("alert")).to_contain_text("Your answers have been saved")
    assert_accessible(applicant)

    applicant.get_by_role("button", name="Answer our questions").click()
    expect(answer).to_have_value("Both reports are attached.")
    applicant.get_by_label("Upload a document (optional)").set_input_files(
        {"name": "Ofsted report.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    applicant.get_by_role("button", name="Upload document").click()
    expect(applicant.get_by_role("link", name="Ofsted report.pdf")).to_be_visible()
    assert_accessible(applicant)
    applicant.get_by_role("button", name="Send answers").click()
    expect(applicant.get_by_role("alert")).to_contain_text("Your answers have been sent")
    expect(applicant.locator("main")).to_contain_text("Both reports are attached.")
    assert_accessible(applicant)
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT

    # The assessor reads the answer beside its criterion.
    page.goto(reverse("staff-case-requests", args=[case.pk]))
    heading = page.get_by_role("heading", name=f"2A: {criterion.title}")
    expect(heading).to_be_visible()
    expect(page.locator(".govuk-inset-text").first).to_contain_text("Both reports are attached.")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Ofsted report.pdf").click()
    assert download.value.suggested_filename == "Ofsted report.pdf"
    assert CaseEvent.objects.filter(
        case=case, action="request_document_downloaded", actor=assessor
    ).exists()


def test_the_applicant_answers_with_javascript_off(new_page):
    case = ProposalFactory(status="in_assessment")
    request = ask(
        case,
        person_with("assessor", case),
        "Who leads the partnership?",
        due=clock.working_days_after(clock.today(), 10),
    )
    applicant = new_page(java_script_enabled=False)
    sign_in(applicant, case.created_by.email)
    applicant.goto(reverse("proposal-status", args=[case.pk]))
    applicant.get_by_role("button", name="Answer our questions").click()
    applicant.get_by_label(re.compile("Who leads the partnership")).fill("Our deputy CEO.")
    applicant.get_by_label("Upload a document (optional)").set_input_files(
        {"name": "Structure.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    applicant.get_by_role("button", name="Send answers").click()
    expect(applicant.get_by_role("alert")).to_contain_text("Your answers have been sent")
    request.refresh_from_db()
    assert request.sent_at is not None
    assert request.documents.get().original_name == "Structure.pdf"
