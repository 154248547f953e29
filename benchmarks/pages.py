"""Time the busiest pages against a database of a given scale.

    .venv/bin/python benchmarks/pages.py --scale 100 --requests 30

seeds ``seed_demo --scale N`` into a scratch database (SQLite under
``var/bench`` unless ``DATABASE_URL`` is set; it is reused when already
seeded at that scale), then requests each page as the person who uses it,
through Django's test client, and prints the median, 95th percentile and
worst time and the number of queries per page. Figures are for one process
on this machine, not a load test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    options = parser.parse_args()

    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / f"bench-{options.scale}"))
    os.environ.setdefault("DEMO", "true")
    os.environ.setdefault("STAFF_OTP_REQUIRED", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 30)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accreditation.models import Membership, Round, User
    from accreditation.queries.cases import visible_to
    from proposals.models import Proposal
    from register.models import PUBLIC_STATES, RegisterEntry

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        scale=options.scale,
        allow_without_demo=True,  # a scratch database, even when run with DEMO=false
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    print(f"seed_demo --scale {options.scale}: {time.perf_counter() - started:.1f}s")
    print(f"{Proposal.objects.count()} cases, {Membership.objects.count()} memberships\n")

    applicant = User.objects.get(email="applicant@example.org")
    draft = Proposal.objects.filter(
        organisation__memberships__user=applicant, status="draft"
    ).first()
    submitted = Proposal.objects.filter(
        organisation__memberships__user=applicant, reference__isnull=False
    ).first()
    pages = [
        ("start page", None, reverse("start")),
        ("criteria guidance", None, reverse("guidance-criteria")),
        ("applicant home", applicant, reverse("applicant-home")),
        ("dashboard", applicant, reverse("proposal-dashboard")),
        ("start a proposal", applicant, reverse("proposal-start")),
        ("case status", applicant, reverse("proposal-status", args=[submitted.pk])),
        ("staff users", User.objects.get(email="admin@example.org"), reverse("staff-users")),
        (
            "out-of-round requests",
            User.objects.get(email="caseworker@example.org"),
            reverse("out-of-round-staff-list"),
        ),
    ]
    provider = RegisterEntry.objects.filter(state__in=PUBLIC_STATES).first()
    pages += [
        ("register search", None, reverse("register-search") + "?q=a&type=asp"),
        ("register provider", None, reverse("register-provider", args=[provider.pk])),
        ("register CSV", None, reverse("register-csv")),
    ]
    caseworker = User.objects.get(email="caseworker@example.org")
    busiest_case = (
        visible_to(caseworker)
        .annotate(events_count=Count("events", distinct=True))
        .order_by("-events_count", "pk")
        .first()
    )
    busiest_round = (
        Round.objects.annotate(
            cases=Count("proposals", filter=Q(proposals__submitted_at__isnull=False))
        )
        .order_by("-cases", "pk")
        .first()
    )
    pages += [
        ("case page", caseworker, reverse("staff-case", args=[busiest_case.pk])),
        ("round report", caseworker, reverse("staff-report", args=[busiest_round.pk])),
        ("round report CSV", caseworker, reverse("staff-report-csv", args=[busiest_round.pk])),
    ]
    if draft is not None:
        pages += [
            ("task list", applicant, reverse("proposal-task-list", args=[draft.pk])),
            ("check answers", applicant, reverse("proposal-check", args=[draft.pk])),
        ]

    print(f"{'page':<24}{'median ms':>10}{'p95 ms':>9}{'worst ms':>10}{'queries':>9}")
    for name, user, url in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
            if draft is not None:
                session = client.session
                session["current_organisation_id"] = (submitted or draft).organisation_id
                session.save()
        timings = []
        for _ in range(options.requests):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                begin = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                timings.append((time.perf_counter() - begin) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        print(
            f"{name:<24}{statistics.median(timings):>10.1f}{p95:>9.1f}"
            f"{timings[-1]:>10.1f}{len(queries.captured_queries):>9}"
        )


if __name__ == "__main__":
    main()
