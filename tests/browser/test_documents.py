"""Supporting documents in real Chromium: upload, list, download and delete,
the error state, and the same journey with JavaScript off. Every state is
checked with axe-core."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.models import CaseEvent
from proposals.models import Evidence
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, ProposalFactory
from tests.test_uploads import ELF, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def proposal():
    member = MembershipFactory()
    return ProposalFactory(organisation=member.organisation), member.user


def choose_file(page, name, data, mime="application/pdf"):
    page.get_by_label("Upload a file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


def test_upload_see_it_listed_download_and_delete(page, proposal, assert_accessible):
    proposal, user = proposal
    sign_in(page, user.email)
    page.goto(reverse("proposal-documents", args=[proposal.pk]))
    expect(page.locator("h1")).to_have_text("Supporting documents")
    expect(page.get_by_text("No documents have been uploaded yet.")).to_be_visible()
    assert_accessible(page)

    choose_file(page, "Ofsted report.pdf", pdf_bytes())
    page.get_by_label("Describe the document (optional)").fill("Inspection, 2025")
    page.get_by_role("button", name="Upload file").click()

    expect(page.get_by_role("alert")).to_contain_text("Ofsted report.pdf has been uploaded")
    evidence = Evidence.objects.get(proposal=proposal)
    link = page.get_by_role("link", name="Ofsted report.pdf")
    expect(link).to_have_attribute(
        "href", reverse("proposal-document-download", args=[proposal.pk, evidence.pk])
    )
    row = page.get_by_role("row", name=re.compile("Ofsted report.pdf"))
    expect(row).to_contain_text(f"(PDF, {len(pdf_bytes())} bytes)")
    expect(row).to_contain_text("Inspection, 2025")
    expect(row).to_contain_text(user.full_name)
    assert_accessible(page)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "Ofsted report.pdf"
    assert Path(download.path()).read_bytes() == pdf_bytes()
    assert CaseEvent.objects.filter(case=proposal, action="document_downloaded").count() == 1

    stored = Path(evidence.file.path)
    page.get_by_role("button", name="Delete Ofsted report.pdf").click()
    expect(page.get_by_role("alert")).to_contain_text("Ofsted report.pdf has been deleted")
    expect(page.get_by_text("No documents have been uploaded yet.")).to_be_visible()
    assert not stored.exists()
    assert_accessible(page)


def test_a_wrong_type_shows_the_gov_uk_error_state(page, proposal, assert_accessible):
    proposal, user = proposal
    sign_in(page, user.email)
    page.goto(reverse("proposal-documents", args=[proposal.pk]))

    choose_file(page, "setup.pdf", ELF)
    page.get_by_label("Describe the document (optional)").fill("Our plan")
    page.get_by_role("button", name="Upload file").click()

    message = "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"
    expect(page).to_have_title(re.compile(r"^Error: Supporting documents – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(page.locator("#div_id_file .govuk-error-message")).to_contain_text(message)
    expect(page.get_by_label("Describe the document (optional)")).to_have_value("Our plan")
    assert_accessible(page)

    summary.get_by_role("link").click()
    expect(page.locator("#id_file")).to_be_focused()
    assert not Evidence.objects.exists()


def test_uploading_works_without_javascript(new_page, proposal):
    proposal, user = proposal
    page = new_page(java_script_enabled=False)
    sign_in(page, user.email)
    page.goto(reverse("proposal-documents", args=[proposal.pk]))
    choose_file(page, "plan.pdf", pdf_bytes())
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    assert Evidence.objects.filter(proposal=proposal, original_name="plan.pdf").exists()
