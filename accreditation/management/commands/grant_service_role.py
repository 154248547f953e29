"""Create or update the PostgreSQL role the service runs as, with rights to
rows and nothing more. Run by the tables' owner after ``migrate`` (the
``migrate`` service of docker-compose.yml does), so web, worker and beat
connect as a role that owns nothing: it cannot disable, replace or drop the
timeline's triggers, alter or truncate a table, or switch triggers off for
its session; and it may only read and insert timeline events and anchors.

The role's name and password come from ``SERVICE_DATABASE_URL``, the URL the
service connects with. Tables the owner creates later (next migrations) are
covered by default privileges; running this again after each migration also
re-applies every grant, so it is idempotent."""

import dj_database_url
import psycopg.sql
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accreditation.models import CaseEvent, TimelineAnchor

APPEND_ONLY_TABLES = (CaseEvent._meta.db_table, TimelineAnchor._meta.db_table)


class Command(BaseCommand):
    help = "Create or update the database role the service connects as (rows only)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The service's role is a PostgreSQL role: set DATABASE_URL.")
        if not settings.SERVICE_DATABASE_URL:
            raise CommandError("Set SERVICE_DATABASE_URL to the URL the service connects with.")
        service = dj_database_url.parse(settings.SERVICE_DATABASE_URL)
        role, password = service["USER"], service["PASSWORD"]
        if not role:
            raise CommandError("SERVICE_DATABASE_URL names no user.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"The service must not connect as ‘{owner}’, which owns the tables."
                )
            self.login(cursor, role, password)
            self.grant(cursor, role, database, schema)
            self.refuse_more_than_rows(cursor, role, owner, schema)
        self.stdout.write(
            self.style.SUCCESS(
                f"Role ‘{role}’ may read and write rows in ‘{database}’; it owns nothing, "
                "so it cannot switch off the timeline's triggers."
            )
        )

    @staticmethod
    def login(cursor, role, password):
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        # A new role is created without superuser, createdb, createrole,
        # replication or bypassrls; an existing one is checked below.
        sql = f"{verb} ROLE {connection.ops.quote_name(role)} WITH LOGIN"
        if password:
            # Quoted here: a statement like this one takes no parameters
            # when they are bound on the server (``server_side_binding``).
            literal = psycopg.sql.Literal(password).as_string(cursor.connection)
            cursor.execute(f"{sql} PASSWORD {literal}")
        else:
            cursor.execute(sql)

    @staticmethod
    def grant(cursor, role, database, schema):
        role, database, schema = map(connection.ops.quote_name, (role, database, schema))
        append_only = ", ".join(map(connection.ops.quote_name, APPEND_ONLY_TABLES))
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE UPDATE, DELETE ON {append_only} FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ):
            cursor.execute(statement)

    @staticmethod
    def refuse_more_than_rows(cursor, role, owner, schema):
        """Roll everything back if the role could still reach the triggers."""
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(%s, %s, 'MEMBER'), "
            "EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = %s AND tableowner = %s) "
            "FROM pg_roles WHERE rolname = %s",
            [role, owner, schema, role, role],
        )
        superuser, bypassrls, member_of_owner, owns_tables = cursor.fetchone()
        if superuser or bypassrls:
            raise CommandError(f"‘{role}’ is a superuser or bypasses row security: use another.")
        if member_of_owner:
            raise CommandError(f"‘{role}’ is a member of ‘{owner}’ and so acts as the owner.")
        if owns_tables:
            raise CommandError(f"‘{role}’ owns tables in ‘{schema}’: it must own none.")
