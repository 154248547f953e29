"""Conflicts of interest: declared, ended never deleted, suggested from the
service's data and confirmed or dismissed; and what a conflict does to a
person's part in a case."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils.html import escape

from accreditation import case_roles, clock
from accreditation.case_roles import CaseRole, resolve
from accreditation.models import ActivityEntry, Criterion, LocalAuthority
from accreditation.queries.cases import visible_to
from accreditation.roles import Role
from accreditation.services.organisations import remove_member
from assessments.models import Assignment, Conflict, DismissedSuggestion, Score, SuggestionBasis
from assessments.services import conflicts
from proposals.models import Proposal
from tests.casework import give_part, person_with, sign_in_verified
from tests.factories import (
    ConflictFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUERIES_TO_SEARCH = 6


def actions(obj=None):
    entries = ActivityEntry.objects.all()
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    return list(entries.order_by("pk").values_list("action", flat=True))


def assessed(person, cases):
    """``person`` assessed ``cases``: assigned, and scored a criterion."""
    give_part(person, "assessor", cases)
    for case in cases:
        Score.objects.create(
            assignment=Assignment.objects.get(case=case, assessor=person),
            criterion=Criterion.objects.filter(part__framework=case.framework).first(),
            value=2,
            updated_by=person,
        )


@pytest.fixture
def assessor():
    return UserFactory(roles=[Role.ASSESSOR], email="asha@oakschool.org.uk")


class TestDeclareAndEnd:
    def test_a_declaration_with_an_organisation_is_recorded_and_logged(self, assessor):
        organisation = OrganisationFactory()
        conflict = conflicts.declare(assessor, organisation=organisation, reason=" A governor ")
        assert conflict.reason == "A governor"
        assert conflict.ended_at is None
        assert actions(conflict) == ["conflict_declared"]

    def test_a_declaration_with_a_whole_local_authority(self, assessor):
        authority = LocalAuthority.objects.first()
        conflict = conflicts.declare(
            assessor, local_authority=authority, reason="I work for the LA"
        )
        assert conflict.local_authority == authority and conflict.organisation is None

    @pytest.mark.parametrize("which", ["neither", "both"])
    def test_neither_or_both_is_refused_and_nothing_written(self, assessor, which):
        targets = {}
        if which == "both":
            targets = {
                "organisation": OrganisationFactory(),
                "local_authority": LocalAuthority.objects.first(),
            }
        with pytest.raises(conflicts.ConflictError):
            conflicts.declare(assessor, reason="Because", **targets)
        assert not Conflict.objects.exists() and not ActivityEntry.objects.exists()

    def test_an_empty_reason_is_refused(self, assessor):
        with pytest.raises(conflicts.ConflictError, match="Enter why"):
            conflicts.declare(assessor, organisation=OrganisationFactory(), reason="   ")
        assert not Conflict.objects.exists()

    def test_the_same_current_conflict_twice_is_refused(self, assessor):
        organisation = OrganisationFactory()
        conflicts.declare(assessor, organisation=organisation, reason="A governor")
        with pytest.raises(conflicts.ConflictError, match="already declared"):
            conflicts.declare(assessor, organisation=organisation, reason="Again")
        assert Conflict.objects.count() == 1

    def test_an_applicant_cannot_declare(self):
        applicant = MembershipFactory().user
        with pytest.raises(PermissionDenied):
            conflicts.declare(applicant, organisation=OrganisationFactory(), reason="x")

    def test_ended_with_a_reason_never_deleted(self, assessor):
        conflict = ConflictFactory(user=assessor)
        conflicts.end(conflict, assessor, "I stepped down as governor")
        conflict.refresh_from_db()
        assert conflict.ended_at is not None
        assert conflict.end_reason == "I stepped down as governor"
        assert actions(conflict) == ["conflict_ended"]
        with pytest.raises(ProtectedError):
            conflict.delete()
        with pytest.raises(conflicts.ConflictError, match="already ended"):
            conflicts.end(conflict, assessor, "Again")

    def test_ending_needs_a_reason_and_ones_own_conflict(self, assessor):
        conflict = ConflictFactory(user=assessor)
        with pytest.raises(conflicts.ConflictError):
            conflicts.end(conflict, assessor, "")
        with pytest.raises(PermissionDenied):
            conflicts.end(conflict, UserFactory(roles=[Role.ASSESSOR]), "Not mine")
        conflict.refresh_from_db()
        assert conflict.ended_at is None


class TestSuggestions:
    def bases(self, user):
        return {s.organisation.pk: set(s.bases) for s in conflicts.suggestions(user)}

    def test_same_email_domain_as_a_member(self, assessor):
        colleague = MembershipFactory(user__email="head@oakschool.org.uk")
        MembershipFactory(user__email="someone@other.org.uk")
        assert self.bases(assessor) == {colleague.organisation_id: {SuggestionBasis.EMAIL_DOMAIN}}

    @pytest.mark.parametrize("domain", ["gmail.com", "Hotmail.com", "education.gov.uk"])
    def test_public_and_department_domains_suggest_nothing(self, domain):
        user = UserFactory(roles=[Role.ASSESSOR], email=f"asha@{domain}")
        MembershipFactory(user__email=f"head@{domain.lower()}")
        assert conflicts.suggestions(user) == []

    def test_a_current_and_a_past_membership(self, assessor):
        current = MembershipFactory(user=assessor)
        past = MembershipFactory(user=assessor)
        stayer = MembershipFactory(organisation=past.organisation)
        # The standing conflict the service records for a member is ended, so
        # the membership itself is what the suggestion rests on.
        Conflict.objects.filter(user=assessor).update(ended_at="2026-01-01T00:00Z")
        remove_member(past, actor=stayer.user)
        assert self.bases(assessor) == {
            current.organisation_id: {SuggestionBasis.MEMBERSHIP},
            past.organisation_id: {SuggestionBasis.MEMBERSHIP},
        }

    def test_an_earlier_case_assessed_and_decided_against_the_organisation(self, assessor):
        against = ProposalFactory(status="not_accredited")
        screened_out = ProposalFactory(status="closed_ineligible")
        accredited = ProposalFactory(status="accredited")
        assessed(assessor, [against, screened_out, accredited])
        # Assigned but replaced before scoring anything: not assessed by them.
        unscored = ProposalFactory(status="not_accredited")
        give_part(assessor, "assessor", [unscored])
        assert self.bases(assessor) == {
            against.organisation_id: {SuggestionBasis.PAST_CASE},
            screened_out.organisation_id: {SuggestionBasis.PAST_CASE},
        }
        assert conflicts.open_suggestions_about(unscored.organisation, [assessor]) == {}

    def test_no_suggestion_where_a_conflict_is_current(self, assessor):
        colleague = MembershipFactory(user__email="head@oakschool.org.uk")
        conflicts.declare(assessor, organisation=colleague.organisation, reason="A governor")
        assert conflicts.suggestions(assessor) == []

    def test_a_dismissal_is_recorded_and_the_suggestion_does_not_come_back(self, assessor):
        colleague = MembershipFactory(user__email="head@oakschool.org.uk")
        organisation = colleague.organisation
        with pytest.raises(conflicts.ConflictError, match="Enter why"):
            conflicts.dismiss(assessor, organisation, " ")
        dismissal = conflicts.dismiss(assessor, organisation, "A different Oak School")
        assert dismissal.bases == ["email_domain"]
        assert dismissal.reason == "A different Oak School" and dismissal.dismissed_at
        assert actions(dismissal) == ["conflict_suggestion_dismissed"]
        assert conflicts.suggestions(assessor) == []
        with pytest.raises(conflicts.ConflictError):
            conflicts.dismiss(assessor, organisation, "Again")
        assert DismissedSuggestion.objects.count() == 1

    def test_a_members_conflict_is_neither_ended_nor_dismissed_while_they_are_one(
        self, client, assessor
    ):
        """The service keeps refusing a member their organisation's cases, so
        their conflicts page keeps showing why (a tester ended it there)."""
        from assessments.receivers import record_standing_conflicts

        membership = MembershipFactory(user=assessor)
        organisation = membership.organisation
        record_standing_conflicts(sender=None, user=assessor)
        standing = Conflict.objects.active().get(user=assessor, organisation=organisation)
        with pytest.raises(conflicts.ConflictError, match="you can end it once you have left"):
            conflicts.end(standing, assessor, "I should not have this")
        assert Conflict.objects.active().filter(pk=standing.pk).exists()
        # The pages say so before a reason is written: no End link, and the
        # end page (opened by its address) goes back with why.
        sign_in_verified(client, assessor)
        listing = client.get(reverse("staff-conflicts")).text
        assert reverse("conflict-end", args=[standing.pk]) not in listing
        assert "Stands while you are a member" in listing
        ending = client.get(reverse("conflict-end", args=[standing.pk]), follow=True)
        assert "you can end it once you have left the organisation" in ending.text
        # A suggestion resting on the membership (the recorded conflict ended
        # before this rule, say) cannot be dismissed either.
        Conflict.objects.filter(pk=standing.pk).update(ended_at=clock.now())
        assert conflicts.suggestion_for(assessor, organisation.pk) is not None
        page = client.get(reverse("conflict-suggestion", args=[organisation.pk])).text
        assert 'id="member"' in page and "dismiss-reason" not in page
        with pytest.raises(conflicts.ConflictError, match="confirm it, or leave"):
            conflicts.dismiss(assessor, organisation, "Not a conflict")
        assert not DismissedSuggestion.objects.exists()

    def test_a_confirmed_suggestion_is_a_declared_conflict(self, assessor):
        colleague = MembershipFactory(user__email="head@oakschool.org.uk")
        conflict = conflicts.confirm(assessor, colleague.organisation)
        assert conflict.organisation == colleague.organisation
        assert "same domain" in conflict.reason
        assert actions(conflict) == ["conflict_confirmed"]
        assert conflicts.suggestions(assessor) == []

    def test_confirming_what_was_not_suggested_is_refused(self, assessor):
        with pytest.raises(conflicts.ConflictError, match="no open suggestion"):
            conflicts.confirm(assessor, OrganisationFactory())
        assert not Conflict.objects.exists()


class TestSuggestionsAboutAnOrganisation:
    """The officer choosing an assessor sees the same open suggestions the
    assessor sees on their own conflicts page, from the organisation's side."""

    def test_they_agree_with_each_persons_own_suggestions(self, django_assert_max_num_queries):
        oak = MembershipFactory(user__email="head@oakschool.org.uk").organisation
        elm = MembershipFactory(user__email="head@elm.org.uk").organisation
        people = {
            "domain": UserFactory(roles=[Role.ASSESSOR], email="asha@OakSchool.org.uk"),
            "member": UserFactory(roles=[Role.ASSESSOR], email="ben@birch.org.uk"),
            "former": UserFactory(roles=[Role.ASSESSOR], email="cara@cedar.org.uk"),
            "past": UserFactory(roles=[Role.ASSESSOR], email="dev@dogwood.org.uk"),
            "dismissed": UserFactory(roles=[Role.ASSESSOR], email="eve@oakschool.org.uk"),
            "declared": UserFactory(roles=[Role.ASSESSOR], email="fin@oakschool.org.uk"),
            "authority": UserFactory(roles=[Role.ASSESSOR], email="gil@oakschool.org.uk"),
            "public": UserFactory(roles=[Role.ASSESSOR], email="hal@gmail.com"),
        }
        MembershipFactory(organisation=oak, user__email="deputy@gmail.com")
        MembershipFactory(user=people["member"], organisation=oak)
        Conflict.objects.filter(user=people["member"]).update(ended_at=clock.now())
        leaving = MembershipFactory(user=people["former"], organisation=oak)
        remove_member(leaving, actor=MembershipFactory(organisation=oak).user)
        Conflict.objects.filter(user=people["former"]).update(ended_at=clock.now())
        for organisation in (oak, elm):
            against = ProposalFactory(organisation=organisation, status="not_accredited")
            assessed(people["past"], [against])
            give_part(people["domain"], "second_assessor", [against])
        conflicts.dismiss(people["dismissed"], oak, "A different Oak School")
        conflicts.declare(people["declared"], organisation=oak, reason="A governor")
        conflicts.declare(
            people["authority"], local_authority=oak.local_authority, reason="I work there"
        )
        expected = {
            people["domain"].pk: (SuggestionBasis.EMAIL_DOMAIN,),
            people["member"].pk: (SuggestionBasis.MEMBERSHIP,),
            people["former"].pk: (SuggestionBasis.MEMBERSHIP,),
            people["past"].pk: (SuggestionBasis.PAST_CASE,),
        }
        with django_assert_max_num_queries(5):
            assert conflicts.open_suggestions_about(oak, people.values()) == expected
        for organisation in (oak, elm):
            seen = conflicts.open_suggestions_about(organisation, people.values())
            for person in people.values():
                own = conflicts.suggestion_for(person, organisation.pk)
                assert seen.get(person.pk) == (own.bases if own else None), person.email
        # Many organisations at once (a round's assignment), in as few queries.
        pairs = [(o, p) for o in (oak, elm) for p in people.values()]
        with django_assert_max_num_queries(5):
            both = conflicts.open_suggestions_for(pairs)
        assert both == {
            (o.pk, pk): bases
            for o in (oak, elm)
            for pk, bases in conflicts.open_suggestions_about(o, people.values()).items()
        }


class TestAConflictTakesThePartAway:
    """The case roles resolver and the staff case lists honour conflicts."""

    def test_a_declared_conflict_with_the_organisation(self):
        case = ProposalFactory(status="submitted")
        officer = person_with("casework_officer")
        assert CaseRole.CASEWORK_OFFICER in resolve(case, officer)
        conflict = conflicts.declare(officer, organisation=case.organisation, reason="A governor")
        assert resolve(case, officer) == frozenset()
        assert not visible_to(officer).filter(pk=case.pk).exists()
        conflicts.end(conflict, officer, "No longer a governor")
        assert CaseRole.CASEWORK_OFFICER in resolve(case, officer)
        assert visible_to(officer).filter(pk=case.pk).exists()

    def test_a_conflict_with_the_local_authority(self):
        case = ProposalFactory(status="submitted")
        officer = person_with("casework_officer")
        conflicts.declare(
            officer, local_authority=case.organisation.local_authority, reason="I work there"
        )
        assert resolve(case, officer) == frozenset()
        assert not visible_to(officer).filter(pk=case.pk).exists()

    def test_a_confirmed_suggestion(self):
        case = ProposalFactory(status="in_assessment")
        assessor = person_with("assessor", case, email="asha@oakschool.org.uk")
        MembershipFactory(organisation=case.organisation, user__email="head@oakschool.org.uk")
        assert CaseRole.ASSESSOR in resolve(case, assessor)
        conflicts.confirm(assessor, case.organisation)
        assert resolve(case, assessor) == frozenset()
        assert not visible_to(assessor).filter(pk=case.pk).exists()

    def test_a_member_of_the_organisation_and_the_other_cases_of_the_authority(self):
        case = ProposalFactory(status="submitted")
        elsewhere = ProposalFactory(status="submitted")
        same_authority = ProposalFactory(
            status="submitted",
            organisation__local_authority=case.organisation.local_authority,
        )
        officer = person_with("casework_officer")
        MembershipFactory(organisation=case.organisation, user=officer)
        assert set(visible_to(officer)) == {same_authority, elsewhere}
        conflicts.declare(
            officer, local_authority=case.organisation.local_authority, reason="I work there"
        )
        assert set(visible_to(officer)) == {elsewhere}

    def test_without_a_conflict_a_list_asks_nothing_of_conflicts(self):
        """Most people have none: their lists hold no clause for them."""
        officer = person_with("casework_officer")
        submitted = Proposal.objects.filter(submitted_at__isnull=False)
        assert str(visible_to(officer).query) == str(submitted.query)
        case = ProposalFactory(status="submitted")
        conflicts.declare(officer, organisation=case.organisation, reason="A governor")
        assert str(visible_to(officer).query) != str(submitted.query)
        assert not visible_to(officer).filter(pk=case.pk).exists()

    def test_a_page_that_changes_nothing_reads_them_once(self, django_assert_num_queries):
        officer = person_with("casework_officer")
        ConflictFactory(user=officer)
        with case_roles.remembering():
            visible_to(officer).count()
            with django_assert_num_queries(2):  # the two counts
                visible_to(officer).count()
                visible_to(officer).filter(status="submitted").count()
        with django_assert_num_queries(4):  # each count read them
            visible_to(officer).count()
            visible_to(officer).count()


class TestPages:
    def test_the_list_shows_current_ended_and_suggested(self, client, assessor):
        current = ConflictFactory(user=assessor, organisation__name="Current Trust")
        ended = ConflictFactory(user=assessor, organisation__name="Ended Trust")
        conflicts.end(ended, assessor, "Left the board")
        ConflictFactory(organisation__name="Someone Else's Trust")
        MembershipFactory(
            user__email="head@oakschool.org.uk", organisation__name="Oak School Trust"
        )
        sign_in_verified(client, assessor)
        page = client.get(reverse("staff-conflicts")).content.decode()
        assert "Current Trust" in page and "Ended Trust" in page and "Left the board" in page
        assert "Someone Else" not in page
        assert "Oak School Trust" in page
        assert reverse("conflict-end", args=[current.pk]) in page
        assert reverse("conflict-end", args=[ended.pk]) not in page

    @pytest.mark.parametrize(
        "data, message",
        [
            ({"reason": "A governor"}, "Choose the organisation or the local authority"),
            ({"reason": "A governor", "organisation": "both"}, "not both"),
            ({"organisation": "one"}, "Enter why you have a conflict of interest"),
            ({"organisation": "999999", "reason": "x"}, "Select an organisation from the list"),
        ],
    )
    def test_bad_declarations_say_how_to_fix_them(self, client, assessor, data, message):
        organisation = OrganisationFactory()
        if data.get("organisation") == "both":
            data = {
                **data,
                "organisation": organisation.pk,
                "local_authority": organisation.local_authority_id,
            }
        elif data.get("organisation") == "one":
            data = {**data, "organisation": organisation.pk}
        sign_in_verified(client, assessor)
        response = client.post(reverse("conflict-declare"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "Error: " in response.content.decode()
        assert not Conflict.objects.exists()

    def test_declare_and_end_through_the_pages(self, client, assessor):
        organisation = OrganisationFactory(name="Beech Federation")
        sign_in_verified(client, assessor)
        response = client.post(
            reverse("conflict-declare"),
            {"organisation": organisation.pk, "reason": "My sister is the head"},
        )
        assert response.status_code == 302
        conflict = Conflict.objects.get(user=assessor)
        assert client.post(reverse("conflict-end", args=[conflict.pk]), {}).status_code == 200
        response = client.post(
            reverse("conflict-end", args=[conflict.pk]), {"end_reason": "She has retired"}
        )
        assert response.status_code == 302
        conflict.refresh_from_db()
        assert conflict.end_reason == "She has retired"

    def test_the_organisation_is_found_by_name_or_urn_and_chosen_from_the_matches(
        self, client, assessor
    ):
        cedar = OrganisationFactory(name="Cedar Federation")
        OrganisationFactory(name="Cedarwood Primary School")
        OrganisationFactory(name="Birch Academy Trust")
        urn = OrganisationFactory(
            name="Larch Infant School", kind="maintained_infant", urn="123987"
        )
        sign_in_verified(client, assessor)
        page = client.get(reverse("conflict-declare")).content.decode()
        # No list of every organisation: a search first.
        assert "Find the organisation" in page and "Cedar Federation" not in page
        # A search keeps what was typed, lists the matches, and says nothing is wrong.
        response = client.post(
            reverse("conflict-declare"),
            {"query": " cedar ", "reason": "My sister is the head", "find": ""},
        )
        page = response.content.decode()
        assert response.status_code == 200 and "Error: " not in page
        assert "Cedar Federation" in page and "Cedarwood Primary School" in page
        assert "Birch Academy Trust" not in page
        assert "My sister is the head" in page
        assert f'value="{cedar.pk}"' in page
        page = client.post(reverse("conflict-declare"), {"query": "123987", "find": ""})
        assert "Larch Infant School, URN 123987" in page.content.decode()
        assert f'value="{urn.pk}"' in page.content.decode()
        # Chosen, then searched again: the choice stays shown and chosen.
        page = client.post(
            reverse("conflict-declare"), {"query": "birch", "organisation": cedar.pk, "find": ""}
        ).content.decode()
        assert "Birch Academy Trust" in page and "Cedar Federation" in page
        # A forged choice in another script's digits is no choice, not an error.
        response = client.post(
            reverse("conflict-declare"), {"query": "birch", "organisation": "\u00b2", "find": ""}
        )
        assert response.status_code == 200 and "Birch Academy Trust" in response.text
        # An apostrophe typed on a phone finds the name stored with a straight one.
        OrganisationFactory(name="St Aidan's Primary")
        page = client.post(
            reverse("conflict-declare"), {"query": "St Aidan\u2019s", "find": ""}
        ).content.decode()
        assert "St Aidan&#x27;s Primary" in page
        # Then the declaration, with the search sent along.
        response = client.post(
            reverse("conflict-declare"),
            {"query": "cedar", "organisation": cedar.pk, "reason": "My sister is the head"},
        )
        assert response.status_code == 302
        assert Conflict.objects.get(user=assessor).organisation == cedar

    def test_a_search_says_when_nothing_matches_and_when_there_are_too_many(self, client, assessor):
        from assessments.forms.conflicts import MATCHES_SHOWN

        OrganisationFactory.create_batch(MATCHES_SHOWN + 1, name="Oak Primary School")
        sign_in_verified(client, assessor)
        page = client.post(reverse("conflict-declare"), {"query": "Zzyzx", "find": ""})
        assert "No organisation matches ‘Zzyzx’" in page.content.decode()
        page = client.post(reverse("conflict-declare"), {"query": "  ", "find": ""})
        assert "Enter part of the organisation’s name, or its URN or UKPRN" in page.text
        assert 'name="organisation"' not in page.text
        assert (
            "Enter part of the organisation’s name"
            not in client.get(reverse("conflict-declare")).text
        )
        # An organisation chosen from the earlier search stays chosen.
        chosen = OrganisationFactory(name="Cedar Trust")
        page = client.post(
            reverse("conflict-declare"), {"query": "", "organisation": chosen.pk, "find": ""}
        )
        assert "Enter part of the organisation’s name" in page.text
        assert re.search(rf'value="{chosen.pk}"[^>]*checked', page.text)
        page = client.post(reverse("conflict-declare"), {"query": "oak", "find": ""})
        page = page.content.decode()
        assert page.count('name="organisation"') == MATCHES_SHOWN
        assert f"Only the first {MATCHES_SHOWN} matches are shown" in page

    @pytest.mark.parametrize("size", [3, 15])
    def test_a_search_makes_the_same_queries_at_any_size(
        self, client, assessor, django_assert_num_queries, size
    ):
        OrganisationFactory.create_batch(size, name="Elm Academy")
        sign_in_verified(client, assessor)
        client.post(reverse("conflict-declare"), {"query": "elm", "find": ""})
        with django_assert_num_queries(QUERIES_TO_SEARCH):
            response = client.post(reverse("conflict-declare"), {"query": "elm", "find": ""})
        assert response.content.decode().count('name="organisation"') == size

    def test_someone_elses_conflict_is_not_found(self, client, assessor):
        other = ConflictFactory()
        sign_in_verified(client, assessor)
        assert client.get(reverse("conflict-end", args=[other.pk])).status_code == 404
        assert (
            client.post(reverse("conflict-end", args=[other.pk]), {"end_reason": "x"}).status_code
            == 404
        )
        other.refresh_from_db()
        assert other.ended_at is None

    def test_a_suggestion_page_confirms_or_dismisses(self, client, assessor):
        first = MembershipFactory(user__email="head@oakschool.org.uk").organisation
        second = MembershipFactory(user__email="deputy@oakschool.org.uk").organisation
        sign_in_verified(client, assessor)
        page = client.get(reverse("conflict-suggestion", args=[first.pk])).text
        assert (
            "If you are assessing one of them now, or are to write the feedback to the applicant "
            "on one, you are stood down from it" in page
        )
        client.post(reverse("conflict-suggestion", args=[first.pk]), {"confirm": ""})
        assert Conflict.objects.filter(user=assessor, organisation=first).exists()
        url = reverse("conflict-suggestion", args=[second.pk])
        response = client.post(url, {"dismiss": ""})
        assert "Enter why this is not a conflict of interest" in response.content.decode()
        client.post(url, {"dismiss": "", "dismiss-reason": "Different school"})
        assert DismissedSuggestion.objects.filter(user=assessor, organisation=second).exists()
        assert client.get(url).status_code == 404
        # Sent again from another tab: said, on the conflicts page.
        again = client.post(url, {"dismiss": "", "dismiss-reason": "Again"}, follow=True)
        assert (
            escape(
                f"You have already said the suggestion about {second} is not a conflict of "
                "interest. Nothing was changed."
            )
            in again.text
        )
        first_url = reverse("conflict-suggestion", args=[first.pk])
        again = client.post(first_url, {"dismiss": "", "dismiss-reason": "No"}, follow=True)
        assert (
            escape(f"You have already settled this: your conflict of interest with {first} stands.")
            in again.text
        )
        assert DismissedSuggestion.objects.filter(user=assessor).count() == 1

    def test_nobody_elses_suggestion_is_reachable(self, client, assessor):
        organisation = MembershipFactory(user__email="head@oakschool.org.uk").organisation
        other = UserFactory(roles=[Role.ASSESSOR])
        sign_in_verified(client, other)
        assert client.get(reverse("conflict-suggestion", args=[organisation.pk])).status_code == 404


@pytest.mark.parametrize("size", [2, 8])
def test_the_conflicts_page_makes_the_same_queries_at_any_size(
    client, django_assert_num_queries, size
):
    assessor = UserFactory(roles=[Role.ASSESSOR], email="asha@oakschool.org.uk")
    for n in range(size):
        ConflictFactory(user=assessor)
        ended = ConflictFactory(user=assessor)
        conflicts.end(ended, assessor, "Over")
        MembershipFactory(user__email=f"member{n}@oakschool.org.uk")
        assessed(assessor, [ProposalFactory(status="not_accredited")])
    sign_in_verified(client, assessor)
    with django_assert_num_queries(16):
        response = client.get(reverse("staff-conflicts"))
    assert response.status_code == 200
    assert len(response.context["suggestions"]) == 2 * size
