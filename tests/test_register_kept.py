"""The register's search results, kept between changes (``register.queries.kept``):
a search asked again reads nothing from the database, and every way the
register changes shows at once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation import clock
from accreditation.defaults import ensure_local_authorities
from accreditation.models import LocalAuthority
from accreditation.models.organisations import PROFILE_FIELDS
from accreditation.services.organisations import update_organisation
from accreditation.workflow import Action, Status, move
from register.models import EntryState, RegisterEntry
from register.queries import kept
from register.services import revocation
from tests.casework import person_with
from tests.factories import MembershipFactory, ProposalFactory, RegisterEntryFactory

pytestmark = pytest.mark.django_db


def search(client, **query):
    response = client.get(reverse("register-search"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_search_asked_again_reads_nothing_from_the_database(client, django_assert_num_queries):
    entry = RegisterEntryFactory(name="Kept Trust")
    assert entry.name in search(client, q="Kept")
    with django_assert_num_queries(0):
        again = search(client, q="Kept")
    assert entry.name in again
    assert "1 provider<" in again
    # Another search is its own.
    assert entry.name not in search(client, q="Other")


def test_a_refused_filter_is_reported_when_its_results_were_kept(client):
    RegisterEntryFactory()
    for _ in range(2):
        page = search(client, type="xyz")
        assert page.count("Error:") >= 2  # the title and the field
        assert "<title>Error: Register of accredited providers" in page


def test_a_decision_to_accredit_shows_at_once(client):
    case = ProposalFactory(status=Status.AWAITING_DECISION)
    assert case.organisation.name not in search(client)
    move(case, Action.ACCREDIT, person_with("decision_official"))
    assert case.organisation.name in search(client)


def test_a_providers_new_name_shows_at_once(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    organisation = case.organisation
    applicant = MembershipFactory(organisation=organisation).user
    old_name = organisation.name
    assert old_name in search(client)
    values = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
    values.update(name="Renamed Learning Trust")
    update_organisation(organisation, values, actor=applicant)
    page = search(client)
    assert "Renamed Learning Trust" in page
    assert f">{old_name}<" not in page


def test_a_revoked_provider_leaves_the_results_at_once(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    MembershipFactory(organisation=case.organisation)
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="Failed to act.", actor=official)
    assert entry.name in search(client)  # under notice, still on the register
    with time_machine.travel(clock.now() + timedelta(days=60)):
        revocation.revoke(entry, reason="No response.", actor=official)
    entry.refresh_from_db()
    assert entry.state == EntryState.REVOKED
    assert entry.name not in search(client)


def test_where_a_provider_works_shows_at_once(client):
    la = LocalAuthority.objects.order_by("code").first()
    # Not where it is (a factory's organisation is in any local authority).
    entry = RegisterEntryFactory(works_in=[LocalAuthority.objects.exclude(pk=la.pk).first()])
    assert entry.name not in search(client, local_authority=la.code)
    entry.works_in.add(la)
    assert entry.name in search(client, local_authority=la.code)
    entry.works_in.remove(la)
    assert entry.name not in search(client, local_authority=la.code)


def test_renamed_local_authorities_and_regions_show_at_once(client):
    entry = RegisterEntryFactory()
    search(client)
    la, region = entry.local_authority, entry.region
    la.name = "Renamed Borough"
    la.save()
    region.name = "Renamed Region"
    region.save()
    page = search(client)
    assert page.count("Renamed Borough") == 2  # the filter's option and the row
    assert page.count("Renamed Region") == 2


def test_a_local_authority_added_by_the_defaults_is_offered_at_once(client):
    used = RegisterEntry.objects.values("local_authority")
    la = (
        LocalAuthority.objects.filter(organisations__isnull=True)
        .exclude(pk__in=used)
        .order_by("code")
        .last()
    )
    la.delete()
    assert f'value="{la.code}"' not in search(client)
    ensure_local_authorities()
    assert f'value="{la.code}"' in search(client)


def test_an_entry_deleted_leaves_the_results_at_once(client):
    entry = RegisterEntryFactory()
    assert entry.name in search(client)
    RegisterEntry.objects.filter(pk=entry.pk).first().delete()
    assert entry.name not in search(client)


def test_results_read_before_a_change_commits_are_never_shown_after(
    django_capture_on_commit_callbacks,
):
    """A search reads the token before the database; a change replaces the
    token when it is made and again after it commits. So a search that read
    the database before the commit kept what it read under a token no one
    asks for once the change has committed."""
    before = kept.VERSION.current()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            kept.changed()
            during = kept.VERSION.current()  # another search, in the open transaction
    after = kept.VERSION.current()
    assert len({before, during, after}) == 3


def test_the_token_is_made_again_if_the_cache_loses_it():
    token = kept.VERSION.current()
    assert kept.VERSION.current() == token
    cache.delete(kept.VERSION.key)
    assert kept.VERSION.current() not in (None, token)


def test_a_flood_of_made_up_searches_keeps_only_so_many(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(kept, "MAX_KEPT", 2)
    with time_machine.travel(clock.now(), tick=False):  # within one period
        for name in ("a", "b", "c"):
            search(client, q=name)
        with django_assert_num_queries(0):
            search(client, q="a")
            search(client, q="b")
        with CaptureQueriesContext(connection) as queries:
            search(client, q="c")
        assert queries  # not kept: read again
        kept.changed()  # a new token has no room of its own in this period
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                search(client, q="a")
            assert queries  # not kept: read each time


def test_with_the_cache_unreachable_the_search_is_read_and_a_change_still_made(
    client, unreachable_cache, caplog
):
    entry = RegisterEntryFactory()
    assert entry.name in search(client)
    entry.name = "Renamed While Down"
    entry.save()  # not refused for the cache
    entry.refresh_from_db()
    assert entry.name == "Renamed While Down"
    assert "Renamed While Down" in search(client)
    assert "could not be marked out of date" in caplog.text


def test_a_change_to_where_a_provider_works_replaces_the_token_once_made(monkeypatch):
    la = LocalAuthority.objects.order_by("code").first()
    entry = RegisterEntryFactory(works_in=[LocalAuthority.objects.exclude(pk=la.pk).first()])
    replaced = []
    monkeypatch.setattr(kept.VERSION, "changed", lambda: replaced.append(True))
    entry.works_in.add(la)
    assert len(replaced) == 1  # post_add only, not pre_add too


def test_the_name_box_shows_the_name_as_searched(client):
    page = search(client, q="x" * 500)
    box = re.search(r'<input[^>]*name="q"[^>]*>', page).group()
    assert f'value="{"x" * 200}"' in box


def test_a_null_character_in_the_name_is_left_out_of_the_search(client):
    page = search(client, q="Oak\x00")
    box = re.search(r'<input[^>]*name="q"[^>]*>', page).group()
    assert 'value="Oak' in box
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " not in page
