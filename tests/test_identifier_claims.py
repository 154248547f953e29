"""Contested URNs and UKPRNs: a school that finds its URN registered by
another organisation registers anyway, saying the other registration is
wrong; screening shows every organisation claiming the identifier, and the
casework officer records which claim is genuine. The others have the
identifier cleared, are told by email and asked for the right one, and
cannot proceed until they give it."""

import re
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from accreditation.middleware import SESSION_KEY
from accreditation.models import (
    AccreditationType,
    ActivityEntry,
    CaseEvent,
    IdentifierClaim,
    LocalAuthority,
    Organisation,
    OrganisationKind,
    OutboxMessage,
)
from accreditation.services import organisations
from accreditation.workflow import Status
from assessments.models import Screening
from assessments.services import conflicts, identifier_claims, screening
from proposals.queries.journey import Journey
from proposals.services import applicant
from proposals.services.applicant import ProposalError
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K = OrganisationKind
URN = "151999"


def details(**overrides):
    data = {
        "name": "Genuine Primary School",
        "urn": URN,
        "local_authority": LocalAuthority.objects.order_by("name").first().pk,
        "phase": "primary",
        "claims_national_support_school": "no",
        "faith_designation": "none",
        "address": "1 School Lane\nLeeds\nLS1 1AA",
        "schools_led_count": "1",
        "primary_governance_count": "0",
    }
    data.update(overrides)
    return data


def register(client, **overrides):
    return client.post(
        reverse("organisation-create-details", args=[K.MAINTAINED_PRIMARY]), details(**overrides)
    )


@pytest.fixture
def squatter():
    """Registered the URN first; its member uses a free email address."""
    membership = MembershipFactory(
        organisation__name="Squatter Learning Ltd",
        organisation__urn=URN,
        user__email="someone@freemail.example",
    )
    return membership.organisation


@pytest.fixture
def officer():
    return person_with("casework_officer", full_name="Olive Officer")


def contested_case(squatter):
    """The genuine school, registered with the contested URN, has a
    submitted case."""
    head = MembershipFactory(
        organisation__name="Genuine Primary School",
        organisation__urn=URN,
        organisation__identifier_claim=IdentifierClaim.CONTESTED,
        user__email="head@genuine-primary.example.org",
    )
    return ProposalFactory(organisation=head.organisation, status="submitted")


def decide(client, case, **data):
    return client.post(reverse("screening-identifier", args=[case.pk]), data)


class TestRegistering:
    def test_saying_the_urn_is_yours_registers_a_contested_claim(self, client, squatter):
        user = UserFactory(roles=["applicant"], email="head@genuine-primary.example.org")
        client.force_login(user)
        asked = register(client)
        assert "Is 151999 your school's URN?" in asked.text
        assert "Yes, and the other registration is wrong" in asked.text
        assert Organisation.objects.count() == 1
        response = register(client, contest_identifier="yes")
        assert response.url == reverse("organisation-profile")
        genuine = Organisation.objects.get(name="Genuine Primary School")
        assert (genuine.urn, genuine.identifier_claim) == (URN, IdentifierClaim.CONTESTED)
        squatter.refresh_from_db()
        assert (squatter.urn, squatter.identifier_claim) == (URN, IdentifierClaim.UNCONTESTED)
        entry = ActivityEntry.objects.get(action="identifier_contested")
        assert entry.object_id == str(genuine.pk) and entry.actor == user
        assert entry.changes == {
            "contested_urn": [None, URN],
            "also_claimed_by": [None, ["Squatter Learning Ltd"]],
        }
        profile = client.get(reverse("organisation-profile"))
        assert "Another organisation also claims this URN" in profile.text

    @pytest.mark.parametrize("answer", ["maybe", ""])
    def test_a_tampered_or_missing_answer_registers_nothing(self, client, squatter, answer):
        client.force_login(UserFactory(roles=["applicant"]))
        response = register(client, contest_identifier=answer)
        assert escape(organisations.DUPLICATE_URN) in response.text
        assert Organisation.objects.count() == 1
        assert not ActivityEntry.objects.filter(action="identifier_contested").exists()

    def test_changing_the_profile_to_a_held_urn_asks_too(self, client, squatter):
        membership = MembershipFactory(organisation__urn="151998")
        organisation = membership.organisation
        client.force_login(membership.user)
        url = reverse("organisation-edit", args=[organisation.kind])
        version = organisations.profile_version(organisation)
        asked = client.post(url, details(name=organisation.name, version=version))
        assert "Is 151999 your school's URN?" in asked.text
        organisation.refresh_from_db()
        assert organisation.urn == "151998"
        client.post(url, details(name=organisation.name, version=version, contest_identifier="yes"))
        organisation.refresh_from_db()
        assert (organisation.urn, organisation.identifier_claim) == (URN, "contested")
        assert ActivityEntry.objects.filter(
            action="identifier_contested", object_id=str(organisation.pk)
        ).exists()
        # Saving again with the same URN asks nothing more and stays contested.
        client.post(
            url,
            details(name="Renamed", version=organisations.profile_version(organisation), urn=URN),
        )
        organisation.refresh_from_db()
        assert (organisation.name, organisation.identifier_claim) == ("Renamed", "contested")
        assert ActivityEntry.objects.filter(action="identifier_contested").count() == 1

    def test_the_database_keeps_one_uncontested_holder(self, squatter):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(urn=URN)
        OrganisationFactory(urn=URN, identifier_claim=IdentifierClaim.CONTESTED)
        assert Organisation.objects.filter(urn=URN).count() == 2

    def test_a_school_has_a_urn_unless_it_was_cleared(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(urn="")
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(identifier_claim=IdentifierClaim.CLEARED)
        OrganisationFactory(urn="", identifier_claim=IdentifierClaim.CLEARED)


class TestScreeningShowsTheClaims:
    def test_every_claimant_is_shown_and_eligible_is_refused(self, client, officer, squatter):
        case = contested_case(squatter)
        ProposalFactory(organisation=squatter)
        sign_in_verified(client, officer)
        page = client.get(reverse("screening-case", args=[case.pk])).text
        assert "Another organisation also claims URN 151999" in page
        assert "Squatter Learning Ltd" in page and squatter.local_authority.name in page
        assert "freemail.example" in page and "genuine-primary.example.org" in page
        assert squatter.get_kind_display() in page
        assert "Whose claim is genuine?" in page
        response = client.post(reverse("screening-case", args=[case.pk]), {"decision": "eligible"})
        assert "Decide which claim is genuine before screening the case eligible" in response.text
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED and not Screening.objects.exists()

    def test_each_id_on_the_page_is_its_own(self, client, officer, squatter):
        """Both forms' buttons, their fields and their error summaries:
        a repeated id leaves a label or a link pointing at the wrong one."""
        case = contested_case(squatter)
        sign_in_verified(client, officer)
        pages = [
            client.get(reverse("screening-case", args=[case.pk])).text,
            client.post(reverse("screening-case", args=[case.pk]), {"decision": "x"}).text,
            decide(client, case, **{"claim-reason": ""}).text,
        ]
        for page in pages:
            ids = Counter(re.findall(r'\sid="([^"]+)"', page))
            assert [name for name, count in ids.items() if count > 1] == []
            assert 'id="id_submit"' in page and 'id="id_decide_claim"' in page

    def test_not_eligible_may_still_be_recorded(self, officer, squatter):
        case = contested_case(squatter)
        screening.screen(case, officer, decision="ineligible", reason="Not a school.")
        case.refresh_from_db()
        assert case.status == Status.CLOSED_INELIGIBLE

    def test_the_decision_address_sends_a_get_to_the_screening_page(self, client, officer):
        case = ProposalFactory(status="submitted")
        sign_in_verified(client, officer)
        response = client.get(reverse("screening-identifier", args=[case.pk]))
        assert response.url == reverse("screening-case", args=[case.pk])

    def test_an_uncontested_case_shows_no_claims(self, client, officer):
        case = ProposalFactory(status="submitted")
        sign_in_verified(client, officer)
        page = client.get(reverse("screening-case", args=[case.pk])).text
        assert "Whose claim is genuine?" not in page


class TestTheDecision:
    def test_the_genuine_claim_stays_and_the_other_is_cleared_and_told(
        self, client, officer, squatter
    ):
        case = contested_case(squatter)
        genuine = case.organisation
        sign_in_verified(client, officer)
        response = decide(
            client,
            case,
            **{"claim-genuine": str(genuine.pk), "claim-reason": "GIAS lists this school."},
        )
        assert response.url == reverse("screening-case", args=[case.pk])
        genuine.refresh_from_db()
        squatter.refresh_from_db()
        assert (genuine.urn, genuine.identifier_claim) == (URN, IdentifierClaim.UNCONTESTED)
        assert (squatter.urn, squatter.identifier_claim) == ("", IdentifierClaim.CLEARED)
        event = CaseEvent.objects.get(case=case, action="identifier_claim_decided")
        assert event.actor == officer
        assert event.details == {
            "identifier": "URN",
            "value": URN,
            "genuine": "Genuine Primary School",
            "cleared": ["Squatter Learning Ltd"],
            "reason": "GIAS lists this school.",
        }
        cleared = ActivityEntry.objects.get(action="identifier_cleared")
        assert cleared.object_id == str(squatter.pk) and cleared.changes["urn"] == [URN, ""]
        assert ActivityEntry.objects.get(action="identifier_confirmed").object_id == str(genuine.pk)
        message = OutboxMessage.objects.get(key=f"identifier_cleared:{event.pk}:{squatter.pk}")
        assert message.to == "someone@freemail.example"
        assert "GIAS lists this school." in message.body and URN in message.body
        assert "/organisation/" in message.body
        assert not OutboxMessage.objects.filter(to="head@genuine-primary.example.org").exists()
        page = client.get(reverse("screening-case", args=[case.pk])).text
        assert "Whose claim is genuine?" not in page
        timeline = client.get(reverse("staff-case", args=[case.pk])).text
        assert "the claim of Genuine Primary School is genuine" in timeline
        screening.screen(case, officer, decision="eligible")
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT

    def test_the_earlier_holder_may_be_the_genuine_one(self, officer, squatter):
        case = contested_case(squatter)
        identifier_claims.decide(case, officer, genuine=squatter.pk, reason="It is a school.")
        case.organisation.refresh_from_db()
        squatter.refresh_from_db()
        assert case.organisation.identifier_claim == IdentifierClaim.CLEARED
        assert case.organisation.urn == ""
        assert squatter.identifier_claim == IdentifierClaim.UNCONTESTED
        with pytest.raises(screening.ScreeningError, match="has no URN"):
            screening.screen(case, officer, decision="eligible")

    @pytest.mark.parametrize("genuine", ["abc", "", "999999", "an outsider"])
    def test_a_tampered_choice_writes_nothing(self, client, officer, squatter, genuine):
        case = contested_case(squatter)
        outsider = OrganisationFactory()
        sign_in_verified(client, officer)
        response = decide(
            client,
            case,
            **{
                "claim-genuine": str(outsider.pk) if genuine == "an outsider" else genuine,
                "claim-reason": "Because.",
            },
        )
        assert response.status_code == 200
        assert "Select the organisation whose claim is genuine" in response.text
        self.assert_nothing_written(case, squatter)

    def test_the_service_refuses_an_organisation_not_claiming_it(self, officer, squatter):
        case = contested_case(squatter)
        with pytest.raises(identifier_claims.ClaimError, match="Select the organisation"):
            identifier_claims.decide(
                case, officer, genuine=OrganisationFactory().pk, reason="Because."
            )
        self.assert_nothing_written(case, squatter)

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_an_empty_reason_writes_nothing(self, client, officer, squatter, reason):
        case = contested_case(squatter)
        sign_in_verified(client, officer)
        response = decide(
            client, case, **{"claim-genuine": str(squatter.pk), "claim-reason": reason}
        )
        assert "Enter why this claim is genuine" in response.text
        assert 'href="#id_claim-reason"' in response.text
        self.assert_nothing_written(case, squatter)

    def test_deciding_twice_tells_the_second_and_writes_nothing(self, client, officer, squatter):
        case = contested_case(squatter)
        sign_in_verified(client, officer)
        data = {"claim-genuine": str(case.organisation_id), "claim-reason": "GIAS."}
        decide(client, case, **data)
        assert CaseEvent.objects.filter(action="identifier_claim_decided").count() == 1
        again = decide(client, case, **data)
        page = client.get(again.url).text
        assert escape(identifier_claims.ALREADY_DECIDED) in page
        assert CaseEvent.objects.filter(action="identifier_claim_decided").count() == 1
        assert OutboxMessage.objects.filter(key__startswith="identifier_cleared").count() == 1
        with pytest.raises(identifier_claims.ClaimAlreadyDecided):
            identifier_claims.decide(case, officer, genuine=case.organisation_id, reason="Again")

    def test_an_officer_in_conflict_cannot_decide(self, client, squatter):
        case = contested_case(squatter)
        officer = person_with("casework_officer")
        conflicts.declare(officer, organisation=case.organisation, reason="I worked there")
        sign_in_verified(client, officer)
        response = decide(
            client, case, **{"claim-genuine": str(squatter.pk), "claim-reason": "Mine"}
        )
        assert response.status_code == 404
        self.assert_nothing_written(case, squatter)

    @staticmethod
    def assert_nothing_written(case, squatter):
        squatter.refresh_from_db()
        case.organisation.refresh_from_db()
        assert squatter.urn == URN and case.organisation.urn == URN
        assert not CaseEvent.objects.filter(action="identifier_claim_decided").exists()
        assert (
            not ActivityEntry.objects.filter(action__startswith="identifier_c")
            .exclude(action="identifier_contested")
            .exists()
        )
        assert not OutboxMessage.objects.filter(key__startswith="identifier_cleared").exists()


class TestTheClearedOrganisation:
    @pytest.fixture
    def cleared(self, officer, squatter):
        case = contested_case(squatter)
        identifier_claims.decide(case, officer, genuine=case.organisation_id, reason="GIAS.")
        squatter.refresh_from_db()
        return squatter

    def test_its_profile_asks_for_the_right_urn(self, client, cleared):
        member = cleared.memberships.get().user
        client.force_login(member)
        session = client.session
        session[SESSION_KEY] = cleared.pk
        session.save()
        profile = client.get(reverse("organisation-profile")).text
        assert "Enter the organisation's URN" in profile
        assert "Not given" in profile
        url = reverse("organisation-edit", args=[cleared.kind])
        version = organisations.profile_version(cleared)
        refused = client.post(url, details(name=cleared.name, urn="", version=version))
        assert "Enter the school" in refused.text
        asked = client.post(url, details(name=cleared.name, urn=URN, version=version))
        assert "Is 151999 your school's URN?" in asked.text
        client.post(url, details(name=cleared.name, urn="152000", version=version))
        cleared.refresh_from_db()
        assert (cleared.urn, cleared.identifier_claim) == ("152000", IdentifierClaim.UNCONTESTED)
        assert (
            "Enter the organisation's URN" not in client.get(reverse("organisation-profile")).text
        )

    def test_it_cannot_start_or_submit_a_proposal(self, cleared):
        member = cleared.memberships.get().user
        with pytest.raises(ProposalError, match="has no URN"):
            applicant.start_proposal(
                organisation=cleared,
                period=RoundFactory(),
                accreditation_type=AccreditationType.ASP,
                actor=member,
            )
        draft = ProposalFactory(organisation=cleared)
        problems = [problem.message for problem in Journey.load(draft).problems()]
        assert any("has no URN" in problem for problem in problems)
        with pytest.raises(applicant.Incomplete):
            applicant.submit(draft, member)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_from_either_case_decide_once():
    """Each officer screens one of the two organisations' cases: the rows
    are locked in one order, so one decides and the other is told."""
    from tests.test_journey_postgres import run_together

    squatter = OrganisationFactory(name="Squatter Learning Ltd", urn=URN)
    squatter_case = ProposalFactory(organisation=squatter, status="submitted")
    case = contested_case(squatter)
    first, second = person_with("casework_officer"), person_with("casework_officer")
    results = run_together(
        lambda: identifier_claims.decide(
            case, first, genuine=case.organisation_id, reason="GIAS lists it."
        ),
        lambda: identifier_claims.decide(
            squatter_case, second, genuine=squatter.pk, reason="It was first."
        ),
    )
    decided = [r for r in results if isinstance(r, CaseEvent)]
    refused = [r for r in results if isinstance(r, identifier_claims.ClaimAlreadyDecided)]
    assert len(decided) == 1 and len(refused) == 1, results
    assert CaseEvent.objects.filter(action="identifier_claim_decided").count() == 1
    holders = Organisation.objects.filter(urn=URN)
    assert holders.count() == 1
    assert holders.get().identifier_claim == IdentifierClaim.UNCONTESTED
