"""The case page in real Chromium, without JavaScript: a casework officer
reads a case with scores, documents and an earlier case, follows the
contents, reads the timeline's chain checks and downloads the evidence zip.
Free of axe-core violations."""

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from accreditation.models import AccreditationType, CaseEvent
from accreditation.roles import Role
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import person_with
from tests.factories import EvidenceFactory, ProposalFactory, SchoolLedFactory
from tests.scoring_helpers import case_in_assessment, score_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_a_case_and_downloads_its_evidence(
    page, new_page, assert_accessible, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer, device = staff_with_device(Role.CASEWORK_OFFICER, full_name="Olive Officer")
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG,
        organisation__schools_led_count=3,
        organisation__name="Oak Learning Trust",
    )
    score_all(case, person_with("assessor", case, full_name="Fiona First"), 3)
    EvidenceFactory(proposal=case, original_name="inspection-report.pdf")
    SchoolLedFactory(proposal=case, name="Elm Primary", urn="123456")
    earlier = ProposalFactory(organisation=case.organisation, status="not_accredited")

    with_scripts = page
    signed_in_as(with_scripts, officer, device)
    expect(with_scripts).not_to_have_url(re.compile("/account/"))
    page = new_page(java_script_enabled=False, storage_state=with_scripts.context.storage_state())
    page.goto(f"/staff/cases/{case.pk}/")
    expect(page.locator("h1")).to_have_text(case.reference)
    expect(page.locator(".moj-identity-bar")).to_contain_text("Oak Learning Trust")
    scores = page.get_by_role(
        "table", name="Scores by criterion for each assessor, and agreed scores"
    )
    expect(scores).to_contain_text("Fiona First (first assessor, not finished)")
    expect(page.get_by_role("link", name="inspection-report.pdf")).to_be_visible()
    expect(page.get_by_role("link", name=earlier.reference)).to_be_visible()
    records = page.get_by_role("link", name="Ofsted reports for Elm Primary (opens in new tab)")
    expect(records).to_have_attribute("href", "https://reports.ofsted.gov.uk/provider/21/123456")
    page.get_by_role("link", name="Timeline").click()
    events = CaseEvent.objects.filter(case=case).count()
    expect(page.locator(".moj-timeline__item")).to_have_count(events)
    expect(page.get_by_text("Chain verified")).to_have_count(events)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all the evidence (zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "documents/01-inspection-report.pdf" in archive.namelist()
    page.reload()
    expect(page.locator(".moj-timeline__item").first).to_contain_text(
        "All the case’s evidence downloaded as a zip"
    )
    expect(page.locator(".moj-timeline__item").first).to_contain_text("by Olive Officer")
    # axe runs scripts in the page, so it checks a page with JavaScript on.
    with_scripts.goto(f"/staff/cases/{case.pk}/")
    expect(with_scripts.locator("h1")).to_have_text(case.reference)
    assert_accessible(with_scripts)
