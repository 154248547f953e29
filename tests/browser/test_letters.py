"""Letters in real Chromium: the applicant downloads their letter from the
status page, a casework officer reads the letters register and previews a
letter, and anyone checks a letter on the public page with the genuine file
and an altered one. Every page free of axe-core violations."""

import re

import pytest
from playwright.sync_api import expect

from accreditation.roles import Role
from accreditation.workflow import Action, move
from feedback.services import letters
from tests.browser.conftest import open_from_more, sign_in, signed_in_as, staff_with_device
from tests.casework import person_with
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def letter():
    case = ProposalFactory(status="awaiting_decision", organisation__name="Oak Learning Trust")
    move(case, Action.ACCREDIT, person_with("decision_official", full_name="Dana Decider"))
    return letters.issue(case.pk)


def test_the_applicant_downloads_their_letter(page, letter, assert_accessible, tmp_path):
    case = letter.case
    sign_in(page, case.created_by.email)
    page.goto(f"/proposals/{case.pk}/status/")
    expect(page.get_by_role("heading", name="Letters")).to_be_visible()
    expect(page.get_by_text(letter.sha256)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your decision letter (PDF)").click()
    saved = tmp_path / "letter.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == bytes(letter.pdf)


def test_a_casework_officer_reads_the_register_and_previews_a_letter(
    page, letter, assert_accessible
):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    signed_in_as(page, officer, device)
    open_from_more(page, "Letters")
    expect(page.locator("h1")).to_have_text("Letters issued")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Oak Learning Trust")
    expect(rows).to_contain_text(letter.sha256)
    assert_accessible(page)
    page.get_by_label("Letter", exact=True).select_option("feedback")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No letters match these filters.")).to_be_visible()
    assert_accessible(page)

    # A decided case with its letter issued has no letter left to preview.
    page.goto(f"/staff/cases/{letter.case_id}/")
    expect(page.get_by_role("link", name="Decision letter (PDF)")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Preview the"))).to_have_count(0)

    # A case awaiting decision can get either outcome's letter.
    waiting = ProposalFactory(status="awaiting_decision", organisation__name="Elm Trust")
    page.goto(f"/staff/cases/{waiting.pk}/")
    expect(page.get_by_role("link", name=re.compile("^Preview the"))).to_have_text(
        ["Preview the decision letter", "Preview the feedback letter"]
    )
    page.get_by_role("link", name="Preview the feedback letter").click()
    expect(page.locator("h1")).to_have_text("Preview: feedback letter")
    expect(page.locator(".app-letter-preview")).to_contain_text(waiting.reference)
    assert_accessible(page)


def test_anyone_checks_a_letter(page, letter, assert_accessible, tmp_path):
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(bytes(letter.pdf))
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(letter.pdf) + b"\n% altered\n")

    page.goto("/letters/check/")
    expect(page.locator("h1")).to_have_text("Check a letter")
    assert_accessible(page)
    page.get_by_role("button", name="Check the letter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the PDF of the letter")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Upload the letter (PDF)").set_input_files(str(genuine))
    page.get_by_role("button", name="Check the letter").click()
    expect(page.locator("h1")).to_have_text("This is a letter we issued")
    assert_accessible(page)

    page.get_by_label("Upload the letter (PDF)").set_input_files(str(altered))
    page.get_by_role("button", name="Check the letter").click()
    expect(page.locator("h1")).to_have_text("This letter does not match one we issued")
    assert_accessible(page)
