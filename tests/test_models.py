"""The spine's database constraints and the default criteria framework."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from accreditation.models import (
    Criterion,
    Framework,
    LocalAuthority,
    Organisation,
    OrganisationKind,
    Region,
    Round,
    Sector,
    Term,
)
from accreditation.models.organisations import MAINTAINED_PRIMARY_KINDS
from accreditation.workflow import Status
from proposals.models import Proposal
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    factory = kwargs.pop("factory")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def refused_change(case, **fields):
    """The database refuses to write ``fields`` into ``case``'s row: cases are
    made only by walking them, so a bad row can only be tried as a change."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=case.pk).update(**fields)


class TestReferenceData:
    def test_every_english_local_authority_is_loaded_with_its_region(self):
        assert LocalAuthority.objects.count() == 153
        assert Region.objects.count() == 9
        assert LocalAuthority.objects.get(code="330").region.name == "West Midlands"

    def test_the_default_framework_follows_the_prospectus(self):
        framework = Framework.objects.get(version=1)
        codes = list(
            Criterion.objects.filter(part__framework=framework).values_list("code", flat=True)
        )
        assert codes == ["1A", "1B", "1C", "1D", "1E", "2A", "2B", "2C"]
        only_own_right = Criterion.objects.get(part__framework=framework, code="1E")
        assert only_own_right.circumstance == "non_educational_own_right"
        skipped = set(
            Criterion.objects.filter(
                part__framework=framework, skipped_for_national_support_school=True
            ).values_list("code", flat=True)
        )
        assert skipped == {"2A", "2B"}
        for code in ("2A", "2B", "2C"):
            criterion = Criterion.objects.get(part__framework=framework, code=code)
            assert criterion.answered_per_party
            assert set(criterion.sector_guidance.values_list("sector", flat=True)) == set(
                Sector.values
            )


class TestOrganisationConstraints:
    def test_only_maintained_primary_kinds_can_claim_national_support_school(self):
        for kind in MAINTAINED_PRIMARY_KINDS:
            OrganisationFactory(kind=kind, claims_national_support_school=True)
        refused(
            factory=OrganisationFactory,
            kind=OrganisationKind.MAINTAINED_SECONDARY,
            claims_national_support_school=True,
        )

    def test_schools_need_a_urn_and_colleges_a_ukprn(self):
        refused(factory=OrganisationFactory, kind=OrganisationKind.MAINTAINED_PRIMARY, urn="")
        refused(factory=OrganisationFactory, kind=OrganisationKind.UNIVERSITY, urn="", ukprn="")
        OrganisationFactory(kind=OrganisationKind.UNIVERSITY, urn="", ukprn="10001234")

    def test_identifiers_are_unique_when_given(self):
        OrganisationFactory(urn="123456")
        refused(factory=OrganisationFactory, urn="123456")
        OrganisationFactory(non_educational=True)
        OrganisationFactory(non_educational=True)

    def test_educational_or_not_follows_the_kind(self):
        assert OrganisationFactory().is_educational
        assert not OrganisationFactory(non_educational=True).is_educational

    def test_a_person_belongs_to_an_organisation_once(self):
        membership = MembershipFactory()
        refused(
            factory=MembershipFactory, user=membership.user, organisation=membership.organisation
        )

    def test_kind_must_be_one_of_the_list(self):
        refused(factory=OrganisationFactory, kind="pirate_ship")


class TestRoundConstraints:
    def test_a_round_must_take_a_type(self):
        refused(factory=RoundFactory, accepts_asp=False, accepts_asg=False)

    def test_a_round_opens_before_its_deadline(self):
        round_ = RoundFactory.build()
        refused(
            factory=RoundFactory,
            opens_at=round_.deadline + timedelta(seconds=1),
            deadline=round_.deadline,
        )

    def test_one_round_per_term_and_year(self):
        RoundFactory(term="autumn", year=2030)
        refused(factory=RoundFactory, term="autumn", year=2030)

    def test_dates_after_the_deadline_are_in_order(self):
        round_ = RoundFactory.build()
        refused(
            factory=RoundFactory,
            advisory_group_meeting=round_.assessment_due - timedelta(days=1),
            decision_target=round_.assessment_due + timedelta(days=30),
        )

    def test_window_opens_before_deadline(self):
        window = WindowFactory.build()
        refused(factory=WindowFactory, opens_at=window.deadline, deadline=window.deadline)


class TestTermCalendar:
    @pytest.mark.parametrize(
        "day, term",
        [
            (date(2027, 1, 1), "spring"),
            (date(2027, 4, 30), "spring"),
            (date(2027, 5, 1), "summer"),
            (date(2027, 8, 31), "summer"),
            (date(2027, 9, 1), "autumn"),
            (date(2027, 12, 31), "autumn"),
        ],
    )
    def test_the_term_a_date_falls_in(self, day, term):
        assert Term.of(day) == term

    def test_a_term_later_or_earlier_is_four_months_away_in_the_next_term(self):
        assert Term.later(date(2026, 12, 22), 1) == date(2027, 4, 22)
        assert Term.later(date(2026, 12, 22), -3) == date(2025, 12, 22)
        assert Term.later(date(2026, 10, 31), 1) == date(2027, 2, 28)
        for terms in range(-6, 7):
            day = Term.later(date(2026, 11, 15), terms)
            assert Term.of(day) == ("autumn", "spring", "summer")[terms % 3]

    def test_a_rounds_dates_after_its_deadline(self):
        dates = Round.dates_after_deadline(date(2026, 12, 22))
        assert dates == {
            "assessment_due": date(2027, 2, 2),
            "advisory_group_meeting": date(2027, 2, 16),
            "decision_target": date(2027, 3, 2),
        }


class TestProposalConstraints:
    def test_a_proposal_is_in_a_round_or_a_window_not_both(self):
        round_ = RoundFactory()
        window = WindowFactory()
        refused(factory=ProposalFactory, round=round_, window=window, framework=round_.framework)
        ProposalFactory(round=None, window=window)

    def test_one_live_proposal_per_type_per_round(self):
        first = ProposalFactory()
        refused(factory=ProposalFactory, organisation=first.organisation, round=first.round)
        ProposalFactory(
            organisation=first.organisation, round=first.round, accreditation_type="asg"
        )

    def test_a_withdrawn_proposal_does_not_block_a_new_one(self):
        first = ProposalFactory(status=Status.WITHDRAWN)
        ProposalFactory(organisation=first.organisation, round=first.round)

    def test_references_are_unique(self):
        first = ProposalFactory(status=Status.SUBMITTED)
        refused_change(ProposalFactory(status=Status.SUBMITTED), reference=first.reference)

    def test_a_draft_has_no_reference_and_a_submitted_case_has_one(self):
        refused_change(ProposalFactory(), reference="ASP-2026-0009")
        refused_change(ProposalFactory(status=Status.SUBMITTED), reference=None, submitted_at=None)

    def test_status_must_be_one_of_the_workflow(self):
        refused_change(ProposalFactory(), status="limbo")


def test_organisation_region_comes_from_its_local_authority():
    organisation = OrganisationFactory(local_authority=LocalAuthority.objects.get(code="201"))
    assert Organisation.objects.get(pk=organisation.pk).region.name == "London"
