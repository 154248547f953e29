"""Screening: the casework officer's queue, eligibility checked again
against today's profile, the decision and the National Support School
claim, and what the applicant is told."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import clock
from accreditation.case_roles import CaseRole, resolve
from accreditation.models import CaseEvent, OrganisationKind, OutboxMessage
from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.models import InformationRequest, NssOutcome, Screening
from assessments.services import conflicts, requests, screening
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    SchoolLedFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return person_with("casework_officer", full_name="Olive Officer")


def submitted(contact="", **organisation):
    """A submitted case; its organisation has a contact at ``contact``."""
    case = ProposalFactory(
        status="submitted",
        **{f"organisation__{name}": value for name, value in organisation.items()},
    )
    if contact:
        MembershipFactory(organisation=case.organisation, user__email=contact)
    return case


def nss_case():
    return submitted(kind=OrganisationKind.MAINTAINED_PRIMARY, claims_national_support_school=True)


def last_event(case):
    return CaseEvent.objects.filter(case=case).order_by("-sequence").first()


class TestTheDecision:
    def test_eligible_moves_it_to_assessment(self, officer):
        case = submitted()
        done = screening.screen(case, officer, decision="eligible")
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert done.decision == "eligible" and done.officer == officer
        assert done.nss_claim == NssOutcome.NOT_CLAIMED and not done.part_two_required
        event = last_event(case)
        assert event.action == "screen_eligible" and event.actor == officer
        assert event.details["eligible_today"] is True
        assert not OutboxMessage.objects.filter(key__startswith="screened_out").exists()

    def test_not_eligible_closes_it_and_tells_the_applicant_why(self, officer, client):
        case = submitted(contact="contact@oak.example")
        reason = "The organisation leads no school through a formal partnership."
        done = screening.screen(case, officer, decision="ineligible", reason=reason)
        case.refresh_from_db()
        assert case.status == Status.CLOSED_INELIGIBLE
        assert done.reason == reason
        event = last_event(case)
        assert event.action == "screen_ineligible" and event.details["reason"] == reason
        messages = OutboxMessage.objects.filter(key=f"screened_out:{case.pk}:{done.pk}")
        assert "contact@oak.example" in {message.to for message in messages}
        message = messages.get(to="contact@oak.example")
        assert reason in message.body and case.reference in message.subject
        applicant = case.organisation.memberships.get(user__email="contact@oak.example").user
        client.force_login(applicant)
        page = client.get(reverse("proposal-status", args=[case.pk])).content.decode()
        assert "Found not eligible" in page and reason in page

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_not_eligible_needs_a_reason(self, officer, reason):
        case = submitted()
        with pytest.raises(screening.ScreeningError, match="Enter why the case is not eligible"):
            screening.screen(case, officer, decision="ineligible", reason=reason)
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED
        assert not Screening.objects.exists()
        assert not OutboxMessage.objects.filter(key__startswith="screened_out").exists()

    def test_a_tampered_decision_is_refused(self, officer):
        case = submitted()
        with pytest.raises(screening.ScreeningError, match="Select whether"):
            screening.screen(case, officer, decision="accredit")
        assert Screening.objects.count() == 0

    def test_a_case_screened_by_someone_else_first_is_left_alone(self, officer):
        case = submitted()
        stale = type(case).objects.get(pk=case.pk)
        screening.screen(case, person_with("casework_officer"), decision="eligible")
        events = CaseEvent.objects.filter(case=case).count()
        with pytest.raises(screening.AlreadyScreened, match="already been screened"):
            screening.screen(stale, officer, decision="ineligible", reason="Not eligible")
        assert CaseEvent.objects.filter(case=case).count() == events
        assert Screening.objects.count() == 1
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT

    def test_only_a_casework_officer_free_of_conflict_screens(self, officer):
        case = submitted()
        assessor = UserFactory(roles=[Role.ASSESSOR])
        with pytest.raises(PermissionDenied):
            screening.screen(case, assessor, decision="eligible")
        conflicts.declare(officer, organisation=case.organisation, reason="A governor")
        assert CaseRole.CASEWORK_OFFICER not in resolve(case, officer)
        with pytest.raises(PermissionDenied):
            screening.screen(case, officer, decision="eligible")
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED


class TestNationalSupportSchool:
    def test_a_confirmed_claim_goes_to_assessment(self, officer):
        case = nss_case()
        done = screening.screen(case, officer, decision="eligible", nss="confirmed")
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert done.nss_claim == NssOutcome.CONFIRMED and not done.part_two_required

    def test_a_rejected_claim_proceeds_and_asks_for_2a_and_2b(self, officer):
        case = nss_case()
        done = screening.screen(
            case,
            officer,
            decision="eligible",
            nss="rejected",
            nss_reason="The head is not a National Leader of Education.",
        )
        case.refresh_from_db()
        assert case.status == Status.INFORMATION_REQUESTED
        assert done.nss_claim == NssOutcome.REJECTED and done.part_two_required
        assert done.nss_reason == "The head is not a National Leader of Education."
        eligible, request = CaseEvent.objects.filter(case=case).order_by("sequence")[1:3]
        assert eligible.action == "screen_eligible"
        assert request.action == "request_information" and request.actor == officer
        assert request.details["criteria"] == ["2A", "2B"]
        asked = InformationRequest.objects.get(case=case)
        assert request.details["request"] == asked.pk and asked.asked_by == officer
        assert [q.criterion.code for q in asked.questions.order_by("position")] == ["2A", "2B"]
        assert asked.due == requests.default_due()
        # The applicant is told why, with the questions.
        for question in asked.questions.all():
            assert question.text.startswith(
                "The National Support School claim was not confirmed at screening. Why: The "
                "head is not a National Leader of Education. Answer "
            )

    def test_the_longest_reason_fits_every_question_and_a_longer_one_is_refused(self, officer):
        case = nss_case()
        with pytest.raises(screening.ScreeningError) as refused:
            screening.screen(
                case, officer, decision="eligible", nss="rejected", nss_reason="x" * 1001
            )
        assert refused.value.field == "nss_reason"
        assert str(refused.value) == "The reason must be 1,000 characters or fewer"
        screening.screen(case, officer, decision="eligible", nss="rejected", nss_reason="x" * 1000)
        asked = InformationRequest.objects.get(case=case)
        assert all("x" * 1000 in question.text for question in asked.questions.all())

    @pytest.mark.parametrize(
        "nss, nss_reason, message",
        [
            (None, "", "Select whether the National Support School claim is confirmed"),
            ("maybe", "", "Select whether the National Support School claim is confirmed"),
            ("rejected", " ", "Enter why the National Support School claim is not confirmed"),
        ],
    )
    def test_a_claim_must_be_settled_to_screen_eligible(self, officer, nss, nss_reason, message):
        case = nss_case()
        with pytest.raises(screening.ScreeningError, match=message):
            screening.screen(case, officer, decision="eligible", nss=nss, nss_reason=nss_reason)
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED

    def test_screened_out_leaves_the_claim_undecided(self, officer):
        done = screening.screen(nss_case(), officer, decision="ineligible", reason="Not eligible")
        assert done.nss_claim == NssOutcome.NOT_DECIDED


class TestEligibilityToday:
    def test_a_profile_unchanged_since_submission(self):
        check = screening.recheck(submitted())
        assert check.now.eligible and check.then.eligible
        assert check.differences == () and not check.changed

    def test_a_change_since_submission_is_shown_with_the_verdict_today(self, officer, client):
        case = ProposalFactory(
            status="submitted",
            accreditation_type="asg",
            organisation__schools_led_count=3,
            organisation__name="Oak Primary",
        )
        organisation = case.organisation
        organisation.schools_led_count = 1
        organisation.name = "Oak Primary School"
        organisation.save()
        case.refresh_from_db()
        check = screening.recheck(case)
        assert check.then.eligible and not check.now.eligible
        assert {(d.then, d.now) for d in check.differences} == {
            ("3", "1"),
            ("Oak Primary", "Oak Primary School"),
        }
        sign_in_verified(client, officer)
        page = client.get(reverse("screening-case", args=[case.pk])).content.decode()
        assert "Not eligible today" in page
        # Said as the officer reads it, not as the applicant was told.
        assert "Its profile says it leads improvement in 1 school" in page
        assert "You told us" not in page
        assert "What changed since submission" in page
        assert "it was eligible then" in page
        done = screening.screen(case, officer, decision="ineligible", reason="Leads one school")
        assert {"field": "Name", "then": "Oak Primary", "now": "Oak Primary School"} in (
            done.eligibility_changes
        )


class TestQueue:
    def test_oldest_submitted_first_without_other_statuses_or_conflicts(self, officer):
        newer, older = submitted(), submitted()
        type(older).objects.filter(pk=older.pk).update(submitted_at=clock.now() - timedelta(days=3))
        ProposalFactory(status="in_assessment")
        ProposalFactory()
        hidden = submitted()
        conflicts.declare(officer, organisation=hidden.organisation, reason="A governor")
        from assessments.queries.screening import queue

        assert list(queue(officer)) == [older, newer]

    def test_the_queue_page_is_for_casework_officers(self, client, officer):
        case = submitted()
        sign_in_verified(client, officer)
        page = client.get(reverse("screening-queue")).content.decode()
        assert case.reference in page
        sign_in_verified(client, UserFactory(roles=[Role.ASSESSOR]))
        assert client.get(reverse("screening-queue")).status_code == 403


class TestThePage:
    def post(self, client, case, **data):
        return client.post(reverse("screening-case", args=[case.pk]), data)

    def test_eligible_through_the_page(self, client, officer):
        case = submitted()
        sign_in_verified(client, officer)
        response = self.post(client, case, decision="eligible")
        assert response.status_code == 302 and response["Location"] == reverse("screening-queue")
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        page = client.get(reverse("screening-case", args=[case.pk])).content.decode()
        assert "Screened" in page and "Olive Officer" in page
        assert "Record screening decision" not in page

    @pytest.mark.parametrize(
        "data, message",
        [
            ({}, "Select whether the case is eligible"),
            ({"decision": "accredited"}, "Select whether the case is eligible"),
            ({"decision": "ineligible", "reason": " "}, "Enter why the case is not eligible"),
        ],
    )
    def test_bad_input_says_how_to_fix_it_and_writes_nothing(self, client, officer, data, message):
        case = submitted()
        sign_in_verified(client, officer)
        response = self.post(client, case, **data)
        assert response.status_code == 200
        content = response.content.decode()
        assert message in content and "<title>Error: " in content
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED and not Screening.objects.exists()

    def test_control_characters_in_a_reason_never_reach_the_applicant(self, client, officer):
        """A bell, a terminal's colour codes and a right-to-left override
        pasted into the reason are dropped: the reason is e-mailed and put
        in a letter as it reads."""
        case = submitted(contact="contact@oak.example")
        sign_in_verified(client, officer)
        reason = "Not eligible\x07 \x1b[31mbecause\u202e it leads\tno school.\r\nSee 1(b)."
        response = self.post(client, case, decision="ineligible", reason=reason)
        assert response.status_code == 302
        kept = "Not eligible because it leads\tno school.\nSee 1(b)."
        assert Screening.objects.get().reason == kept
        assert last_event(case).details["reason"] == kept
        body = OutboxMessage.objects.get(to="contact@oak.example").body
        assert kept in body and "\x1b" not in body and "\u202e" not in body

    def test_eligible_with_a_reason_typed_is_refused_keeping_it(self, client, officer):
        """The reason box is for a case not eligible: chosen eligible with it
        filled in, nothing is thrown away unseen."""
        case = submitted()
        sign_in_verified(client, officer)
        response = self.post(client, case, decision="eligible", reason="Leads one school only.")
        assert response.status_code == 200
        assert "You chose eligible: remove the reason it is not eligible" in response.text
        assert "Leads one school only.</textarea>" in response.text
        assert not Screening.objects.exists()
        assert self.post(client, case, decision="eligible", reason=" ").status_code == 302

    def test_a_claim_confirmed_with_a_reason_not_to_typed_is_refused_keeping_it(self, officer):
        with pytest.raises(screening.ScreeningError, match="You confirmed the claim") as refused:
            screening.screen(
                nss_case(), officer, decision="eligible", nss="confirmed", nss_reason="Not an NLE."
            )
        assert refused.value.field == "nss_reason"
        assert not Screening.objects.exists()

    def test_a_claim_not_settled_is_an_error_on_the_page(self, client, officer):
        case = nss_case()
        sign_in_verified(client, officer)
        content = self.post(client, case, decision="eligible").content.decode()
        assert "Select whether the National Support School claim is confirmed" in content

    def test_a_second_officer_at_the_same_time_is_told_and_nothing_written(self, client, officer):
        case = submitted()
        sign_in_verified(client, officer)
        client.get(reverse("screening-case", args=[case.pk]))
        screening.screen(case, person_with("casework_officer"), decision="eligible")
        response = self.post(client, case, decision="ineligible", reason="Not eligible")
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "has already been screened" in page and "Nothing was changed" in page
        assert Screening.objects.count() == 1

    def test_a_conflicted_officer_gets_not_found(self, client, officer):
        case = submitted()
        conflicts.declare(officer, local_authority=case.organisation.local_authority, reason="LA")
        sign_in_verified(client, officer)
        assert client.get(reverse("screening-case", args=[case.pk])).status_code == 404
        assert self.post(client, case, decision="eligible").status_code == 404
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED

    def test_a_draft_is_not_found(self, client, officer):
        draft = ProposalFactory()
        sign_in_verified(client, officer)
        assert client.get(reverse("screening-case", args=[draft.pk])).status_code == 404
        assert self.post(client, draft, decision="eligible").status_code == 404

    def test_an_assessor_may_not_screen(self, client):
        case = submitted()
        sign_in_verified(client, UserFactory(roles=[Role.ASSESSOR]))
        assert client.get(reverse("screening-case", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("size", [2, 7])
def test_the_queue_makes_the_same_queries_at_any_size(client, django_assert_num_queries, size):
    officer = person_with("casework_officer")
    for _ in range(size):
        submitted()
        # Out-of-round too: the period is named after the organisation.
        window = WindowFactory()
        ProposalFactory(
            status="submitted", round=None, window=window, organisation=window.organisation
        )
    OrganisationFactory()
    sign_in_verified(client, officer)
    with django_assert_num_queries(11):  # the page's keys, then its rows
        response = client.get(reverse("screening-queue"))
    assert len(response.context["cases"]) == 2 * size


def test_the_queue_pages_through_every_case_once_oldest_first(client):
    officer = person_with("casework_officer")
    start = clock.now() - timedelta(days=40)
    days = {}  # submitted in another order than made
    for index in range(30):
        case = submitted()
        days[case.pk] = index * 7 % 30
        case.submitted_at = start + timedelta(days=days[case.pk])
        case.save(update_fields=["submitted_at"])
    sign_in_verified(client, officer)
    shown = []
    for page in (1, 2):
        response = client.get(reverse("screening-queue"), {"page": page})
        shown += [case.pk for case in response.context["cases"]]
    assert shown == sorted(days, key=days.get)
    assert response.context["page_obj"].paginator.count == 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_give_one_screening():
    """On PostgreSQL's real row locks: the second officer waits for the
    first, finds the case screened, and writes nothing."""
    from tests.test_journey_postgres import run_together

    case = submitted(contact="contact@oak.example")
    first, second = person_with("casework_officer"), person_with("casework_officer")
    results = run_together(
        lambda: screening.screen(case, first, decision="eligible"),
        lambda: screening.screen(case, second, decision="ineligible", reason="Not eligible"),
    )
    screened = [r for r in results if isinstance(r, Screening)]
    refused = [r for r in results if isinstance(r, screening.AlreadyScreened)]
    assert len(screened) == 1 and len(refused) == 1, results
    assert Screening.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action__startswith="screen_").count() == 1
    case.refresh_from_db()
    expected = Status.IN_ASSESSMENT if screened[0].decision == "eligible" else "closed_ineligible"
    assert case.status == expected


def test_the_screening_page_lists_an_asg_cases_schools_against_the_minimum(client, officer):
    case = ProposalFactory(status="submitted", accreditation_type="asg")
    SchoolLedFactory(proposal=case, name="Brook Lane Primary", urn="312345")
    sign_in_verified(client, officer)
    page = client.get(reverse("screening-case", args=[case.pk])).text
    assert "Schools listed" in page and "Brook Lane Primary" in page and "312345" in page
    assert "Only 1 listed" in page
    SchoolLedFactory(proposal=case, name="Hill Top Infants")
    page = client.get(reverse("screening-case", args=[case.pk])).text
    assert "Hill Top Infants" in page and "listed</strong>" not in page
    asp = ProposalFactory(status="submitted", accreditation_type="asp")
    assert "Schools listed" not in client.get(reverse("screening-case", args=[asp.pk])).text


@pytest.mark.parametrize(
    "status, offered", [("closed_ineligible", False), ("in_assessment", True), ("submitted", False)]
)
def test_the_case_page_offers_assessors_only_while_the_case_can_have_them(
    client, officer, status, offered
):
    case = ProposalFactory(status=status)
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-case", args=[case.pk])).text
    assert ("Assign or change assessors" in page) is offered
