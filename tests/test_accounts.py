"""Accounts: registration, sign-in throttling, the staff second factor,
invitations and organisation switching."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation import clock
from accreditation.models import Invitation, User
from accreditation.roles import Role
from accreditation.services import accounts
from accreditation.tasks import send_outbox
from tests.casework import sign_in_verified
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase"


def register(client, **overrides):
    data = {
        "full_name": "Ada Lovelace",
        "email": "ada@example.org",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }
    return client.post(reverse("register"), data)


def code_for(device):
    return f"{totp(device.bin_key):06d}"


class TestRegistration:
    def test_registers_an_applicant_and_e_mails_them(
        self, client, password, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = register(client)
        assert response.url == reverse("registered")
        user = User.objects.get(email="ada@example.org")
        assert user.has_role(Role.APPLICANT)
        send_outbox()
        assert [m.subject for m in mail.outbox] == [
            "Your account for Apply for school provider accreditation is ready"
        ]
        signed_in = client.post(
            reverse("login"), {"username": "ada@example.org", "password": STRONG}
        )
        assert signed_in.url == reverse("home")

    def test_an_address_with_an_account_gets_the_same_page_and_an_e_mail(
        self, client, django_capture_on_commit_callbacks
    ):
        UserFactory(email="ada@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            response = register(client, email="ADA@Example.org")
        assert response.url == reverse("registered")
        assert User.objects.filter(email__iexact="ada@example.org").count() == 1
        send_outbox()
        assert [(m.subject, m.to) for m in mail.outbox] == [
            (
                "You already have an account for Apply for school provider accreditation",
                ["ada@example.org"],
            )
        ]

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("password", "Your password must be 12 characters or more"),
            ("12345678901234", "Your password must include letters or symbols"),
            ("ada@example.org1", "Choose a password that is not like your name or email address"),
        ],
    )
    def test_weak_passwords_are_refused_and_nothing_is_written(self, client, password, message):
        response = register(client, password1=password, password2=password)
        assert message in response.text
        assert 'class="govuk-error-summary"' in response.text
        assert not User.objects.filter(email="ada@example.org").exists()

    def test_mismatched_passwords_are_refused(self, client):
        response = register(client, password2=STRONG + "x")
        assert "Enter the same password in both fields" in response.text
        assert not User.objects.exists()

    def test_the_database_refuses_a_duplicate_that_slips_past_the_form(self):
        UserFactory(email="ada@example.org")
        with pytest.raises(accounts.AccountError):
            accounts.create_applicant(email="Ada@example.org", full_name="Ada", password=STRONG)


class TestSignIn:
    def test_signs_in_by_email_whatever_the_case(self, client, password):
        UserFactory(email="bob@example.org", roles=[Role.APPLICANT])
        response = client.post(
            reverse("login"), {"username": "BOB@example.org", "password": password}
        )
        assert response.status_code == 302
        assert response.url == reverse("home")

    def test_an_applicant_asked_to_sign_in_for_the_staff_area_goes_home(self, client, password):
        """A staff link followed by an applicant: after signing in they are
        at home, not on a page refusing them; other pages are kept."""
        UserFactory(email="bob@example.org", roles=[Role.APPLICANT])
        sign_in = {"username": "bob@example.org", "password": password}
        response = client.post(reverse("login") + "?next=/staff/cases/", sign_in)
        assert response.url == reverse("home")
        client.logout()
        response = client.post(reverse("login") + "?next=/proposals/", sign_in)
        assert response.url == "/proposals/"

    def test_ten_wrong_passwords_lock_the_account_with_a_clear_message(self, client, password):
        UserFactory(email="bob@example.org", roles=[Role.APPLICANT])
        for attempt in range(9):
            response = client.post(
                reverse("login"), {"username": "bob@example.org", "password": "wrong"}
            )
            assert response.status_code == 200, attempt
            assert "Enter a correct email address and password" in response.text
        response = client.post(
            reverse("login"), {"username": "bob@example.org", "password": "wrong"}
        )
        assert response.status_code == 429
        assert "Your account is locked for now" in response.text
        response = client.post(
            reverse("login"), {"username": "bob@example.org", "password": password}
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_a_lockout_does_not_lock_another_account_at_the_same_address(self, client, password):
        UserFactory(email="bob@example.org")
        UserFactory(email="cat@example.org")
        for _ in range(10):
            client.post(reverse("login"), {"username": "bob@example.org", "password": "wrong"})
        response = client.post(
            reverse("login"), {"username": "cat@example.org", "password": password}
        )
        assert response.status_code == 302

    def test_one_address_trying_many_accounts_is_stopped_for_a_while(
        self, client, password, settings
    ):
        """Password spraying: a wrong password on many accounts from one
        address pauses signing in from it (at a limit far above one
        account's, as a school shares an address), and another address is
        not paused (a security tester's finding)."""
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5
        UserFactory(email="bob@example.org")
        for n in range(5):
            response = client.post(
                reverse("login"), {"username": f"person{n}@example.org", "password": "wrong"}
            )
            assert response.status_code == 200, n
        response = client.post(
            reverse("login"), {"username": "bob@example.org", "password": password}
        )
        assert response.status_code == 429
        assert "Signing in is paused for now" in response.text
        assert "_auth_user_id" not in client.session
        elsewhere = Client(REMOTE_ADDR="192.0.2.7")
        response = elsewhere.post(
            reverse("login"), {"username": "bob@example.org", "password": password}
        )
        assert response.status_code == 302

    def test_the_pause_lasts_its_whole_time_from_the_failure_that_reached_the_limit(
        self, client, password, settings
    ):
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 2
        UserFactory(email="bob@example.org")
        wrong = {"username": "someone@example.org", "password": "wrong"}
        right = {"username": "bob@example.org", "password": password}
        start = clock.now()
        with time_machine.travel(start, tick=False):
            client.post(reverse("login"), wrong)
        with time_machine.travel(start + timedelta(minutes=25), tick=False):
            client.post(reverse("login"), wrong)
        with time_machine.travel(start + timedelta(minutes=50), tick=False):
            assert client.post(reverse("login"), right).status_code == 429
        with time_machine.travel(start + timedelta(minutes=56), tick=False):
            assert client.post(reverse("login"), right).status_code == 302

    def test_sign_out_needs_a_post(self, client):
        client.force_login(UserFactory())
        assert client.get(reverse("logout")).status_code == 405
        assert client.post(reverse("logout")).status_code == 302
        assert "_auth_user_id" not in client.session


class TestStaffSecondFactor:
    def test_staff_without_a_device_are_sent_to_set_one_up(self, client):
        client.force_login(UserFactory(roles=[Role.ASSESSOR]))
        response = client.get(reverse("staff-home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("otp-setup"))

    def test_setting_up_a_device_reaches_the_staff_area(self, client):
        user = UserFactory(roles=[Role.CASEWORK_OFFICER])
        client.force_login(user)
        page = client.get(reverse("otp-setup"))
        assert page.status_code == 200
        assert client.get(reverse("otp-qr"))["Content-Type"] == "image/svg+xml"
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post(
            reverse("otp-setup") + "?next=/staff/", {"token": code_for(device), "next": "/staff/"}
        )
        assert response.status_code == 302
        assert response.url == "/staff/"
        assert client.get(reverse("staff-home")).status_code == 200

    def test_a_wrong_code_is_refused_and_the_device_stays_unconfirmed(self, client):
        user = UserFactory(roles=[Role.ASSESSOR])
        client.force_login(user)
        client.get(reverse("otp-setup"))
        device = TOTPDevice.objects.get(user=user)
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        response = client.post(reverse("otp-setup"), {"token": wrong})
        assert "The code is not right" in response.text
        device.refresh_from_db()
        assert not device.confirmed
        assert client.get(reverse("staff-home")).status_code == 302

    def test_staff_with_a_device_must_enter_a_code_each_session(self, client):
        user = UserFactory(roles=[Role.DECISION_OFFICIAL])
        device = TOTPDevice.objects.create(user=user, confirmed=True, name="app")
        client.force_login(user)
        response = client.get(reverse("staff-home"))
        assert response.url.startswith(reverse("otp-verify"))
        response = client.post(
            reverse("otp-verify"), {"token": code_for(device), "next": "/staff/"}
        )
        assert response.url == "/staff/"
        assert client.get(reverse("staff-home")).status_code == 200

    def test_a_used_code_cannot_be_used_again(self, client):
        user = UserFactory(roles=[Role.ASSESSOR])
        device = TOTPDevice.objects.create(user=user, confirmed=True, name="app")
        code = code_for(device)
        client.force_login(user)
        client.post(reverse("otp-verify"), {"token": code})
        client.post(reverse("logout"))
        client.force_login(user)
        response = client.post(reverse("otp-verify"), {"token": code})
        assert "already been used" in response.text

    def test_the_setting_can_switch_the_second_factor_off_for_the_demo(self, client, settings):
        settings.STAFF_OTP_REQUIRED = False
        client.force_login(UserFactory(roles=[Role.ASSESSOR]))
        assert client.get(reverse("staff-home")).status_code == 200

    def test_applicants_are_refused_the_staff_area(self, client):
        client.force_login(UserFactory(roles=[Role.APPLICANT]))
        response = client.get(reverse("staff-home"))
        assert response.status_code == 403
        assert "You do not have access to this page" in response.text

    def test_signed_out_people_are_sent_to_sign_in(self, client):
        response = client.get(reverse("staff-home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.fixture
def admin_client(client, settings):
    settings.STAFF_OTP_REQUIRED = False
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    client.admin = admin
    return client


class TestStaffInvitations:
    def test_an_administrator_invites_an_advisory_group_member(
        self, admin_client, client, settings
    ):
        response = admin_client.post(
            reverse("staff-invite"),
            {
                "full_name": "Grace Hopper",
                "email": "grace@example.org",
                "roles": [Role.ADVISORY_GROUP_MEMBER],
            },
        )
        assert response.status_code == 302
        assert len(mail.outbox) == 0  # sent by the worker
        invitation = Invitation.objects.get(email="grace@example.org")
        assert invitation.roles == [Role.ADVISORY_GROUP_MEMBER]

    def test_the_invitation_mail_is_sent_by_the_worker_once_committed(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("staff-invite"),
                {
                    "full_name": "Grace Hopper",
                    "email": "grace@example.org",
                    "roles": [Role.ASSESSOR],
                },
            )
        assert len(mail.outbox) == 0
        assert send_outbox() == {"sent": 1}
        assert len(mail.outbox) == 1
        assert "/invitation/" in mail.outbox[0].body
        inviter = admin_client.admin
        assert f"{inviter} has invited you to " in mail.outbox[0].body
        assert f"to join the accreditation team on {settings.SERVICE_NAME}, as an assessor." in (
            mail.outbox[0].body
        )

    def test_the_invitation_page_says_who_invited_them_and_to_which_roles(self, admin_client):
        token = accounts.invite_staff(
            email="grace@example.org",
            full_name="Grace Hopper",
            roles=[Role.DECISION_OFFICIAL, Role.ASSESSOR],
            invited_by=admin_client.admin,
            base_url="",
        )
        admin_client.logout()
        page = admin_client.get(reverse("accept-invitation", args=[token])).text
        assert (
            f"{escape(admin_client.admin)} has invited you to join the accreditation team on "
            f"{escape(settings.SERVICE_NAME)}, as an assessor and a decision official, with the "
            "email address grace@example.org."
        ) in page

    def test_the_invitation_mail_says_to_sign_in_where_the_address_has_an_account(
        self, admin_client
    ):
        from accreditation.models import OutboxMessage

        UserFactory(email="ada@example.org", roles=[Role.APPLICANT])
        for email in ("ada@example.org", "grace@example.org"):
            accounts.invite_staff(
                email=email,
                full_name="Someone",
                roles=[Role.ASSESSOR],
                invited_by=admin_client.admin,
                base_url="",
            )
        bodies = {m.to: m.body for m in OutboxMessage.objects.all()}
        assert "sign in with the account you already have" in bodies["ada@example.org"]
        assert "set your password" not in bodies["ada@example.org"]
        assert "set your password" in bodies["grace@example.org"]

    def test_an_address_whose_account_is_switched_off_is_not_invited(self, admin_client):
        UserFactory(email="ada@example.org", roles=[Role.APPLICANT], is_active=False)
        response = admin_client.post(
            reverse("staff-invite"),
            {"full_name": "Ada", "email": "Ada@example.org", "roles": [Role.ASSESSOR]},
        )
        assert response.status_code == 200
        assert "The account of Ada@example.org is switched off" in response.text
        assert 'href="#id_email"' in response.text
        assert not Invitation.objects.exists()

    def test_an_invitation_without_roles_is_refused(self, admin_client):
        response = admin_client.post(
            reverse("staff-invite"), {"full_name": "Grace", "email": "grace@example.org"}
        )
        assert "Select at least one role" in response.text
        assert 'href="#id_roles_1"' in response.text
        assert not Invitation.objects.exists()

    @pytest.mark.parametrize("active", [True, False])
    def test_an_address_that_already_has_a_staff_account_is_not_invited(self, admin_client, active):
        UserFactory(email="grace@example.org", roles=[Role.ASSESSOR], is_active=active)
        response = admin_client.post(
            reverse("staff-invite"),
            {"full_name": "Grace", "email": "Grace@Example.org", "roles": [Role.ASSESSOR]},
        )
        assert response.status_code == 200
        told = (
            "grace@example.org already has a staff account: change its roles from the staff "
            "users list instead of inviting them"
            if active
            else "grace@example.org already has a staff account, switched off: switch it back "
            "on from the staff users list instead of inviting them"
        )
        assert told in response.text
        assert 'href="#id_email"' in response.text
        assert not Invitation.objects.exists()

    def test_the_link_creates_the_account_once(self, client, settings):
        settings.STAFF_OTP_REQUIRED = True
        InvitationFactory(
            token="abc", email="grace@example.org", roles=[Role.ADVISORY_GROUP_MEMBER]
        )
        url = reverse("accept-invitation", args=["abc"])
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"full_name": "Grace Hopper", "password1": STRONG, "password2": STRONG}
        )
        assert response.url == reverse("staff-home")
        user = User.objects.get(email="grace@example.org")
        assert user.has_role(Role.ADVISORY_GROUP_MEMBER)
        assert client.get(reverse("staff-home")).url.startswith(reverse("otp-setup"))
        client.post(reverse("logout"))
        reused = client.get(url)
        assert reused.status_code == 410
        assert "This invitation link does not work" in reused.text

    def test_an_address_with_an_account_is_asked_to_sign_in_not_for_a_password(self, client):
        existing = UserFactory(email="grace@example.org", roles=[Role.APPLICANT])
        InvitationFactory(token="abc", email="Grace@example.org", roles=[Role.ASSESSOR])
        url = reverse("accept-invitation", args=["abc"])
        page = client.get(url).text
        assert "An account already uses this email address" in page
        assert f'href="{reverse("login")}?next=/invitation/abc/"' in page
        assert 'name="password1"' not in page
        # Signed in as someone else: told so, with a way to sign out and back here.
        client.force_login(UserFactory(email="ada@example.org"))
        page = client.get(url).text
        assert "You are signed in as ada@example.org" in page
        assert '<input type="hidden" name="next" value="/invitation/abc/">' in page
        assert "Accept the invitation" not in page
        signed_out = client.post(reverse("logout"), {"next": url})
        assert signed_out.url == url
        # Signed in with the invited address: accepted with one press.
        client.force_login(existing)
        page = client.get(url).text
        assert "Accept the invitation" in page and "Sign out, then" not in page
        client.post(url)
        assert User.objects.get(pk=existing.pk).role_names == {"applicant", "assessor"}

    def test_an_address_whose_account_is_switched_off_is_told_to_ask_an_administrator(self, client):
        UserFactory(email="grace@example.org", roles=[Role.ASSESSOR], is_active=False)
        InvitationFactory(token="abc", email="grace@example.org", roles=[Role.ASSESSOR])
        page = client.get(reverse("accept-invitation", args=["abc"])).text
        assert "has been switched off" in page
        assert 'name="password1"' not in page and "?next=/invitation/abc/" not in page

    def test_an_expired_link_is_refused(self, client):
        InvitationFactory(token="old", email="grace@example.org")
        with time_machine.travel(timedelta(days=8)):
            response = client.get(reverse("accept-invitation", args=["old"]))
        assert response.status_code == 410
        assert not User.objects.filter(email="grace@example.org").exists()

    def test_accepting_twice_at_the_service_level_gives_one_account(self):
        InvitationFactory(token="t", email="grace@example.org")
        accounts.accept_invitation("t", full_name="Grace", password=STRONG)
        with pytest.raises(accounts.AccountError):
            accounts.accept_invitation("t", full_name="Grace", password=STRONG)
        assert User.objects.filter(email="grace@example.org").count() == 1

    def test_an_organisation_invitation_is_not_a_staff_invitation(self, client):
        organisation = MembershipFactory().organisation
        InvitationFactory(
            token="org", email="grace@example.org", roles=[], organisation=organisation
        )
        assert client.get(reverse("accept-invitation", args=["org"])).status_code == 410
        with pytest.raises(accounts.AccountError):
            accounts.accept_invitation("org", full_name="Grace", password=STRONG)
        assert not User.objects.filter(email="grace@example.org").exists()

    def test_a_new_invitation_revokes_the_old_one(self, admin_client):
        first = accounts.invite_staff(
            email="g@example.org",
            full_name="G",
            roles=[Role.ASSESSOR],
            invited_by=admin_client.admin,
            base_url="",
        )
        accounts.invite_staff(
            email="g@example.org",
            full_name="G",
            roles=[Role.ASSESSOR],
            invited_by=admin_client.admin,
            base_url="",
        )
        assert accounts.find_invitation(first) is None
        admin_client.logout()
        opened = admin_client.get(reverse("accept-invitation", args=[first]))
        assert opened.status_code == 410
        assert "This invitation link has been replaced by a newer one." in opened.text

    def test_the_administrator_is_told_an_invitation_replaces_one_waiting(self, admin_client):
        data = {"full_name": "Grace", "email": "grace@example.org", "roles": [Role.ASSESSOR]}
        first = admin_client.post(reverse("staff-invite"), data, follow=True)
        assert "It replaces the invitation" not in first.text
        again = admin_client.post(
            reverse("staff-invite"), {**data, "roles": [Role.DECISION_OFFICIAL]}, follow=True
        )
        assert "It replaces the invitation sent on" in again.text
        assert "(as assessor): that link no longer works." in again.text

    def test_only_administrators_manage_users(self, client, settings):
        settings.STAFF_OTP_REQUIRED = False
        client.force_login(UserFactory(roles=[Role.CASEWORK_OFFICER]))
        assert client.get(reverse("staff-users")).status_code == 403
        assert client.get(reverse("staff-invite")).status_code == 403

    def test_administrator_changes_roles_and_switches_an_account_off(self, admin_client):
        person = UserFactory(roles=[Role.ASSESSOR])
        response = admin_client.post(
            reverse("staff-user", args=[person.pk]),
            {
                "roles": [Role.DECISION_OFFICIAL],
                "is_active": "no",
                "version": accounts.staff_version(person),
            },
        )
        assert response.status_code == 302
        person = User.objects.get(pk=person.pk)
        assert person.role_names == {Role.DECISION_OFFICIAL.value}
        assert not person.is_active

    def test_a_person_keeps_at_least_one_role_and_stays_on_the_list(self, admin_client):
        person = UserFactory(roles=[Role.ASSESSOR], full_name="Rajesh Patel")
        response = admin_client.post(
            reverse("staff-user", args=[person.pk]),
            {"is_active": "yes", "version": accounts.staff_version(person)},
        )
        assert response.status_code == 200
        assert "Error: " in response.text
        assert "Select at least one role. To stop this person using the service" in response.text
        assert User.objects.get(pk=person.pk).role_names == {Role.ASSESSOR.value}
        assert "Rajesh Patel" in admin_client.get(reverse("staff-users")).text

    def test_an_applicant_who_is_staff_too_can_be_left_an_applicant_only(self, admin_client):
        """Someone who is a member of an applicant organisation and staff can
        have every staff role taken away: they keep their applicant account
        (switching it off would shut them out of their organisations)."""
        person = UserFactory(roles=[Role.APPLICANT, Role.ASSESSOR], full_name="Sam Okafor")
        url = reverse("staff-user", args=[person.pk])
        assert "untick every role to leave them an applicant only" in admin_client.get(url).text
        response = admin_client.post(
            url, {"is_active": "yes", "version": accounts.staff_version(person)}, follow=True
        )
        assert "Sam Okafor is no longer staff: they use the service as an applicant only" in (
            response.text
        )
        person = User.objects.get(pk=person.pk)
        assert person.role_names == {Role.APPLICANT.value}
        assert person.is_active
        assert "Sam Okafor" not in admin_client.get(reverse("staff-users")).text

    def test_the_service_refuses_to_leave_a_person_with_no_role(self):
        person = UserFactory(roles=[Role.ASSESSOR])
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        with pytest.raises(accounts.AccountError, match="Choose at least one staff role"):
            accounts.set_staff_roles(person, roles=[], is_active=True, by=admin)
        assert User.objects.get(pk=person.pk).role_names == {Role.ASSESSOR.value}

    def test_an_administrator_cannot_remove_their_own_role(self, admin_client):
        response = admin_client.post(
            reverse("staff-user", args=[admin_client.admin.pk]),
            {"roles": [Role.ASSESSOR], "is_active": "yes"},
        )
        assert "You cannot remove your own administrator role" in response.text
        assert User.objects.get(pk=admin_client.admin.pk).has_role(Role.ADMINISTRATOR)

    def test_an_administrator_cannot_give_themselves_a_role(self, admin_client):
        """Another administrator gives it: an administrator does no casework
        of their own choosing (a tester made themselves a decision official)."""
        own = reverse("staff-user", args=[admin_client.admin.pk])
        version = admin_client.get(own).context["form"].initial["version"]
        response = admin_client.post(
            own,
            {
                "roles": [Role.ADMINISTRATOR, Role.DECISION_OFFICIAL],
                "is_active": "yes",
                "version": version,
            },
        )
        assert response.status_code == 200
        assert (
            "You cannot give yourself a role (decision official): ask another administrator to "
            "give it to you"
        ) in response.text
        assert User.objects.get(pk=admin_client.admin.pk).role_names == {Role.ADMINISTRATOR}
        other = UserFactory(roles=[Role.ADMINISTRATOR])
        admin_client.force_login(other)
        response = admin_client.post(
            own,
            {
                "roles": [Role.ADMINISTRATOR, Role.DECISION_OFFICIAL],
                "is_active": "yes",
                "version": version,
            },
        )
        assert response.status_code == 302
        assert User.objects.get(pk=admin_client.admin.pk).role_names == {
            Role.ADMINISTRATOR,
            Role.DECISION_OFFICIAL,
        }

    def test_applicants_are_not_editable_as_staff(self, admin_client):
        applicant = UserFactory(roles=[Role.APPLICANT])
        assert admin_client.get(reverse("staff-user", args=[applicant.pk])).status_code == 404

    @pytest.mark.parametrize("count", [3, 30])
    def test_staff_list_queries_do_not_grow_with_rows(
        self, admin_client, count, django_assert_num_queries
    ):
        for _ in range(count):
            UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
        with django_assert_num_queries(10):
            response = admin_client.get(reverse("staff-users"))
        assert response.status_code == 200


class TestOrganisationSwitching:
    def test_a_member_of_two_organisations_switches_between_them(self, client):
        first = MembershipFactory(organisation__name="Alpha Primary")
        user = first.user
        second = MembershipFactory(user=user, organisation__name="Beta Primary")
        client.force_login(user)
        assert (
            "You are acting for <strong>Alpha Primary" in client.get(reverse("applicant-home")).text
        )
        client.post(reverse("switch-organisation"), {"organisation": second.organisation.pk})
        assert (
            "You are acting for <strong>Beta Primary" in client.get(reverse("applicant-home")).text
        )

    @pytest.mark.parametrize("count", [2, 12])
    def test_the_organisations_page_queries_do_not_grow(
        self, client, count, django_assert_num_queries
    ):
        user = UserFactory(roles=[Role.APPLICANT])
        for _ in range(count):
            MembershipFactory(user=user)
        client.force_login(user)
        with django_assert_num_queries(8):
            assert client.get(reverse("applicant-home")).status_code == 200

    def test_switching_to_someone_elses_organisation_is_404(self, client):
        mine = MembershipFactory()
        theirs = MembershipFactory()
        client.force_login(mine.user)
        response = client.post(
            reverse("switch-organisation"), {"organisation": theirs.organisation.pk}
        )
        assert response.status_code == 404


class TestSession:
    def test_keep_alive_answers_the_timeout_dialog(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("keep-alive"), HTTP_X_REQUESTED_WITH="fetch")
        assert response.json()["expires_in"] > 0

    def test_keep_alive_without_javascript_returns_to_the_page(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("keep-alive"), {"next": "/applicant/"})
        assert response.url == "/applicant/"

    def test_keep_alive_refuses_an_outside_redirect(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("keep-alive"), {"next": "https://evil.example/"})
        assert response.url == reverse("home")

    def test_activity_saves_the_session_at_most_once_a_minute(self, client, settings):
        membership = MembershipFactory()
        with time_machine.travel("2026-03-02 09:00:00Z", tick=False) as traveller:
            client.force_login(membership.user)
            client.get(reverse("applicant-home"))
            saved = Session.objects.get().expire_date

            traveller.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1))
            page = client.get(reverse("applicant-home"))
            assert Session.objects.get().expire_date == saved, "not written again so soon"
            left = settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS + 1
            assert f'data-timeout="{left}"' in page.text, "the warning counts to the real end"

            traveller.shift(timedelta(seconds=1))
            page = client.get(reverse("applicant-home"))
            assert Session.objects.get().expire_date == saved + timedelta(
                seconds=settings.SESSION_REFRESH_SECONDS
            )
            assert f'data-timeout="{settings.SESSION_COOKIE_AGE}"' in page.text

    def test_a_session_left_alone_ends_at_its_last_save(self, client, settings):
        membership = MembershipFactory()
        with time_machine.travel("2026-03-02 09:00:00Z", tick=False) as traveller:
            client.force_login(membership.user)
            client.get(reverse("applicant-home"))
            traveller.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1))
            client.get(reverse("applicant-home"))
            traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 30))
            response = client.get(reverse("applicant-home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_keep_alive_always_restarts_the_clock(self, client, settings):
        client.force_login(UserFactory())
        with time_machine.travel("2026-03-02 09:00:00Z", tick=False) as traveller:
            client.post(reverse("keep-alive"), HTTP_X_REQUESTED_WITH="fetch")
            traveller.shift(timedelta(seconds=5))
            response = client.post(reverse("keep-alive"), HTTP_X_REQUESTED_WITH="fetch")
            assert response.json()["expires_in"] == settings.SESSION_COOKIE_AGE
            assert Session.objects.get().expire_date == clock.now() + timedelta(
                seconds=settings.SESSION_COOKIE_AGE
            )


def test_an_administrator_withdraws_a_staff_invitation_and_its_link_stops_working(client):
    from accreditation.models import ActivityEntry, Invitation

    admin = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
    invitation = InvitationFactory(
        token="withdraw-me", email="wrong@example.org", full_name="Wren", invited_by=admin
    )
    link = reverse("accept-invitation", args=["withdraw-me"])
    assert client.get(link).status_code == 200
    sign_in_verified(client, admin)
    page = client.get(reverse("staff-users")).text
    withdraw = reverse("staff-invitation-withdraw", args=[invitation.pk])
    assert f'action="{withdraw}"' in page
    assert "Wren" in page and "Assessor" in page and "Ada Admin" in page
    done = client.post(withdraw, follow=True)
    assert "The invitation to wrong@example.org has been withdrawn." in done.text
    assert f'action="{withdraw}"' not in done.text
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert ActivityEntry.objects.filter(action="staff_invitation_withdrawn").count() == 1
    # Pressed again: said, nothing changed.
    again = client.post(withdraw, follow=True)
    assert "was accepted or withdrawn already" in again.text
    assert ActivityEntry.objects.filter(action="staff_invitation_withdrawn").count() == 1
    # The link no longer works, and says it was withdrawn.
    client.logout()
    opened = client.get(link)
    assert opened.status_code == 410
    assert "This invitation has been withdrawn." in opened.text
    # An organisation's invitation is not the staff users page's to withdraw.
    joining = InvitationFactory(organisation=OrganisationFactory(), roles=[])
    sign_in_verified(client, admin)
    assert client.post(reverse("staff-invitation-withdraw", args=[joining.pk])).status_code == 404
