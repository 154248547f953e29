"""The case list's filter options, kept between changes to them
(``case_list.OPTIONS``): a list asked again does not read them, and every
way they change shows at once."""

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import accreditation.kept
from accreditation.defaults import ensure_local_authorities
from accreditation.models import LocalAuthority, Region, User
from accreditation.queries import case_list
from accreditation.roles import Role
from accreditation.services.accounts import set_staff_roles
from tests.casework import sign_in_verified
from tests.factories import LocalAuthorityFactory, RegionFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("staff-cases")


@pytest.fixture
def officer(client):
    person = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in_verified(client, person)
    return person


def options(client, name):
    """The labels the list's select ``name`` offers, by value."""
    response = client.get(LIST)
    assert response.status_code == 200
    for field, choices in response.context["select_fields"]:
        if field.name == name:
            return dict(choices)
    raise AssertionError(f"no select {name}")


def queries_of(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST)
    return [query["sql"] for query in captured]


def reads_options(sql):
    return any(
        f'FROM "{table}"' in query
        for query in sql
        for table in ("accreditation_round", "accreditation_localauthority", "accreditation_region")
    )


def test_a_list_asked_again_does_not_read_the_options(client, officer):
    client.get(LIST)  # signed in, and the session's first reads done
    case_list.OPTIONS.changed()
    first = queries_of(client)
    again = queries_of(client)
    assert reads_options(first)
    assert not reads_options(again)
    assert len(first) - len(again) == 4  # rounds, local authorities, regions, assessors


def test_the_options_kept_are_the_options_read(client, officer):
    RoundFactory()
    UserFactory(roles=[Role.ASSESSOR], full_name="Kept Assessor")
    fresh = client.get(LIST).context["select_fields"]
    kept = client.get(LIST).context["select_fields"]
    assert [choices for _, choices in kept] == [choices for _, choices in fresh]
    assert any("Kept Assessor" in dict(choices).values() for _, choices in kept)


def test_a_new_round_is_offered_at_once(client, officer):
    options(client, "round")
    period = RoundFactory()
    assert str(period) in options(client, "round").values()


def test_a_renamed_or_new_local_authority_and_region_are_offered_at_once(client, officer):
    authority = LocalAuthorityFactory(name="Before Renaming")
    region = RegionFactory(name="Region Before")
    assert "Before Renaming" in options(client, "local_authority").values()
    authority.name = "After Renaming"
    authority.save()
    region.name = "Region After"
    region.save()
    assert "After Renaming" in options(client, "local_authority").values()
    assert "Region After" in options(client, "region").values()
    authority.delete()
    assert "After Renaming" not in options(client, "local_authority").values()


def test_a_local_authority_the_defaults_add_is_offered_at_once(client, officer):
    authority = LocalAuthority.objects.order_by("code").first()
    options(client, "local_authority")
    authority.delete()
    assert authority.code not in options(client, "local_authority")
    ensure_local_authorities()  # a bulk write: no signal
    assert authority.code in options(client, "local_authority")


def test_assessors_come_and_go_at_once(client, officer):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    newcomer = UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Newly Assessing")
    assert "Newly Assessing" not in options(client, "assessor").values()
    set_staff_roles(newcomer, roles=[Role.ASSESSOR.value], is_active=True, by=admin)
    assert "Newly Assessing" in options(client, "assessor").values()
    newcomer.full_name = "Renamed Assessor"
    newcomer.save()
    assert "Renamed Assessor" in options(client, "assessor").values()
    set_staff_roles(newcomer, roles=[Role.ASSESSOR.value], is_active=False, by=admin)
    assert "Renamed Assessor" not in options(client, "assessor").values()
    newcomer.groups.clear()
    newcomer.is_active = True
    newcomer.save()
    assert "Renamed Assessor" not in options(client, "assessor").values()


def test_signing_in_does_not_put_the_options_out_of_date(client, officer):
    token = case_list.OPTIONS.current()
    update_last_login(User, officer)  # saves last_login alone, as signing in does
    assert officer.last_login is not None
    assert case_list.OPTIONS.current() == token


def test_the_token_is_replaced_at_the_change_and_again_at_its_commit(
    officer, django_capture_on_commit_callbacks
):
    before = case_list.OPTIONS.current()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Region.objects.create(name="Made In A Transaction")
        during = case_list.OPTIONS.current()
    after = case_list.OPTIONS.current()
    assert len({before, during, after}) == 3


class Unreachable:
    """A cache whose server cannot be reached."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_with_the_cache_unreachable_the_options_are_read_and_a_change_still_made(
    client, officer, monkeypatch, caplog
):
    monkeypatch.setattr(accreditation.kept, "cache", Unreachable())
    region = RegionFactory(name="Made While Down")  # not refused for the cache
    assert "Made While Down" in options(client, "region").values()
    assert reads_options(queries_of(client))
    assert Region.objects.filter(pk=region.pk).exists()
    assert "could not be marked out of date" in caplog.text
