"""Reference data every installation has: role groups, regions and local
authorities, and the default criteria framework.

``ensure_defaults`` is idempotent. The data migration calls it with the
historical app registry; tests call it after a flush has emptied the tables.
"""

import csv
from pathlib import Path

from django.apps import apps as django_apps
from django.utils import timezone

from accreditation.default_framework import PARTS, SECTOR_EXAMPLES
from accreditation.roles import Role

LOCAL_AUTHORITIES_CSV = Path(__file__).parent / "data" / "local_authorities.csv"


def ensure_role_groups(apps=django_apps):
    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def ensure_local_authorities(apps=django_apps):
    Region = apps.get_model("accreditation", "Region")
    LocalAuthority = apps.get_model("accreditation", "LocalAuthority")
    with LOCAL_AUTHORITIES_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    regions = {}
    for name in sorted({row["region"] for row in rows}):
        regions[name], _ = Region.objects.get_or_create(name=name)
    for row in rows:
        LocalAuthority.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "region": regions[row["region"]]}
        )


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
