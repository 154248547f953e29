"""Load the demo data set: people in every role, organisations of every kind,
past, current and next rounds, and cases in every status with genuine
timelines. Safe to run again: it adds only what is missing.

    python manage.py seed_demo              # the demo (100 organisations)
    python manage.py seed_demo --scale 100  # about 10,000 organisations and
                                            # 25,000 cases, for benchmarks

Every demo account has one published password, so the command runs only
with ``DEMO`` on, or with ``--allow-without-demo`` where that is meant (a
benchmark database).
"""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accreditation import clock, demo
from accreditation.models import RoundStatus


class Command(BaseCommand):
    help = "Create (or top up) the demo data set. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="N > 1 adds N - 1 times as many organisations and cases again (bulk), "
            "for benchmarks. Default 1.",
        )
        parser.add_argument(
            "--allow-without-demo",
            action="store_true",
            help="Seed even though DEMO is off. The demo's accounts share a published "
            "password: never on a service people use.",
        )

    def handle(self, *args, scale=1, allow_without_demo=False, **options):
        if not (settings.DEMO or allow_without_demo):
            raise CommandError(
                "Refusing to load the demo data: DEMO is off, so this may be a live service, "
                "and every demo account has the same published password. Run it with "
                "DEMO=true (as `make run` does), or pass --allow-without-demo if this "
                "database is meant for demo data (a benchmark). Nothing was created."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        started = time.monotonic()
        try:
            created = demo.seed(scale=scale)
        except demo.DemoError as error:
            raise CommandError(f"The demo could not be built: {error}") from error
        elapsed = time.monotonic() - started
        if options["verbosity"] == 0:
            return
        self.report(created, elapsed)

    def report(self, created, elapsed):
        out, style = self.stdout, self.style
        added = ", ".join(f"{n} {what}" for what, n in sorted(created.items()) if n)
        out.write(
            style.SUCCESS(
                f"Demo data ready in {elapsed:.1f}s "
                f"({'added ' + added if added else 'nothing new to add'})."
            )
        )
        port = os.environ.get("PORT") or "8000"
        out.write("")
        out.write(f"Open http://127.0.0.1:{port}/")
        out.write("")
        out.write(f"Demo sign-ins (password for every one: {demo.PASSWORD})")
        rows = [("Email", "Name", "Role", "")]
        for user in demo.DEMO_USERS:
            roles = ", ".join(role.label for role in user.roles)
            rows.append((user.email, user.full_name, roles, user.note))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, row in enumerate(rows):
            out.write(
                "  "
                + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
                + ("  " + row[3] if row[3] else "")
            )
            if index == 0:
                out.write("  " + "  ".join("-" * w for w in widths))
        if getattr(settings, "STAFF_OTP_REQUIRED", False):
            out.write(
                "  Staff sign-in asks for an authenticator code; set STAFF_OTP_REQUIRED=false "
                "(as `make run` does) to try the staff roles without one."
            )
        counts = demo.summary()
        now = clock.now()
        out.write("")
        out.write("Rounds:")
        for rnd in counts["rounds"]:
            status = rnd.status(now)
            state = {RoundStatus.OPEN: "open now", RoundStatus.UPCOMING: "opens later"}.get(
                status, status.label.lower()
            )
            out.write(
                f"  {str(rnd):<12} opens {clock.local(rnd.opens_at):%d %b %Y}, deadline "
                f"{clock.local(rnd.deadline):%d %b %Y %H:%M}  ({state})"
            )
        soon = [w for w in counts["closing_windows"] if w.deadline - now <= timedelta(hours=1)]
        if soon:
            out.write(
                f"  Out-of-round windows with drafts closing at "
                f"{clock.local(soon[0].deadline):%H:%M} (the scheduler lapses the drafts): "
                + ", ".join(w.organisation.name for w in soon)
            )
        out.write("")
        out.write(f"Organisations: {counts['organisations']}")
        out.write(f"Cases: {counts['cases']} ({counts['events']} timeline events)")
        width = max(len(status.label) for status, _ in counts["by_status"])
        for status, n in counts["by_status"]:
            out.write(f"  {status.label:<{width}}  {n:>7}")
