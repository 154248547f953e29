"""The staff path to a case: who sees which cases, and the case page."""

import pytest
from django.urls import reverse

from accreditation import clock
from accreditation.queries.cases import visible_to
from accreditation.roles import Role
from accreditation.workflow import move
from tests.casework import give_part, person_with, sign_in_verified
from tests.factories import (
    AgendaItemFactory,
    ConflictFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


def visible(user):
    return set(visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def cases():
    return {
        # Only an ASG goes to the Advisory Group.
        status: ProposalFactory(
            status=status, accreditation_type="asg" if status == "advisory_review" else "asp"
        )
        for status in (
            "submitted",
            "in_assessment",
            "advisory_review",
            "awaiting_decision",
            "accredited",
        )
    }


class TestWhoSeesWhat:
    def test_a_casework_officer_sees_every_submitted_case_but_no_draft(self, cases):
        draft = ProposalFactory()
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        assert visible(officer) == {case.pk for case in cases.values()}
        assert draft.pk not in visible(officer)

    def test_an_assessor_sees_only_the_cases_assigned_now(self, cases):
        assessor = person_with("assessor", cases["in_assessment"])
        assert visible(assessor) == {cases["in_assessment"].pk}
        assessor.assignments.update(ended_at="2026-01-01T00:00Z")
        assert visible(assessor) == set()

    def test_a_group_member_sees_the_cases_on_an_open_meetings_agenda(self, cases):
        member = person_with("meeting_member", cases["advisory_review"])
        assert visible(member) == {cases["advisory_review"].pk}
        member.advisory_meetings.update(closed_at="2026-01-01T00:00Z")
        assert visible(member) == set()

    def test_a_decision_official_sees_cases_awaiting_decision_and_those_they_decided(self, cases):
        """And, until its letter is issued, every decided case: any official
        with no part in it may correct the decision."""
        decided = cases["accredited"]
        official = person_with("decision_official")
        case = cases["awaiting_decision"]
        assert visible(official) == {case.pk, decided.pk}
        LetterFactory(case=decided, purpose="decision", issued_at=clock.now())
        assert visible(official) == {case.pk}
        move(case, "accredit", official)
        assert visible(official) == {case.pk}
        other = UserFactory(roles=[Role.DECISION_OFFICIAL])
        assert visible(other) == {case.pk}
        LetterFactory(case=case, purpose="decision", issued_at=clock.now())
        assert visible(official) == {case.pk}
        assert visible(other) == set()

    def test_an_administrator_sees_no_case(self, cases):
        assert visible(UserFactory(roles=[Role.ADMINISTRATOR])) == set()

    def test_an_applicant_sees_no_case_here(self, cases):
        applicant = MembershipFactory(organisation=cases["submitted"].organisation).user
        assert visible(applicant) == set()

    def test_nobody_sees_a_case_they_are_conflicted_with(self, cases):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        ConflictFactory(user=officer, organisation=cases["submitted"].organisation)
        ConflictFactory(
            user=officer,
            organisation=None,
            local_authority=cases["accredited"].organisation.local_authority,
        )
        seen = visible(officer)
        assert cases["submitted"].pk not in seen
        assert cases["accredited"].pk not in seen
        assert cases["in_assessment"].pk in seen

    def test_nobody_sees_their_own_organisations_case_as_staff(self, cases):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.APPLICANT])
        MembershipFactory(user=officer, organisation=cases["submitted"].organisation)
        assert cases["submitted"].pk not in visible(officer)
        assert not officer.has_perm("accreditation.view_case", cases["submitted"])
        assert officer.has_perm("accreditation.view_case", cases["accredited"])


class TestPages:
    def test_the_case_page_shows_the_timeline_and_the_persons_part(self, client, cases):
        case = cases["in_assessment"]
        assessor = person_with("assessor", case)
        response = sign_in_verified(client, assessor).get(reverse("staff-case", args=[case.pk]))
        assert response.status_code == 200
        assert case.reference in response.text
        assert "Assigned assessor" in response.text
        assert "In assessment" in response.text

    def test_a_case_the_person_may_not_see_answers_404(self, client, cases):
        assessor = person_with("assessor", cases["in_assessment"])
        client = sign_in_verified(client, assessor)
        response = client.get(reverse("staff-case", args=[cases["submitted"].pk]))
        assert response.status_code == 404
        assert client.get(reverse("staff-case", args=[999999])).status_code == 404

    def test_applicants_are_refused_the_staff_pages(self, client, cases):
        applicant = MembershipFactory(organisation=cases["submitted"].organisation).user
        client.force_login(applicant)
        assert client.get(reverse("staff-cases")).status_code == 403
        url = reverse("staff-case", args=[cases["submitted"].pk])
        assert client.get(url).status_code == 403

    def test_the_list_links_each_visible_case(self, client, cases):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        response = sign_in_verified(client, officer).get(reverse("staff-cases"))
        for case in cases.values():
            assert reverse("staff-case", args=[case.pk]) in response.text

    @pytest.mark.parametrize("size", [3, 30])
    def test_the_list_costs_the_same_queries_at_any_size(
        self, client, size, django_assert_num_queries
    ):
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.ASSESSOR])
        cases = [
            ProposalFactory(status="in_assessment", organisation=OrganisationFactory())
            for _ in range(size)
        ]
        # Out-of-round cases too: their period is named after the organisation.
        for _ in range(size):
            window = WindowFactory()
            ProposalFactory(
                status="in_assessment", round=None, window=window, organisation=window.organisation
            )
        give_part(officer, "assessor", cases[:2])
        AgendaItemFactory()
        client = sign_in_verified(client, officer)
        client.get(reverse("staff-cases"))  # and its filters' options kept
        with django_assert_num_queries(7):
            response = client.get(reverse("staff-cases"))
        assert response.status_code == 200


def test_an_administrator_has_no_case_pages(client, cases):
    client = sign_in_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    assert client.get(reverse("staff-cases")).status_code == 403
    response = client.get(reverse("staff-case", args=[cases["submitted"].pk]))
    assert response.status_code in (403, 404)


def test_staff_are_sent_from_the_applicant_home_to_their_own(client):
    client = sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    response = client.get(reverse("applicant-home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-home")


def test_an_administrator_cannot_switch_off_their_own_account(client):
    from accreditation.services import accounts

    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    client = sign_in_verified(client, administrator)
    response = client.post(
        reverse("staff-user", args=[administrator.pk]),
        {
            "roles": [Role.ADMINISTRATOR],
            "is_active": "no",
            "version": accounts.staff_version(administrator),
        },
    )
    assert "You cannot switch off your own account" in response.text
    administrator.refresh_from_db()
    assert administrator.is_active


@pytest.mark.parametrize("message", ["²", "99999999999999999999", "abc"])
def test_sending_again_an_odd_message_id_changes_nothing(client, message):
    client = sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    response = client.post(reverse("staff-retry-emails"), {"message": message})
    assert response.status_code == 302
