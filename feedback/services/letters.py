"""Rendering and issuing letters.

``render(case, purpose)`` gives the letter's HTML and PDF from the case as it
stands (a preview, or the letter about to be issued). ``issue(case_id)``
issues the letter the case is owed now, once: it locks the case's row, so it
runs one at a time per case with the workflow's moves (a correction of the
decision waits for it, and then finds the letter issued), and the unique
constraint on (case, occasion) stands behind the lock. The stored PDF is
never rewritten; its SHA-256 is on the timeline and on the letters register.

Which letter a case is owed is read from its status at the moment of issue
(``PURPOSE_BY_STATUS``): a decision corrected before the task ran issues
only the corrected letter. A decision letter belongs to its decision round
(``decision_round``): a case decided again after an upheld concern is owed
a new one, once. ``issue_concern_response`` and ``issue_revocation_letter``
issue the letters of a concern not upheld and of a step of revocation, once
each, the same way.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse

from accreditation import clock, emails, events, policy, timeline
from accreditation.events import EventType
from accreditation.models import CaseEvent
from accreditation.models.organisations import contact_addresses
from accreditation.pdf import html_to_pdf
from accreditation.workflow import Action, Status
from feedback.models import (
    CONCERN_PURPOSES,
    DECISION_PURPOSES,
    Concern,
    ConcernState,
    Letter,
    LetterPurpose,
    occasion_of,
)
from feedback.queries.letters import (
    PURPOSE_BY_STATUS,
    decision_of,
    decision_round,
    decision_round_of_outer_case,
    feedback_by_party,
    letter_feedback,
    screening_of,
)
from register.models import RegisterEntry
from register.queries.register import departure

events.register(
    EventType("letter_issued", "Letter issued", "Letter issued"),
    EventType("letter_downloaded", "Letter downloaded"),
)

NOTICE_GIVEN, REVOKED = "notice_given", "revoked"
"""The register's steps of revocation (``register.models.EventKind``) that
are told in a letter."""
NOTICE_WITHDRAWN = "notice_withdrawn"
"""The step that ends a notice without revoking, told by email only."""

PURPOSE_OF_REGISTER_STEP = {
    NOTICE_GIVEN: LetterPurpose.REVOCATION_NOTICE,
    REVOKED: LetterPurpose.REVOCATION,
}

TITLES = {
    LetterPurpose.DECISION: "Your proposal has been accredited",
    LetterPurpose.FEEDBACK: "Your proposal has not been accredited",
    LetterPurpose.SCREENING: "Your proposal is not eligible",
    LetterPurpose.CONCERN_RESPONSE: "Our response to your concern",
    LetterPurpose.REVOCATION_NOTICE: "Notice that your accreditation may be revoked",
    LetterPurpose.REVOCATION: "Your accreditation has been revoked",
}

UNDECIDED = (
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
    Status.ADVISORY_REVIEW,
    Status.AWAITING_DECISION,
)


def previewable(case, issued=()):
    """The letters staff may preview for ``case`` before issue: those its
    status can still lead to, less the ones already ``issued``. A case being
    screened may be screened out; one being assessed may be accredited or
    not; a closed or decided case gets the letter its outcome is owed; a
    draft, lapsed or withdrawn one gets none. (Concern responses come with
    concerns.)"""
    if case.status in PURPOSE_BY_STATUS:
        purposes = (PURPOSE_BY_STATUS[case.status],)
    elif case.status == Status.SUBMITTED:
        purposes = (LetterPurpose.SCREENING,)
    elif case.status in UNDECIDED:
        purposes = (LetterPurpose.DECISION, LetterPurpose.FEEDBACK)
    else:
        purposes = ()
    return tuple(purpose for purpose in purposes if purpose not in issued)


@dataclass
class Rendered:
    title: str
    html: str
    pdf: bytes
    signatory: object

    @property
    def sha256(self):
        return hashlib.sha256(self.pdf).hexdigest()


def letter_context(
    case,
    purpose,
    *,
    concern=None,
    response=None,
    about=None,
    register_event=None,
    signatory=None,
    when=None,
):
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
            context["against_recommendation"] = decided_against_recommendation(case)
    elif purpose == LetterPurpose.SCREENING:
        screening = screening_of(case)
        context["screening"] = screening
        context["signatory"] = screening.signatory if screening else None
    elif purpose == LetterPurpose.CONCERN_RESPONSE:
        context["concern"] = concern
        context["response"] = response
        context["about"] = about
    elif register_event is not None:
        context.update(revocation_context(register_event))
    return context


def decided_against_recommendation(case):
    """Whether the case was decided not accredited although its assessment
    recommended accrediting it: its letter then gives the decision's
    reasons as the result, not criteria left unmet."""
    from assessments.models.scoring import RecommendationChoice
    from assessments.queries.scoring import latest_completed_recommendation

    recommendation = latest_completed_recommendation(case)
    return (
        recommendation is not None
        and recommendation.recommendation == RecommendationChoice.ACCREDIT
    )


def revocation_context(event):
    """What a revocation letter tells, from the register's step as it was
    recorded (the entry may have moved on since)."""
    entry = event.entry
    details = event.details or {}
    due = details.get("response_due")
    return {
        "entry": entry,
        "accreditation_type": entry.get_accreditation_type_display(),
        "reason": details.get("reason", ""),
        "respond_link": settings.SERVICE_URL + reverse("provider-entry"),
        "step_date": clock.local_date(event.created_at),
        "response_due": clock.local(datetime.fromisoformat(due))
        if due
        else clock.local(
            event.created_at + timedelta(days=policy.current().revocation_response_days)
        ),
    }


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


def render_concern_response(case, *, concern, response, signatory, about=None, when=None):
    """The response to a concern that was not upheld (its text), signed by
    whoever decided the concern; ``about``: the letter it was about."""
    return render(
        case,
        LetterPurpose.CONCERN_RESPONSE,
        concern=concern,
        response=response,
        about=about,
        signatory=signatory,
        when=when,
    )


def owed_purpose(case):
    """The letter the case is owed now, or None."""
    return PURPOSE_BY_STATUS.get(case.status)


def _locked_case(case_id):
    Proposal = apps.get_model("proposals", "Proposal")
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("organisation", "round", "window")
        .filter(pk=case_id)
        .first()
    )


def _store(case, purpose, rendered, when, *, decision_round=0, concern=None, register_event=None):
    """Store the rendered letter as issued, put it on the case's timeline and
    e-mail its link, in the caller's transaction (the case's row locked).
    Behind the lock the unique (case, occasion) makes a second one fail:
    then the first is returned."""
    occasion = occasion_of(
        purpose,
        decision_round=decision_round,
        concern_id=concern.pk if concern else None,
        register_event_id=register_event.pk if register_event else None,
    )
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                case=case,
                purpose=purpose,
                occasion=occasion,
                decision_round=decision_round,
                concern=concern,
                register_event=register_event,
                created_at=when,
                issued_at=when,
                pdf=rendered.pdf,
                sha256=rendered.sha256,
                signatory=rendered.signatory,
            )
    except IntegrityError:
        return Letter.objects.get(case=case, occasion=occasion)
    timeline.append(
        case,
        action="letter_issued",
        actor=None,
        details={
            "letter": letter.pk,
            "purpose": purpose,
            "name": letter.get_purpose_display(),
            "occasion": occasion,
            "sha256": letter.sha256,
        },
        when=when,
    )
    _email_contacts(case, letter)
    return letter


def issue(case_id):
    """Issue the letter ``case_id`` is owed now, once per decision round.
    Returns the letter (new or already issued), or None when the case is
    owed none."""
    with transaction.atomic():
        case = _locked_case(case_id)
        purpose = owed_purpose(case) if case is not None else None
        if purpose is None:
            return None
        current = decision_round(case.pk)
        same = DECISION_PURPOSES if purpose in DECISION_PURPOSES else (purpose,)
        existing = Letter.objects.filter(
            case=case, purpose__in=same, decision_round=current
        ).first()
        if existing is not None:
            return existing
        if purpose == LetterPurpose.FEEDBACK and not letter_feedback(case):
            return None  # issued once the feedback it is built from is there
        now = clock.now()
        rendered = render(case, purpose, when=now)
        return _store(case, purpose, rendered, now, decision_round=current)


def issue_concern_response(concern_id):
    """Issue the response letter of a concern not upheld, once, signed by
    whoever decided it. Returns the letter, or None if it is owed none."""
    case_id = Concern.objects.filter(pk=concern_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return None
    with transaction.atomic():
        case = _locked_case(case_id)
        concern = (
            Concern.objects.select_related("decided_by", "letter")
            .filter(pk=concern_id, state=ConcernState.NOT_UPHELD)
            .first()
        )
        if concern is None:
            return None
        existing = Letter.objects.filter(concern=concern).first()
        if existing is not None:
            return existing
        now = clock.now()
        rendered = render_concern_response(
            case,
            concern=concern.text,
            response=concern.response,
            about=concern.letter,
            signatory=concern.decided_by,
            when=now,
        )
        return _store(
            case,
            LetterPurpose.CONCERN_RESPONSE,
            rendered,
            now,
            decision_round=concern.letter.decision_round,
            concern=concern,
        )


def _register_steps():
    return apps.get_model("register", "RegisterEvent").objects.filter(
        kind__in=list(PURPOSE_OF_REGISTER_STEP)
    )


def issue_revocation_letter(register_event_id, when=None):
    """Issue the letter of a step of revocation (the notice, the
    revocation), once, signed by the official who took it, on the case the
    register entry stands on, now (or ``when``: the demo's past steps had
    theirs then). Returns the letter, or None."""
    event = _register_steps().select_related("entry", "actor").filter(pk=register_event_id).first()
    if event is None:
        return None
    with transaction.atomic():
        case = _locked_case(event.case_id or event.entry.case_id)
        existing = Letter.objects.filter(register_event=event).first()
        if existing is not None:
            return existing
        now = when or clock.now()
        purpose = PURPOSE_OF_REGISTER_STEP[event.kind]
        rendered = render(case, purpose, when=now, register_event=event, signatory=event.actor)
        return _store(
            case,
            purpose,
            rendered,
            now,
            decision_round=decision_round(case.pk),
            register_event=event,
        )


EMAIL_OF_PURPOSE = {
    LetterPurpose.REVOCATION_NOTICE: "feedback/revocation_notice",
    LetterPurpose.REVOCATION: "feedback/revocation",
}
"""A step of revocation is told in one e-mail, its letter's: what the step
means for the provider (the reason, the time to respond, the register) and
the link to the letter. Every other letter's e-mail is ``letter_issued``."""


def _email_contacts(case, letter):
    link = settings.SERVICE_URL + reverse("proposal-status", kwargs={"pk": case.pk})
    context = {
        "case": case,
        "letter": letter,
        "link": link,
        "check_link": settings.SERVICE_URL + reverse("letter-check"),
    }
    if letter.register_event is not None:
        context.update(revocation_context(letter.register_event))
    emails.queue(
        EMAIL_OF_PURPOSE.get(letter.purpose, "feedback/letter_issued"),
        context,
        contact_addresses(case.organisation_id),
        key=f"letter:{case.pk}:{letter.occasion}",
    )


def issue_many(case_ids):
    """Issue every letter the cases are owed; returns how many were new."""
    return _count_new(issue, case_ids, "case_id")


def _count_new(function, ids, field):
    """Run ``function`` on each of ``ids``; how many letters (whose
    ``field`` is the id) are new."""
    issued = 0
    for pk in ids:
        before = Letter.objects.filter(**{field: pk}).count()
        function(pk)
        issued += Letter.objects.filter(**{field: pk}).count() - before
    return issued


def issue_concern_responses(concern_ids):
    return _count_new(issue_concern_response, concern_ids, "concern_id")


def issue_revocation_letters(register_event_ids):
    return _count_new(issue_revocation_letter, register_event_ids, "register_event_id")


BEFORE_ANY_CONCERN = Value(datetime(1970, 1, 1, tzinfo=UTC), output_field=DateTimeField())


def owed_cases():
    """Cases owed a letter of their decision round they have not been
    issued: the sweeper's work, so a lost task message costs a minute,
    never a letter."""
    Proposal = apps.get_model("proposals", "Proposal")
    FeedbackApproval = apps.get_model("advisory_group", "FeedbackApproval")
    owed = Q(pk__in=[])
    for status, purpose in PURPOSE_BY_STATUS.items():
        same = DECISION_PURPOSES if purpose in DECISION_PURPOSES else (purpose,)
        issued = Letter.objects.filter(
            case=OuterRef("pk"), purpose__in=same, decision_round=OuterRef("decision_round")
        )
        ready = Q(status=status) & ~Exists(issued)
        if purpose == LetterPurpose.FEEDBACK:
            # Not owed until the feedback it carries is approved (since the
            # last upheld concern): a case waiting for that must not hold up
            # the sweeper's batch.
            approved = FeedbackApproval.objects.filter(
                case=OuterRef("pk"), approved_at__gt=OuterRef("since")
            )
            ready &= Exists(approved)
        owed |= ready
    upheld = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.UPHOLD_CONCERN).order_by(
        "-sequence"
    )
    return (
        Proposal.objects.filter(status__in=list(PURPOSE_BY_STATUS))
        .annotate(
            decision_round=decision_round_of_outer_case(),
            since=Coalesce(Subquery(upheld.values("created_at")[:1]), BEFORE_ANY_CONCERN),
        )
        .filter(owed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def owed_concern_responses():
    """Concerns not upheld whose response letter has not been issued."""
    answered = Letter.objects.filter(concern=OuterRef("pk"))
    return (
        Concern.objects.filter(state=ConcernState.NOT_UPHELD)
        .filter(~Exists(answered))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def owed_revocation_letters():
    """Steps of revocation whose letter has not been issued."""
    told = Letter.objects.filter(register_event=OuterRef("pk"))
    return _register_steps().filter(~Exists(told)).order_by("pk").values_list("pk", flat=True)


def record_download(letter, user):
    """Each download of an issued letter, by the applicant or staff, is on
    the case's timeline: who, when, which letter."""
    timeline.record(
        letter.case,
        "letter_downloaded",
        user,
        details={
            "letter": letter.pk,
            "purpose": letter.purpose,
            "name": letter.get_purpose_display(),
            "occasion": letter.occasion,
        },
    )


def verify(data):
    """The letter whose issued PDF is exactly ``data``, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return Letter.objects.select_related("case").filter(sha256=digest).first()


@dataclass(frozen=True)
class Overtaken:
    """What has since overtaken an issued letter: ``kind`` "withdrawn" (a
    notice of revocation withdrawn) or "upheld" (a concern about the letter
    upheld, and the proposal looked at again), on ``at``."""

    kind: str
    at: datetime


def overtaken(letters, concerns=None):
    """{letter pk: Overtaken} for those of ``letters`` that something has
    overtaken since they were issued, so that nobody reads one as standing:
    a notice withdrawn before a revocation; a screening or feedback letter
    whose concern was upheld (among ``concerns``, the case's, where a page
    has read them already)."""
    about = [letter.pk for letter in letters if letter.purpose in CONCERN_PURPOSES]
    if concerns is None:
        concerns = Concern.objects.filter(letter__in=about).only("letter_id", "state", "decided_at")
    found = {
        concern.letter_id: Overtaken("upheld", concern.decided_at)
        for concern in concerns
        if concern.state == ConcernState.UPHELD and concern.letter_id in about
    }
    RegisterEvent = apps.get_model("register", "RegisterEvent")
    for letter in letters:
        if letter.purpose != LetterPurpose.REVOCATION_NOTICE or letter.register_event_id is None:
            continue
        notice = RegisterEvent.objects.only("entry_id", "created_at").get(
            pk=letter.register_event_id
        )
        outcome = (
            RegisterEvent.objects.filter(
                entry_id=notice.entry_id,
                created_at__gte=notice.created_at,
                kind__in=(NOTICE_WITHDRAWN, REVOKED),
            )
            .exclude(pk=notice.pk)
            .order_by("created_at", "pk")
            .only("kind", "created_at")
            .first()
        )
        if outcome is not None and outcome.kind == NOTICE_WITHDRAWN:
            found[letter.pk] = Overtaken("withdrawn", outcome.created_at)
    return found


@dataclass(frozen=True)
class Standing:
    """What has happened since a letter checked was issued, as the public
    may know it: a later letter about its case (never a notice of
    revocation: the register keeps notices to the provider), what overtook
    the letter itself, and for a decision to accredit, whether the provider
    is on the register now."""

    later: object = None
    entry: object = None
    left: object = None
    """The register event by which the provider left the register, if it has."""
    overtaken: Overtaken | None = None


def standing(letter):
    later = (
        Letter.objects.filter(case_id=letter.case_id, issued_at__gt=letter.issued_at)
        .exclude(purpose=LetterPurpose.REVOCATION_NOTICE)
        .defer("pdf")
        .order_by("-issued_at", "-pk")
        .first()
    )
    entry = left = None
    if letter.purpose == LetterPurpose.DECISION:
        entry = (
            RegisterEntry.objects.filter(organisation_id=letter.case.organisation_id)
            .only("pk", "name", "state")
            .first()
        )
        if entry is not None and not entry.is_public:
            left = departure(entry)
    return Standing(
        later=later, entry=entry, left=left, overtaken=overtaken([letter]).get(letter.pk)
    )


def find(reference, sha256):
    """The letter of the case ``reference`` with the hash ``sha256``, or None."""
    return (
        Letter.objects.select_related("case")
        .filter(case__reference__iexact=reference.strip(), sha256=sha256.strip().lower())
        .first()
    )
