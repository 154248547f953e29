"""Rendering and issuing letters.

``render(case, purpose)`` gives the letter's HTML and PDF from the case as it
stands (a preview, or the letter about to be issued). ``issue(case_id)``
issues the letter the case is owed now, once: it locks the case's row, so it
runs one at a time per case with the workflow's moves (a correction of the
decision waits for it, and then finds the letter issued), and the unique
constraint on (case, purpose) stands behind the lock. The stored PDF is
never rewritten; its SHA-256 is on the timeline and on the letters register.

Which letter a case is owed is read from its status at the moment of issue
(``PURPOSE_BY_STATUS``): a decision corrected before the task ran issues
only the corrected letter.
"""

import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from accreditation import clock, events, policy, timeline
from accreditation.events import EventType
from accreditation.models.organisations import contact_addresses
from accreditation.pdf import html_to_pdf
from accreditation.services import outbox
from feedback.models import DECISION_PURPOSES, Letter, LetterPurpose
from feedback.queries.letters import (
    PURPOSE_BY_STATUS,
    decision_of,
    feedback_by_party,
    letter_feedback,
    screening_of,
)

events.register(
    EventType("letter_issued", "Letter issued", "Letter issued"),
)

TITLES = {
    LetterPurpose.DECISION: "Your proposal has been accredited",
    LetterPurpose.FEEDBACK: "Your proposal has not been accredited",
    LetterPurpose.SCREENING: "Your proposal is not eligible",
    LetterPurpose.CONCERN_RESPONSE: "Our response to your concern",
}

PREVIEWABLE = (LetterPurpose.DECISION, LetterPurpose.FEEDBACK, LetterPurpose.SCREENING)
"""Letters staff can preview before issue (concern responses come with concerns)."""


@dataclass
class Rendered:
    title: str
    html: str
    pdf: bytes
    signatory: object

    @property
    def sha256(self):
        return hashlib.sha256(self.pdf).hexdigest()


def letter_context(case, purpose, *, concern=None, response=None, signatory=None, when=None):
    """Everything a letter's template needs, read from the case as it stands."""
    context = {
        "case": case,
        "organisation": case.organisation,
        "purpose": purpose,
        "letter_date": clock.local_date(when or clock.now()),
        "letterhead_lines": settings.LETTERHEAD_ADDRESS.splitlines(),
        "department_name": settings.DEPARTMENT_NAME,
        "service_name": settings.SERVICE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "service_url": settings.SERVICE_URL,
        "signatory": signatory,
        "concern_period_days": policy.current().concern_period_days,
    }
    if purpose in DECISION_PURPOSES:
        decision = decision_of(case)
        context["decision"] = decision
        context["signatory"] = decision.signatory if decision else None
        if purpose == LetterPurpose.DECISION:
            context["register_url"] = f"{settings.SERVICE_URL}/register/"
        else:
            context["parties"] = feedback_by_party(case, letter_feedback(case))
    elif purpose == LetterPurpose.SCREENING:
        screening = screening_of(case)
        context["screening"] = screening
        context["signatory"] = screening.signatory if screening else None
    elif purpose == LetterPurpose.CONCERN_RESPONSE:
        context["concern"] = concern
        context["response"] = response
    return context


def render(case, purpose, *, preview=False, when=None, **extra):
    """The letter ``purpose`` for ``case`` as HTML and as a tagged PDF."""
    title = f"{TITLES[purpose]}: {case.reference}"
    context = letter_context(case, purpose, when=when, **extra)
    html = render_to_string(
        "feedback/letters/letter.html",
        {
            **context,
            "pdf_title": title,
            "body_template": f"feedback/letters/{purpose}.html",
            "preview": preview,
        },
    )
    return Rendered(title, html, html_to_pdf(html), context["signatory"])


def render_concern_response(case, *, concern, response, signatory):
    """The response to a concern that was not upheld, signed by whoever
    decided the concern (concerns themselves come later)."""
    return render(
        case,
        LetterPurpose.CONCERN_RESPONSE,
        concern=concern,
        response=response,
        signatory=signatory,
    )


def owed_purpose(case):
    """The letter the case is owed now, or None."""
    return PURPOSE_BY_STATUS.get(case.status)


def issue(case_id):
    """Issue the letter ``case_id`` is owed now, once. Returns the letter
    (new or already issued), or None when the case is owed none."""
    Proposal = apps.get_model("proposals", "Proposal")
    with transaction.atomic():
        case = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("organisation", "round", "window")
            .filter(pk=case_id)
            .first()
        )
        purpose = owed_purpose(case) if case is not None else None
        if purpose is None:
            return None
        same = DECISION_PURPOSES if purpose in DECISION_PURPOSES else (purpose,)
        existing = Letter.objects.filter(case=case, purpose__in=same).first()
        if existing is not None:
            return existing
        if purpose == LetterPurpose.FEEDBACK and not letter_feedback(case):
            return None  # issued once the feedback it is built from is there
        now = clock.now()
        rendered = render(case, purpose, when=now)
        try:
            with transaction.atomic():
                letter = Letter.objects.create(
                    case=case,
                    purpose=purpose,
                    created_at=now,
                    issued_at=now,
                    pdf=rendered.pdf,
                    sha256=rendered.sha256,
                    signatory=rendered.signatory,
                )
        except IntegrityError:
            return Letter.objects.get(case=case, purpose=purpose)
        timeline.append(
            case,
            action="letter_issued",
            actor=None,
            details={"letter": letter.pk, "purpose": purpose, "sha256": letter.sha256},
            when=now,
        )
        _email_contacts(case, letter)
    return letter


def _email_contacts(case, letter):
    link = settings.SERVICE_URL + reverse("proposal-status", kwargs={"pk": case.pk})
    body = render_to_string(
        "feedback/email/letter_issued.txt",
        {
            "case": case,
            "letter": letter,
            "link": link,
            "check_link": settings.SERVICE_URL + reverse("letter-check"),
            "service_name": settings.SERVICE_NAME,
        },
    )
    outbox.queue(
        f"{case.reference}: your {letter.get_purpose_display().lower()}",
        body,
        contact_addresses(case.organisation_id),
        key=f"letter:{case.pk}:{letter.purpose}",
    )


def issue_many(case_ids):
    """Issue every letter the cases are owed; returns how many were new."""
    issued = 0
    for case_id in case_ids:
        before = Letter.objects.filter(case_id=case_id).count()
        issue(case_id)
        issued += Letter.objects.filter(case_id=case_id).count() - before
    return issued


def owed_cases():
    """Cases owed a letter they have not been issued: the sweeper's work,
    so a lost task message costs a minute, never a letter."""
    Proposal = apps.get_model("proposals", "Proposal")
    FeedbackApproval = apps.get_model("advisory_group", "FeedbackApproval")
    owed = Q(pk__in=[])
    for status, purpose in PURPOSE_BY_STATUS.items():
        same = DECISION_PURPOSES if purpose in DECISION_PURPOSES else (purpose,)
        issued = Letter.objects.filter(case=OuterRef("pk"), purpose__in=same)
        ready = Q(status=status) & ~Exists(issued)
        if purpose == LetterPurpose.FEEDBACK:
            # Not owed until the feedback it carries is approved: a case
            # waiting for that must not hold up the sweeper's batch.
            ready &= Exists(FeedbackApproval.objects.filter(case=OuterRef("pk")))
        owed |= ready
    return Proposal.objects.filter(owed).order_by("pk").values_list("pk", flat=True)


def verify(data):
    """The letter whose issued PDF is exactly ``data``, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return Letter.objects.select_related("case").filter(sha256=digest).first()


def find(reference, sha256):
    """The letter of the case ``reference`` with the hash ``sha256``, or None."""
    return (
        Letter.objects.select_related("case")
        .filter(case__reference__iexact=reference.strip(), sha256=sha256.strip().lower())
        .first()
    )
