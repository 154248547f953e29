"""Records retention: what of a closed case is past its retention period,
and removing it (``manage.py apply_retention``).

A case is closed when it is decided (accredited or not), screened out,
withdrawn or lapsed; its records of each type are kept for that type's
period (``policy.retention_for``: seven years by default) after the day it
was closed, the day its timeline last moved its status. A case that moves
again (a concern upheld) is open and keeps everything.

The record types removed, each held outside the timeline:

- ``answers``: the applicant's answers to the criteria, and a diocese's
  statement about new faith provision;
- ``documents``: the supporting documents (the rows and the stored files);
- ``information_requests``: the applicant's answers to information
  requests, and the documents sent with them (the questions, written by
  staff, stay);
- ``letters``: the PDFs of the letters issued (each letter's row, purpose,
  date and SHA-256 stay, so the public check can still say it was issued);
- ``profile``: the organisation's profile as the proposal was submitted
  with it (``Proposal.submitted_profile``; the case then shows the
  organisation's own, live record, which is not the case's to remove);
- ``co_partner_contact``: the name and e-mail address of the co-partner's
  contact (the co-partner's name, kind and identifier stay).

Beside the cases, the register, whose entries' records are kept for their
type's period after the entry's end or the change's decision:

- ``revocation_responses``: the text of a provider's responses to a notice
  of revocation (``register.NoticeResponse``; the entry's history records
  only that it responded, who and when), from the day the entry was
  revoked, or removed when its decision was corrected;
- ``co_partner_changes``: in a provider's change of educational
  co-partner, the co-partner's contact's name and e-mail address and its
  answers to the Part Two criteria, from the day the casework officer
  decided it (the co-partner's name, kind and identifier, and the officer's
  scores and reason, stay).

Removing them appends a ``records_removed`` event to the entry's history
(which is append-only, and not hash-chained: it has no chain to check),
saying what was removed and under which periods.

Beside the cases and the register, the outbox: a copy of every e-mail the service sent, with
its recipient and whatever personal data it carried. A message belongs to
no one case, so its period runs from when it was sent (or given up on as
failed), never later than from its case's decision: ``emails`` past
``policy.retention_for("emails")`` years are deleted. A message still
waiting to be sent is never past retention.

The timeline is not touched: its events are append-only, the database
refuses to change or delete them, and they are the audit of who did what
and when, which outlives the records. They hold no answer or document,
only references to them. Removing the records appends one more event to
the case's timeline, ``records_removed`` (the tombstone): what was removed,
how many, and under which periods. It is chained like every other event,
so the chain check and ``verify_timeline`` accept it and still find any
change to the events before it.
"""

from dataclasses import dataclass, field
from datetime import date, time

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from accreditation import clock, policy, timeline
from accreditation.models import CaseEvent
from accreditation.workflow import Status

CLOSED = (
    Status.ACCREDITED,
    Status.NOT_ACCREDITED,
    Status.CLOSED_INELIGIBLE,
    Status.WITHDRAWN,
    Status.LAPSED,
)

CASE_RECORD_TYPES = {
    "answers": "Answers to the criteria",
    "documents": "Supporting documents",
    "information_requests": "Answers and documents sent to information requests",
    "letters": "PDFs of the letters issued",
    "profile": "The organisation's profile as submitted",
    "co_partner_contact": "The co-partner's contact details",
}

REGISTER_RECORD_TYPES = {
    "revocation_responses": "Responses to notices of revocation",
    "co_partner_changes": "Co-partners' contact details and answers in changes of co-partner",
}

RECORD_TYPES = {**CASE_RECORD_TYPES, **REGISTER_RECORD_TYPES}

ENDED_ENTRY = ("revoked", "removed")
"""The register entry states (and the history's event kinds that lead to
them) that end an entry: ``register.models.EntryState.REVOKED`` and
``REMOVED``. A reinstated entry is current again, and keeps its records."""

EMAILS = "emails"
"""The outbox's record type, for ``policy.retention_for``."""


def _model(label):
    return apps.get_model(*label.split("."))


def years_before(day, years):
    """``day`` ``years`` years earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _holding():
    """{record type: [Exists, ...]}: whether a case still holds records of
    each type (any of the Exists)."""
    case = OuterRef("pk")
    return {
        "answers": [Exists(_model("proposals.Answer").objects.filter(proposal=case))],
        "documents": [Exists(_model("proposals.Evidence").objects.filter(proposal=case))],
        "information_requests": [
            Exists(
                _model("assessments.RequestQuestion")
                .objects.filter(request__case=case)
                .exclude(answer="")
            ),
            Exists(_model("assessments.RequestDocument").objects.filter(request__case=case)),
        ],
        "letters": [
            Exists(
                _model("feedback.Letter")
                .objects.filter(case=case, issued_at__isnull=False)
                .exclude(pdf=b"")
            )
        ],
        "profile": [
            Exists(
                _model("proposals.Proposal").objects.filter(
                    pk=case, submitted_profile__isnull=False
                )
            )
        ],
        "co_partner_contact": [
            Exists(
                _model("proposals.CoPartner")
                .objects.filter(proposal=case)
                .exclude(contact_name="", contact_email="")
            )
        ],
    }


@dataclass
class Due:
    """A case with records past retention, and which types."""

    case: object
    closed_on: date
    record_types: list = field(default_factory=list)


def past_retention(today=None):
    """[Due] of every closed case holding records past their period, oldest
    closed first: one query."""
    today = today or clock.today()
    rules = policy.current()
    Proposal = _model("proposals.Proposal")
    closed_at = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .exclude(to_status="")
        .order_by("-sequence")
        .values("created_at")[:1]
    )
    holding = {
        f"holds_{kind}_{index}": exists
        for kind, checks in _holding().items()
        for index, exists in enumerate(checks)
    }
    cases = (
        Proposal.objects.filter(status__in=CLOSED)
        .annotate(closed_at=Subquery(closed_at))
        .annotate(**holding)
        .select_related("organisation")
        .order_by("closed_at", "pk")
    )
    earliest = max(years_before(today, rules.retention_for(kind)) for kind in CASE_RECORD_TYPES)
    found = []
    for case in cases.filter(closed_at__lt=clock.at(earliest, time.min)).iterator(1000):
        closed_on = clock.local_date(case.closed_at)
        kinds = [
            kind
            for kind in CASE_RECORD_TYPES
            if any(getattr(case, name) for name in holding if name.startswith(f"holds_{kind}_"))
            and closed_on < years_before(today, rules.retention_for(kind))
        ]
        if kinds:
            found.append(Due(case, closed_on, kinds))
    return found


def remove(due):
    """Remove ``due``'s records of its types and leave the tombstone on its
    timeline, in one transaction; stored files are deleted once it commits.
    Returns the counts removed per type."""
    Proposal = _model("proposals.Proposal")
    rules = policy.current()
    files = []
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).get(pk=due.case.pk)
        if locked.status not in CLOSED:
            return {}
        removed = {kind: _REMOVERS[kind](locked, files) for kind in due.record_types}
        timeline.append(
            locked,
            action="records_removed",
            actor=None,
            details={
                "removed": removed,
                "closed_on": due.closed_on.isoformat(),
                "retention_years": {kind: rules.retention_for(kind) for kind in removed},
            },
        )
        transaction.on_commit(lambda: _delete_files(files))
    return removed


def _delete_files(files):
    for stored in files:
        stored.storage.delete(stored.name)


def _answers(case, files):
    count, _ = _model("proposals.Answer").objects.filter(proposal=case).delete()
    if case.new_provision_statement:
        type(case).objects.filter(pk=case.pk).update(new_provision_statement="")
    return count


def _documents(case, files):
    documents = list(_model("proposals.Evidence").objects.filter(proposal=case))
    files += [document.file for document in documents if document.file]
    _model("proposals.Evidence").objects.filter(pk__in=[d.pk for d in documents]).delete()
    return len(documents)


def _information_requests(case, files):
    RequestDocument = _model("assessments.RequestDocument")
    documents = list(RequestDocument.objects.filter(request__case=case))
    files += [document.file for document in documents if document.file]
    RequestDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
    answers = (
        _model("assessments.RequestQuestion")
        .objects.filter(request__case=case)
        .exclude(answer="")
        .update(answer="")
    )
    return answers + len(documents)


def _letters(case, files):
    # Letter.save() refuses any change to an issued letter; this is the one
    # path that empties its PDF, recorded by the tombstone.
    return (
        _model("feedback.Letter")
        .objects.filter(case=case, issued_at__isnull=False)
        .exclude(pdf=b"")
        .update(pdf=b"")
    )


def _profile(case, files):
    return (
        type(case)
        .objects.filter(pk=case.pk, submitted_profile__isnull=False)
        .update(submitted_profile=None)
    )


def _co_partner_contact(case, files):
    return (
        _model("proposals.CoPartner")
        .objects.filter(proposal=case)
        .exclude(contact_name="", contact_email="")
        .update(contact_name="", contact_email="")
    )


_REMOVERS = {
    "answers": _answers,
    "documents": _documents,
    "information_requests": _information_requests,
    "letters": _letters,
    "profile": _profile,
    "co_partner_contact": _co_partner_contact,
}


@dataclass
class EntryDue:
    """A register entry with records past retention: the responses to its
    notices (pks) and the changes of co-partner (pks) whose records are."""

    entry: object
    responses: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    @property
    def record_types(self):
        return [
            kind
            for kind, held in (
                ("revocation_responses", self.responses),
                ("co_partner_changes", self.changes),
            )
            if held
        ]


def _cutoff(today, kind):
    return clock.at(years_before(today, policy.current().retention_for(kind)), time.min)


def _responses_due(today):
    """The notice responses still holding text whose entry ended before the
    period: a queryset."""
    RegisterEvent = _model("register.RegisterEvent")
    ended_at = (
        RegisterEvent.objects.filter(entry=OuterRef("event__entry"), kind__in=ENDED_ENTRY)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return (
        _model("register.NoticeResponse")
        .objects.filter(removed_at__isnull=True, event__entry__state__in=ENDED_ENTRY)
        .annotate(ended_at=Subquery(ended_at))
        .filter(ended_at__lt=_cutoff(today, "revocation_responses"))
    )


def _changes_due(today):
    """The decided changes of co-partner, decided before the period, whose
    records are not yet removed: a queryset."""
    return _model("register.CoPartnerChange").objects.filter(
        decided_at__lt=_cutoff(today, "co_partner_changes"), records_removed_at__isnull=True
    )


def register_past_retention(today=None):
    """[EntryDue] of every register entry holding records past their
    period, in the register's order: at most three queries."""
    today = today or clock.today()
    found = {}
    for entry_id, response in _responses_due(today).values_list("event__entry_id", "pk"):
        found.setdefault(entry_id, EntryDue(None)).responses.append(response)
    for entry_id, change in _changes_due(today).values_list("entry_id", "pk"):
        found.setdefault(entry_id, EntryDue(None)).changes.append(change)
    if not found:
        return []
    entries = list(_model("register.RegisterEntry").objects.filter(pk__in=found))
    for entry in entries:
        found[entry.pk].entry = entry
    return [found[entry.pk] for entry in entries]


def remove_from_entry(due, today=None):
    """Remove ``due``'s records, those still past their period once the
    entry is locked, and leave the tombstone on its history, in one
    transaction. Returns the counts removed per type."""
    today = today or clock.today()
    RegisterEntry = _model("register.RegisterEntry")
    rules = policy.current()
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=due.entry.pk)
        now = clock.now()
        removed = {}
        # Read again under the lock: an entry reinstated since is kept.
        responses = list(
            _responses_due(today).filter(pk__in=due.responses).values_list("pk", flat=True)
        )
        changes = list(_changes_due(today).filter(pk__in=due.changes).values_list("pk", flat=True))
        if responses:
            removed["revocation_responses"] = (
                _model("register.NoticeResponse")
                .objects.filter(pk__in=responses)
                .update(text="", removed_at=now)
            )
        if changes:
            _model("register.CoPartnerAnswer").objects.filter(change__in=changes).update(text="")
            removed["co_partner_changes"] = (
                _model("register.CoPartnerChange")
                .objects.filter(pk__in=changes)
                .update(contact_name="", contact_email="", records_removed_at=now)
            )
        if removed:
            _model("register.RegisterEvent").objects.create(
                entry=entry,
                kind="records_removed",
                accreditation_type=entry.accreditation_type,
                case=entry.case,
                actor=None,
                details={
                    "removed": removed,
                    "retention_years": {kind: rules.retention_for(kind) for kind in removed},
                },
                created_at=now,
            )
    return removed


def emails_past_retention(today=None):
    """The outbox messages sent, or failed, before their period: a queryset."""
    today = today or clock.today()
    cutoff = clock.at(years_before(today, policy.current().retention_for(EMAILS)), time.min)
    return _model("accreditation.OutboxMessage").objects.filter(
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, failed_at__lt=cutoff)
    )


def remove_emails(today=None):
    """Delete the outbox messages past retention; returns how many."""
    count, _ = emails_past_retention(today).delete()
    return count
