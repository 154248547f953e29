"""Time the rendering of a feedback letter with seven criteria (no database).

    .venv/bin/python benchmarks/letters.py --repeat 30

renders the feedback letter's template with seven criteria of feedback
(about 120 words each) to a tagged PDF/UA-1 through the service's one PDF
renderer, as the issuing task does, and prints the median and 95th
percentile time (and the median CPU time, which a busy machine does not
inflate) and the process's peak memory (its maximum resident set, which
counts WeasyPrint's C libraries too)."""

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CODES = ["1A", "1B", "1C", "1D", "2A", "2B", "2C"]


def context():
    from django.conf import settings

    from feedback.queries.letters import PartyFeedback

    organisation = SimpleNamespace(
        name="Riverside Learning Trust", address="1 River Road\nLeeds\nLS1 1AA"
    )
    case = SimpleNamespace(
        reference="ASP-2026-0042",
        accreditation_type="asp",
        get_accreditation_type_display=lambda: "Accredited School Provider (ASP)",
    )
    words = " ".join(["evidence"] * 120)
    items = [
        SimpleNamespace(
            criterion=SimpleNamespace(code=code, title=f"Criterion {code}"),
            score=2,
            score_label="Limited evidence",
            text=f"Feedback on {code}: {words}",
        )
        for code in CODES
    ]
    return {
        "case": case,
        "organisation": organisation,
        "purpose": "feedback",
        "letter_date": date(2026, 12, 2),
        "letterhead_lines": settings.LETTERHEAD_ADDRESS.splitlines(),
        "department_name": settings.DEPARTMENT_NAME,
        "service_name": settings.SERVICE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "service_url": settings.SERVICE_URL,
        "signatory": SimpleNamespace(full_name="Dana Decider"),
        "concern_period_days": 28,
        "decision": SimpleNamespace(decided_on=date(2026, 12, 1), reasons=""),
        "parties": [PartyFeedback(organisation.name, "Lead organisation", items)],
        "pdf_title": "Your proposal has not been accredited: ASP-2026-0042",
        "body_template": "feedback/letters/feedback.html",
        "preview": False,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="letters to render")
    options = parser.parse_args()

    # The test settings serve the static files (the stylesheet) without collectstatic.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings_test")
    import django

    django.setup()
    from django.template.loader import render_to_string

    from accreditation.pdf import html_to_pdf

    values = context()
    html_to_pdf(render_to_string("feedback/letters/letter.html", values))  # warm up fonts
    times, cpu_times, size = [], [], 0
    for _ in range(options.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        pdf = html_to_pdf(render_to_string("feedback/letters/letter.html", values))
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
        size = len(pdf)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from benchmarks import common

    common.save(
        "letters",
        {
            "criteria": len(CODES),
            "kib": size // 1024,
            "median_ms": round(statistics.median(times) * 1000),
            "p95_ms": round(p95 * 1000),
            "median_cpu_ms": round(statistics.median(cpu_times) * 1000),
            "renders": len(times),
            "peak_mib": round(peak_mib),
        },
    )
    print(
        f"feedback letter, {len(CODES)} criteria, {size // 1024} KiB: "
        f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"(CPU: median {statistics.median(cpu_times) * 1000:.0f} ms) over {len(times)}; "
        f"peak memory {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
