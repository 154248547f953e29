"""Pages with long unbroken text or wide tables at 320px wide (WCAG 2.2,
1.4.10 Reflow): the page itself never scrolls sideways; a wide table scrolls
within its own labelled pane, and a letter's SHA-256 digest and a long file
name wrap. The case bar's reference and type are shown, not sized to
nothing."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accreditation import clock
from accreditation.roles import Role
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from proposals.models import OutOfRoundRequest
from tests.browser.conftest import sign_in, signed_in_as, staff_with_device
from tests.casework import give_part
from tests.factories import (
    AssignmentFactory,
    EvidenceFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    OutOfRoundRequestFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)
from tests.scoring_helpers import case_in_assessment
from tests.test_advisory_group import new_meeting, not_accredit_case
from tests.test_feedback_after_decision import decided_not_accredited, recommended

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 700}

LONG_NAMES = (
    "The Cathedral Schools Trust of the Diocese of Bath and Wells",
    "Saint Bartholomew's Church of England Multi-Academy Trust",
)


def page_width(page):
    """The page's width once its fonts have loaded (a fallback font's wider
    text, before, is not what anyone reads)."""
    page.wait_for_load_state("networkidle")
    return page.evaluate("document.fonts.ready.then(() => document.documentElement.scrollWidth)")


def fits(page, assert_accessible, url, *panes):
    """The page at ``url`` fits 320px, each of its ``panes`` a table in its
    own labelled pane, and has no axe-core violations."""
    page.goto(url)
    assert page_width(page) <= 320
    for pane in panes:
        region = page.get_by_role("region", name=f"{pane}, scrolls sideways on a narrow screen")
        expect(region.locator("table")).to_be_visible()
    assert_accessible(page)


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


def test_the_out_of_round_requests_reflow(new_page, assert_accessible):
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    for name in LONG_NAMES:
        OutOfRoundRequestFactory(
            organisation__name=name, school_name="Holy Trinity Church of England Primary School"
        )
    OutOfRoundRequestFactory(
        organisation__name=LONG_NAMES[0],
        outcome=OutOfRoundRequest.Outcome.REFUSED,
        decided_at=clock.now(),
        decided_by=officer,
        refusal_reason="The school can wait for the next round.",
    )
    page = new_page(viewport=NARROW)
    signed_in_as(page, officer, device)
    fits(
        page,
        assert_accessible,
        reverse("out-of-round-staff-list"),
        "Requests waiting for a decision",
        "Requests recently decided",
    )


def test_a_rounds_assignment_reflows(new_page, assert_accessible):
    period = RoundFactory()
    for name in LONG_NAMES:
        ProposalFactory(round=period, status=Status.IN_ASSESSMENT, organisation__name=name)
    staff_with_device(Role.ASSESSOR, full_name="Alexandra Montgomery-Fairweather")
    page = new_page(viewport=NARROW)
    signed_in_as(page, *staff_with_device(Role.CASEWORK_OFFICER))
    fits(
        page,
        assert_accessible,
        reverse("assignment-round", args=[period.pk]),
        "Assessors’ workloads",
        "Proposed assignment",
    )
    fits(page, assert_accessible, reverse("assignment-rounds"), "Rounds")


def test_the_assessors_queue_reflows(new_page, assert_accessible):
    case, assessor = recommended("accredit")
    decided_not_accredited(case)
    for name in LONG_NAMES:
        AssignmentFactory(assessor=assessor, case__organisation__name=name)
    device = TOTPDevice.objects.create(user=assessor, name="Authenticator app", confirmed=True)
    page = new_page(viewport=NARROW)
    signed_in_as(page, assessor, device)
    fits(
        page,
        assert_accessible,
        reverse("assessor-queue"),
        "Feedback to write or revise",
        "Cases assigned to you",
    )


def test_the_advisory_group_meetings_reflow(new_page, assert_accessible):
    chair = UserFactory(
        roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Alexandra Montgomery-Fairweather"
    )
    members = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(2)]
    officer, device = staff_with_device(Role.CASEWORK_OFFICER)
    new_meeting(officer, [chair, *members], days=7)
    page = new_page(viewport=NARROW)
    signed_in_as(page, officer, device)
    fits(page, assert_accessible, reverse("advisory-meetings"), "Meetings")


def test_an_organisations_members_reflow(new_page, assert_accessible):
    organisation = OrganisationFactory(name=LONG_NAMES[1])
    me = MembershipFactory(
        organisation=organisation, user__email="headteacher@st-bartholomews-trust.org.uk"
    ).user
    MembershipFactory(
        organisation=organisation,
        is_contact=False,
        user__email="business.manager@st-bartholomews-trust.org.uk",
        user__full_name="Alexandra Montgomery-Fairweather",
    )
    InvitationFactory(
        organisation=organisation,
        email="deputy.headteacher@st-bartholomews-trust.org.uk",
        roles=[],
    )
    page = new_page(viewport=NARROW)
    sign_in(page, me.email)
    fits(
        page,
        assert_accessible,
        reverse("organisation-members"),
        "Members",
        "Invitations not yet accepted",
    )
    members = page.get_by_role("region", name="Members, scrolls sideways on a narrow screen")
    expect(members.get_by_role("link", name=f"Leave {LONG_NAMES[1]}")).to_be_visible()


def test_a_proposals_documents_with_a_long_file_name_reflow(
    new_page, assert_accessible, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    member = MembershipFactory(organisation__name=LONG_NAMES[0])
    proposal = ProposalFactory(organisation=member.organisation, created_by=member.user)
    name = "Ofsted_inspection_report_" * 10  # 250 characters, no spaces
    EvidenceFactory(proposal=proposal, original_name=name)
    page = new_page(viewport=NARROW)
    sign_in(page, member.user.email)
    fits(
        page,
        assert_accessible,
        reverse("proposal-documents", args=[proposal.pk]),
        "Uploaded documents",
    )
    # The name wraps within its column, not widening the table in its pane.
    assert page.get_by_role("link", name=name).bounding_box()["width"] <= 320


def test_the_proposals_dashboard_reflows(new_page, assert_accessible):
    member = MembershipFactory(organisation__name=LONG_NAMES[1])
    ProposalFactory(organisation=member.organisation, created_by=member.user)
    ProposalFactory(
        organisation=member.organisation, created_by=member.user, status=Status.NOT_ACCREDITED
    )
    page = new_page(viewport=NARROW)
    sign_in(page, member.user.email)
    fits(page, assert_accessible, reverse("proposal-dashboard"), "Proposals")
