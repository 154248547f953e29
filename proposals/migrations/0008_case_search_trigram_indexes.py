"""On PostgreSQL, trigram indexes for the staff case list's search, which
looks for the words anywhere in a case's reference or its organisation's
name (``icontains``, which Django writes as ``UPPER(column::text) LIKE
UPPER(...)``): each index is on that same expression, so a search reads the
few matching rows instead of every case. ``pg_trgm`` ships with PostgreSQL
and may be created by a database's owner. (SQLite, the local demo's
database, reads every row: a few hundred there.)"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS proposal_reference_trigram
    ON proposals_proposal USING gin (UPPER(reference::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS organisation_name_trigram
    ON accreditation_organisation USING gin (UPPER(name::text) gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS proposal_reference_trigram;
DROP INDEX IF EXISTS organisation_name_trigram;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0018_case_event_actor_action"),
        ("proposals", "0007_proposal_recently_changed"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
