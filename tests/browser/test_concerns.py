"""Concerns in real Chromium: an applicant raises a concern about their
feedback letter with a document, and a decision official with no part in
the case reads it and decides it not upheld; the response letter follows.
Every page free of axe-core violations."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from accreditation.workflow import Status
from feedback.models import Concern, ConcernState, Letter, LetterPurpose
from feedback.services import letters
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.factories import MembershipFactory, ProposalFactory
from tests.test_uploads import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_raises_a_concern_and_an_official_decides_it_not_upheld(
    page, new_page, assert_accessible, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = ProposalFactory(status=Status.NOT_ACCREDITED, organisation__name="Elm Schools Trust")
    Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7 fb"
    )
    member = MembershipFactory(organisation=case.organisation, is_contact=True).user

    sign_in(page, member.email)
    page.goto(f"/proposals/{case.pk}/status/")
    expect(page.get_by_role("heading", name="Concerns")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Raise a concern").click()
    expect(page.locator("h1")).to_have_text("Raise a concern")
    assert_accessible(page)
    # Wrong type first: a clear error, then the real document.
    document = tmp_path / "scores.pdf"
    document.write_bytes(pdf_bytes())
    wrong = tmp_path / "notes.exe"
    wrong.write_bytes(b"MZ not a document")
    page.get_by_label("What is your concern?").fill("Our answer to 2B was not read.")
    page.get_by_label("Upload documents (optional)").set_input_files(str(wrong))
    page.get_by_role("button", name="Send your concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "notes.exe: The selected file must be a PDF"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Upload documents (optional)").set_input_files(str(document))
    page.get_by_role("button", name="Send your concern").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your concern has been sent")
    expect(page.locator("main")).to_contain_text("Waiting for a decision")
    assert_accessible(page)
    # The document sent can be downloaded again from the status page.
    with page.expect_download() as download:
        page.get_by_role("link", name="scores.pdf").click()
    assert Path(download.value.path()).read_bytes() == pdf_bytes()

    official, device = staff_with_device(Role.DECISION_OFFICIAL, full_name="Chris Concerns")
    staff = new_page()
    signed_in_as(staff, official, device)
    staff.get_by_role("link", name="Concerns").first.click()
    expect(staff.locator("h1")).to_have_text("Concerns")
    rows = staff.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Elm Schools Trust")
    assert_accessible(staff)
    rows.get_by_role("link").click()
    expect(staff.locator("h1")).to_have_text(f"Concern about {case.reference}")
    expect(staff.get_by_role("link", name="scores.pdf")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Select upheld or not upheld")
    assert_accessible(staff)
    staff.get_by_label("Not upheld").check()
    staff.get_by_label("Your response to the organisation").fill(
        "The assessor read and scored every answer."
    )
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("not upheld")
    expect(staff.locator("main")).to_contain_text("Not upheld")
    assert_accessible(staff)
    staff.get_by_role("link", name=case.reference).first.click()
    expect(staff.get_by_role("heading", name="Concerns")).to_be_visible()
    expect(staff.locator(".moj-timeline")).to_contain_text("Concern not upheld")
    assert_accessible(staff)

    concern = Concern.objects.get(case=case)
    assert (concern.state, concern.decided_by) == (ConcernState.NOT_UPHELD, official)
    # The worker issues the response letter (here, the sweeper's call).
    with transaction.atomic():
        letters.issue_concern_response(concern.pk)
    page.reload()
    expect(page.locator("main")).to_contain_text("Not upheld")
    expect(
        page.get_by_role("link", name="Download your concern response letter (PDF)")
    ).to_be_visible()
    assert_accessible(page)


def test_after_the_period_the_applicant_is_told_when_it_ended_and_why(page, assert_accessible):
    case = ProposalFactory(status=Status.CLOSED_INELIGIBLE)
    issued = clock.now() - timedelta(days=40)
    Letter.objects.create(
        case=case, purpose=LetterPurpose.SCREENING, issued_at=issued, pdf=b"%PDF-1.7 sc"
    )
    ended = clock.local_date(issued) + timedelta(days=28)
    member = MembershipFactory(organisation=case.organisation).user
    sign_in(page, member.email)
    page.goto(f"/proposals/{case.pk}/status/")
    main = page.locator("main")
    expect(main).to_contain_text(
        f"The period for raising a concern ended on {ended.day} {ended:%B %Y}, because"
    )
    expect(page.get_by_role("button", name="Raise a concern")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"/proposals/{case.pk}/concern/")
    expect(page.locator("h1")).to_have_text("You cannot raise a concern now")
    expect(page.locator("textarea")).to_have_count(0)
    assert_accessible(page)


def test_a_concern_too_long_is_counted_and_kept_not_cut(page, assert_accessible):
    case = ProposalFactory(status=Status.NOT_ACCREDITED)
    Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7 fb"
    )
    member = MembershipFactory(organisation=case.organisation).user
    sign_in(page, member.email)
    page.goto(f"/proposals/{case.pk}/concern/")
    too_long = "x" * 5001
    page.get_by_label("What is your concern?").fill(too_long)
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 1 character too many"
    )
    page.get_by_role("button", name="Send your concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your concern must be 5,000 characters or fewer"
    )
    expect(page.get_by_label("What is your concern?")).to_have_value(too_long)
    assert_accessible(page)
    assert not Concern.objects.exists()
