"""Writing and checking the case timeline.

Every event's hash covers its content and the previous event's hash, so a
changed, removed or reordered row breaks the chain from that point on.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from accreditation import clock
from accreditation.models import CaseEvent
from accreditation.models.timeline import GENESIS_HASH
from accreditation.workflow import Status

INITIAL_STATUS = Status.DRAFT.value


def new_event(
    case,
    *,
    sequence,
    prev_hash,
    action,
    actor,
    from_status="",
    to_status="",
    details=None,
    internal=False,
    when=None,
):
    """An unsaved event chained after ``prev_hash``, with its hash set."""
    event = CaseEvent(
        case=case,
        sequence=sequence,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        details=details or {},
        internal=internal,
        created_at=when or clock.now(),
        prev_hash=prev_hash or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    return event


def append(
    case, *, action, actor, from_status="", to_status="", details=None, internal=False, when=None
):
    """Append an event to a case whose row the caller has locked."""
    last = (
        CaseEvent.objects.filter(case=case).order_by("-sequence").values("sequence", "hash").first()
    )
    event = new_event(
        case,
        sequence=(last["sequence"] + 1) if last else 1,
        prev_hash=last["hash"] if last else None,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        details=details,
        internal=internal,
        when=when,
    )
    event.save(force_insert=True)
    return event


def record(case, action, actor, *, details=None, internal=False):
    """Record something that happened to a case without changing its status
    (an assignment, a download). Locks the case so the chain stays linear."""
    with transaction.atomic():
        type(case).objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
        return append(case, action=action, actor=actor, details=details, internal=internal)


@dataclass
class Break:
    case_id: int
    sequence: int
    problem: str

    def __str__(self):
        return f"case {self.case_id}, event {self.sequence}: {self.problem}"


def verify(events):
    """Yield every break in ``events`` (ordered by case then sequence)."""
    case_id = None
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    for event in events:
        if event.case_id != case_id:
            case_id, expected_prev, expected_sequence = event.case_id, GENESIS_HASH, 1
        if event.sequence != expected_sequence:
            yield Break(event.case_id, event.sequence, f"expected event {expected_sequence}")
        if event.prev_hash != expected_prev:
            yield Break(event.case_id, event.sequence, "does not follow the previous event")
        if event.compute_hash() != event.hash:
            yield Break(event.case_id, event.sequence, "its content does not match its hash")
        expected_prev = event.hash
        expected_sequence = event.sequence + 1


def status_mismatches(cases):
    """Yield a Break for each case whose status is not the one its last
    status-changing event moved it to: the sign of events removed from the
    end of a timeline, which the chain alone cannot show."""
    last_status = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .exclude(to_status="")
        .order_by("-sequence")
        .values("to_status")[:1]
    )
    last_sequence = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-sequence")
    rows = (
        cases.annotate(
            recorded=Subquery(last_status), last=Subquery(last_sequence.values("sequence")[:1])
        )
        .values_list("pk", "status", "recorded", "last")
        .iterator(chunk_size=2000)
    )
    for pk, status, recorded, last in rows:
        if (recorded or INITIAL_STATUS) != status:
            yield Break(
                pk,
                last or 0,
                f"the case is ‘{status}’ but its timeline last moved it to "
                f"‘{recorded or INITIAL_STATUS}’",
            )
