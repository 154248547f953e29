"""The role web, worker and beat connect as (``manage.py grant_service_role``,
run by the tables' owner after migrating): it reads and writes rows, and
cannot switch off, drop or get round the timeline's triggers. On the real
PostgreSQL, connecting as that role."""

import secrets
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from accreditation import timeline
from tests.factories import ProposalFactory

pytestmark = pytest.mark.postgres

REFUSED = "permission denied|must be owner"


@pytest.fixture
def role(transactional_db):
    """A role name of this test's own (roles are shared by every database of
    the server), dropped with everything granted to it afterwards."""
    name = f"test_service_{secrets.token_hex(4)}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def url(user, password):
    db = connection.settings_dict
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def grant(user, password="a-service-password"):
    out = StringIO()
    with override_settings(SERVICE_DATABASE_URL=url(user, password)):
        call_command("grant_service_role", stdout=out)
    return out.getvalue()


def connect_as(user, password="a-service-password"):
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=user,
        password=password,
        autocommit=True,
    )


def test_the_service_role_writes_rows_but_cannot_reach_the_triggers(role):
    case = ProposalFactory()
    first = timeline.record(case, "note", None)
    assert "it owns nothing" in grant(role)
    second = timeline.new_event(
        case, sequence=2, prev_hash=first.hash, action="note", actor=None, details={"n": 2}
    )
    with connect_as(role) as service, service.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accreditation_caseevent")
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "INSERT INTO accreditation_caseevent (case_id, sequence, actor_id, action, "
            "from_status, to_status, details, internal, created_at, prev_hash, hash) "
            "VALUES (%s, 2, NULL, 'note', '', '', %s, false, %s, %s, %s)",
            [case.pk, '{"n": 2}', second.created_at, second.prev_hash, second.hash],
        )
        cursor.execute(
            "UPDATE proposals_proposal SET timeline_sequence = 2, timeline_hash = %s WHERE id = %s",
            [second.hash, case.pk],
        )
        cursor.execute(
            "INSERT INTO accreditation_timelineanchor (date, taken_at, heads, previous_mac, mac) "
            "VALUES (current_date, now(), '{}', '', %s)",
            ["0" * 64],
        )
        for statement in (
            "ALTER TABLE accreditation_caseevent DISABLE TRIGGER ALL",
            "ALTER TABLE accreditation_caseevent "
            "DISABLE TRIGGER accreditation_caseevent_append_only",
            "DROP TRIGGER accreditation_caseevent_no_truncate ON accreditation_caseevent",
            "ALTER TABLE accreditation_timelineanchor DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
            "TRUNCATE accreditation_caseevent",
            "UPDATE accreditation_caseevent SET details = '{}'",
            "DELETE FROM accreditation_caseevent",
            "UPDATE accreditation_timelineanchor SET mac = ''",
            "DELETE FROM accreditation_timelineanchor",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=REFUSED):
                cursor.execute(statement)
    with pytest.raises(CommandError) as failure:  # the anchor written as a test is no anchor
        call_command("verify_timeline", stdout=StringIO(), stderr=StringIO())
    assert str(failure.value).startswith("1 break(s) in 2 events: anchor of ")


def test_tables_created_later_by_the_owner_are_covered(role):
    grant(role)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_created_later (id bigserial PRIMARY KEY, note text)")
    try:
        with connect_as(role) as service, service.cursor() as cursor:
            cursor.execute("INSERT INTO test_created_later (note) VALUES ('a') RETURNING id")
            assert cursor.fetchone() == (1,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=REFUSED):
                cursor.execute("ALTER TABLE test_created_later DISABLE TRIGGER ALL")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_created_later")


def test_granting_again_changes_nothing(role):
    grant(role)
    grant(role, "a-new-password")
    with connect_as(role, "a-new-password") as service, service.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accreditation_caseevent")
        assert cursor.fetchone() == (0,)


def test_the_owner_is_refused_as_the_service_role(role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match=f"must not connect as ‘{owner}’, which owns"):
        grant(owner)


def test_a_superuser_is_refused_as_the_service_role(role):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} SUPERUSER")
    with pytest.raises(CommandError, match="is a superuser"):
        grant(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'proposals_proposal', 'SELECT')", [role])
        assert cursor.fetchone() == (True,), "a superuser has every right anyway"
        cursor.execute(
            "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = %s",
            [role],
        )
        assert cursor.fetchone() == (0,), "nothing was granted: the command rolled back"
