"""On PostgreSQL the database itself refuses to change or remove a timeline
row. (SQLite, the local demo's database, relies on the model's refusal.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accreditation_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'timeline events are append-only (' || TG_OP || ' refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accreditation_caseevent_append_only
    BEFORE UPDATE OR DELETE ON accreditation_caseevent
    FOR EACH ROW EXECUTE FUNCTION accreditation_caseevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accreditation_caseevent_append_only ON accreditation_caseevent;
DROP FUNCTION IF EXISTS accreditation_caseevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0003_defaults")]

    operations = [migrations.RunPython(forwards, backwards)]
