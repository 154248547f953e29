"""Shared fixtures. Services the suite claims to cover (PostgreSQL, Redis,
Chromium) are required in CI: missing there is a failure, never a skip."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition, what):
    """Skip locally, fail in CI, when a service a test covers is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here")


@pytest.fixture(autouse=True)
def _defaults(request):
    """Reference data and the schedule from the data migrations, restored
    after any flush."""
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from accreditation.defaults import ensure_defaults
    from accreditation.schedule import ensure_schedule

    ensure_defaults()
    ensure_schedule()


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's test databases, made on PostgreSQL under xdist by
    migrating once: the first worker migrates a template database, the others
    wait for it, and each worker's database is a copy of it (a tenth of a
    second where migrating took 10 to 15 s of a core per worker). Elsewhere
    (SQLite, one process) pytest-django's own set-up, as it is."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.template_db import copy_of_template

    run = getattr(request.config, "workerinput", {}).get("testrunuid")
    with django_db_blocker.unblock():
        copied = run is not None and connection.vendor == "postgresql"
        if copied:
            copy_of_template(connection, run)
        # No test asks for a serialized rollback: nothing is serialized.
        databases = setup_databases(
            verbosity=0, interactive=False, keepdb=copied, serialized_aliases=set()
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the workers' template database."""
    config = session.config
    if hasattr(config, "workerinput") or config.pluginmanager.getplugin("dsession") is None:
        return
    from pytest_django.plugin import blocking_manager_key

    from tests.template_db import drop_template

    with config.stash[blocking_manager_key].unblock():
        drop_template()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_timeline_triggers():
    """A transactional test ends by flushing the database, which the
    timeline's triggers refuse on PostgreSQL, as they should in production.
    The suite's superuser flushes with ordinary triggers off
    (``session_replication_role``, which only a superuser may set), for the
    flush's own transaction only. With the triggers off, foreign keys are
    not checked either, so each table is emptied by a DELETE, in any order:
    on a test's few rows far quicker than Django's TRUNCATE of every table,
    which makes new files for each of them (a TRUNCATE is kept for a flush
    that resets the sequences)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    sql_flush = DatabaseOperations.sql_flush

    def flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        if reset_sequences:
            statements = sql_flush(
                self, style, tables, reset_sequences=True, allow_cascade=allow_cascade
            )
        else:
            statements = [f"DELETE FROM {self.quote_name(table)};" for table in tables]
        return ["SET LOCAL session_replication_role = replica", *statements]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """The e-mail throttles count in the cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()


class _Unreachable:
    """A cache whose server cannot be reached."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


@pytest.fixture
def unreachable_cache(monkeypatch):
    """What the service keeps in the shared cache (``accreditation.kept``,
    the register's room to keep more) cannot be read or kept: its server
    cannot be reached."""
    import accreditation.kept
    from register.queries import kept

    monkeypatch.setattr(accreditation.kept, "cache", _Unreachable())
    monkeypatch.setattr(kept, "cache", _Unreachable())


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    if request.node.get_closest_marker("broker"):
        require(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")


@pytest.fixture
def password():
    from tests.factories import PASSWORD

    return PASSWORD


# --- Browser tests ---------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's old headless shell where it is installed (as CI installs
    it): the browser without the windowing side the suite never shows. On
    one 2-core machine the suite took 10 min 43 s with it, and 12 min 39 s
    and 13 min 20 s with the full ``chromium``."""
    path = (
        shutil.which("chromium-headless-shell")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    require(path is not None, "Chromium (apt-get install chromium-headless-shell)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core (WCAG 2.2 AA tags) on the page and fail on any violation."""

    def check(page):
        # A click that follows a link returns before the next page has loaded;
        # axe run on the page being unloaded finds no document. Wait for the
        # navigation to finish, and run again if it finished under axe's feet.
        from playwright.sync_api import Error

        page.wait_for_load_state("load")
        try:
            results = axe.run(page, options=AXE_OPTIONS)
        except Error as error:
            if "documentElement" not in str(error) and "context was destroyed" not in str(error):
                raise
            page.wait_for_load_state("load")
            results = axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        assert not violations, f"axe violations on {page.url}:\n{results.generate_report()}"

    return check
