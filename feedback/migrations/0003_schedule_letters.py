"""The sweeper that issues letters cases are owed joins the schedule
(accreditation.schedule)."""

from django.db import migrations


def schedule(apps, schema_editor):
    from accreditation.schedule import ensure_schedule

    ensure_schedule(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_letter_pdf_hash_signatory"),
        ("accreditation", "0013_schedule_in_one_place"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
