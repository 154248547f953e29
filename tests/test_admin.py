"""The Django admin under /staff/admin/ (issue 6, item 9): administrators
only, past the staff second factor; every change it makes is in the activity
log, secrets masked."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation.admin import site
from accreditation.models import ActivityEntry, LocalAuthority, Region, Round, User
from accreditation.roles import Role
from accreditation.services import activity
from tests.factories import (
    CriterionFactory,
    FrameworkFactory,
    LocalAuthorityFactory,
    PartFactory,
    RegionFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX = "/staff/admin/"
NEW_PASSWORD = "a-new-and-unusual-passphrase"


def verified(client, user):
    """Sign ``user`` in past the second factor, as the OTP pages would."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Administrator")


@pytest.fixture
def admin_client(client, administrator):
    client.admin = administrator
    return verified(client, administrator)


def only_entry(action):
    (entry,) = ActivityEntry.objects.filter(action=action)
    return entry


# --- Who may use it ------------------------------------------------------------


class TestPermission:
    def test_the_administrator_gets_the_index_with_every_managed_model(self, admin_client):
        response = admin_client.get(INDEX)
        assert response.status_code == 200
        for model in site._registry:
            assert (
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
                in response.text
            )

    @pytest.mark.parametrize(
        "role", [Role.APPLICANT, Role.CASEWORK_OFFICER, Role.ASSESSOR, Role.DECISION_OFFICIAL]
    )
    def test_every_other_role_is_refused(self, client, role):
        user = UserFactory(roles=[role])
        verified(client, user)
        for url in (INDEX, reverse("admin:accreditation_user_changelist")):
            response = client.get(url, follow=True)
            assert response.status_code == 403, (role, url)
        response = client.post(
            reverse("admin:accreditation_region_add"), {"name": "X"}, follow=True
        )
        assert response.status_code == 403
        assert not Region.objects.filter(name="X").exists()

    def test_signed_out_people_are_sent_to_the_services_sign_in(self, client):
        response = client.get(reverse("admin:accreditation_region_changelist"), follow=True)
        assert response.redirect_chain[-1][0] == (
            f"{reverse('login')}?next={reverse('admin:accreditation_region_changelist')}"
        )

    def test_an_administrator_without_the_second_factor_is_sent_to_it(self, client, administrator):
        client.force_login(administrator)
        response = client.get(INDEX, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("otp-setup"))
        TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
        response = client.get(INDEX, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("otp-verify"))

    def test_the_admins_own_sign_in_form_is_never_shown(self, admin_client):
        response = admin_client.get(reverse("admin:login") + "?next=/staff/admin/")
        assert response.status_code == 302
        assert response.url == INDEX

    def test_an_outside_next_address_is_ignored(self, admin_client):
        response = admin_client.get(reverse("admin:login") + "?next=https://evil.example/")
        assert response.url == INDEX

    def test_every_list_and_add_page_opens(self, admin_client):
        for model in site._registry:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200, name
            add = admin_client.get(reverse(f"{name}_add"))
            assert add.status_code == (403 if model in (ActivityEntry, Round, User) else 200), name

    def test_a_change_form_opens(self, admin_client):
        authority = LocalAuthority.objects.order_by("code").first()
        response = admin_client.get(
            reverse("admin:accreditation_localauthority_change", args=[authority.pk])
        )
        assert response.status_code == 200
        assert authority.name in response.text


# --- Every change is in the activity log -------------------------------------------------


class TestChangesAreLogged:
    def test_changing_a_local_authority(self, admin_client):
        authority = LocalAuthorityFactory(code="990", name="Old Name")
        response = admin_client.post(
            reverse("admin:accreditation_localauthority_change", args=[authority.pk]),
            {"code": "990", "name": "New Name", "region": authority.region_id},
        )
        assert response.status_code == 302
        entry = only_entry("admin_changed")
        assert entry.actor == admin_client.admin
        assert entry.object_id == str(authority.pk)
        assert entry.object_label == "New Name"
        assert entry.changes == {"name": ["Old Name", "New Name"]}

    def test_adding_and_deleting_a_region(self, admin_client):
        admin_client.post(reverse("admin:accreditation_region_add"), {"name": "Atlantis"})
        region = Region.objects.get(name="Atlantis")
        assert only_entry("admin_added").changes == {"name": [None, "Atlantis"]}
        admin_client.post(
            reverse("admin:accreditation_region_delete", args=[region.pk]), {"post": "yes"}
        )
        assert not Region.objects.filter(name="Atlantis").exists()
        deleted = only_entry("admin_deleted")
        assert deleted.actor == admin_client.admin
        assert deleted.changes == {"name": ["Atlantis", None]}

    def test_a_refused_deletion_is_not_logged(self, admin_client):
        region = RegionFactory()
        LocalAuthorityFactory(region=region, code="991")
        admin_client.post(
            reverse("admin:accreditation_region_delete", args=[region.pk]), {"post": "yes"}
        )
        assert Region.objects.filter(pk=region.pk).exists()
        assert not ActivityEntry.objects.exists()

    def test_nobody_makes_an_account_with_a_password_or_sets_anothers(self, admin_client):
        """An administrator who could would sign in as anyone: staff join by
        invitation, and a password is reset by its owner from an email."""
        person = UserFactory(roles=[Role.DECISION_OFFICIAL])
        old_hash = User.objects.get(pk=person.pk).password
        add = reverse("admin:accreditation_user_add")
        assert admin_client.get(add).status_code == 403
        response = admin_client.post(
            add,
            {
                "email": "new.person@example.org",
                "full_name": "New Person",
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 403
        assert not User.objects.filter(email="new.person@example.org").exists()
        password = reverse("admin:auth_user_password_change", args=[person.pk])
        assert admin_client.get(password).status_code == 403
        response = admin_client.post(
            password,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 403
        assert User.objects.get(pk=person.pk).password == old_hash
        change = admin_client.get(reverse("admin:accreditation_user_change", args=[person.pk]))
        assert password not in change.text
        assert not ActivityEntry.objects.exists()

    def test_changing_roles_logs_old_and_new_roles(self, admin_client):
        person = UserFactory(roles=[Role.ASSESSOR], email="p@example.org", full_name="P")
        groups = {g.name: g.pk for g in person.groups.model.objects.all()}
        response = admin_client.post(
            reverse("admin:accreditation_user_change", args=[person.pk]),
            {
                "email": "p@example.org",
                "full_name": "P",
                "is_active": "on",
                "groups": [groups[Role.ASSESSOR], groups[Role.DECISION_OFFICIAL]],
            },
        )
        assert response.status_code == 302
        assert User.objects.get(pk=person.pk).role_names == {"assessor", "decision_official"}
        entry = only_entry("admin_changed")
        assert entry.changes == {"groups": [["assessor"], ["assessor", "decision_official"]]}

    def test_the_staff_users_rules_hold_in_the_admin_too(self, admin_client, administrator):
        """Nobody switches themselves off or drops their own administrator
        role (the last administrator could lock everyone out), and nobody is
        left with no role."""
        groups = {g.name: g.pk for g in administrator.groups.model.objects.all()}
        own = reverse("admin:accreditation_user_change", args=[administrator.pk])
        data = {"email": administrator.email, "full_name": "Ada Admin"}
        off = admin_client.post(own, {**data, "groups": [groups[Role.ADMINISTRATOR]]})
        assert "You cannot switch off your own account" in off.text
        demoted = admin_client.post(
            own, {**data, "is_active": "on", "groups": [groups[Role.ASSESSOR]]}
        )
        assert "You cannot remove your own administrator role" in demoted.text
        promoted = admin_client.post(
            own,
            {
                **data,
                "is_active": "on",
                "groups": [groups[Role.ADMINISTRATOR], groups[Role.DECISION_OFFICIAL]],
            },
        )
        assert "You cannot give yourself a role (decision official)" in promoted.text
        person = UserFactory(roles=[Role.ASSESSOR], email="p@example.org", full_name="P")
        roleless = admin_client.post(
            reverse("admin:accreditation_user_change", args=[person.pk]),
            {"email": "p@example.org", "full_name": "P", "is_active": "on", "groups": []},
        )
        assert "Choose at least one role" in roleless.text
        administrator.refresh_from_db()
        assert administrator.is_active and administrator.has_role(Role.ADMINISTRATOR)
        assert User.objects.get(pk=person.pk).role_names == {"assessor"}

    def test_an_assessor_with_cases_keeps_the_role_here_until_the_staff_users_page(
        self, admin_client
    ):
        """Taking someone off their cases is named first: on the staff users
        page, not here, where it would be done unseen."""
        from tests.factories import AssignmentFactory

        groups = {g.name: g.pk for g in Group.objects.all()}
        person = UserFactory(roles=[Role.ASSESSOR], full_name="Asha")
        assignment = AssignmentFactory(assessor=person)
        url = reverse("admin:accreditation_user_change", args=[person.pk])
        data = {"full_name": "Asha", "is_active": "on", "groups": [groups[Role.DECISION_OFFICIAL]]}
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert "change their roles or access on the staff users page" in response.text
        assert person.has_role(Role.ASSESSOR)
        response = admin_client.post(
            url, {**data, "groups": [groups[Role.ASSESSOR]], "is_active": ""}
        )
        assert "change their roles or access on the staff users page" in response.text
        assignment.refresh_from_db()
        assert assignment.ended_at is None
        # With no case in hand, the change is made here.
        assignment.delete()
        assert admin_client.post(url, data).status_code == 302
        assert not User.objects.get(pk=person.pk).has_role(Role.ASSESSOR)

    def test_an_accounts_address_cannot_be_changed(self, admin_client):
        """An account follows its address (a password reset goes there): an
        administrator who could change it could sign in as its owner."""
        groups = {g.name: g.pk for g in Group.objects.all()}
        person = UserFactory(roles=[Role.ASSESSOR], email="p@example.org", full_name="P")
        url = reverse("admin:accreditation_user_change", args=[person.pk])
        assert 'name="email"' not in admin_client.get(url).text
        response = admin_client.post(
            url,
            {
                "email": "attacker@example.net",
                "full_name": "P",
                "is_active": "on",
                "groups": [groups[Role.ASSESSOR]],
            },
        )
        assert response.status_code == 302
        assert User.objects.get(pk=person.pk).email == "p@example.org"

    def test_the_admin_offers_no_superuser_or_per_user_permissions(self, admin_client):
        person = UserFactory(roles=[Role.ASSESSOR], email="p@example.org", full_name="P")
        admin_client.post(
            reverse("admin:accreditation_user_change", args=[person.pk]),
            {"email": "p@example.org", "full_name": "P", "is_active": "on", "is_superuser": "on"},
        )
        assert not User.objects.get(pk=person.pk).is_superuser

    def test_a_version_is_published_only_with_both_parts_and_their_criteria(self, admin_client):
        """Published, it is what new rounds and windows take: without its
        questions, proposals would be submitted with no answers."""
        from tests.factories import CriterionFactory

        framework = FrameworkFactory(title="Empty criteria", published_at=None)
        url = reverse("admin:accreditation_framework_change", args=[framework.pk])
        data = {
            "version": framework.version,
            "title": "Empty criteria",
            "scale_min": 1,
            "scale_max": 4,
            "threshold": 3,
            "published_at_0": "2027-01-04",
            "published_at_1": "09:00:00",
            "parts-TOTAL_FORMS": 0,
            "parts-INITIAL_FORMS": 0,
        }
        refused = admin_client.post(url, data)
        assert refused.status_code == 200
        assert "Add Part One and Part Two, each with its criteria" in refused.text
        # A scale the database would refuse is said in words, at its field.
        for wrong, message in (
            ({"scale_min": 4, "scale_max": 1}, "The highest score must be more than the lowest"),
            (
                {"threshold": 9},
                "The threshold must be from the lowest score (1) to the highest (4)",
            ),
        ):
            refused = admin_client.post(url, {**data, "published_at_0": "", **wrong})
            assert message in refused.text
            assert "framework_scale_sane" not in refused.text
        framework.refresh_from_db()
        assert framework.published_at is None
        for number in (1, 2):
            CriterionFactory(part=PartFactory(framework=framework, number=number))
        parts = framework.parts.order_by("number")
        published = admin_client.post(
            url,
            {
                **data,
                "parts-TOTAL_FORMS": 2,
                "parts-INITIAL_FORMS": 2,
                **{
                    f"parts-{index}-{field}": value
                    for index, part in enumerate(parts)
                    for field, value in (
                        ("id", part.pk),
                        ("framework", framework.pk),
                        ("number", part.number),
                        ("title", part.title),
                        ("introduction", ""),
                    )
                },
            },
        )
        assert published.status_code == 302
        framework.refresh_from_db()
        assert framework.published_at is not None

    def test_each_inline_object_changed_gets_its_own_entry(self, admin_client):
        framework = FrameworkFactory(title="Draft criteria", published_at=None)
        part = PartFactory(framework=framework, number=1, title="Vision")
        response = admin_client.post(
            reverse("admin:accreditation_framework_change", args=[framework.pk]),
            {
                "version": framework.version,
                "title": "Draft criteria",
                "scale_min": 1,
                "scale_max": 4,
                "threshold": 3,
                "parts-TOTAL_FORMS": 1,
                "parts-INITIAL_FORMS": 1,
                "parts-0-id": part.pk,
                "parts-0-framework": framework.pk,
                "parts-0-number": 1,
                "parts-0-title": "Vision and capacity",
                "parts-0-introduction": "",
            },
        )
        assert response.status_code == 302
        framework_entry, part_entry = ActivityEntry.objects.filter(action="admin_changed")
        assert framework_entry.object_id == str(framework.pk)
        assert framework_entry.changes == {}
        assert part_entry.object_id == str(part.pk)
        assert part_entry.object_label == "Part One: Vision and capacity"
        assert part_entry.changes == {"title": ["Vision", "Vision and capacity"]}

    def test_inline_objects_added_and_deleted_get_their_own_entries(self, admin_client):
        framework = FrameworkFactory(title="Draft criteria", published_at=None)
        old = PartFactory(framework=framework, number=1, title="Vision")
        response = admin_client.post(
            reverse("admin:accreditation_framework_change", args=[framework.pk]),
            {
                "version": framework.version,
                "title": "Draft criteria",
                "scale_min": 1,
                "scale_max": 4,
                "threshold": 3,
                "parts-TOTAL_FORMS": 2,
                "parts-INITIAL_FORMS": 1,
                "parts-0-id": old.pk,
                "parts-0-framework": framework.pk,
                "parts-0-number": 1,
                "parts-0-title": "Vision",
                "parts-0-DELETE": "on",
                "parts-1-framework": framework.pk,
                "parts-1-number": 2,
                "parts-1-title": "Track record",
            },
        )
        assert response.status_code == 302
        new = framework.parts.get()
        deleted = only_entry("admin_deleted")
        assert deleted.object_id == str(old.pk)
        assert deleted.changes["title"] == ["Vision", None]
        added = only_entry("admin_added")
        assert added.object_id == str(new.pk)
        assert added.changes["title"] == [None, "Track record"]

    @pytest.mark.parametrize("opens_in_days", [-10, 1])
    def test_rounds_are_read_only_as_officers_run_them(self, admin_client, opens_in_days):
        opens_at = (timezone.now() + timedelta(days=opens_in_days)).replace(microsecond=0)
        round_ = RoundFactory(opens_at=opens_at, deadline=opens_at + timedelta(days=30))
        data = {
            field: value
            for field, value in model_to_dict(round_).items()
            if field not in ("id", "cancelled_at") and value is not None
        }
        earlier = timezone.localtime(round_.deadline - timedelta(days=5))
        data.update(
            {
                "accepts_asp": "on",
                "accepts_asg": "on",
                "opens_at_0": timezone.localtime(round_.opens_at).strftime("%d/%m/%Y"),
                "opens_at_1": timezone.localtime(round_.opens_at).strftime("%H:%M:%S"),
                "deadline_0": earlier.strftime("%d/%m/%Y"),
                "deadline_1": earlier.strftime("%H:%M:%S"),
            }
        )
        change = reverse("admin:accreditation_round_change", args=[round_.pk])
        assert admin_client.post(change, data).status_code == 403
        page = admin_client.get(change)
        assert page.status_code == 200 and not page.context["has_change_permission"]
        delete = reverse("admin:accreditation_round_delete", args=[round_.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert admin_client.get(reverse("admin:accreditation_round_add")).status_code == 403
        changelist = admin_client.get(reverse("admin:accreditation_round_changelist"))
        assert "delete_selected" not in changelist.content.decode()
        assert Round.objects.get(pk=round_.pk).deadline == round_.deadline
        assert not ActivityEntry.objects.exists()

    def test_framework_pieces_and_users_offer_no_bulk_deletion(self, admin_client):
        PartFactory()
        UserFactory()
        for model in ("framework", "part", "criterion", "user"):
            page = admin_client.get(reverse(f"admin:accreditation_{model}_changelist"))
            assert "delete_selected" not in page.content.decode(), model

    def test_switching_an_account_off_signs_it_out_everywhere(self, admin_client, client):
        from django.test import Client

        person = UserFactory(roles=[Role.ASSESSOR], email="p@example.org", full_name="P")
        theirs = Client()
        theirs.force_login(person)
        groups = {g.name: g.pk for g in person.groups.model.objects.all()}
        response = admin_client.post(
            reverse("admin:accreditation_user_change", args=[person.pk]),
            {"email": "p@example.org", "full_name": "P", "groups": [groups[Role.ASSESSOR]]},
        )
        assert response.status_code == 302
        assert not User.objects.get(pk=person.pk).is_active
        assert theirs.get("/staff/").status_code == 302

    def test_a_beat_schedule_action_logs_each_task_it_changed(self, admin_client):
        every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
        task = PeriodicTask.objects.create(
            name="test sweep", task="accreditation.tasks.send_outbox", interval=every_minute
        )
        response = admin_client.post(
            reverse("admin:django_celery_beat_periodictask_changelist"),
            {"action": "disable_tasks", "_selected_action": [task.pk]},
        )
        assert response.status_code == 302
        assert not PeriodicTask.objects.get(pk=task.pk).enabled
        entry = only_entry("admin_disable_tasks")
        assert entry.actor == admin_client.admin
        assert entry.object_label.startswith("test sweep")
        assert entry.changes["enabled"] == [True, False]

    def test_history_opens_the_objects_activity_entries(self, admin_client):
        authority = LocalAuthorityFactory(code="992", name="Old Name")
        admin_client.post(
            reverse("admin:accreditation_localauthority_change", args=[authority.pk]),
            {"code": "992", "name": "New Name", "region": authority.region_id},
        )
        history = admin_client.get(
            reverse("admin:accreditation_localauthority_history", args=[authority.pk]),
            follow=True,
        )
        assert history.status_code == 200
        assert list(history.context["cl"].result_list) == [only_entry("admin_changed")]

    def test_the_log_cannot_be_changed_or_deleted_in_the_admin(self, admin_client):
        admin_client.post(reverse("admin:accreditation_region_add"), {"name": "Atlantis"})
        entry = only_entry("admin_added")
        change = reverse("admin:accreditation_activityentry_change", args=[entry.pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {"action": "x"}).status_code == 403
        delete = reverse("admin:accreditation_activityentry_delete", args=[entry.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert ActivityEntry.objects.filter(pk=entry.pk, action="admin_added").exists()


# --- List pages -------------------------------------------------------------------

# Sign-in, session and second factor, the counts the admin shows, the rows
# with what each row shows, and the filters.
LIST_QUERIES = {
    "accreditation_user": 9,
    "accreditation_framework": 7,
    "accreditation_criterion": 8,
    "accreditation_localauthority": 8,
    "accreditation_round": 7,
    "accreditation_activityentry": 11,
}
LISTS = {
    "accreditation_user": lambda: UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL]),
    "accreditation_framework": lambda: PartFactory(framework=FrameworkFactory()),
    "accreditation_criterion": lambda: CriterionFactory(),
    "accreditation_localauthority": lambda: LocalAuthorityFactory(region=RegionFactory()),
    "accreditation_round": lambda: RoundFactory(),
    "accreditation_activityentry": lambda: activity.record(UserFactory(), "x", RegionFactory()),
}


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_page_queries_do_not_grow_with_rows(
    admin_client, name, size, django_assert_num_queries
):
    for _ in range(size):
        LISTS[name]()
    url = reverse(f"admin:{name}_changelist")
    admin_client.get(url)
    with django_assert_num_queries(LIST_QUERIES[name]):
        assert admin_client.get(url).status_code == 200
