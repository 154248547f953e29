"""Separation of duties (SPEC "Who uses it"): membership of an applicant
organisation is a standing conflict. A staff member never acts on their own
organisation's requests or cases, whichever way they came to hold both parts,
and the service says so and records the conflict."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import clock
from accreditation.roles import Role
from accreditation.services import accounts
from accreditation.services import organisations as organisation_services
from assessments.models import Conflict
from proposals.models import OutOfRoundRequest
from proposals.services import out_of_round
from tests.casework import sign_in_verified
from tests.factories import (
    MembershipFactory,
    OutOfRoundRequestFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver"


def assert_cannot_decide_for(officer, client, request_obj):
    client = sign_in_verified(client, officer)
    url = reverse("out-of-round-decide", args=[request_obj.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("out-of-round-staff-list")).text
    assert url not in listing
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        out_of_round.grant(
            request_obj, officer, clock.now() + timedelta(days=30), base_url=BASE_URL
        )
    with pytest.raises(PermissionDenied):
        out_of_round.refuse(request_obj, officer, "No", base_url=BASE_URL)
    request_obj.refresh_from_db()
    assert request_obj.outcome == OutOfRoundRequest.Outcome.PENDING


def test_an_applicant_invited_as_staff_cannot_grant_their_own_organisations_window(client):
    membership = MembershipFactory(organisation__name="Oak Learning Trust")
    applicant = membership.user
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    response = sign_in_verified(client, administrator).post(
        reverse("staff-invite"),
        {"email": applicant.email.upper(), "full_name": "Ann", "roles": ["casework_officer"]},
        follow=True,
    )
    assert "is a member of Oak Learning Trust" in response.text
    assert "recorded as a conflict of interest" in response.text

    token = accounts.invite_staff(
        email=applicant.email,
        full_name="Ann",
        roles=[Role.CASEWORK_OFFICER],
        invited_by=administrator,
        base_url=BASE_URL,
    )
    accounts.accept_invitation(token, user=applicant)
    conflict = Conflict.objects.active().get(user=applicant)
    assert conflict.organisation == membership.organisation
    assert "standing conflict" in conflict.reason

    officer = type(applicant).objects.get(pk=applicant.pk)
    own = OutOfRoundRequestFactory(organisation=membership.organisation)
    assert_cannot_decide_for(officer, client, own)
    other = OutOfRoundRequestFactory()
    assert officer.has_perm("proposals.decide_out_of_round_request", other)


def test_a_casework_officer_invited_into_an_organisation_cannot_decide_for_it(client):
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    inviter = MembershipFactory(organisation__name="Elm Federation")
    organisation = inviter.organisation
    _, token = organisation_services.invite_member(
        organisation, email=officer.email, invited_by=inviter.user, base_url=BASE_URL
    )
    client.force_login(officer)
    page = client.get(reverse("organisation-join", args=[token])).text
    assert "You are on the accreditation team" in page
    assert "recorded as a conflict of interest" in page

    organisation_services.accept_invitation(token, officer)
    assert Conflict.objects.active().filter(user=officer, organisation=organisation).count() == 1
    # Given a role again later: the conflict is not recorded twice.
    accounts.set_staff_roles(
        officer, roles=[Role.CASEWORK_OFFICER, Role.ASSESSOR], is_active=True, by=officer
    )
    assert Conflict.objects.filter(user=officer, organisation=organisation).count() == 1

    client.logout()
    assert_cannot_decide_for(officer, client, OutOfRoundRequestFactory(organisation=organisation))
    case = ProposalFactory(organisation=organisation, status="submitted")
    assert not officer.has_perm("accreditation.view_case", case)


def test_an_applicant_who_is_not_staff_records_no_conflict():
    membership = MembershipFactory()
    organisation_services.create_organisation(
        membership.user,
        {
            "name": "New School",
            "kind": "maintained_secondary",
            "urn": "654321",
            "local_authority": membership.organisation.local_authority,
            "phase": "secondary",
            "address": "1 Road",
            "schools_led_count": 0,
            "primary_governance_count": 0,
        },
    )
    assert not Conflict.objects.exists()


def test_every_draft_service_checks_the_person_as_the_pages_do():
    """A member without the applicant role (a staff member who belongs to the
    organisation, say) changes nothing, whichever service they call."""
    import datetime as dt

    from accreditation.models import AccreditationType
    from proposals.services import applicant
    from tests.factories import RoundFactory

    member = MembershipFactory()
    draft = applicant.start_proposal(
        organisation=member.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASP,
        actor=member.user,
    )
    outsider = UserFactory(roles=[Role.CASEWORK_OFFICER])
    MembershipFactory(user=outsider, organisation=member.organisation)
    calls = [
        lambda: applicant.start_proposal(
            organisation=member.organisation,
            period=RoundFactory(),
            accreditation_type=AccreditationType.ASP,
            actor=outsider,
        ),
        lambda: applicant.set_type_and_models(
            draft, route="", majority_trust=True, federation=False, actor=outsider
        ),
        lambda: applicant.add_school(
            draft,
            actor=outsider,
            name="Hill Top",
            urn="123456",
            local_authority=member.organisation.local_authority,
            partnership="federation",
            since=dt.date(2020, 1, 1),
        ),
        lambda: applicant.save_new_provision(draft, seeks=False, statement="", actor=outsider),
        lambda: applicant.declare(draft, outsider),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    draft.refresh_from_db()
    assert not draft.schools_led.exists() and draft.declared_at is None
