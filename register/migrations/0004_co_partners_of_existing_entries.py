"""Entries made before the register showed co-partners: each takes the
educational co-partner of the case it stands on, where that case applied
with one (a non-educational organisation's co-partner or consortium route)."""

from django.db import migrations

CO_PARTNER_ROUTES = ("consortium_lead", "with_co_partner")


def fill(apps, schema_editor):
    RegisterEntry = apps.get_model("register", "RegisterEntry")
    CoPartner = apps.get_model("proposals", "CoPartner")
    partners = {
        partner.proposal_id: partner
        for partner in CoPartner.objects.filter(
            proposal__route__in=CO_PARTNER_ROUTES,
            proposal__in=RegisterEntry.objects.filter(co_partner_name="").values("case"),
        )
    }
    entries = list(RegisterEntry.objects.filter(co_partner_name="", case__in=list(partners)))
    for entry in entries:
        partner = partners[entry.case_id]
        entry.co_partner_name, entry.co_partner_kind = partner.name, partner.kind
    RegisterEntry.objects.bulk_update(entries, ["co_partner_name", "co_partner_kind"])


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0007_proposal_recently_changed"),
        ("register", "0003_revocation_responses"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
