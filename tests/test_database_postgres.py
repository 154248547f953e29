"""The service's PostgreSQL connection settings."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_jit_compiler_is_off_for_the_services_short_queries():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_statements_have_no_time_limit_unless_one_is_set():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_a_query_run_five_times_is_prepared_and_planned_once():
    from accreditation.models import Region

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    for _ in range(6):
        list(Region.objects.filter(pk=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accreditation_region"' in statement for statement in prepared), prepared


def test_prepared_statements_are_off_where_the_threshold_is_0():
    """For a transaction-mode pooler: every value bound by the client, as
    Django does by default."""
    code = (
        "from django.db import connection\n"
        "connection.ensure_connection()\n"
        "print(connection.connection.prepare_threshold)\n"
        "print(type(connection.connection.cursor()).__name__)\n"
    )
    result = _shell(code, DB_PREPARE_THRESHOLD="0")
    assert result.stdout.splitlines() == ["None", "Cursor"], result.stdout + result.stderr


def test_a_statement_running_past_the_set_limit_is_cancelled():
    """``DB_STATEMENT_TIMEOUT`` (the web's, in docker-compose.yml): a statement
    that runs longer is cancelled; one within it answers."""
    code = (
        "from django.db import connection, OperationalError\n"
        "cursor = connection.cursor()\n"
        "cursor.execute('SHOW statement_timeout'); print(cursor.fetchone()[0])\n"
        "cursor.execute('SELECT pg_sleep(0.1)'); print('quick answered')\n"
        "try:\n"
        "    cursor.execute('SELECT pg_sleep(3)')\n"
        "except OperationalError as error:\n"
        "    print('cancelled:', error)\n"
    )
    result = _shell(code, DB_STATEMENT_TIMEOUT="1")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["1s", "quick answered"], result.stdout + result.stderr
    assert lines[2].startswith("cancelled: canceling statement due to statement timeout"), lines


def _shell(code, **environment):
    """``code`` run by the service's own settings in a process of its own,
    connected to the test database, with ``environment`` set."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, **environment, "DATABASE_URL": _url()},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _url():
    """The URL of the test database the suite is connected to."""
    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{quote(settings['USER'], safe='')}{password}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )
