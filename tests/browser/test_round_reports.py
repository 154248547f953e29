"""A round's report in real Chromium: a casework officer finds it from the
service navigation, reads its charts and their tables, and (without
JavaScript) downloads every figure as CSV. Free of axe-core violations."""

import csv
import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from tests.browser.conftest import open_from_more, signed_in_as, staff_with_device
from tests.factories import ProposalFactory, RoundFactory
from tests.test_round_reports import qa_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_a_round_report_and_downloads_its_figures(
    page, new_page, assert_accessible
):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    period = RoundFactory()
    qa_case(period, {"2B_lead": 4}, {"2B_lead": 2})
    ProposalFactory(round=period, status="accredited")

    signed_in_as(page, officer, device)
    expect(page).not_to_have_url(re.compile("/account/"))
    open_from_more(page, "Reports")
    expect(page.locator("h1")).to_have_text("Round reports")
    assert_accessible(page)
    page.get_by_role("link", name=str(period)).click()
    expect(page.locator("h1")).to_have_text(str(period))
    expect(page.get_by_role("img", name="Cases by outcome")).to_be_visible()
    expect(
        page.get_by_role("img", name="Each assessor’s scores against everyone’s")
    ).to_be_visible()
    workload = page.get_by_role("table", name="Each assessor’s cases in the round")
    expect(workload).to_contain_text("Fiona First")
    expect(page.get_by_role("table", name="Pairs of scores per criterion")).to_contain_text("2B")
    assert_accessible(page)
    page.get_by_role("link", name="Each assessor’s scores per criterion against everyone’s").click()
    expect(page.locator("h1")).to_have_text("Each assessor’s scores per criterion")
    expect(page.get_by_role("table", name="Fiona First")).to_contain_text("2B")
    assert_accessible(page)

    without_scripts = new_page(
        java_script_enabled=False, storage_state=page.context.storage_state()
    )
    without_scripts.goto(f"/staff/reports/{period.pk}/")
    with without_scripts.expect_download() as download:
        without_scripts.get_by_role("link", name="Download every figure (CSV)").click()
    with open(download.value.path(), newline="") as handle:
        rows = list(csv.reader(handle))
    assert ["Assessor workload", "Fiona First", "Assessor", "1"] in rows
