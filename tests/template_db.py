"""One migration for every xdist worker's PostgreSQL test database (see
``django_db_setup`` in conftest.py).

The first worker to take the lock migrates a template database, marked with
the run's id; each worker, under the same lock, copies it to its own test
database. A template left by an earlier run (another id) is made again, so
a run never starts from another checkout's migrations."""

import os

from django.conf import settings
from django.db import connection as default_connection

LOCK = 720_514_001
"""The PostgreSQL advisory lock the workers take in turn."""


def _names(connection):
    """(the worker's test database, the template) by pytest-django's names:
    ``test_<NAME>_gw0``, and ``test_<NAME>_template`` for every worker."""
    name = connection.creation._get_test_db_name()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = name.removesuffix(f"_{worker}") if worker else name
    return name, f"{base}_template"


def copy_of_template(connection, run):
    """Make the worker's test database a copy of this run's template,
    migrating the template first if no worker has yet."""
    name, template = _names(connection)
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [template],
            )
            row = cursor.fetchone()
            if row is None or row[0] != run:
                _migrate(connection, template)
                cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS {_literal(run)}")
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def _migrate(connection, template):
    """Django's own test database creation (migrations, then what runs after
    them), made under the template's name and closed, the settings as they
    were."""
    settings_dict = connection.settings_dict
    name, test_name = settings_dict["NAME"], settings_dict["TEST"].get("NAME")
    settings_dict["TEST"]["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        connection.close()
        settings_dict["NAME"], settings_dict["TEST"]["NAME"] = name, test_name
        settings.DATABASES[connection.alias]["NAME"] = name


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def drop_template(connection=default_connection):
    """Drop the run's template once every worker has copied it."""
    if connection.vendor != "postgresql":
        return
    _, template = _names(connection)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
