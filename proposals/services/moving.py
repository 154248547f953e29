"""Moving the drafts of a cancelled round to another round that is open:
all of them at once by a casework officer, or one by a member of its
organisation. The draft keeps everything written in it; where the other
round uses another version of the criteria, each answer follows its
criterion's code. Each move is on the case's timeline, and the
organisation's contacts are told by email once it commits."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from accreditation import clock, emails, timeline
from accreditation.access import require
from accreditation.models import Criterion, Round
from accreditation.models.organisations import contact_addresses
from accreditation.queries.conflicts import conflicted_q
from accreditation.services import activity
from accreditation.workflow import Status
from proposals.models import Proposal


class MoveError(Exception):
    """The move is refused; the message says why."""


@dataclass
class MoveResult:
    moved: list = field(default_factory=list)
    left: list = field(default_factory=list)
    """(draft, why) for each draft that was not moved."""


def rounds_to_move_to(proposal, when=None):
    """The rounds open now that take the draft's type, soonest deadline first."""
    return [
        r
        for r in Round.objects.open_at(when or clock.now())
        .exclude(pk=proposal.round_id)
        .order_by("deadline")
        if r.accepts(proposal.accreditation_type)
    ]


def is_movable(proposal):
    """A draft whose round was cancelled."""
    return (
        proposal.status == Status.DRAFT
        and proposal.round_id is not None
        and proposal.round.cancelled_at is not None
    )


def move_draft(proposal, target, actor):
    """A member of the draft's organisation moves it to ``target``."""
    require(actor, "proposals.view_proposal", proposal)
    with transaction.atomic():
        locked = _lock(Proposal.objects.filter(pk=proposal.pk))
        if not locked:
            raise MoveError("This proposal can no longer be moved.")
        why = _move(locked[0], _check_target(target), actor)
        if why:
            raise MoveError(why)
    return locked[0]


def move_drafts(officer, source, target):
    """A casework officer moves every draft of the cancelled round
    ``source`` to ``target``, but for drafts of organisations they are in
    conflict with (another officer moves those) and drafts that cannot go
    there, each left with the reason."""
    require(officer, "accreditation.manage_rounds")
    result = MoveResult()
    with transaction.atomic():
        source = Round.objects.get(pk=source.pk)
        if source.cancelled_at is None:
            raise MoveError("Only the drafts of a cancelled round can be moved.")
        target = _check_target(target)
        drafts = Proposal.objects.filter(round=source, status=Status.DRAFT)
        conflicted = set(drafts.filter(conflicted_q(officer)).values_list("pk", flat=True))
        for draft in _lock(drafts):
            if draft.pk in conflicted:
                result.left.append(
                    (draft, "You have a conflict of interest with this organisation")
                )
                continue
            why = _move(draft, target, officer)
            if why:
                result.left.append((draft, why))
            else:
                result.moved.append(draft)
        if result.moved:
            activity.record(
                officer,
                "round_drafts_moved",
                source,
                {"drafts moved": [None, len(result.moved)], "to": [None, str(target)]},
            )
    return result


def _lock(queryset):
    return list(
        queryset.select_for_update(of=("self",))
        .select_related("organisation", "round")
        .order_by("pk")
    )


def _check_target(target):
    locked = Round.objects.select_for_update(no_key=True).filter(pk=target.pk).first()
    if locked is None or not locked.is_open():
        raise MoveError("Choose a round that is open now.")
    return locked


def _move(draft, target, actor):
    """Move one locked draft; the reason it cannot move, or None."""
    if not is_movable(draft):
        return "It is not a draft of a cancelled round"
    if not target.accepts(draft.accreditation_type):
        return f"The {target} round does not take {draft.accreditation_type.upper()} proposals"
    source = draft.round
    try:
        with transaction.atomic():
            Proposal.objects.filter(pk=draft.pk).update(round=target, framework=target.framework)
    except IntegrityError:
        return (
            f"The organisation already has an {draft.accreditation_type.upper()} proposal in "
            f"the {target} round"
        )
    if draft.framework_id != target.framework_id:
        _answers_follow_their_codes(draft, target.framework_id)
    draft.round, draft.framework_id = target, target.framework_id
    timeline.append(
        draft,
        action="moved_to_round",
        actor=actor,
        details={"from": str(source), "to": str(target)},
    )
    _tell_contacts(draft, source, target)
    return None


def _answers_follow_their_codes(draft, framework_id):
    """Point each answer at the criterion of the same code in the new
    framework; an answer whose code it no longer has stays as written."""
    by_code = {c.code: c.pk for c in Criterion.objects.filter(part__framework_id=framework_id)}
    for answer in draft.answers.select_related("criterion"):
        if answer.criterion.code in by_code:
            answer.criterion_id = by_code[answer.criterion.code]
            answer.save(update_fields=["criterion"])


def _tell_contacts(draft, source, target):
    recipients = contact_addresses(draft.organisation_id)
    if not recipients:
        return
    emails.queue(
        "proposals/moved",
        {"proposal": draft, "source": source, "target": target},
        recipients,
        key=f"moved:{draft.pk}:{target.pk}",
    )
