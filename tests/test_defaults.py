"""The reference data and the schedule every installation has, restored by
``ensure_defaults`` and ``ensure_schedule`` after the tables are emptied
(as the tests' flush does), nothing added twice and nothing already there
changed; and in a few queries when all is there, as the suite calls them
before every test."""

import csv

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accreditation.defaults import LOCAL_AUTHORITIES_CSV, ensure_defaults
from accreditation.models import Criterion, Framework, LocalAuthority, Region
from accreditation.roles import Role
from accreditation.schedule import EVERY, ensure_schedule

pytestmark = pytest.mark.django_db


def csv_rows():
    with LOCAL_AUTHORITIES_CSV.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_emptied_tables_are_filled_again_once():
    LocalAuthority.objects.all().delete()
    Region.objects.all().delete()
    Group.objects.all().delete()
    PeriodicTask.objects.all().delete()
    for _ in range(2):
        ensure_defaults()
        ensure_schedule()
    rows = csv_rows()
    assert sorted(LocalAuthority.objects.values_list("code", "name", "region__name")) == sorted(
        (row["code"], row["name"], row["region"]) for row in rows
    )
    assert Region.objects.count() == len({row["region"] for row in rows})
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(r.value for r in Role)
    assert sorted(PeriodicTask.objects.values_list("name", "task", "interval__every")) == sorted(
        EVERY
    )
    assert Framework.objects.get(version=1).parts.exists()
    assert Criterion.objects.exists()


def test_what_is_there_is_kept_and_a_renamed_entry_is_renamed():
    authority = LocalAuthority.objects.order_by("code").first()
    authority.name = "Renamed by an administrator"
    authority.save()
    name, task, _ = EVERY[0]
    entry = PeriodicTask.objects.get(task=task)
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    entry.name, entry.interval = "An old name", hourly
    entry.save()
    ensure_defaults()
    ensure_schedule()
    authority.refresh_from_db()
    entry.refresh_from_db()
    assert authority.name == "Renamed by an administrator"
    assert (entry.name, entry.interval) == (name, hourly)


def test_nothing_missing_costs_a_few_queries():
    with CaptureQueriesContext(connection) as queries:
        ensure_defaults()
        ensure_schedule()
    assert len(queries) <= 6, [q["sql"] for q in queries]
