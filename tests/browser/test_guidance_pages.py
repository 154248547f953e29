"""The start page and the criteria and guidance in real Chromium, signed
out: no axe-core violations, and a reader can get from the start page to the
criteria, the PDF of the questions and sign-in."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import eligibility
from accreditation.models import Term
from tests.factories import RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Apply for school provider accreditation"


@pytest.fixture
def rounds():
    now = timezone.now()
    open_round = RoundFactory(term=Term.SPRING, year=2090)
    next_round = RoundFactory(
        term=Term.SUMMER,
        year=2090,
        opens_at=now + timedelta(days=60),
        deadline=now + timedelta(days=100),
        accepts_asg=False,
    )
    return open_round, next_round


def test_start_page(page, assert_accessible, rounds):
    open_round, next_round = rounds
    page.goto("/")
    expect(page.locator("h1")).to_have_text(SERVICE)
    assert page.title() == f"{SERVICE} – GOV.UK"

    table = page.get_by_role("table", name="Which organisations can apply to be an ASP or an ASG")
    expect(table.locator("tbody tr")).to_have_count(len(eligibility.TABLE))
    for row in eligibility.TABLE:
        expect(table.get_by_role("row", name=row.label)).to_contain_text(row.asg_wording())
    expect(page.get_by_role("heading", name=f"{open_round} round (open now)")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{next_round} round (next)")).to_be_visible()
    contact = page.get_by_role("link", name=settings.CONTACT_EMAIL)
    expect(contact.last).to_have_attribute("href", f"mailto:{settings.CONTACT_EMAIL}")
    assert_accessible(page)

    page.get_by_role("button", name="Start now").click()
    expect(page.locator("h1")).to_have_text("Sign in")


def test_criteria_page_and_its_pdf(page, assert_accessible):
    page.goto("/")
    page.get_by_role("link", name="criteria and guidance for accreditation").click()
    expect(page.locator("h1")).to_have_text("Criteria and guidance for accreditation")
    assert page.title() == f"Criteria and guidance for accreditation – {SERVICE} – GOV.UK"
    for code in ["1A", "1B", "1C", "1D", "1E", "2A", "2B", "2C"]:
        expect(page.locator(f"h3#criterion-{code}")).to_contain_text(code)
    expect(page.get_by_role("term").filter(has_text="Colleges and universities")).to_have_count(3)
    assert_accessible(page)

    # The contents list leads to each criterion.
    page.get_by_role("link", name="2B Pupil achievement").click()
    assert page.evaluate("location.hash") == "#criterion-2B"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the questions as a PDF").click()
    download = download_info.value
    assert download.suggested_filename == "accreditation-questions-v1.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="Back", exact=True).click()
    expect(page.locator("h1")).to_have_text(SERVICE)


def test_criteria_page_for_an_unknown_version(page, assert_accessible):
    response = page.goto("/guidance/criteria/99/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)
