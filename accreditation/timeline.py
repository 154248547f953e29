"""Writing and checking the case timeline.

Every event's hash covers its content and the previous event's hash, so a
changed, removed or reordered row breaks the chain from that point on. Each
case row keeps its chain head (last sequence and hash), written with every
event, so events removed from the end show too. Once a day every head is
anchored under an HMAC whose key is outside the database, so a chain
rewritten and recomputed by someone who can write the database shows as well.
"""

import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from accreditation import clock, events
from accreditation.models import CaseEvent
from accreditation.models.timeline import GENESIS_HASH, TimelineAnchor
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
    """An unsaved event chained after ``prev_hash``, with its hash set. Its
    ``action`` must be a registered event type (``accreditation.events``)."""
    events.get(action)
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
    """Append an event to a case whose row the caller has locked and read
    after the lock (``case`` is that row), and move the case's chain head to
    the new event in the same transaction."""
    event = new_event(
        case,
        sequence=case.timeline_sequence + 1,
        prev_hash=case.timeline_hash,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        details=details,
        internal=internal,
        when=when,
    )
    event.save(force_insert=True)
    case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
    type(case).objects.filter(pk=case.pk).update(
        timeline_sequence=event.sequence, timeline_hash=event.hash
    )
    return event


def record(case, action, actor, *, details=None, internal=False):
    """Record something that happened to a case without changing its status
    (an assignment, a download). Locks the case so the chain stays linear."""
    with transaction.atomic():
        locked = type(case).objects.select_for_update(of=("self",)).get(pk=case.pk)
        event = append(locked, action=action, actor=actor, details=details, internal=internal)
    case.timeline_sequence, case.timeline_hash = locked.timeline_sequence, locked.timeline_hash
    return event


@dataclass
class Break:
    case_id: int
    sequence: int
    problem: str

    def __str__(self):
        return f"case {self.case_id}, event {self.sequence}: {self.problem}"


@dataclass
class AnchorBreak:
    date: date
    problem: str

    def __str__(self):
        return f"anchor of {self.date}: {self.problem}"


def verify(events, anchored=None, anchored_on=None):
    """Yield every break in ``events`` (ordered by case then sequence).

    ``anchored`` maps case ids to the ``(sequence, hash)`` an anchor taken on
    ``anchored_on`` recorded: the event at that sequence must still have that
    hash. A chain rewritten and recomputed so that it links up again is found
    here, since an intact chain ending in the anchored hash is the anchored
    chain; events after the anchored sequence are covered by the chain alone.
    """
    pending = dict(anchored or {})
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
        head = pending.get(event.case_id)
        if head and head[0] == event.sequence:
            del pending[event.case_id]
            if head[1] != event.hash:
                yield Break(
                    event.case_id,
                    event.sequence,
                    f"differs from the anchor of {anchored_on}: the chain was rewritten",
                )
        expected_prev = event.hash
        expected_sequence = event.sequence + 1
    for missing_case, (sequence, _hash) in sorted(pending.items()):
        yield Break(missing_case, sequence, f"is missing but the anchor of {anchored_on} has it")


def case_model():
    """The case model, reached through the timeline's foreign key: the spine
    imports no app."""
    return CaseEvent._meta.get_field("case").related_model


def case_mismatches(cases):
    """Yield a Break for each case whose chain head is not its last event, or
    whose status is not the one its last status-changing event moved it to:
    the signs of events removed from the end of a timeline (with or without
    a change of status), and of a status written behind the workflow's back,
    which the chain alone cannot show."""
    latest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-sequence")
    rows = (
        cases.annotate(
            recorded=Subquery(latest.exclude(to_status="").values("to_status")[:1]),
            last=Subquery(latest.values("sequence")[:1]),
            last_hash=Subquery(latest.values("hash")[:1]),
        )
        .values_list(
            "pk", "status", "recorded", "timeline_sequence", "timeline_hash", "last", "last_hash"
        )
        .iterator(chunk_size=2000)
    )
    for pk, status, recorded, head, head_hash, last, last_hash in rows:
        last, last_hash = last or 0, last_hash or GENESIS_HASH
        if head != last:
            yield Break(
                pk, last, f"the case records event {head} as its last but its timeline ends here"
            )
        elif head_hash != last_hash:
            yield Break(pk, last, "the case's record of its last event does not match its hash")
        if (recorded or INITIAL_STATUS) != status:
            yield Break(
                pk,
                last,
                f"the case is ‘{status}’ but its timeline last moved it to "
                f"‘{recorded or INITIAL_STATUS}’",
            )


# --- Anchors ---------------------------------------------------------------


def anchor_key():
    key = settings.TIMELINE_ANCHOR_KEY
    if not key:
        raise ImproperlyConfigured("Set TIMELINE_ANCHOR_KEY to anchor the case timeline.")
    return key


def take_anchor():
    """Record every case's chain head for today (Europe/London) under an HMAC.
    Once a day: a later call the same day returns the day's anchor. Returns
    ``(anchor, created)``."""
    key = anchor_key()
    day = clock.today()
    existing = TimelineAnchor.objects.filter(date=day).first()
    if existing:
        return existing, False
    heads = (
        case_model()
        .objects.filter(timeline_sequence__gt=0)
        .order_by("pk")
        .values_list("pk", "timeline_sequence", "timeline_hash")
    )
    anchor = TimelineAnchor(
        date=day,
        taken_at=clock.now(),
        heads={str(pk): [sequence, hash_] for pk, sequence, hash_ in heads.iterator(5000)},
        previous_mac=TimelineAnchor.objects.filter(date__lt=day)
        .order_by("-date")
        .values_list("mac", flat=True)
        .first()
        or "",
    )
    anchor.mac = anchor.compute_mac(key)
    try:
        with transaction.atomic():
            anchor.save(force_insert=True)
    except IntegrityError:  # another run wrote the day's anchor first
        return TimelineAnchor.objects.get(date=day), False
    return anchor, True


def check_anchors(anchors):
    """Check each anchor (oldest first): its MAC verifies under the key, and it
    follows the anchor before it. Returns ``(breaks, newest)``, ``newest`` the
    latest anchor whose MAC verifies (or None), the one to check events by."""
    key = anchor_key()
    breaks, newest, previous_mac = [], None, ""
    for anchor in anchors:
        if not hmac.compare_digest(anchor.compute_mac(key), anchor.mac):
            breaks.append(AnchorBreak(anchor.date, "its MAC does not verify: forged or changed"))
        else:
            newest = anchor
        if anchor.previous_mac != previous_mac:
            breaks.append(AnchorBreak(anchor.date, "does not follow the anchor before it"))
        previous_mac = anchor.mac
    return breaks, newest
