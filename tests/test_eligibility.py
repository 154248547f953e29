"""The SPEC's eligibility table, row by row, both types, counts at the edges."""

import pytest

from accreditation import eligibility
from accreditation.models import AccreditationType, Organisation, OrganisationKind, Round
from accreditation.models import OrganisationKind as K

ASP, ASG = AccreditationType.ASP, AccreditationType.ASG
PRIMARY = [K.MAINTAINED_INFANT, K.MAINTAINED_JUNIOR, K.MAINTAINED_PRIMARY, K.MAINTAINED_MIDDLE]
GOVERNANCE_KINDS = [
    K.MAINTAINED_SECONDARY,
    K.INDEPENDENT_PRIMARY,
    K.INDEPENDENT_SECONDARY,
    K.FE_COLLEGE,
    K.SIXTH_FORM_COLLEGE,
    K.UNIVERSITY,
    K.ACADEMY_TRUST,
    K.MAINTAINED_SCHOOL_TRUST,
    K.FEDERATION,
    K.COFE_DIOCESE,
    K.RC_DIOCESE,
    K.OTHER_FAITH_GROUP,
    K.EDUCATIONAL_CONSULTANCY,
    K.EDUCATIONAL_CHARITY,
    K.OTHER_EDUCATIONAL,
]
NON_EDUCATIONAL = [K.PRIVATE_OR_THIRD_SECTOR]

# (kind, schools led now, primaries it governs, may seek ASP, may seek ASG)
CASES = (
    [(kind, led, 0, True, led >= 2) for kind in PRIMARY for led in (0, 1, 2)]
    + [(kind, 1, 5, True, False) for kind in PRIMARY]
    + [(kind, 0, gov, True, gov >= 2) for kind in GOVERNANCE_KINDS for gov in (1, 2)]
    + [(kind, 5, 1, True, False) for kind in GOVERNANCE_KINDS]
    + [
        (kind, led, gov, True, False)
        for kind in NON_EDUCATIONAL
        for led, gov in ((1, 1), (2, 2), (9, 9))
    ]
)


def test_the_table_covers_every_kind_once():
    assert sorted(PRIMARY + GOVERNANCE_KINDS + NON_EDUCATIONAL) == sorted(OrganisationKind)
    assert set(eligibility.ROW_FOR_KIND) == set(OrganisationKind)
    assert sum(len(row.kinds) for row in eligibility.TABLE) == len(OrganisationKind)


@pytest.mark.parametrize(("kind", "led", "governs", "asp", "asg"), CASES)
def test_eligibility(kind, led, governs, asp, asg):
    organisation = Organisation(kind=kind, schools_led_count=led, primary_governance_count=governs)
    asp_verdict = eligibility.assess(organisation, ASP)
    asg_verdict = eligibility.assess(organisation, ASG)
    assert asp_verdict.eligible is asp
    assert asg_verdict.eligible is asg
    if not asg:
        assert asg_verdict.reason


def test_reasons_are_plain_and_say_what_the_organisation_told_us():
    school = Organisation(kind=K.MAINTAINED_PRIMARY, schools_led_count=1)
    reason = eligibility.assess(school, ASG).reason
    assert "at least 2 schools through a formal partnership" in reason
    assert "You told us it leads improvement in 1 school " in reason
    diocese = Organisation(kind=K.COFE_DIOCESE, primary_governance_count=0)
    assert "accountable for governance in at least 2 primary schools" in (
        eligibility.assess(diocese, ASG).reason
    )
    company = Organisation(kind=K.PRIVATE_OR_THIRD_SECTOR)
    assert "cannot become an Accredited Schools Group" in eligibility.assess(company, ASG).reason


@pytest.mark.parametrize(
    ("kind", "led", "governs", "told"),
    [
        (K.ACADEMY_TRUST, 0, 0, "is accountable for governance in 0 primary schools."),
        (K.ACADEMY_TRUST, 0, 1, "is accountable for governance in 1 primary school."),
        (K.MAINTAINED_PRIMARY, 0, 0, "leads improvement in 0 schools through"),
        (K.MAINTAINED_PRIMARY, 1, 0, "leads improvement in 1 school through"),
    ],
)
def test_counts_in_reasons_read_correctly(kind, led, governs, told):
    organisation = Organisation(kind=kind, schools_led_count=led, primary_governance_count=governs)
    reason = eligibility.assess(organisation, ASG).reason
    assert f"You told us it {told}" in reason
    assert "schools primary" not in reason and "school primary" not in reason


def test_a_minimum_of_one_school_reads_correctly(settings):
    settings.POLICY = {"asg_minimum_schools": 1}
    trust = Organisation(kind=K.ACADEMY_TRUST, primary_governance_count=0)
    assert "accountable for governance in at least 1 primary school." in (
        eligibility.assess(trust, ASG).reason
    )


def test_a_round_that_does_not_take_a_type_offers_none():
    school = Organisation(kind=K.MAINTAINED_PRIMARY, schools_led_count=3)
    autumn = Round(term="autumn", year=2026, accepts_asp=True, accepts_asg=False)
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(school, autumn)}
    assert verdicts[ASP].eligible
    assert not verdicts[ASG].eligible
    assert "does not take this type" in verdicts[ASG].reason


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["current", "notice_given"])
def test_an_accredited_provider_is_not_offered_the_type_it_holds(state):
    from django.utils import timezone

    from tests.factories import RegisterEntryFactory

    entry = RegisterEntryFactory(
        state=state,
        notice_given_at=timezone.now(),
        response_due=timezone.now(),
        accreditation_type=ASP,
        case__organisation__kind=K.MAINTAINED_PRIMARY,
        case__organisation__schools_led_count=3,
    )
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(entry.organisation)}
    assert not verdicts[ASP].eligible
    assert verdicts[ASP].reason == (
        f"{entry.organisation.name} is already accredited as an Accredited School Provider "
        "(ASP) and on the register: it does not need to apply for it again."
    )
    assert verdicts[ASG].eligible  # an ASP may seek to become an ASG


@pytest.mark.django_db
def test_a_revoked_provider_may_apply_again():
    from tests.factories import RegisterEntryFactory

    entry = RegisterEntryFactory(state="revoked", accreditation_type=ASP)
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(entry.organisation)}
    assert verdicts[ASP].eligible


@pytest.mark.django_db
def test_a_type_whose_case_is_still_being_assessed_is_not_offered_again():
    from feedback.models import Letter, LetterPurpose
    from tests.factories import ProposalFactory

    case = ProposalFactory(
        status="in_assessment",
        accreditation_type=ASG,
        organisation__kind=K.MAINTAINED_PRIMARY,
        organisation__schools_led_count=3,
    )
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(case.organisation)}
    assert not verdicts[ASG].eligible
    assert verdicts[ASG].reason == (
        f"{case.organisation.name}'s ASG proposal {case.reference} has not been decided yet: "
        "you can apply again once it has, if it is not accredited."
    )
    assert verdicts[ASP].eligible
    case.status = "not_accredited"
    case.save(update_fields=["status"])
    # Decided, but not yet told by its letter (the decision can still be
    # corrected): still as undecided to the applicant, until the letter.
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(case.organisation)}
    assert not verdicts[ASG].eligible
    Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=case.updated_at)
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(case.organisation)}
    assert verdicts[ASG].eligible


@pytest.mark.django_db
def test_an_accredited_asg_is_offered_neither_type():
    from tests.factories import RegisterEntryFactory

    entry = RegisterEntryFactory(
        accreditation_type=ASG,
        case__accreditation_type=ASG,
        case__organisation__kind=K.MAINTAINED_PRIMARY,
        case__organisation__schools_led_count=3,
    )
    verdicts = {v.accreditation_type: v for v in eligibility.verdicts(entry.organisation)}
    assert not verdicts[ASG].eligible and not verdicts[ASP].eligible
    assert verdicts[ASP].reason.endswith("it does not need to apply for ASP accreditation.")
