"""After submission: the dashboard, the case's status page with its
applicant timeline, and withdrawal, in real Chromium with axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import clock
from accreditation.models import AccreditationType, Round
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from proposals.models import Proposal
from proposals.services import applicant as services
from proposals.tasks import lapse_overdue_drafts
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, ProposalFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_follows_and_withdraws_a_submitted_proposal(page, assert_accessible):
    membership = MembershipFactory(
        organisation__name="Oak Primary", organisation__address="1 Oak Lane"
    )
    applicant = membership.user
    draft = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASP,
        actor=applicant,
    )
    submitted = services.submit(complete(draft, applicant), applicant)

    sign_in(page, applicant.email)
    page.goto("/proposals/")
    expect(page.get_by_role("link", name=submitted.reference)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=submitted.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(submitted.reference)
    expect(page.locator("main")).to_contain_text("Proposal submitted")
    expect(page.locator("main")).to_contain_text("Requests for information")
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw this proposal").click()
    page.get_by_role("button", name="Withdraw proposal").click()
    expect(page).to_have_title(
        "Error: Withdraw your proposal – Apply for school provider accreditation – GOV.UK"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are withdrawing")
    assert_accessible(page)

    page.get_by_label("Why are you withdrawing this proposal?").fill(
        "We have merged with another trust"
    )
    page.get_by_role("button", name="Withdraw proposal").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been withdrawn")
    expect(page.locator("main")).to_contain_text("Proposal withdrawn")
    expect(page.get_by_role("link", name="Withdraw this proposal")).to_have_count(0)
    assert_accessible(page)
    assert Proposal.objects.get(pk=submitted.pk).status == Status.WITHDRAWN


def closed_draft(membership, **round_fields):
    """A complete draft whose round's deadline passed an hour ago, not yet
    lapsed by the scheduler."""
    applicant = membership.user
    draft = complete(
        services.start_proposal(
            organisation=membership.organisation,
            period=RoundFactory(**round_fields),
            accreditation_type=AccreditationType.ASP,
            actor=applicant,
        ),
        applicant,
    )
    now = timezone.now()
    Round.objects.filter(pk=draft.round_id).update(
        opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1)
    )
    return Proposal.objects.get(pk=draft.pk)


def test_a_draft_past_its_deadline_says_so_and_is_copied_into_the_open_round(
    page, assert_accessible
):
    membership = MembershipFactory(
        organisation__name="Oak Primary", organisation__address="1 Oak Lane"
    )
    draft = closed_draft(membership)
    next_round = RoundFactory()
    name = f"Draft ASP proposal, {draft.round}"

    sign_in(page, membership.user.email)
    page.goto("/proposals/")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)

    # The task list and check answers are closed: both lead to the status page.
    for path in (f"/proposals/{draft.pk}/", f"/proposals/{draft.pk}/check/"):
        page.goto(path)
        expect(page).to_have_url(re.compile(rf"/proposals/{draft.pk}/status/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    main = page.locator("main")
    expect(main).to_contain_text(
        "This draft was not submitted by its deadline, "
        f"{clock.describe_deadline(draft.round.deadline)} (UK time). "
        "It can no longer be changed or submitted."
    )
    expect(main).to_contain_text(f"The {next_round} round is open now")
    expect(page.get_by_role("button", name="Submit proposal")).to_have_count(0)
    expect(main).not_to_contain_text("Ready to submit")
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    expect(page.get_by_role("link", name="Withdraw this proposal")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name=f"Copy into a new draft for {next_round}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A new draft has been")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draft ASP proposal, {next_round}")
    assert_accessible(page)
    copy = Proposal.objects.get(copied_from=draft)
    assert copy.round == next_round and copy.answers.count() == draft.answers.count()


def test_a_lapsed_draft_says_when_the_next_round_opens(page, assert_accessible):
    membership = MembershipFactory(
        organisation__name="Oak Primary", organisation__address="1 Oak Lane"
    )
    draft = closed_draft(membership)
    lapse_overdue_drafts()
    later = RoundFactory(
        opens_at=timezone.now() + timedelta(days=30), deadline=timezone.now() + timedelta(days=60)
    )

    sign_in(page, membership.user.email)
    page.goto(f"/proposals/{draft.pk}/status/")
    main = page.locator("main")
    expect(main.locator(".govuk-tag")).to_have_text("Not submitted")
    expect(main).to_contain_text(
        f"The next round, {later}, opens at {clock.describe(later.opens_at)} (UK time)."
    )
    for absent in ("Requests for information", "Letters", "Concerns", "will appear here"):
        expect(main).not_to_contain_text(absent)
    assert_accessible(page)


def test_a_not_accredited_case_is_told_by_its_letter_then_how_to_raise_a_concern(
    page, assert_accessible
):
    case = ProposalFactory(status=Status.NOT_ACCREDITED)
    member = MembershipFactory(organisation=case.organisation)
    sign_in(page, member.user.email)
    page.goto(f"/proposals/{case.pk}/status/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(case.reference)
    expect(main.locator(".govuk-tag")).to_have_text("Decision made")
    expect(main).to_contain_text("A decision has been made on your proposal.")
    expect(main).not_to_contain_text("raise a concern")
    expect(main).not_to_contain_text("Requests for information")
    expect(main).not_to_contain_text("will appear here")
    assert_accessible(page)
    Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
    page.reload()
    expect(main.locator(".govuk-tag")).to_have_text("Not accredited")
    expect(main).to_contain_text("Download your feedback letter (PDF)")
    expect(main).to_contain_text("If you have a concern about the assessment or its result")
    assert_accessible(page)
