"""The applicant journeys the issues ask for, walked in real Chromium from
signing in to the confirmation panel, with every page on the way checked by
axe-core:

- a maintained primary National Support School applying as an ASG;
- a private company leading a consortium with an education co-partner (ASP);
- a Church of England diocese applying as an ASG for new faith provision;
- a non-educational charity applying in its own right as an ASP (sees 1E);
- an academy trust applying as an ASG on the governance of its primary
  schools.
"""

import re

import pytest
from playwright.sync_api import expect

from accreditation.models import (
    AccreditationType,
    LocalAuthority,
    OrganisationKind,
    Phase,
)
from accreditation.models.organisations import FaithDesignation
from accreditation.roles import Role
from accreditation.workflow import Status
from proposals.models import Answer, PartnershipKind, Party, Proposal, Route
from proposals.queries.journey import count_words
from tests.browser.journey_steps import (
    SAVE,
    add_schools,
    answer_questions,
    choose_type_and_partnerships,
    click_and_wait,
    expect_task_list,
    fill_answer,
    fill_school,
    finish,
    open_section,
    section_status,
    sign_in_to_dashboard,
    start_proposal,
    submit,
    summary_row,
    task,
)
from tests.factories import MembershipFactory, OrganisationFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ASG = AccreditationType.ASG.label
ASP = AccreditationType.ASP.label
PART_ONE = "Part One: Vision and capacity"
PART_TWO = "Part Two: Track record"
CO_PARTNER = "Part Two: Track record: Co-partner"
ANSWER = "We have led improvement in our partner schools for six years, with results to show."
NON_EDUCATIONAL_CANNOT_BE_ASG = (
    "A non-educational organisation cannot become an Accredited Schools Group."
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def open_round():
    return RoundFactory()


@pytest.fixture
def authority():
    return LocalAuthority.objects.order_by("name").first()


def applicant_of(**organisation):
    """An applicant who is the contact of an organisation with a full profile."""
    organisation.setdefault("address", "1 High Street\nAnytown\nAN1 1AA")
    membership = MembershipFactory(
        user=UserFactory(roles=[Role.APPLICANT]),
        organisation=OrganisationFactory(**organisation),
        is_contact=True,
    )
    return membership.user


def two_schools(authority):
    return [
        ("Elm Primary School", "310001", authority.name, "Federation", "01/09/2021"),
        ("Ash Infant School", "310002", authority.name, "Majority trust", "15/01/2023"),
    ]


GOVERNED = "Primary schools whose governance you are accountable for"


def governed_schools(authority):
    return [
        ("Elm Primary School", "310001", authority.name, None, "01/09/2021"),
        ("Ash Infant School", "310002", authority.name, None, "15/01/2023"),
    ]


def submitted(pk, reference):
    proposal = Proposal.objects.get(pk=pk)
    assert proposal.status == Status.SUBMITTED
    assert proposal.reference == reference
    assert proposal.submitted_at is not None
    return proposal


def answered(proposal):
    return sorted((a.criterion.code, a.party) for a in Answer.objects.filter(proposal=proposal))


def lead(*codes):
    return [(code, Party.LEAD) for code in codes]


def test_a_maintained_primary_national_support_school_applies_as_an_asg(
    page, assert_accessible, open_round, authority
):
    user = applicant_of(
        name="Oak Hill Primary School",
        kind=OrganisationKind.MAINTAINED_PRIMARY,
        claims_national_support_school=True,
        schools_led_count=2,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    pk = start_proposal(page, assert_accessible, ASG)
    expect(task(page, "Schools you lead now")).to_contain_text(
        "Add at least 2 schools you lead improvement in through a formal partnership now"
    )

    # Check answers too early (no link yet, but it may be bookmarked): it
    # lists what is missing, with links, and offers no Submit button.
    page.goto(f"/proposals/{pk}/check/")
    expect(page.get_by_role("button", name="Submit proposal")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^Check your answers – "))
    summary = page.locator("ul.govuk-list--bullet").filter(has_text="Make the declaration")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Choose the partnerships you want to lead",
            "Add at least 2 schools you lead improvement in through a formal partnership now",
            "Answer 1A: Vision for leading improvement",
            "Answer 1B: Governance, leadership, management and accountability",
            "Answer 1C: Educational expertise and school improvement experience",
            "Answer 1D: Capacity for transformational change and long-term commitment",
            "Answer 2C: Partnership working",
            "Make the declaration",
        ]
    )
    assert_accessible(page)
    assert Proposal.objects.get(pk=pk).status == Status.DRAFT

    click_and_wait(
        page, summary.get_by_role("link", name="Choose the partnerships you want to lead")
    )
    choose_type_and_partnerships(
        page,
        assert_accessible,
        offered=["Majority trust", "Federation"],
        chosen=["Majority trust", "Federation"],
    )
    # Adding a school with nothing filled in says what each field needs.
    click_and_wait(page, page.get_by_role("button", name="Add school"))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
        [
            "Enter the school’s name",
            "Enter the school’s URN",
            "Select the school’s local authority",
            "Select the kind of partnership",
            "Enter the date you began leading the school",
        ]
    )
    assert_accessible(page)
    add_schools(page, assert_accessible, two_schools(authority))

    # Part One, 1A: GOV.UK's word count and the server's agree.
    open_section(page, "Part One: Vision and capacity")
    expect(page.locator("h1")).to_have_text("1A: Vision for leading improvement")
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 500 words remaining"
    )
    assert_accessible(page)
    # Save and continue on an empty answer says it is empty.
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
        ["Enter your answer to 1A, or save and come back later"]
    )
    assert_accessible(page)
    too_long = "word " * 501
    fill_answer(page, too_long, "You have 1 word too many")
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    message = "Your answer must be 500 words or fewer. It has 501 words."
    expect(page).to_have_title(re.compile(r"^Error: 1A: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("span.govuk-error-message")).to_contain_text(message)
    expect(page.locator("textarea[name=text]")).to_have_value(too_long)
    expect(page.locator(".govuk-character-count__status")).to_have_text("You have 1 word too many")
    assert_accessible(page)
    assert not Answer.objects.filter(proposal_id=pk).exists()

    fill_answer(page, "word " * 500, "You have 0 words remaining")
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    saved = Answer.objects.get(proposal_id=pk, criterion__code="1A")
    assert count_words(saved.text) == 500

    # No 2A or 2B for a National Support School.
    answer_questions(
        page,
        assert_accessible,
        [("1B", PART_ONE), ("1C", PART_ONE), ("1D", PART_ONE), ("2C", PART_TWO)],
        text=ANSWER,
        checked_captions=[PART_TWO],
    )
    expect(section_status(page, "Part One: Vision and capacity")).to_have_text("Completed")
    expect(section_status(page, "Part Two: Track record")).to_have_text("Completed")

    finish(page, assert_accessible)
    expect(summary_row(page, "Partnerships you want to lead")).to_contain_text(
        re.compile(r"Majority trust\s*Federation")
    )
    expect(summary_row(page, "Elm Primary School")).to_contain_text(
        "URN 310001, " + authority.name + ". Federation since 1 September 2021"
    )
    expect(summary_row(page, "1A: Vision for leading improvement")).to_contain_text("word word")
    expect(page.get_by_text("2A: ")).to_have_count(0)
    reference = submit(page, assert_accessible, "ASG")

    proposal = submitted(pk, reference)
    assert proposal.leads_majority_trust and proposal.leads_federation
    assert sorted(proposal.schools_led.values_list("urn", "partnership")) == [
        ("310001", PartnershipKind.FEDERATION),
        ("310002", PartnershipKind.MAJORITY_TRUST),
    ]
    assert answered(proposal) == lead("1A", "1B", "1C", "1D", "2C")


def test_a_private_company_leading_a_consortium_applies_as_an_asp(
    page, assert_accessible, open_round, authority
):
    user = applicant_of(
        name="Brightpath Services Ltd",
        kind=OrganisationKind.PRIVATE_OR_THIRD_SECTOR,
        urn="",
        phase=Phase.NOT_APPLICABLE,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    pk = start_proposal(page, assert_accessible, ASP, cannot_apply=NON_EDUCATIONAL_CANNOT_BE_ASG)
    expect(task(page, "Co-partner details")).to_have_count(0)

    open_section(page, "Type and partnerships")
    choose_type_and_partnerships(
        page,
        assert_accessible,
        route="As the lead of a consortium",
        offered=["Majority trust"],
        chosen=["Majority trust"],
    )
    # Schools led are optional for an ASP.
    add_schools(page, assert_accessible, [])
    expect(section_status(page, "Schools you lead now")).to_have_text("Optional")
    expect(section_status(page, "Co-partner details")).to_have_text("Not started")

    open_section(page, "Co-partner details")
    expect(page.locator("h1")).to_have_text("Co-partner details")
    assert_accessible(page)
    page.get_by_label("Co-partner’s name").fill("Riverside Academy Trust")
    page.get_by_label("Kind of organisation").select_option(label="Academy trust")
    page.get_by_label("URN or UKPRN").fill("140001")
    page.get_by_label("Local authority where it is based").select_option(label=authority.name)
    page.get_by_label("Contact’s name").fill("Pat Partner")
    page.get_by_label("Contact’s email address").fill("pat at riverside")
    page.get_by_label("What it will do in the partnership").fill(
        "Leads the school improvement work in the trust's schools."
    )
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
        ["Enter an email address in the correct format, like name@example.com"]
    )
    expect(page.get_by_label("Co-partner’s name")).to_have_value("Riverside Academy Trust")
    assert_accessible(page)
    page.get_by_label("Contact’s email address").fill("pat@riverside.example.org")
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    expect_task_list(page)
    expect(section_status(page, "Co-partner details")).to_have_text("Completed")

    # The lead answers Parts One and Two, then the co-partner answers Part Two.
    open_section(page, "Part One: Vision and capacity")
    answer_questions(
        page,
        assert_accessible,
        [
            ("1A", PART_ONE),
            ("1B", PART_ONE),
            ("1C", PART_ONE),
            ("1D", PART_ONE),
            ("2A", PART_TWO),
            ("2B", PART_TWO),
            ("2C", PART_TWO),
            ("2A", CO_PARTNER),
            ("2B", CO_PARTNER),
            ("2C", CO_PARTNER),
        ],
        text=ANSWER,
        checked_captions=[PART_ONE, PART_TWO, CO_PARTNER],
    )
    expect(section_status(page, "Part Two: Track record: the co-partner’s answers")).to_have_text(
        "Completed"
    )

    finish(page, assert_accessible)
    expect(summary_row(page, "How you are applying")).to_contain_text("As the lead of a consortium")
    expect(summary_row(page, "Co-partner")).to_contain_text(
        "Riverside Academy Trust (Academy trust)"
    )
    expect(
        page.get_by_role("heading", name="Part Two: Track record: the co-partner’s answers")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Change 2A for the co-partner")).to_have_attribute(
        "href", f"/proposals/{pk}/answers/2A/co_partner/?from=check"
    )
    reference = submit(page, assert_accessible, "ASP")

    proposal = submitted(pk, reference)
    assert proposal.route == Route.CONSORTIUM_LEAD
    assert proposal.leads_majority_trust and not proposal.leads_federation
    assert proposal.co_partner.name == "Riverside Academy Trust"
    assert proposal.co_partner.kind == OrganisationKind.ACADEMY_TRUST
    assert answered(proposal) == sorted(
        lead("1A", "1B", "1C", "1D", "2A", "2B", "2C")
        + [(code, Party.CO_PARTNER) for code in ("2A", "2B", "2C")]
    )


def test_a_consortium_lead_that_applies_in_its_own_right_for_a_while_loses_nothing(
    page, assert_accessible, open_round, authority
):
    """Applying in its own right puts the co-partner's details and answers
    aside, and says so; leading the consortium again brings them back."""
    user = applicant_of(
        name="Brightpath Services Ltd",
        kind=OrganisationKind.PRIVATE_OR_THIRD_SECTOR,
        urn="",
        phase=Phase.NOT_APPLICABLE,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    start_proposal(page, assert_accessible, ASP, cannot_apply=NON_EDUCATIONAL_CANNOT_BE_ASG)
    co_partners_answers = "Part Two: Track record: the co-partner’s answers"

    def choose_route(route):
        choose_type_and_partnerships(
            page,
            assert_accessible,
            route=route,
            offered=["Majority trust"],
            chosen=["Majority trust"],
        )
        add_schools(page, assert_accessible, [])

    open_section(page, "Type and partnerships")
    choose_route("As the lead of a consortium")
    open_section(page, "Co-partner details")
    page.get_by_label("Co-partner’s name").fill("Riverside Academy Trust")
    page.get_by_label("Kind of organisation").select_option(label="Academy trust")
    page.get_by_label("Local authority where it is based").select_option(label=authority.name)
    page.get_by_label("Contact’s name").fill("Pat Partner")
    page.get_by_label("Contact’s email address").fill("pat@riverside.example.org")
    page.get_by_label("What it will do in the partnership").fill("Leads the improvement work.")
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    open_section(page, co_partners_answers)
    expect(page.locator(".govuk-caption-l")).to_have_text(CO_PARTNER)
    page.locator("textarea[name=text]").fill(ANSWER)
    click_and_wait(page, page.get_by_role("button", name="Save and come back later"))
    expect_task_list(page)

    open_section(page, "Type and partnerships")
    choose_route("In its own right")
    expect(task(page, "Co-partner details")).to_have_count(0)
    expect(task(page, co_partners_answers)).to_have_count(0)
    expect(section_status(page, "Type and partnerships")).to_have_text("Completed")
    banner = page.locator(".govuk-notification-banner").filter(has_text="Important")
    expect(banner).to_contain_text(
        "your co-partner’s details and the answer written for it are not part of this proposal."
    )
    expect(banner).to_contain_text("They have been kept")
    assert_accessible(page)

    click_and_wait(
        page, banner.get_by_role("link", name="Change how your organisation is applying")
    )
    choose_route("As the lead of a consortium")
    expect(page.get_by_text("They have been kept")).to_have_count(0)
    expect(section_status(page, "Co-partner details")).to_have_text("Completed")
    expect(section_status(page, co_partners_answers)).to_have_text("In progress")
    open_section(page, co_partners_answers)
    expect(page.locator("textarea[name=text]")).to_have_value(ANSWER)


def test_a_church_of_england_diocese_applies_as_an_asg_for_new_faith_provision(
    page, assert_accessible, open_round, authority
):
    user = applicant_of(
        name="Diocese of Anytown",
        kind=OrganisationKind.COFE_DIOCESE,
        urn="",
        phase=Phase.NOT_APPLICABLE,
        faith_designation=FaithDesignation.CHURCH_OF_ENGLAND,
        primary_governance_count=3,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    pk = start_proposal(page, assert_accessible, ASG)
    expect(section_status(page, "New faith provision")).to_have_text("Not started")

    open_section(page, "Type and partnerships")
    choose_type_and_partnerships(
        page,
        assert_accessible,
        offered=["Majority trust"],
        chosen=["Majority trust"],
        next_heading=GOVERNED,
    )
    add_schools(
        page,
        assert_accessible,
        governed_schools(authority),
        heading=GOVERNED,
        since_label="Accountable since",
    )

    statement = "A new Church of England primary academy trust for four schools in Anytown."
    open_section(page, "New faith provision")
    expect(page.locator("h1")).to_have_text("New faith provision")
    assert_accessible(page)
    page.get_by_role(
        "group", name="Are you seeking accreditation for new faith provision?"
    ).get_by_label("Yes", exact=True).check()
    page.get_by_label("Describe the new faith provision you seek").fill(statement)
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    expect_task_list(page)
    expect(section_status(page, "New faith provision")).to_have_text("Completed")

    open_section(page, "Part One: Vision and capacity")
    answer_questions(
        page,
        assert_accessible,
        [
            ("1A", PART_ONE),
            ("1B", PART_ONE),
            ("1C", PART_ONE),
            ("1D", PART_ONE),
            ("2A", PART_TWO),
            ("2B", PART_TWO),
            ("2C", PART_TWO),
        ],
        text=ANSWER,
        checked_captions=[PART_ONE, PART_TWO],
    )

    finish(page, assert_accessible)
    expect(summary_row(page, "Seeking new faith provision")).to_contain_text(
        re.compile(rf"Yes\s*{statement}")
    )
    expect(summary_row(page, "Ash Infant School")).to_be_visible()
    reference = submit(page, assert_accessible, "ASG")

    proposal = submitted(pk, reference)
    assert proposal.seeks_new_faith_provision is True
    assert proposal.new_provision_statement == statement
    assert proposal.schools_led.count() == 2
    assert answered(proposal) == lead("1A", "1B", "1C", "1D", "2A", "2B", "2C")


def test_a_non_educational_charity_in_its_own_right_applies_as_an_asp_and_answers_1e(
    page, assert_accessible, open_round
):
    user = applicant_of(
        name="Hopeful Futures Charity",
        kind=OrganisationKind.PRIVATE_OR_THIRD_SECTOR,
        urn="",
        phase=Phase.NOT_APPLICABLE,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    pk = start_proposal(page, assert_accessible, ASP, cannot_apply=NON_EDUCATIONAL_CANNOT_BE_ASG)

    open_section(page, "Type and partnerships")
    choose_type_and_partnerships(
        page,
        assert_accessible,
        route="In its own right",
        offered=["Majority trust"],
        chosen=["Majority trust"],
    )
    add_schools(page, assert_accessible, [])
    expect(task(page, "Co-partner details")).to_have_count(0)

    open_section(page, "Part One: Vision and capacity")
    answer_questions(
        page,
        assert_accessible,
        [
            ("1A", PART_ONE),
            ("1B", PART_ONE),
            ("1C", PART_ONE),
            ("1D", PART_ONE),
            ("1E", PART_ONE),
            ("2A", PART_TWO),
            ("2B", PART_TWO),
            ("2C", PART_TWO),
        ],
        text=ANSWER,
        checked_captions=[PART_ONE, PART_TWO],
    )

    finish(page, assert_accessible)
    expect(summary_row(page, "How you are applying")).to_contain_text("In its own right")
    expect(
        summary_row(page, "1E: Education strategy and access to primary expertise")
    ).to_contain_text(ANSWER)
    reference = submit(page, assert_accessible, "ASP")

    proposal = submitted(pk, reference)
    assert proposal.route == Route.OWN_RIGHT
    assert answered(proposal) == lead("1A", "1B", "1C", "1D", "1E", "2A", "2B", "2C")


def test_an_academy_trust_applies_as_an_asg_on_the_governance_of_its_primary_schools(
    page, assert_accessible, open_round, authority
):
    user = applicant_of(
        name="Riverside Academy Trust",
        kind=OrganisationKind.ACADEMY_TRUST,
        urn="",
        phase=Phase.NOT_APPLICABLE,
        primary_governance_count=2,
    )
    sign_in_to_dashboard(page, assert_accessible, user)
    pk = start_proposal(page, assert_accessible, ASG)
    # The task list says from the start what the schools section needs.
    expect(task(page, GOVERNED)).to_contain_text(
        "Add at least 2 primary schools whose governance you are accountable for"
    )
    expect(section_status(page, GOVERNED)).to_have_text("Not started")

    open_section(page, "Type and partnerships")
    choose_type_and_partnerships(
        page,
        assert_accessible,
        offered=["Majority trust"],
        chosen=["Majority trust"],
        next_heading=GOVERNED,
    )
    expect(page.get_by_text("Kind of partnership")).to_have_count(0)

    # Dates it must survive: not a real date, not numbers, in the future.
    for since, message in (
        ("31/02/2023", "Accountable since must be a real date"),
        ("1st/Sept/2023", "Accountable since must be a real date"),
        ("01/01/2999", "Accountable since must be today or in the past"),
    ):
        fill_school(
            page,
            "Elm Primary School",
            "310001",
            authority.name,
            None,
            since,
            since_label="Accountable since",
        )
        click_and_wait(page, page.get_by_role("button", name="Add school"))
        expect(page).to_have_title(re.compile(rf"^Error: {GOVERNED} – "))
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("link")).to_have_text([message])
        expect(summary.get_by_role("link")).to_have_attribute("href", "#id_since_0")
        expect(page.get_by_label("School name")).to_have_value("Elm Primary School")
        assert_accessible(page)
    assert not Proposal.objects.get(pk=pk).schools_led.exists()

    add_schools(
        page,
        assert_accessible,
        governed_schools(authority),
        heading=GOVERNED,
        since_label="Accountable since",
    )
    open_section(page, "Part One: Vision and capacity")
    answer_questions(
        page,
        assert_accessible,
        [
            ("1A", PART_ONE),
            ("1B", PART_ONE),
            ("1C", PART_ONE),
            ("1D", PART_ONE),
            ("2A", PART_TWO),
            ("2B", PART_TWO),
            ("2C", PART_TWO),
        ],
        text=ANSWER,
        checked_captions=[PART_ONE, PART_TWO],
    )

    finish(page, assert_accessible)
    expect(page.get_by_role("heading", name=GOVERNED)).to_be_visible()
    expect(summary_row(page, "Elm Primary School")).to_contain_text(
        "URN 310001, " + authority.name + ". Accountable for its governance since 1 September 2021"
    )
    reference = submit(page, assert_accessible, "ASG")

    proposal = submitted(pk, reference)
    assert sorted(proposal.schools_led.values_list("urn", "partnership")) == [
        ("310001", ""),
        ("310002", ""),
    ]
    assert answered(proposal) == lead("1A", "1B", "1C", "1D", "2A", "2B", "2C")
