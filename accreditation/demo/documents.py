"""Supporting documents in the demo, so the staff case page lists documents
to open and its evidence zip holds real files.

Each submitted proposal of the featured organisations gets the documents
below, as its applicant uploaded them the day before submitting: small
tagged PDFs, each made once here with the service's own PDF renderer and
written through the storage the uploads use (``Evidence.file``), under the
same random names. The generated organisations and ``--scale`` add none, so a scaled
demo writes no more files than the demo. A proposal that holds any
document already is left as it is, so a rerun adds nothing.
"""

import hashlib
from datetime import timedelta

from django.apps import apps
from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from accreditation.demo.moves import explicit_timestamps
from accreditation.pdf import html_to_pdf

DOCUMENTS = (
    (
        "inspection-summary.pdf",
        "Summary of our schools' latest inspections",
        (
            "Each school we lead was judged good or better at its latest inspection; "
            "the dates and the judgements are below, with the areas the inspectors asked us "
            "to improve and what we have done since.",
        ),
    ),
    (
        "school-improvement-plan.pdf",
        "Our school improvement plan",
        (
            "The plan sets out how our central team supports the schools in the partnership: "
            "who leads each strand, the measures we use and how the board holds us to them.",
        ),
    ),
)


def _pdf(title, paragraphs):
    html = render_to_string("pdf/demo_evidence.html", {"title": title, "paragraphs": paragraphs})
    return html_to_pdf(html)


def seed(seeder, organisations):
    """Give the submitted proposals of ``organisations`` that have no
    document the demo's documents. Returns how many were stored."""
    Evidence = apps.get_model("proposals", "Evidence")
    Proposal = apps.get_model("proposals", "Proposal")
    cases = list(
        Proposal.objects.filter(organisation__in=organisations, submitted_at__isnull=False)
        .exclude(evidence__isnull=False)
        .order_by("pk")
    )
    if not cases:
        return 0
    # Each document is rendered once and stored for every proposal.
    made = {name: _pdf(title, paragraphs) for name, title, paragraphs in DOCUMENTS}
    stored = []
    with explicit_timestamps(Evidence, "uploaded_at"):
        for case in cases:
            uploaded_at = case.submitted_at - timedelta(days=1)
            for name, title, _paragraphs in DOCUMENTS:
                content = made[name]
                evidence = Evidence(
                    proposal=case,
                    original_name=name,
                    content_type="application/pdf",
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    description=title,
                    uploaded_by_id=case.created_by_id,
                    uploaded_at=uploaded_at,
                )
                evidence.file.save(name, ContentFile(content), save=False)
                stored.append(evidence)
        Evidence.objects.bulk_create(stored)
    seeder.created["documents"] += len(stored)
    return len(stored)
