"""No question with a single radio or checkbox: where there is only one
answer, the page states it."""

import re

import pytest
from django.urls import reverse

from accreditation.models import AccreditationType, OrganisationKind
from accreditation.versions import version_of
from proposals.forms.journey import DECLARATION
from proposals.models import Proposal
from proposals.queries.journey import Journey
from proposals.queries.journey import Status as SectionStatus
from proposals.services import applicant as services
from tests.factories import MembershipFactory, RoundFactory

pytestmark = pytest.mark.django_db


def inputs_of_type(html, kind):
    return len(re.findall(rf'type="{kind}"', html))


@pytest.fixture
def open_round():
    return RoundFactory()


def test_one_type_to_apply_for_is_stated_not_asked(client, open_round):
    membership = MembershipFactory(organisation__schools_led_count=1)
    client.force_login(membership.user)
    page = client.get(reverse("proposal-start")).text
    assert inputs_of_type(page, "radio") == 0
    assert "Your proposal will be for Accredited School Provider (ASP) accreditation." in page
    response = client.post(
        reverse("proposal-start"), {"accreditation_type": "asp", "round": open_round.pk}
    )
    assert Proposal.objects.get().accreditation_type == AccreditationType.ASP
    assert response.status_code == 302


def test_two_types_are_asked_with_radios(client, open_round):
    membership = MembershipFactory(organisation__schools_led_count=2)
    client.force_login(membership.user)
    page = client.get(reverse("proposal-start")).text
    assert inputs_of_type(page, "radio") == 2


@pytest.fixture
def draft_of(open_round):
    def make(kind):
        membership = MembershipFactory(organisation__kind=kind, organisation__schools_led_count=2)
        return membership, services.start_proposal(
            organisation=membership.organisation,
            period=open_round,
            accreditation_type=AccreditationType.ASP,
            actor=membership.user,
        )

    return make


def test_the_one_partnership_an_organisation_can_lead_is_stated_not_asked(client, draft_of):
    membership, draft = draft_of(OrganisationKind.INDEPENDENT_PRIMARY)
    client.force_login(membership.user)
    url = reverse("proposal-type", args=[draft.pk])
    page = client.get(url).text
    assert inputs_of_type(page, "checkbox") == 0
    assert "Your organisation can lead a majority trust." in page
    response = client.post(
        url, {"version": version_of(draft, services.TYPE_FIELDS), "save": "Save and continue"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.leads_majority_trust
    assert not draft.leads_federation


def test_a_maintained_school_chooses_its_partnerships(client, draft_of):
    membership, draft = draft_of(OrganisationKind.MAINTAINED_PRIMARY)
    client.force_login(membership.user)
    page = client.get(reverse("proposal-type", args=[draft.pk])).text
    assert inputs_of_type(page, "checkbox") == 2


def test_the_declaration_is_stated_and_confirmed_with_the_button(client, draft_of):
    membership, draft = draft_of(OrganisationKind.MAINTAINED_PRIMARY)
    client.force_login(membership.user)
    url = reverse("proposal-declaration", args=[draft.pk])
    page = client.get(url).text
    assert inputs_of_type(page, "checkbox") == 0
    assert "By confirming, you make this declaration:" in page
    assert DECLARATION in page
    assert "Confirm and continue" in page
    response = client.post(url, {"save": "Confirm and continue"})
    assert response.url == reverse("proposal-check", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.declared_at is not None


def test_an_organisations_only_member_is_its_contact_without_a_question(client):
    membership = MembershipFactory(user__full_name="Ada Lovelace")
    client.force_login(membership.user)
    page = client.get(reverse("organisation-contacts")).text
    assert inputs_of_type(page, "checkbox") == 0
    assert "Ada Lovelace" in page
    assert "is the organisation’s only member, so they are its contact." in page


def test_with_two_members_contacts_are_chosen(client):
    membership = MembershipFactory()
    MembershipFactory(organisation=membership.organisation)
    client.force_login(membership.user)
    page = client.get(reverse("organisation-contacts")).text
    assert inputs_of_type(page, "checkbox") == 2


def type_status(draft):
    draft.refresh_from_db()
    return Journey.load(draft).section("type").status


def test_a_type_section_that_asks_nothing_does_not_change_on_an_empty_save(client, draft_of):
    """Its state follows the answers it needs (none): complete before the
    page is saved, and saving the page without a question changes nothing."""
    membership, draft = draft_of(OrganisationKind.INDEPENDENT_PRIMARY)
    assert type_status(draft) == SectionStatus.COMPLETED
    client.force_login(membership.user)
    client.post(
        reverse("proposal-type", args=[draft.pk]),
        {"version": version_of(draft, services.TYPE_FIELDS), "save": "Save and continue"},
    )
    assert type_status(draft) == SectionStatus.COMPLETED


@pytest.mark.parametrize(
    "kind, data",
    [
        (OrganisationKind.MAINTAINED_PRIMARY, {"partnerships": ["federation"]}),
        (OrganisationKind.PRIVATE_OR_THIRD_SECTOR, {"route": "own_right"}),
    ],
)
def test_a_type_section_with_a_question_is_complete_only_once_it_is_answered(
    client, draft_of, kind, data
):
    membership, draft = draft_of(kind)
    url = reverse("proposal-type", args=[draft.pk])
    assert type_status(draft) == SectionStatus.NOT_STARTED
    client.force_login(membership.user)
    version = version_of(draft, services.TYPE_FIELDS)
    response = client.post(url, {"version": version, "save": "Save and continue"})
    assert response.status_code == 200  # the question is required
    assert type_status(draft) == SectionStatus.NOT_STARTED
    response = client.post(url, {**data, "version": version, "save": "Save and continue"})
    assert response.status_code == 302
    assert type_status(draft) == SectionStatus.COMPLETED
