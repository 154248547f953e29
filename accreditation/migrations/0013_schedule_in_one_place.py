"""The scheduler's standing work, from its one list (accreditation.schedule)."""

from django.db import migrations


def schedule(apps, schema_editor):
    from accreditation.schedule import ensure_schedule

    ensure_schedule(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0012_activity_log"),
        ("proposals", "0002_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
