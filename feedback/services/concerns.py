"""Concerns in writing: within the concern period (policy, from the letter)
after a feedback or screening letter, the organisation raises one concern
about it (text and documents), which is stored, on the timeline and
acknowledged by e-mail in one transaction: never silently lost. Someone
with no part in the case decides it: not upheld (a response letter, issued
by the worker as every letter is) or upheld (the case returns through the
workflow's ``uphold_concern``: to screening or to assessment, where its
earlier assessors cannot be assigned again, and is decided and lettered
again)."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accreditation import clock, emails, events, policy, timeline
from accreditation.access import require
from accreditation.events import EventType
from accreditation.models.organisations import contact_addresses
from accreditation.workflow import Action, Status, WorkflowError, move
from feedback.models import (
    CONCERN_MAX_DOCUMENTS,
    CONCERN_PURPOSES,
    CONCERN_TEXT_MAX_CHARS,
    Concern,
    ConcernDocument,
    ConcernState,
    Letter,
)
from feedback.queries.letters import decision_round
from proposals.services.evidence import clean_file_name

events.register(
    EventType("concern_raised", "Concern raised", "You raised a concern"),
    EventType(
        "concern_not_upheld",
        "Concern not upheld",
        "Your concern was not upheld: we have sent our response in a letter",
    ),
    EventType("concern_document_downloaded", "Document sent with a concern downloaded"),
)

CONCERN_STATUSES = (Status.NOT_ACCREDITED, Status.CLOSED_INELIGIBLE)
"""The outcomes an organisation may raise a concern about."""


class ConcernRefused(Exception):
    """A concern, or a decision on one, refused: the message is fit to show
    the person, and ``field`` names the part of the form to fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# --- The period ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernWindow:
    """Where a case stands for concerns: the letter a concern would be
    about, the last day of its period, and the concern raised about it."""

    letter: Letter | None
    ends_on: date | None
    concern: Concern | None
    today: date

    @property
    def applies(self):
        return self.letter is not None

    @property
    def is_open(self):
        return self.letter is not None and self.concern is None and self.today <= self.ends_on

    @property
    def has_ended(self):
        return self.letter is not None and self.concern is None and self.today > self.ends_on


def period_ends_on(letter):
    """The last day (UK time) a concern about ``letter`` can be raised."""
    return clock.local_date(letter.issued_at) + timedelta(days=policy.current().concern_period_days)


def concern_letter(case):
    """The issued feedback or screening letter of the case's standing
    outcome (its current decision round) a concern would be about, or None
    (another outcome, or no letter yet)."""
    if case.status not in CONCERN_STATUSES:
        return None
    return (
        Letter.objects.filter(
            case_id=case.pk,
            purpose__in=CONCERN_PURPOSES,
            issued_at__isnull=False,
            decision_round=decision_round(case.pk),
        )
        .defer("pdf")
        .order_by("-issued_at")
        .first()
    )


def window(case, today=None):
    letter = concern_letter(case)
    concern = None
    if letter is not None:
        concern = Concern.objects.filter(letter=letter).first()
    return ConcernWindow(
        letter, period_ends_on(letter) if letter else None, concern, today or clock.today()
    )


def ended_message(state):
    return (
        f"The period for raising a concern ended on {long_date(state.ends_on)}: concerns can "
        f"be raised within {policy.current().concern_period_days} days of the letter, which "
        f"was issued on {long_date(clock.local_date(state.letter.issued_at))}"
    )


def long_date(day):
    return f"{day.day} {day:%B %Y}"


# --- Raising a concern ------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file checked by ``proposals.services.evidence.validate_upload``."""

    file: object
    content_type: str
    sha256: str


def _check_text(text, field="text", what="your concern"):
    text = (text or "").strip()
    if not text:
        raise ConcernRefused(f"Enter {what}", field=field)
    if len(text) > CONCERN_TEXT_MAX_CHARS:
        raise ConcernRefused(
            f"{what.capitalize()} must be {CONCERN_TEXT_MAX_CHARS:,} characters or fewer",
            field=field,
        )
    return text


def _locked_case(case):
    return (
        type(case)
        .objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=case.pk)
    )


def raise_concern(case, actor, text, uploads=()):
    """Raise a concern about the case's letter, with documents (checked
    uploads). Refused (``ConcernRefused``, nothing written) outside the
    period, where there is no letter to raise one about, or when one was
    raised already. Returns the concern."""
    require(actor, "feedback.raise_concern", case)
    text = _check_text(text)
    uploads = list(uploads)
    if len(uploads) > CONCERN_MAX_DOCUMENTS:
        raise ConcernRefused(
            f"You can send up to {CONCERN_MAX_DOCUMENTS} documents with a concern",
            field="documents",
        )
    stored = []
    try:
        with transaction.atomic():
            locked = _locked_case(case)
            state = window(locked)
            if not state.applies:
                raise ConcernRefused(
                    "You can raise a concern only about a feedback or screening letter, once "
                    "it has been issued"
                )
            if state.concern is not None:
                raise ConcernRefused(already_raised_message(state.concern))
            if state.has_ended:
                raise ConcernRefused(ended_message(state))
            try:
                with transaction.atomic():
                    concern = Concern.objects.create(
                        case=locked, letter=state.letter, text=text, raised_by=actor
                    )
            except IntegrityError:
                raise ConcernRefused(
                    "A concern about this letter has just been raised by someone else"
                ) from None
            for upload in uploads:
                document = ConcernDocument(
                    concern=concern,
                    original_name=clean_file_name(upload.file.name),
                    content_type=upload.content_type,
                    size=upload.file.size,
                    sha256=upload.sha256,
                    uploaded_by=actor,
                )
                document.file.save(document.original_name, upload.file, save=False)
                stored.append(document.file.name)
                document.save()
            timeline.append(
                locked,
                action="concern_raised",
                actor=actor,
                details={
                    "concern": concern.pk,
                    "letter": state.letter.pk,
                    "documents": [clean_file_name(upload.file.name) for upload in uploads],
                },
                when=concern.raised_at,
            )
            _acknowledge(locked, concern, actor)
    except Exception:
        storage = ConcernDocument._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise
    return concern


def already_raised_message(concern):
    if concern.is_open:
        return (
            f"You raised a concern about this letter at {clock.describe(concern.raised_at)}. "
            "It is waiting for a decision: you can raise one concern about each letter"
        )
    return (
        "You have already raised a concern about this letter, and it has been decided: "
        "you can raise one concern about each letter"
    )


def _status_link(case):
    return settings.SERVICE_URL + reverse("proposal-status", kwargs={"pk": case.pk})


def _acknowledge(case, concern, actor):
    emails.queue(
        "feedback/concern_raised",
        {"case": case, "concern": concern, "link": _status_link(case)},
        [*contact_addresses(case.organisation_id), actor.email],
        key=f"concern_raised:{concern.pk}",
    )


# --- Deciding a concern -----------------------------------------------------------------


def decide(concern, actor, *, upheld, response):
    """Decide an open concern, as someone with no part in the case. Not
    upheld: the response letter is issued by the worker once this commits.
    Upheld: the case returns through the workflow (to screening, or to
    assessment with new assessors). Returns the concern."""
    require(actor, "feedback.decide_concern", concern.case)
    response = _check_text(
        response,
        field="response",
        what="the response to the organisation" if not upheld else "why the concern is upheld",
    )
    with transaction.atomic():
        locked = _locked_case(concern.case)
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if not concern.is_open:
            raise ConcernRefused(
                f"This concern has already been decided: {concern.get_state_display().lower()}. "
                "Nothing was changed."
            )
        when = clock.now()
        concern.state = ConcernState.UPHELD if upheld else ConcernState.NOT_UPHELD
        concern.decided_by, concern.decided_at, concern.response = actor, when, response
        concern.save(update_fields=["state", "decided_by", "decided_at", "response"])
        if upheld:
            try:
                move(
                    locked,
                    Action.UPHOLD_CONCERN,
                    actor,
                    details={"reason": response, "concern": concern.pk},
                    when=when,
                )
            except WorkflowError as refusal:
                raise ConcernRefused(str(refusal)) from refusal
            _tell_upheld(locked, concern)
        else:
            timeline.append(
                locked,
                action="concern_not_upheld",
                actor=actor,
                details={"concern": concern.pk},
                when=when,
            )
            from feedback.receivers import send_task

            transaction.on_commit(partial(send_task, "issue_concern_responses", [concern.pk]))
    return concern


def _tell_upheld(case, concern):
    emails.queue(
        "feedback/concern_upheld",
        {
            "case": case,
            "concern": concern,
            "again": "screened" if case.status == Status.SUBMITTED else "assessed",
            "link": _status_link(case),
        },
        contact_addresses(case.organisation_id),
        key=f"concern_upheld:{concern.pk}",
    )


# --- Documents -------------------------------------------------------------------------------


def open_document(document, *, user):
    """Open a concern's document for the organisation that sent it or staff
    who may see the concern, with the download on the case timeline."""
    concern = document.concern
    require(user, "feedback.download_concern_document", concern)
    handle = document.file.open("rb")
    timeline.record(
        concern.case,
        "concern_document_downloaded",
        user,
        details={"concern": concern.pk, "document": document.pk, "name": document.original_name},
    )
    return handle


def validate_uploads(files):
    """Check each uploaded file as evidence is checked; ``ValidationError``
    naming the file that is refused."""
    from proposals.services.evidence import validate_upload

    checked = []
    for uploaded in files:
        try:
            content_type, sha256 = validate_upload(uploaded)
        except ValidationError as error:
            raise ValidationError(
                f"{clean_file_name(uploaded.name)}: {error.messages[0]}", code=error.code
            ) from error
        checked.append(Upload(uploaded, content_type, sha256))
    return checked
