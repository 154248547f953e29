from django.db import migrations


def load_defaults(apps, schema_editor):
    from accreditation.defaults import ensure_defaults

    ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
