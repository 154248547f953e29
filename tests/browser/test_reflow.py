"""Pages with long unbroken text or wide tables at 320px wide (WCAG 2.2,
1.4.10 Reflow): the page itself never scrolls sideways; a wide table scrolls
within its own labelled pane, and a letter's SHA-256 digest wraps. The case
bar's reference and type are shown, not sized to nothing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from tests.browser.conftest import signed_in_as, staff_with_device
from tests.casework import give_part
from tests.factories import ProposalFactory, RoundFactory, UserFactory
from tests.scoring_helpers import case_in_assessment
from tests.test_advisory_group import new_meeting, not_accredit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 700}


def page_width(page):
    """The page's width once its fonts have loaded (a fallback font's wider
    text, before, is not what anyone reads)."""
    page.wait_for_load_state("networkidle")
    return page.evaluate("document.fonts.ready.then(() => document.documentElement.scrollWidth)")


def test_a_case_page_with_its_letters_reflows_and_shows_its_reference(new_page, assert_accessible):
    case = ProposalFactory(status=Status.NOT_ACCREDITED, organisation__name="Birch Schools Trust")
    Letter.objects.create(
        case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now(), pdf=b"%PDF-1.7"
    )
    page = new_page(viewport=NARROW)
    signed_in_as(page, *staff_with_device(Role.CASEWORK_OFFICER))
    page.goto(reverse("staff-case", args=[case.pk]))
    expect(page.locator(".moj-identity-bar").get_by_text(f"{case.reference}, ")).to_be_visible()
    expect(page.locator("code.app-hash").first).to_be_visible()
    assert page_width(page) <= 320
    assert_accessible(page)


def test_a_round_report_and_an_agenda_reflow(new_page, assert_accessible):
    period = RoundFactory()
    for status in (Status.SUBMITTED, Status.IN_ASSESSMENT, Status.ACCREDITED):
        ProposalFactory(round=period, status=status)
    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    ProposalFactory(status=Status.ADVISORY_REVIEW, accreditation_type="asg")
    meeting = new_meeting(officer, group, days=7)
    page = new_page(viewport=NARROW)
    signed_in_as(page, officer, device)
    page.goto(reverse("staff-report", args=[period.pk]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page_width(page) <= 320
    assert_accessible(page)
    page.goto(reverse("advisory-meeting", args=[meeting.pk]))
    expect(page.get_by_role("region", name="Agenda items").locator("table")).to_be_visible()
    assert page_width(page) <= 320
    assert_accessible(page)


def test_the_scoring_pages_and_an_advisory_item_keep_their_score_tables_in_a_pane(
    new_page, assert_accessible
):
    """Every table of scores (the scoring page's criteria, the case page's
    assessors and scores, the Advisory Group item's two sets) scrolls in
    its own pane at 320px."""
    case = not_accredit_case(asg=True)
    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    meeting = new_meeting(officer, group, days=7)
    item = meeting.items.get(case=case, purpose="advice")
    page = new_page(viewport=NARROW)

    def reflows(url, pane):
        page.goto(url)
        expect(
            page.get_by_role("region", name=f"{pane}, scrolls sideways on a narrow screen")
        ).to_be_visible()
        assert page_width(page) <= 320

    signed_in_as(page, officer, device)
    reflows(reverse("staff-case", args=[case.pk]), "Scores")
    member, member_device = staff_with_device(Role.ADVISORY_GROUP_MEMBER)
    meeting.members.add(member)
    signed_in_as(page, member, member_device)
    reflows(reverse("advisory-item", args=[item.pk]), "Scores")
    assert_accessible(page)
    fresh = case_in_assessment()
    person, person_device = staff_with_device(Role.ASSESSOR)
    give_part(person, "assessor", [fresh])
    signed_in_as(page, person, person_device)
    reflows(reverse("case-scores", args=[fresh.pk]), "Criteria")
    assert_accessible(page)
