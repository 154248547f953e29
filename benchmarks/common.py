"""What every benchmark shares: the scratch database of a scale, seeding it
once per seed version, the machine's description, and the results file.

A scale's database is ``<DATABASE_URL's name>_s<scale>`` on the server
``DATABASE_URL`` names (created when missing), or SQLite under
``var/bench-<scale>`` without ``DATABASE_URL``. The seed is reused when the
database already holds it at that scale and the same seed version (a hash
of the demo's code and the migrations); otherwise the database is emptied
and seeded again.
"""

import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
SEED_SOURCES = (
    "accreditation/demo",
    *(
        f"{app}/migrations"
        for app in (
            "accreditation",
            "proposals",
            "assessments",
            "advisory_group",
            "feedback",
            "register",
        )
    ),
)
MARKER_TABLE = "benchmark_seed"


def database_url(scale, suffix=None):
    """The scratch database of ``scale`` (``<name>_s<scale>``), or the one
    called ``<name>_<suffix>``; None: SQLite under var/."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        return None
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "bench"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix or f's{scale}'}"))


BENCH_REDIS_DB = "15"
"""The Redis database the benchmarks' workers use (``BENCH_REDIS_DB`` to
change it): never the service's own, whose queue they empty when done."""


def configure(scale, suffix=None):
    """Environment for Django at ``scale`` (or in the scratch database
    ``suffix``); call before ``django.setup()``."""
    url = database_url(scale, suffix)
    if os.environ.get("REDIS_URL", "").startswith("redis"):
        broker = urlsplit(os.environ["REDIS_URL"])
        database = os.environ.get("BENCH_REDIS_DB", BENCH_REDIS_DB)
        os.environ["REDIS_URL"] = urlunsplit(broker._replace(path=f"/{database}"))
    os.environ["VAR_DIR"] = str(ROOT / "var" / f"bench-{suffix or scale}")
    if url:
        os.environ["DATABASE_URL"] = url
        _create_database(url)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DEMO", "true")
    os.environ.setdefault("STAFF_OTP_REQUIRED", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 30)
    # Letters the seed's decisions ask for wait in the database (the sweeper
    # would issue them); no broker is asked during a benchmark.
    os.environ.setdefault("OUTBOX_WAKE_WORKER", "false")
    Path(os.environ["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return url


def _create_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _drop_and_create(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed_version():
    """A hash of what decides the seeded data: the demo's code and the
    migrations."""
    digest = hashlib.sha256()
    for folder in SEED_SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _marker():
    from django.db import connection

    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT scale, version, seconds FROM {MARKER_TABLE}")
        return cursor.fetchone()


def _write_marker(scale, version, seconds):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(scale integer, version varchar(32), seconds double precision)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)", [scale, version, seconds])


def seeded(scale, *, out=print):
    """Set Django up on the scale's database, seeded (reused when the seed
    version matches). Returns (seconds the seed took, reused?)."""
    url = configure(scale)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    version = seed_version()
    marker = _marker() if _has_tables() else None
    if marker and marker[0] == scale and marker[1] == version:
        out(f"Reusing the seed at scale {scale} (version {version}, seeded in {marker[2]:.0f}s).")
        # Nothing to migrate, but what is made after every migrate is made
        # as this code defines it (the database views).
        call_command("migrate", verbosity=0)
        _vacuum(full=False)
        return marker[2], True
    if marker is not None or _has_tables():
        out(f"Emptying the scale {scale} database for a fresh seed (version {version}).")
        connection.close()
        if url:
            _drop_and_create(url)
        else:
            Path(os.environ["VAR_DIR"], "db.sqlite3").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        scale=scale,
        allow_without_demo=True,  # a scratch database, even when run with DEMO=false
        verbosity=0,
    )
    seconds = time.perf_counter() - started
    _vacuum(full=True)
    _write_marker(scale, version, seconds)
    out(f"seed_demo --scale {scale}: {seconds:.1f}s")
    return seconds, False


def _vacuum(*, full):
    """On PostgreSQL, the database as autovacuum keeps a live one.

    A freshly loaded database has no planner statistics yet, and the seed
    moves every case through the workflow within minutes, so each table
    holds its rows' replaced versions too (the cases' table five times its
    live size) with no time between for autovacuum to let the space be
    reused, as it does in a live database: after a seed (``full``), the
    tables are compacted and analysed, as after a restore. Then, and before
    each run on a reused seed, a plain VACUUM marks the pages whose rows are
    all visible (the visibility map, which VACUUM FULL leaves empty), as
    autovacuum would soon after a restore: without it PostgreSQL counts a
    list by reading every row, not through an index alone (the public
    register's count: 2.6 ms, not 0.5). The machine's own PostgreSQL may run
    without autovacuum, as this one does."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if full:
            cursor.execute("VACUUM (FULL, ANALYZE)")
        cursor.execute("VACUUM")


def _has_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        return "proposals_proposal" in connection.introspection.table_names(cursor)


def machine():
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def commit():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            # The results file itself changes with every run.
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!benchmarks/results",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def save(section, figures):
    """Put one benchmark's figures under ``section`` of the results file,
    keeping the others'."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        results = {}
    results["commit"] = commit()
    results["machine"] = machine()
    results[section] = figures
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")


def percentile(sorted_values, fraction):
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, -(-int(fraction * 1000) * len(sorted_values) // 1000))
    return sorted_values[min(rank, len(sorted_values)) - 1]
