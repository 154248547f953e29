"""The service's PostgreSQL connection settings."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_jit_compiler_is_off_for_the_services_short_queries():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_query_run_again_is_prepared_with_its_parameters_bound_by_the_server():
    from accreditation.models import Region

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for name in ("North", "South", "East", "West", "Midlands", "Wales"):
        list(Region.objects.filter(name=name))
    [statement] = [s for s in prepared() if '"accreditation_region"' in s]
    assert '"name" = $1' in statement


def test_no_statement_is_prepared_when_the_threshold_is_set_empty(monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("DB_PREPARE_THRESHOLD", "")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "accreditation.settings")
    options = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.DATABASES['default']['OPTIONS']))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "prepare_threshold" not in options and "server_side_binding" not in options
    assert "options" in options  # the JIT setting, as ever
