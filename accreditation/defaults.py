"""Reference data every installation has: role groups, regions and local
authorities, and the default criteria framework.

``ensure_defaults`` is idempotent. The data migration calls it with the
historical app registry; tests call it after a flush has emptied the tables.
"""

import csv
from pathlib import Path

from django.apps import apps as django_apps
from django.utils import timezone

from accreditation import kept
from accreditation.default_framework import PARTS, SECTOR_EXAMPLES
from accreditation.roles import Role

LOCAL_AUTHORITIES_CSV = Path(__file__).parent / "data" / "local_authorities.csv"


def ensure_role_groups(apps=django_apps):
    Group = apps.get_model("auth", "Group")
    names = [role.value for role in Role]
    existing = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
    Group.objects.bulk_create([Group(name=name) for name in names if name not in existing])


def ensure_local_authorities(apps=django_apps):
    """The regions and local authorities of the CSV that are missing (by
    name, by code); those already there are left as they are. A few queries
    when nothing is missing, as is usual: the tests call this before each."""
    Region = apps.get_model("accreditation", "Region")
    LocalAuthority = apps.get_model("accreditation", "LocalAuthority")
    with LOCAL_AUTHORITIES_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    regions = dict(Region.objects.values_list("name", "pk"))
    missing = sorted({row["region"] for row in rows} - regions.keys())
    if missing:
        Region.objects.bulk_create([Region(name=name) for name in missing])
        regions = dict(Region.objects.values_list("name", "pk"))
    codes = set(LocalAuthority.objects.values_list("code", flat=True))
    created = LocalAuthority.objects.bulk_create(
        [
            LocalAuthority(code=row["code"], name=row["name"], region_id=regions[row["region"]])
            for row in rows
            if row["code"] not in codes
        ]
    )
    if (missing or created) and apps is django_apps:
        # The register's and the case list's filters offer them (bulk writes
        # send no signal). Not from the data migration: a new database has
        # nothing kept, and migrations run before the cache need be up.
        kept.all_changed()


def ensure_default_framework(apps=django_apps):
    Framework = apps.get_model("accreditation", "Framework")
    Part = apps.get_model("accreditation", "Part")
    Criterion = apps.get_model("accreditation", "Criterion")
    CriterionGuidance = apps.get_model("accreditation", "CriterionGuidance")
    defaults = {"title": "Criteria for accreditation in the primary phase"}
    # Migrations before 0008 see a Framework with no publication date.
    if any(field.name == "published_at" for field in Framework._meta.get_fields()):
        defaults["published_at"] = timezone.now()
    framework, created = Framework.objects.get_or_create(version=1, defaults=defaults)
    if not created:
        return framework
    for part_data in PARTS:
        part = Part.objects.create(
            framework=framework,
            number=part_data["number"],
            title=part_data["title"],
            introduction=part_data["introduction"],
        )
        for position, data in enumerate(part_data["criteria"], start=1):
            criterion = Criterion.objects.create(part=part, position=position, **data)
            for sector, text in SECTOR_EXAMPLES.get(criterion.code, {}).items():
                CriterionGuidance.objects.create(criterion=criterion, sector=sector, text=text)
    return framework


def ensure_defaults(apps=django_apps):
    ensure_role_groups(apps)
    ensure_local_authorities(apps)
    ensure_default_framework(apps)
