"""The filters' options read from the database (the case list's rounds,
local authorities, regions and assessors; the register's local authorities
and regions), kept between changes to them (``options.OPTIONS``): a list
asked again does not read them, and every way they change shows at once."""

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.defaults import ensure_local_authorities
from accreditation.models import LocalAuthority, Region, User
from accreditation.queries import options
from accreditation.roles import Role
from accreditation.services.accounts import set_staff_roles
from register.queries import kept as register_kept
from tests.casework import sign_in_verified
from tests.factories import LocalAuthorityFactory, RegionFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("staff-cases")


@pytest.fixture
def officer(client):
    person = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in_verified(client, person)
    return person


def offered(client, name):
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
    options.OPTIONS.changed()
    first = queries_of(client)
    again = queries_of(client)
    assert reads_options(first)
    assert not reads_options(again)
    assert len(first) - len(again) == 4  # rounds, local authorities, regions, assessors


def test_the_register_searched_again_after_a_change_does_not_read_the_options(client):
    register = reverse("register-search")
    client.get(register)
    register_kept.changed()  # its results are read again, not its options
    with CaptureQueriesContext(connection) as captured:
        response = client.get(register)
    assert not reads_options([query["sql"] for query in captured])
    assert "Leeds" in response.text
    options.OPTIONS.changed()
    register_kept.changed()
    with CaptureQueriesContext(connection) as captured:
        client.get(register)
    assert reads_options([query["sql"] for query in captured])


def test_a_renamed_local_authority_is_offered_by_the_register_at_once(client):
    register = reverse("register-search")
    authority = LocalAuthorityFactory(name="Register Before")
    assert "Register Before" in client.get(register).text
    authority.name = "Register After"
    authority.save()
    page = client.get(register).text
    assert "Register After" in page and "Register Before" not in page


def test_the_options_kept_are_the_options_read(client, officer):
    RoundFactory()
    UserFactory(roles=[Role.ASSESSOR], full_name="Kept Assessor")
    fresh = client.get(LIST).context["select_fields"]
    kept = client.get(LIST).context["select_fields"]
    assert [choices for _, choices in kept] == [choices for _, choices in fresh]
    assert any("Kept Assessor" in dict(choices).values() for _, choices in kept)


def test_a_new_round_is_offered_at_once(client, officer):
    offered(client, "round")
    period = RoundFactory()
    assert str(period) in offered(client, "round").values()


def test_a_renamed_or_new_local_authority_and_region_are_offered_at_once(client, officer):
    authority = LocalAuthorityFactory(name="Before Renaming")
    region = RegionFactory(name="Region Before")
    assert "Before Renaming" in offered(client, "local_authority").values()
    authority.name = "After Renaming"
    authority.save()
    region.name = "Region After"
    region.save()
    assert "After Renaming" in offered(client, "local_authority").values()
    assert "Region After" in offered(client, "region").values()
    authority.delete()
    assert "After Renaming" not in offered(client, "local_authority").values()


def test_a_local_authority_the_defaults_add_is_offered_at_once(client, officer):
    authority = LocalAuthority.objects.order_by("code").first()
    offered(client, "local_authority")
    authority.delete()
    assert authority.code not in offered(client, "local_authority")
    ensure_local_authorities()  # a bulk write: no signal
    assert authority.code in offered(client, "local_authority")


def test_assessors_come_and_go_at_once(client, officer):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    newcomer = UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Newly Assessing")
    assert "Newly Assessing" not in offered(client, "assessor").values()
    set_staff_roles(newcomer, roles=[Role.ASSESSOR.value], is_active=True, by=admin)
    assert "Newly Assessing" in offered(client, "assessor").values()
    newcomer.full_name = "Renamed Assessor"
    newcomer.save()
    assert "Renamed Assessor" in offered(client, "assessor").values()
    set_staff_roles(newcomer, roles=[Role.ASSESSOR.value], is_active=False, by=admin)
    assert "Renamed Assessor" not in offered(client, "assessor").values()
    newcomer.groups.clear()
    newcomer.is_active = True
    newcomer.save()
    assert "Renamed Assessor" not in offered(client, "assessor").values()


def test_signing_in_does_not_put_the_options_out_of_date(client, officer):
    token = options.OPTIONS.current()
    update_last_login(User, officer)  # saves last_login alone, as signing in does
    assert officer.last_login is not None
    assert options.OPTIONS.current() == token


def test_the_token_is_replaced_at_the_change_and_again_at_its_commit(
    officer, django_capture_on_commit_callbacks
):
    before = options.OPTIONS.current()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Region.objects.create(name="Made In A Transaction")
        during = options.OPTIONS.current()
    after = options.OPTIONS.current()
    assert len({before, during, after}) == 3


def test_with_the_cache_unreachable_the_options_are_read_and_a_change_still_made(
    client, officer, unreachable_cache, caplog
):
    region = RegionFactory(name="Made While Down")  # not refused for the cache
    assert "Made While Down" in offered(client, "region").values()
    assert reads_options(queries_of(client))
    assert Region.objects.filter(pk=region.pk).exists()
    assert "could not be marked out of date" in caplog.text


@pytest.mark.parametrize(
    "url_name, role",
    [("assessor-queue", Role.ASSESSOR), ("staff-letters", Role.CASEWORK_OFFICER)],
)
def test_the_rounds_the_queue_and_the_letters_offer_are_kept_and_new_ones_shown(
    client, url_name, role
):
    sign_in_verified(client, UserFactory(roles=[role]))
    url = reverse(url_name)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert not reads_options([query["sql"] for query in captured])
    period = RoundFactory()
    assert f'<option value="{period.pk}">{period}</option>' in client.get(url).text
