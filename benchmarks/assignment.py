"""Time the round's proposed assignment (the solver alone, no database).

    .venv/bin/python benchmarks/assignment.py --repeat 5

solves random rounds the size the service is built for: 500 cases and 30
assessors (the target: under a second), and a whole round at full scale
(25,000 cases over 12 rounds is about 2,100 a round; 100 assessors). About
12% of pairs are in conflict, 30% of cases are ASGs wanting both assessors,
10% want only a second. Prints the median and worst time, the largest
workload and how many of the wanted assessments were assigned.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [(500, 30), (2100, 100)]
TARGET_SECONDS = {500: 1.0}


def instance(cases, assessors, seed):
    from assessments.services.assignment import Need

    rng = random.Random(seed)
    people = list(range(1, assessors + 1))
    room = max(3, round(cases * 1.6 / assessors))
    capacities = {person: rng.randint(room // 2, room * 2) for person in people}
    loads = {person: rng.randint(0, 3) for person in people}
    needs = []
    for case_id in range(1, cases + 1):
        allowed = {person for person in people if rng.random() >= 0.12}
        roll = rng.random()
        if roll < 0.3:
            count = 2
        elif roll < 0.4:
            count = 1
            allowed.discard(rng.choice(people))  # the assessor it has already
        else:
            count = 1
        needs.append(Need(case_id, count, frozenset(allowed)))
    return needs, loads, capacities


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="random rounds per size")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 30)
    import django

    django.setup()
    from assessments.services.assignment import solve
    from benchmarks import common

    missed = False
    rows = []
    for cases, assessors in SIZES:
        times = []
        for seed in range(options.repeat):
            needs, loads, capacities = instance(cases, assessors, seed)
            started = time.perf_counter()
            solution = solve(needs, loads, capacities)
            times.append(time.perf_counter() - started)
        target = TARGET_SECONDS.get(cases)
        verdict = ""
        if target:
            verdict = f"  target < {target:.1f}s: {'met' if max(times) < target else 'MISSED'}"
            missed = missed or max(times) >= target
        print(
            f"{cases} cases, {assessors} assessors: median {statistics.median(times):.3f}s, "
            f"worst {max(times):.3f}s; largest workload {solution.largest}, "
            f"{solution.assigned} of {solution.wanted} assigned{verdict}"
        )
        rows.append(
            {
                "cases": cases,
                "assessors": assessors,
                "median_s": round(statistics.median(times), 3),
                "worst_s": round(max(times), 3),
                "target_s": target,
                "check": ("PASS" if max(times) < target else "FAIL") if target else "-",
            }
        )
    common.save("assignment", rows)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
