"""What counts as a write that marks the staff homes' kept counts out of
date (``accreditation.kept.writes``), and what they are keyed by: no
database needed."""

import pytest

from accreditation import homes, kept


def test_every_need_has_its_own_label():
    """What is kept is keyed by the needs' labels."""
    labels = [need.label for need in homes.NEEDS]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    "sql, seen",
    [
        ('INSERT INTO "proposals_proposal" ("id") VALUES (1)', True),
        ('  update "assessments_assignment" SET "ended_at" = NULL', True),
        ('DELETE FROM "feedback_concern" WHERE 1', True),
        ('TRUNCATE "django_session", "proposals_proposal"', True),
        ('UPDATE "django_session" SET "expire_date" = NULL', False),
        ('INSERT INTO "axes_accessattempt" ("id") VALUES (1)', False),
        ('INSERT OR IGNORE INTO "accreditation_user_groups" ("user_id") VALUES (1)', True),
        ('INSERT INTO "t" ("a") VALUES (1) ON CONFLICT DO NOTHING', True),
        ('REPLACE INTO "proposals_answer" ("id") VALUES (1)', True),
        ('WITH gone AS (DELETE FROM "t" RETURNING 1) SELECT count(*) FROM gone', True),
        ('MERGE INTO "t" USING "u" ON true WHEN MATCHED THEN DELETE', True),
        ("CREATE INDEX i ON t (a)", True),
        ('/* a comment */ UPDATE "t" SET "a" = 1', True),
        ('UPDATE "django_session" SET "expire_date" = NULL', False),
        ('INSERT INTO "axes_accessattempt" ("id") VALUES (1)', False),
        ('INSERT OR IGNORE INTO "django_session" ("session_key") VALUES (1)', False),
        ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = NULL', False),
        ('SELECT 1 FROM "proposals_proposal" FOR UPDATE', False),
        ('SELECT "x" FROM "t" WHERE "note" = \'UPDATE "t"\'', False),
        ('(SELECT "a" FROM "t" LIMIT 1) UNION (SELECT "b" FROM "u" LIMIT 1)', False),
        ('SAVEPOINT "s1"', False),
        ('RELEASE SAVEPOINT "s1"', False),
        ("SET TIME ZONE 'UTC'", False),
        ("PRAGMA foreign_keys", False),
    ],
)
def test_what_counts_as_a_write(sql, seen):
    assert kept.writes(sql, homes.WRITES_IGNORED) == seen


def test_a_statement_that_is_not_text_counts_as_a_write():
    from psycopg import sql

    assert kept.writes(sql.SQL("SELECT 1"), homes.WRITES_IGNORED)
