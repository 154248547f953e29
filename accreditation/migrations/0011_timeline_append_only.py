"""On PostgreSQL the database refuses to change, remove or truncate timeline
rows: events and their daily anchors. One trigger function serves both
tables; ``TRUNCATE`` fires no row trigger, so each table also has a
statement trigger for it. (SQLite, the local demo's database, relies on the
models' refusal.)"""

from importlib import import_module

from django.db import migrations

TABLES = ("accreditation_caseevent", "accreditation_timelineanchor")

CREATE = """
CREATE OR REPLACE FUNCTION accreditation_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only (' || TG_OP || ' refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER accreditation_caseevent_append_only ON accreditation_caseevent;
DROP FUNCTION accreditation_caseevent_append_only();
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION accreditation_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION accreditation_append_only();
"""
    for table in TABLES
)

DROP = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""
        for table in TABLES
    )
    + "DROP FUNCTION IF EXISTS accreditation_append_only();"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(
            import_module("accreditation.migrations.0004_timeline_append_only").CREATE
        )


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0010_timeline_anchor")]

    operations = [migrations.RunPython(forwards, backwards)]
