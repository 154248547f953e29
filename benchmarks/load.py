"""Throughput under load: gunicorn with 2 workers on loopback, driven by
locust (headless, bounded in users and time), then a check that nothing the
service acknowledged was lost.

    .venv/bin/python benchmarks/load.py --scale 100 --users 200 --minutes 2

1. The scale's seeded database (``common.py``) is copied to a throw-away
   one (``..._load``; on SQLite a copy of the file), so the run changes
   nothing the page benchmark reads.
2. Personas are prepared there: applicants' drafts in the open round (some
   completed through the applicant services, ready to submit), assessors
   with cases to score, casework officers and decision officials, the
   public; each signed-in persona gets a session made beforehand (signing in
   is not part of the load: it is deliberately slow password hashing).
3. gunicorn serves the service on 127.0.0.1 (``--port``, 2 workers, with
   the threads and keep-alive of ``gunicorn.conf.py``); locust runs
   ``locustfile.py`` with ``--users`` people, each pausing 1-5 s between
   requests, for ``--minutes``.
4. Afterwards every save and submission the service acknowledged is looked
   up in the database: the last acknowledged text of each answer is the
   answer's text, each acknowledged submission is a submitted case with its
   reference.

Budget: 95th percentile under 300 ms, no errors, nothing lost. The figures
go to ``benchmarks/results/latest.json`` under ``load``.
"""

import argparse
import csv
import json
import os
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

P95_BUDGET_MS = 300
WRITERS, SUBMITTERS, ASSESSORS, OFFICERS = 60, 30, 20, 20


def copy_database(scale):
    """A fresh copy of the scale's seeded database for this run; its URL
    (None on SQLite, whose file is copied into the load run's VAR_DIR)."""
    source = common.database_url(scale)
    if source is None:
        target_dir = ROOT / "var" / f"bench-{scale}-load"
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "var" / f"bench-{scale}" / "db.sqlite3", target_dir / "db.sqlite3")
        return None, target_dir
    import psycopg

    parts = urlsplit(source)
    name = parts.path.lstrip("/")
    target = f"{name}_load"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{name}"')
    return urlunsplit(parts._replace(path=f"/{target}")), ROOT / "var" / f"bench-{scale}-load"


def session_for(user, organisation_id=None):
    from django.test import Client

    client = Client()
    client.force_login(user)
    if organisation_id is not None:
        session = client.session
        session["current_organisation_id"] = organisation_id
        session.save()
    return client.cookies["sessionid"].value


def ready_to_submit(draft, contact):
    """Complete ``draft`` through the applicant services, if it can be
    without choosing how the organisation applies (a route): whether it is
    ready to submit."""
    from proposals.queries.journey import Journey
    from proposals.services.applicant import ProposalError
    from tests.journey_helpers import complete

    try:
        complete(draft, contact)
    except ProposalError:
        return False
    return not Journey.load(draft).problems()


def prepare():
    """The personas (see the module's doc), written for the locustfile."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from accreditation import clock
    from accreditation.models import Membership, Round, User
    from accreditation.roles import Role
    from proposals.models import Party, Proposal
    from proposals.queries.journey import Journey
    from register.models import PUBLIC_STATES, RegisterEntry

    now = clock.now()
    open_round = Round.objects.open_at(now).order_by("deadline").first()
    drafts = list(
        Proposal.objects.filter(
            status="draft", round=open_round, accreditation_type="asp", created_by__isnull=False
        )
        .select_related("organisation")
        .order_by("pk")[: WRITERS + SUBMITTERS]
    )
    contacts = dict(
        Membership.objects.filter(
            organisation__in=[draft.organisation_id for draft in drafts], is_contact=True
        ).values_list("organisation_id", "user_id")
    )
    users = User.objects.in_bulk(set(contacts.values()))
    plan = {"writers": [], "submitters": [], "assessors": [], "officers": [], "public": []}
    for draft in drafts:
        contact = users[contacts[draft.organisation_id]]
        persona = {
            "case": draft.pk,
            "session": session_for(contact, draft.organisation_id),
            "task_list": reverse("proposal-task-list", args=[draft.pk]),
            "check": reverse("proposal-check", args=[draft.pk]),
        }
        if len(plan["submitters"]) < SUBMITTERS and ready_to_submit(draft, contact):
            plan["submitters"].append(persona)
        else:
            journey = Journey.load(draft)
            persona["answers"] = [
                reverse("proposal-answer", args=[draft.pk, question.criterion.code, question.party])
                for question in journey.questions
                # The co-partner's questions wait for its details.
                if question.party == Party.LEAD or journey.co_partner is not None
            ]
            plan["writers"].append(persona)
    assessors = (
        User.objects.filter(groups__name=Role.ASSESSOR)
        .annotate(
            cases=Count(
                "assignments",
                filter=Q(assignments__ended_at=None, assignments__case__status="in_assessment"),
            )
        )
        .filter(cases__gt=0)
        .order_by("-cases", "pk")[:ASSESSORS]
    )
    for assessor in assessors:
        cases = assessor.assignments.filter(
            ended_at=None, case__status="in_assessment"
        ).values_list("case_id", flat=True)[:10]
        plan["assessors"].append(
            {
                "session": session_for(assessor),
                "queue": reverse("assessor-queue"),
                "scoring": [reverse("case-scores", args=[pk]) for pk in cases],
            }
        )
    officer_pages = [
        reverse("screening-queue"),
        reverse("staff-cases"),
        reverse("staff-cases") + "?page=2",
        reverse("assignment-rounds"),
        reverse("staff-letters"),
    ]
    for officer in User.objects.filter(groups__name=Role.CASEWORK_OFFICER).order_by("pk")[
        : OFFICERS // 2
    ]:
        plan["officers"].append({"session": session_for(officer), "pages": officer_pages})
    for official in User.objects.filter(groups__name=Role.DECISION_OFFICIAL).order_by("pk")[
        : OFFICERS // 2
    ]:
        plan["officers"].append(
            {
                "session": session_for(official),
                "pages": [reverse("decision-queue"), reverse("staff-cases")],
            }
        )
    providers = list(
        RegisterEntry.objects.filter(state__in=PUBLIC_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    plan["public"].append(
        {
            "words": ["trust", "school", "academy", "org", "primary", "learning", "0004"],
            "filtered": [
                "/register/?type=asg",
                "/register/?type=asp&federation=on",
                "/register/?phase=primary",
                "/register/?kind=academy_trust&majority_trust=on",
            ],
            "providers": providers,
        }
    )
    return plan


def served_by():
    """How gunicorn serves the load: 2 workers, with the threads and
    keep-alive of ``gunicorn.conf.py`` (the service's own, wherever it runs)."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    keepalive = settings.get("keepalive", 2)
    return f"gunicorn, 2 workers x {settings.get('threads', 1)} threads, " + (
        f"keep-alive {keepalive}s" if keepalive else "no keep-alive"
    )


def wait_until_up(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds}s")


def summary(prefix):
    """The aggregated row of locust's statistics, and its failures."""
    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    by_name = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["Median Response Time"]),
            "p95_ms": float(row["95%"]),
        }
        for row in rows
        if row["Name"] != "Aggregated"
    }
    with open(f"{prefix}_failures.csv") as handle:
        failures = [
            f"{row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']})"
            for row in csv.DictReader(handle)
        ]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
        "worst_ms": float(total["Max Response Time"]),
        "by_page": by_name,
        "failure_messages": failures[:20],
    }


def check_nothing_lost(acknowledged):
    """(answers checked, submissions found, what is missing). An answer's
    text must be its last acknowledged save, or a save sent after it whose
    acknowledgement the end of the run cut off (each answer has one writer,
    who sends one save at a time)."""
    from django.urls import resolve

    from proposals.models import Answer, Proposal

    sent = {}
    for save in acknowledged["saves"]:
        sent.setdefault(save["url"], []).append(save)
    missing = []
    checked = 0
    for url, saves in sent.items():
        acked = [index for index, save in enumerate(saves) if save["acknowledged"]]
        if not acked:
            continue
        checked += 1
        allowed = {save["text"] for save in saves[acked[-1] :]}
        match = resolve(url)
        text = (
            Answer.objects.filter(
                proposal_id=match.kwargs["pk"],
                criterion__code=match.kwargs["code"],
                party=match.kwargs["party"],
            )
            .values_list("text", flat=True)
            .first()
        )
        if text not in allowed:
            missing.append(f"answer {url}: last acknowledged save not found")
    cases = [entry["case"] for entry in acknowledged["submissions"]]
    submitted = set(
        Proposal.objects.filter(
            pk__in=cases, status="submitted", reference__isnull=False
        ).values_list("pk", flat=True)
    )
    missing += [
        f"case {pk}: acknowledged submission not found" for pk in cases if pk not in submitted
    ]
    return checked, len(submitted), missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8108)))
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.seed_only:
        common.seeded(options.scale)
        return
    # Seeded (or found seeded) by a child process, so that this one sets
    # Django up on the copy.
    subprocess.run(
        [sys.executable, __file__, "--scale", str(options.scale), "--seed-only"], check=True
    )
    url, var_dir = copy_database(options.scale)
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # the filesystem broker: nothing leaves the machine
    env.update(
        VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1",
        OUTBOX_WAKE_WORKER="false",
        DEMO="true",
        STAFF_OTP_REQUIRED="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="accreditation.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 30),
    )
    if url:
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django import db

    started = time.perf_counter()
    plan = prepare()
    print(
        f"Prepared {len(plan['writers'])} writing and {len(plan['submitters'])} submitting "
        f"applicants, {len(plan['assessors'])} assessors, {len(plan['officers'])} officers "
        f"in {time.perf_counter() - started:.0f}s"
    )
    db.connections.close_all()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    plan_file, acknowledged_file = work / "plan.json", work / "acknowledged.json"
    plan_file.write_text(json.dumps(plan))
    bin_dir = Path(sys.executable).parent
    address = f"127.0.0.1:{options.port}"
    gunicorn = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "accreditation.wsgi",
            "--bind",
            address,
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"http://{address}/", gunicorn)
        seconds = int(options.minutes * 60)
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(options.users),
                "--spawn-rate",
                str(max(1, options.users // 10)),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://{address}",
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={**env, "LOAD_PLAN": str(plan_file), "LOAD_ACKNOWLEDGED": str(acknowledged_file)},
            check=False,
        )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    figures = summary(work / "locust")
    acknowledged = json.loads(acknowledged_file.read_text())
    saves, submissions, missing = check_nothing_lost(acknowledged)
    figures.update(
        scale=options.scale,
        users=options.users,
        seconds=int(options.minutes * 60),
        workers=served_by(),
        acknowledged_saves=sum(save["acknowledged"] for save in acknowledged["saves"]),
        answers_checked=saves,
        acknowledged_submissions=len(acknowledged["submissions"]),
        submissions_found=submissions,
        missing=missing,
    )
    figures["checks"] = {
        "p95": "PASS" if figures["p95_ms"] < P95_BUDGET_MS else "FAIL",
        "errors": "PASS" if figures["failures"] == 0 else "FAIL",
        "nothing_lost": "PASS" if not missing else "FAIL",
    }
    common.save("load", figures)
    print(table(figures))
    shutil.rmtree(work, ignore_errors=True)


def table(figures):
    checks = figures["checks"]
    return "\n".join(
        [
            f"Load: {figures['users']} people for {figures['seconds']}s at scale "
            f"{figures['scale']} ({figures['workers']})",
            f"  {figures['requests']} requests, {figures['requests_per_second']} per second; "
            f"median {figures['median_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms "
            f"(budget {P95_BUDGET_MS} ms: {checks['p95']})",
            f"  errors: {figures['failures']} ({checks['errors']})",
            f"  acknowledged: {figures['acknowledged_saves']} saves of "
            f"{figures['answers_checked']} "
            f"answers, {figures['acknowledged_submissions']} submissions; found in the database: "
            f"{figures['submissions_found']} submissions, "
            f"{len(figures['missing'])} missing ({checks['nothing_lost']})",
        ]
        + [f"    {line}" for line in figures["missing"][:10]]
        + [f"    {line}" for line in figures["failure_messages"][:10]]
    )


if __name__ == "__main__":
    main()
