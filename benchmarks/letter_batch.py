"""Issue 500 feedback letters through two Celery workers on Redis.

    DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python benchmarks/letter_batch.py --letters 500

Builds, in a scratch PostgreSQL database named after ``DATABASE_URL``'s
(``<name>_letters``, created when missing, reused and added to), a round
with ``--letters`` cases awaiting decision, each of its own organisation
with one contact and with feedback on seven criteria (about 120 words each)
approved by the Advisory Group's chair (bulk inserts). Starts two workers
(``--pool=solo``, one process each) of the service's app, observed
(``benchmarks/letter_worker.py``), and waits until both answer. Then a
decision official decides every case "not accredited" at once
(``decide_many``: one ``move_many``), whose commit sends the issuing tasks
to Redis as any decision does; the workers render, store and e-mail each
letter through ``feedback.services.letters.issue``.

Prints and saves (``results/latest.json``, section ``letter_batch``) the
median and 95th percentile seconds per letter (and CPU seconds, which a
busy machine does not inflate), letters per second overall (from the
decision's commit to the last letter stored), and per worker its peak
memory after its first tenth of letters against at the end. Budgets:
median under 0.5 s a letter; no memory growth across the batch (a worker's
peak at the end within 10 % of its peak after its first tenth).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

MEDIAN_BUDGET_S = 0.5
GROWTH_BUDGET = 0.10
"""A worker's peak memory may end at most 10 % above its peak after its
first tenth of letters (WeasyPrint's caches are warm by then)."""
WORKERS = 2
CRITERIA = [
    ("1A", "Vision and strategy"),
    ("1B", "Leadership capacity"),
    ("1C", "Governance and accountability"),
    ("2A", "Curriculum and teaching"),
    ("2B", "Professional development"),
    ("3A", "Improving schools"),
    ("3B", "Evaluating impact"),
]
SENTENCE = (
    "The proposal describes the approach in general terms, but the evidence does not show "
    "how it has been carried out in the schools the organisation supports or what changed "
    "as a result. "
)


def feedback_rows():
    """Seven criteria of feedback as the group approves it, about 120 words each."""
    text = (SENTENCE * 4).strip()
    return [
        {"criterion": code, "title": title, "party": "lead", "score": 2, "text": text}
        for code, title in CRITERIA
    ]


def build_cases(count):
    """``count`` cases awaiting decision with approved feedback (bulk
    inserts), and a decision official with no part in them."""
    from accreditation import clock
    from accreditation.models import (
        Framework,
        LocalAuthority,
        Membership,
        Organisation,
        Round,
        Term,
        User,
    )
    from accreditation.roles import Role
    from accreditation.workflow import Status
    from advisory_group.models import AgendaItem, FeedbackApproval, Meeting
    from advisory_group.queries.agenda import digest
    from proposals.models import Proposal

    now = clock.now()
    year = 2400 + Round.objects.count()
    round_ = Round.objects.create(
        term=Term.AUTUMN,
        year=year,
        framework=Framework.objects.get(version=1),
        opens_at=now - timedelta(days=120),
        deadline=now - timedelta(days=90),
        **Round.dates_after_deadline(clock.local_date(now - timedelta(days=90))),
    )
    authority = LocalAuthority.objects.order_by("code").first()
    label = f"letters-{year}"
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench {label} school {n}",
            address=f"{n} School Lane\nLeeds\nLS1 1AA",
            kind="maintained_primary",
            urn=f"{(year * 10000 + n) % 1000000:06d}",
            local_authority=authority,
            phase="primary",
        )
        for n in range(count)
    )
    users = User.objects.bulk_create(
        User(email=f"bench-{label}-{n}@example.org", full_name=f"Contact {n}") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, is_contact=True)
        for user, organisation in zip(users, organisations, strict=True)
    )
    cases = Proposal.objects.bulk_create(
        Proposal(
            organisation=organisation,
            round=round_,
            framework=round_.framework,
            accreditation_type="asp",
            status=Status.AWAITING_DECISION,
            reference=f"ASP-{year}-{n:05d}",
            submitted_at=now - timedelta(days=80),
            created_by=user,
        )
        for n, (user, organisation) in enumerate(zip(users, organisations, strict=True))
    )
    chair = _person(f"bench-{label}-chair@example.org", "Chris Chair", Role.ADVISORY_GROUP_MEMBER)
    official = _person(
        f"bench-{label}-official@example.org", "Dana Decider", Role.DECISION_OFFICIAL
    )
    meeting = Meeting.objects.create(round=round_, held_at=now - timedelta(days=1), chair=chair)
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            case=case,
            purpose="feedback",
            outcome="approved",
            decided_by=chair,
            decided_at=now - timedelta(days=1),
            by_correspondence=True,
        )
        for case in cases
    )
    rows = feedback_rows()
    FeedbackApproval.objects.bulk_create(
        FeedbackApproval(
            case=case,
            item=item,
            feedback=rows,
            digest=digest(rows),
            approved_by=chair,
            approved_at=now - timedelta(days=1),
        )
        for case, item in zip(cases, items, strict=True)
    )
    return [case.pk for case in cases], official


def _person(email, name, role):
    from django.contrib.auth.models import Group

    from accreditation.models import User

    person = User.objects.create(email=email, full_name=name)
    person.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return person


def start_worker(environment, name):
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            *("-m", "celery", "-A", "benchmarks.letter_worker", "worker", "--pool=solo"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("-n", f"{name}@%h", "-l", "WARNING"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_workers(app, names, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answered = {name.split("@")[0] for reply in app.control.ping(timeout=1) for name in reply}
        if set(names) <= answered:
            return
    raise SystemExit("The workers did not start in two minutes.")


def worker_memory(records):
    """A worker's peak memory after its first tenth of letters, and at the end."""
    first = records[max(0, len(records) // 10 - 1)]
    last = records[-1]
    return {
        "letters": len(records),
        "start_peak_mib": first["peak_mib"],
        "end_peak_mib": last["peak_mib"],
        "start_rss_mib": first["rss_mib"],
        "end_rss_mib": last["rss_mib"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    options = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or not os.environ.get("REDIS_URL", "").startswith("redis"):
        print("letter_batch: skipped, it needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        return 0

    # Stopped (Ctrl-C, or a kill), it stops its workers before it ends.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped."))
    url = common.configure(None, suffix="letters")
    import django

    django.setup()
    from django.core.management import call_command

    from accreditation.celery import app
    from accreditation.workflow import Action
    from feedback.models import Letter

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    case_ids, official = build_cases(options.letters)
    print(f"Seeded {len(case_ids)} cases awaiting decision in {time.perf_counter() - started:.1f}s")

    probe = Path(tempfile.mkdtemp(prefix="letter-probe-"))
    environment = {**os.environ, "DATABASE_URL": url, "LETTER_PROBE_DIR": str(probe)}
    app.control.purge()
    names = [f"letters{n}" for n in range(1, WORKERS + 1)]
    workers = [start_worker(environment, name) for name in names]
    try:
        wait_for_workers(app, names)
        from accreditation import clock
        from accreditation.services.decisions import decide_many
        from proposals.models import Proposal

        decided = time.perf_counter()
        result = decide_many(
            Proposal.objects.filter(pk__in=case_ids),
            official,
            outcome=Action.NOT_ACCREDIT,
            decision_date=clock.today(),
            reasons_by_case={},
        )
        sent = time.perf_counter()
        assert not result.refused, result.refused
        issued = Letter.objects.filter(case_id__in=case_ids)
        while issued.count() < len(case_ids):
            if time.perf_counter() - sent > 1800:
                raise SystemExit("The workers did not issue every letter in 30 minutes.")
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit("A worker stopped.")
            time.sleep(0.2)
        finished = time.perf_counter()
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
    per_worker = []
    for path in sorted(probe.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text().splitlines()]
        if records:
            per_worker.append(records)
    shutil.rmtree(probe)
    records = [record for worker in per_worker for record in worker]
    seconds = sorted(record["seconds"] for record in records)
    cpu = sorted(record["cpu_seconds"] for record in records)
    memory = [worker_memory(worker) for worker in per_worker]
    median = statistics.median(seconds)
    growth = max((m["end_peak_mib"] / m["start_peak_mib"] - 1) for m in memory)
    figures = {
        "letters": len(records),
        "workers": len(per_worker),
        "criteria": len(CRITERIA),
        "decide_s": round(sent - decided, 2),
        "median_s": round(median, 3),
        "p95_s": round(common.percentile(seconds, 0.95), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "p95_cpu_s": round(common.percentile(cpu, 0.95), 3),
        "letters_per_s": round(len(records) / (finished - sent), 2),
        "elapsed_s": round(finished - sent, 1),
        "memory": memory,
        "max_growth_pct": round(growth * 100, 1),
        "checks": {
            f"median under {MEDIAN_BUDGET_S} s": "PASS" if median < MEDIAN_BUDGET_S else "FAIL",
            f"memory growth under {GROWTH_BUDGET:.0%}": "PASS"
            if growth < GROWTH_BUDGET
            else "FAIL",
        },
    }
    common.save("letter_batch", figures)
    print(table(figures))
    return 0


def table(figures):
    lines = [
        f"{figures['letters']} feedback letters ({figures['criteria']} criteria) through "
        f"{figures['workers']} workers on Redis: {figures['letters_per_s']} a second "
        f"({figures['elapsed_s']}s from the decision's commit; deciding them took "
        f"{figures['decide_s']}s)",
        f"  per letter: median {figures['median_s']}s, p95 {figures['p95_s']}s "
        f"(CPU: median {figures['median_cpu_s']}s, p95 {figures['p95_cpu_s']}s)",
    ]
    for n, worker in enumerate(figures["memory"], 1):
        lines.append(
            f"  worker {n}, {worker['letters']} letters: peak {worker['start_peak_mib']} MiB "
            f"after its first tenth, {worker['end_peak_mib']} MiB at the end (resident "
            f"{worker['start_rss_mib']} -> {worker['end_rss_mib']} MiB)"
        )
    lines += [f"  {name}: {verdict}" for name, verdict in figures["checks"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
