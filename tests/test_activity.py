"""The activity log (SPEC: "What every page and action holds to -> Audit";
ARCHITECTURE: what is not a case): who, what, when and the change, secrets
masked, append-only, written by each service in the change's transaction."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accreditation import clock
from accreditation.models import ActivityEntry, Membership, Organisation, User
from accreditation.models.timeline import AppendOnlyError
from accreditation.roles import Role
from accreditation.services import accounts, activity, organisations
from proposals.models import OutOfRoundRequest
from proposals.services import out_of_round
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    OutOfRoundRequestFactory,
    RegionFactory,
    UserFactory,
)

STRONG = "a-long-and-unusual-passphrase"

pytestmark = pytest.mark.django_db


def only_entry(action):
    """The one entry written with ``action``."""
    (entry,) = ActivityEntry.objects.filter(action=action)
    return entry


def is_about(entry, obj):
    return entry.content_type == ContentType.objects.get_for_model(obj) and entry.object_id == str(
        obj.pk
    )


def stored_text(entry):
    """Everything the entry keeps, as the database holds it."""
    return json.dumps(entry.changes) + entry.object_label + entry.action


# --- The log ----------------------------------------------------------------


def test_an_entry_records_who_what_when_and_the_change():
    person = UserFactory()
    region = RegionFactory(name="North East")
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False):
        entry = activity.record(
            person, "renamed", region, {"name": ["North-East", "North East"]}, label="NE"
        )
    entry = ActivityEntry.objects.get(pk=entry.pk)
    assert entry.actor == person
    assert entry.action == "renamed"
    assert is_about(entry, region)
    assert entry.object_label == "NE"
    assert entry.changes == {"name": ["North-East", "North East"]}
    assert entry.created_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_the_service_itself_is_recorded_as_no_one():
    entry = activity.record(None, "renamed", RegionFactory())
    assert entry.actor is None
    assert entry.object_label.startswith("Region ")


@pytest.mark.parametrize(
    "field", ["password", "token_hash", "client_secret", "api_key", "otp_device", "PASSWORD"]
)
def test_secret_looking_fields_are_masked_at_any_depth(field):
    entry = activity.record(
        None,
        "changed",
        RegionFactory(),
        {field: ["old-s3cret", "new-s3cret"], "nested": {"deeper": {field: "s3cret"}}},
    )
    stored = ActivityEntry.objects.get(pk=entry.pk)
    assert stored.changes[field] == [activity.MASKED, activity.MASKED]
    assert stored.changes["nested"] == {"deeper": {field: activity.MASKED}}
    assert "s3cret" not in stored_text(stored)


def test_a_secret_set_for_the_first_time_shows_as_set_but_hidden():
    entry = activity.record(None, "changed", RegionFactory(), {"password": [None, "s3cret"]})
    assert entry.changes == {"password": [None, activity.MASKED]}


def test_snapshot_and_diff_give_old_and_new_values_by_name():
    user = UserFactory(roles=[Role.ASSESSOR])
    organisation = OrganisationFactory(name="Oak")
    before = activity.snapshot(organisation, ["name", "local_authority"])
    other_authority = type(organisation.local_authority).objects.exclude(
        pk=organisation.local_authority_id
    )[0]
    organisation.name = "Oak Academy"
    organisation.local_authority = other_authority
    changes = activity.diff(before, activity.snapshot(organisation, ["name", "local_authority"]))
    assert changes == {
        "local_authority": [str(Organisation.objects.get().local_authority), str(other_authority)],
        "name": ["Oak", "Oak Academy"],
    }
    assert activity.snapshot(user, ["groups"]) == {"groups": [Role.ASSESSOR.value]}


class TestAppendOnly:
    def test_an_entry_cannot_be_changed(self):
        entry = activity.record(None, "renamed", RegionFactory())
        entry.action = "something else"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            ActivityEntry.objects.filter(pk=entry.pk).update(action="something else")
        with pytest.raises(AppendOnlyError):
            ActivityEntry.objects.bulk_update([entry], ["action"])
        assert ActivityEntry.objects.get(pk=entry.pk).action == "renamed"

    def test_an_entry_cannot_be_deleted(self):
        entry = activity.record(None, "renamed", RegionFactory())
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            ActivityEntry.objects.all().delete()
        assert ActivityEntry.objects.filter(pk=entry.pk).exists()


# --- Users and roles ----------------------------------------------------------------


@pytest.fixture
def admin_client(client, settings):
    settings.STAFF_OTP_REQUIRED = False
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    client.admin = admin
    return client


class TestUsersAndRoles:
    def test_registering_records_the_new_applicant(self):
        user = accounts.create_applicant(email="ada@example.org", full_name="Ada", password=STRONG)
        entry = only_entry("user_registered")
        assert entry.actor == user and is_about(entry, user)
        assert entry.changes == {
            "email": [None, "ada@example.org"],
            "groups": [[], [Role.APPLICANT.value]],
        }
        assert STRONG not in stored_text(entry)

    def test_an_invitation_records_the_roles_offered_and_never_its_token(self, admin_client):
        admin_client.post(
            reverse("staff-invite"),
            {"full_name": "Grace", "email": "grace@example.org", "roles": [Role.ASSESSOR]},
        )
        entry = only_entry("staff_invited")
        assert entry.actor == admin_client.admin
        assert entry.changes == {
            "email": [None, "grace@example.org"],
            "groups": [[], [Role.ASSESSOR.value]],
        }

    def test_the_invitation_token_is_not_in_the_log(self):
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        token = accounts.invite_staff(
            email="g@example.org",
            full_name="G",
            roles=[Role.ASSESSOR],
            invited_by=admin,
            base_url="https://service.example",
        )
        entry = only_entry("staff_invited")
        assert token not in stored_text(entry)

    def test_accepting_an_invitation_records_the_roles_gained(self):
        InvitationFactory(token="t", email="grace@example.org", roles=[Role.ASSESSOR])
        user = accounts.accept_invitation("t", full_name="Grace", password=STRONG)
        entry = only_entry("staff_invitation_accepted")
        assert entry.actor == user and is_about(entry, user)
        assert entry.changes == {"groups": [[], [Role.ASSESSOR.value]]}

    def test_changing_roles_records_the_administrator_and_the_change(self, admin_client):
        person = UserFactory(roles=[Role.ASSESSOR])
        admin_client.post(
            reverse("staff-user", args=[person.pk]),
            {
                "roles": [Role.DECISION_OFFICIAL],
                "is_active": "no",
                "version": accounts.staff_version(person),
            },
        )
        entry = only_entry("staff_roles_changed")
        assert entry.actor == admin_client.admin and is_about(entry, person)
        assert entry.changes == {
            "groups": [[Role.ASSESSOR.value], [Role.DECISION_OFFICIAL.value]],
            "is_active": [True, False],
        }

    def test_a_refused_role_change_records_nothing(self, admin_client):
        admin_client.post(
            reverse("staff-user", args=[admin_client.admin.pk]),
            {"roles": [Role.ASSESSOR], "is_active": "yes"},
        )
        assert not ActivityEntry.objects.filter(action="staff_roles_changed").exists()


# --- Organisations and members ----------------------------------------------------------


def profile_values(organisation, **changes):
    values = {
        field: getattr(organisation, field)
        for field in organisations.PROFILE_FIELDS
        if field != "local_authority"
    }
    values["local_authority"] = organisation.local_authority
    values.update(changes)
    return values


class TestOrganisations:
    def test_creating_a_profile_records_its_details_and_first_contact(self):
        user = UserFactory(roles=[Role.APPLICANT])
        template = OrganisationFactory.build(name="Oak Primary", urn="654321")
        organisation = organisations.create_organisation(user, profile_values(template))
        entry = only_entry("organisation_created")
        assert entry.actor == user and is_about(entry, organisation)
        assert entry.changes["name"] == [None, "Oak Primary"]
        assert entry.changes["urn"] == [None, "654321"]
        assert entry.changes["contacts"] == [[], [user.email]]

    def test_editing_the_profile_records_each_changed_field(self, client):
        membership = MembershipFactory(organisation__name="Oak")
        organisation = membership.organisation
        client.force_login(membership.user)
        response = client.post(
            reverse("organisation-edit", args=[organisation.kind]),
            {
                "name": "Oak Academy",
                "urn": organisation.urn,
                "local_authority": organisation.local_authority_id,
                "phase": organisation.phase,
                "faith_designation": organisation.faith_designation,
                "address": "1 Oak Lane",
                "schools_led_count": organisation.schools_led_count,
                "primary_governance_count": organisation.primary_governance_count,
                "claims_national_support_school": "no",
                "version": organisations.profile_version(organisation),
            },
        )
        assert response.status_code == 302
        entry = only_entry("organisation_changed")
        assert entry.actor == membership.user and is_about(entry, organisation)
        assert entry.changes == {"address": ["", "1 Oak Lane"], "name": ["Oak", "Oak Academy"]}

    def test_a_refused_edit_records_nothing(self):
        membership = MembershipFactory()
        OrganisationFactory(urn="999999")
        with pytest.raises(organisations.OrganisationError):
            organisations.update_organisation(
                membership.organisation,
                profile_values(membership.organisation, urn="999999"),
                actor=membership.user,
            )
        assert not ActivityEntry.objects.exists()

    def test_inviting_a_colleague_records_the_address_and_never_the_token(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        client.post(reverse("organisation-invite"), {"email": "Colleague@Example.org"})
        entry = only_entry("member_invited")
        assert entry.actor == membership.user and is_about(entry, membership.organisation)
        assert entry.changes == {"invitation": [None, "colleague@example.org"]}

    def test_the_colleague_invitation_token_is_not_in_the_log(self):
        membership = MembershipFactory()
        _, token = organisations.invite_member(
            membership.organisation, email="c@example.org", invited_by=membership.user, base_url=""
        )
        assert token not in stored_text(only_entry("member_invited"))

    def test_joining_records_the_new_member(self):
        organisation = MembershipFactory().organisation
        InvitationFactory(token="j", email="new@example.org", roles=[], organisation=organisation)
        membership = organisations.accept_invitation("j", full_name="New", password=STRONG)
        entry = only_entry("member_joined")
        assert entry.actor == membership.user and is_about(entry, organisation)
        assert entry.changes == {"member": [None, "new@example.org"]}

    def test_changing_contacts_records_who_they_were_and_are(self, client):
        me = MembershipFactory(is_contact=True, user__email="me@example.org")
        other = MembershipFactory(
            organisation=me.organisation, is_contact=False, user__email="other@example.org"
        )
        client.force_login(me.user)
        client.post(
            reverse("organisation-contacts"),
            {
                "contacts": [other.pk],
                "version": organisations.contacts_version(me.organisation),
            },
        )
        entry = only_entry("contacts_changed")
        assert entry.actor == me.user and is_about(entry, me.organisation)
        assert entry.changes == {"contacts": [["me@example.org"], ["other@example.org"]]}

    def test_removing_a_member_records_who_was_removed(self, client):
        me = MembershipFactory(is_contact=True)
        other = MembershipFactory(
            organisation=me.organisation, is_contact=False, user__email="leaving@example.org"
        )
        client.force_login(me.user)
        client.post(reverse("organisation-remove-member", args=[other.pk]))
        assert not Membership.objects.filter(pk=other.pk).exists()
        entry = only_entry("member_removed")
        assert entry.actor == me.user and is_about(entry, me.organisation)
        assert entry.changes == {"member": ["leaving@example.org", None]}


# --- Out-of-round decisions ------------------------------------------------------------


class TestOutOfRoundDecisions:
    @pytest.fixture
    def officer(self):
        return UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Olive Officer")

    def test_a_grant_records_the_officer_the_outcome_and_the_window(self, officer):
        request_obj = OutOfRoundRequestFactory()
        deadline = clock.now() + timedelta(days=7)
        out_of_round.grant(request_obj, officer, deadline, base_url="http://x")
        entry = only_entry("out_of_round_granted")
        decided = OutOfRoundRequest.objects.get()
        assert entry.actor == officer and is_about(entry, decided)
        assert entry.changes["outcome"] == ["pending", "granted"]
        assert entry.changes["decided_by"] == [None, "Olive Officer"]
        assert entry.changes["window"] == [None, str(decided.window)]
        assert "refusal_reason" not in entry.changes

    def test_a_refusal_records_the_reason(self, officer):
        request_obj = OutOfRoundRequestFactory()
        out_of_round.refuse(request_obj, officer, "Not urgent enough", base_url="http://x")
        entry = only_entry("out_of_round_refused")
        assert entry.actor == officer
        assert entry.changes["outcome"] == ["pending", "refused"]
        assert entry.changes["refusal_reason"] == ["", "Not urgent enough"]

    def test_a_second_decision_records_nothing_more(self, officer):
        request_obj = OutOfRoundRequestFactory()
        out_of_round.refuse(request_obj, officer, "No", base_url="http://x")
        with pytest.raises(out_of_round.AlreadyDecided):
            out_of_round.refuse(request_obj, officer, "No again", base_url="http://x")
        assert ActivityEntry.objects.count() == 1


def test_the_entry_is_written_in_the_changes_transaction(monkeypatch):
    """If the entry cannot be written, the change is not made either."""
    person = UserFactory(roles=[Role.ASSESSOR])
    admin = UserFactory(roles=[Role.ADMINISTRATOR])

    def fail(*args, **kwargs):
        raise RuntimeError("the log is unavailable")

    monkeypatch.setattr(activity, "record", fail)
    with pytest.raises(RuntimeError):
        accounts.set_staff_roles(person, roles=[Role.DECISION_OFFICIAL], is_active=False, by=admin)
    person = User.objects.get(pk=person.pk)
    assert person.is_active and person.has_role(Role.ASSESSOR)
