"""An accredited provider adds or changes its educational co-partner later
(the prospectus, 2.12: co-partners are not accredited but must meet the
track record criteria).

The provider gives the co-partner's details and its answers to the Part Two
criteria a co-partner answers in a proposal, saved as it goes, and sends
them; one change is open at a time. A casework officer with no conflict
with the provider scores each answer on the framework's scale and records
whether the co-partner meets the track record criteria: if it does, the
entry shows it at once and the entry's history keeps the one before; if it
does not, the provider is told why and the entry is unchanged. The
assessors' scoring pages belong to a case in the workflow, which a change
of co-partner is not, and the SPEC gives this judgement to the casework
officer, so the officer scores.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accreditation import clock, emails
from accreditation.access import require
from accreditation.models import Circumstance, Criterion, Framework
from accreditation.models.organisations import NON_EDUCATIONAL_KINDS, contact_addresses
from accreditation.services import activity
from accreditation.versions import check_version, version_of
from proposals.queries.journey import count_words
from register.models import (
    OPEN_CHANGE_STATES,
    ChangeState,
    CoPartnerAnswer,
    CoPartnerChange,
    CoPartnerScore,
    EventKind,
    RegisterEntry,
    RegisterEvent,
)

DETAIL_FIELDS = (
    "name",
    "kind",
    "identifier",
    "local_authority",
    "contact_name",
    "contact_email",
    "role_in_partnership",
)


class CoPartnerError(Exception):
    """The step cannot be taken; the message says why."""


class StaleAnswer(CoPartnerError):
    def __init__(self, current, actor):
        who = (
            "You saved this answer in another tab or window"
            if current is not None and current.updated_by_id == actor.pk
            else "Someone else saved this answer"
        )
        super().__init__(
            f"{who} while you were editing it here. That version is shown on this page: check it, "
            "then save again to replace it."
        )
        self.current = current


class AlreadyDecided(CoPartnerError):
    """Another officer recorded the outcome first."""


class ChangeInProgress(CoPartnerError):
    """The provider has a change open already (``change``)."""

    def __init__(self, change):
        who = change.started_by.full_name or change.started_by.email
        super().__init__(
            f"{who} started proposing {change.name} as your co-partner at "
            f"{clock.describe(change.started_at)}: finish that change, or wait for the casework "
            "officer's decision on it, before starting another."
        )
        self.change = change


CLOSED_REASON = "The provider left the register before the change was decided."


def close_open_changes(entry, when):
    """The provider left the register (revoked, or its decision corrected):
    its change of co-partner in progress, if any, is closed, for good (an
    entry on the register again starts afresh)."""
    CoPartnerChange.objects.filter(entry=entry, state__in=OPEN_CHANGE_STATES).update(
        state=ChangeState.CLOSED, decided_at=when, reason=CLOSED_REASON
    )


def why_not_editable(change):
    """Why ``change`` can no longer be changed by its provider, in words."""
    if change.state == ChangeState.CLOSED or (change.is_open and not change.entry.is_public):
        return (
            f"{change.entry.name} is no longer on the register of accredited providers, so this "
            "change of co-partner was closed."
        )
    if change.state == ChangeState.SUBMITTED:
        return (
            f"It was sent to the accreditation team at {clock.describe(change.submitted_at)}: "
            "they are deciding whether the co-partner meets the track record criteria."
        )
    return (
        f"The accreditation team recorded its outcome on "
        f"{clock.local_date(change.decided_at):%-d %B %Y}: {change.get_state_display().lower()}."
    )


def criteria(framework, accreditation_type):
    """The Part Two criteria a co-partner answers (those answered per party
    in a consortium), for a provider of this type, in order."""
    return list(
        Criterion.objects.filter(
            part__framework=framework,
            answered_per_party=True,
            circumstance=Circumstance.ALWAYS,
            **{f"applies_to_{accreditation_type}": True},
        )
        .select_related("part")
        .order_by("part__number", "position")
    )


def open_change(entry):
    return (
        CoPartnerChange.objects.filter(entry=entry, state__in=OPEN_CHANGE_STATES)
        .select_related("started_by")
        .first()
    )


def details_version(change):
    return version_of(change, DETAIL_FIELDS)


def _check_details(entry, details):
    """The co-partner is an educational organisation other than the
    provider itself."""
    if details.get("kind") in NON_EDUCATIONAL_KINDS:
        raise CoPartnerError("The co-partner must be an educational organisation")
    identifier = (details.get("identifier") or "").strip()
    organisation = entry.organisation
    if identifier and identifier in {organisation.urn, organisation.ukprn}:
        raise CoPartnerError(
            f"Enter the co-partner's own URN or UKPRN: {identifier} is your organisation's"
        )


def start(entry, *, actor, **details):
    """Start a change with the co-partner's details. Refused for a provider
    not on the register (never accredited, or revoked) and while another
    change is open."""
    require(actor, "register.keep_entry", entry)
    with transaction.atomic():
        entry = (
            RegisterEntry.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=entry.pk)
        )
        if not entry.is_public:
            raise PermissionDenied("Only an accredited provider can add a co-partner.")
        _check_details(entry, details)
        current = open_change(entry)
        if current is not None:
            raise ChangeInProgress(current)
        framework = Framework.current()
        change = CoPartnerChange.objects.create(
            entry=entry,
            organisation_id=entry.organisation_id,
            framework=framework,
            started_by=actor,
            started_at=clock.now(),
            **details,
        )
        activity.record(actor, "co_partner_change_started", change, {"name": [None, change.name]})
    return change


def _locked_draft(change, actor):
    locked = (
        CoPartnerChange.objects.select_for_update(of=("self",))
        .select_related("entry__organisation")
        .get(pk=change.pk)
    )
    require(actor, "register.change_co_partner", locked)
    return locked


def save_details(change, *, actor, version=None, **details):
    with transaction.atomic():
        locked = _locked_draft(change, actor)
        check_version(details_version(locked), version)
        _check_details(locked.entry, details)
        for name, value in details.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(details))
    return locked


def save_answer(change, *, criterion, text, version, actor):
    """Save the co-partner's answer to ``criterion`` if it is within the
    word limit and nobody saved it since ``version`` (0 for a new answer)."""
    words = count_words(text)
    if words > criterion.word_limit:
        raise CoPartnerError(
            f"Your answer must be {criterion.word_limit} words or fewer. It has {words} words."
        )
    with transaction.atomic():
        locked = _locked_draft(change, actor)
        if criterion.pk not in {
            c.pk for c in criteria(locked.framework, locked.entry.accreditation_type)
        }:
            raise CoPartnerError("A co-partner does not answer this question.")
        current = CoPartnerAnswer.objects.filter(change=locked, criterion=criterion).first()
        if (current.version if current else 0) != version:
            raise StaleAnswer(current, actor)
        now = clock.now()
        if current is None:
            return CoPartnerAnswer.objects.create(
                change=locked, criterion=criterion, text=text, updated_by=actor, updated_at=now
            )
        current.text, current.version = text, current.version + 1
        current.updated_by, current.updated_at = actor, now
        current.save()
        return current


def problems(change, questions, answers):
    """What stops the change being sent: unanswered or over-long answers."""
    found = []
    for criterion in questions:
        answer = answers.get(criterion.pk)
        if answer is None or not answer.text.strip():
            found.append(f"Answer {criterion.code}: {criterion.title}")
        elif count_words(answer.text) > criterion.word_limit:
            found.append(f"Shorten {criterion.code}: the limit is {criterion.word_limit} words")
    return found


def answers_of(change):
    return {answer.criterion_id: answer for answer in change.answers.all()}


def submit(change, *, actor):
    """Send the change to the casework officers, once every question is
    answered within its limit. Sending it twice (a double click) sends it once."""
    with transaction.atomic():
        locked = (
            CoPartnerChange.objects.select_for_update().select_related("entry").get(pk=change.pk)
        )
        if locked.state == ChangeState.SUBMITTED and actor.has_perm(
            "register.view_co_partner_change", locked
        ):
            return locked
        require(actor, "register.change_co_partner", locked)
        found = problems(
            locked, criteria(locked.framework, locked.entry.accreditation_type), answers_of(locked)
        )
        if found:
            raise CoPartnerError(found[0])
        now = clock.now()
        locked.state, locked.submitted_at = ChangeState.SUBMITTED, now
        locked.save(update_fields=["state", "submitted_at"])
        _history(locked, EventKind.CO_PARTNER_PROPOSED, actor, now, {"co_partner": locked.name})
        activity.record(
            actor, "co_partner_change_submitted", locked, {"state": ["draft", "submitted"]}
        )
    return locked


@dataclass(frozen=True)
class Score:
    criterion: object
    score: int
    comment: str


def decide(change, *, actor, scores, meets, reason):
    """Record the officer's ``scores`` (one per criterion) and whether the
    co-partner meets the track record criteria: it can only if every score
    reaches the framework's threshold; a "does not" needs a reason."""
    require(actor, "register.review_co_partner_change", change)
    reason = reason.strip()
    with transaction.atomic():
        locked = (
            CoPartnerChange.objects.select_for_update()
            .select_related("entry", "framework")
            .get(pk=change.pk)
        )
        if locked.state == ChangeState.CLOSED:
            raise CoPartnerError(
                f"{locked.entry.name} is no longer on the register of accredited providers: this "
                "change of co-partner was closed, and there is nothing to decide."
            )
        if locked.state != ChangeState.SUBMITTED:
            raise AlreadyDecided(
                "The outcome of this change of co-partner has already been recorded."
            )
        entry = RegisterEntry.objects.select_for_update().get(pk=locked.entry_id)
        if not entry.is_public:
            raise CoPartnerError(
                f"{entry.name} is no longer on the register of accredited providers: this "
                "change of co-partner was closed, and there is nothing to decide."
            )
        framework = locked.framework
        questions = criteria(framework, locked.entry.accreditation_type)
        by_criterion = {s.criterion.pk: s for s in scores}
        if set(by_criterion) != {c.pk for c in questions}:
            raise CoPartnerError("Score every answer")
        for score in scores:
            if not framework.scale_min <= score.score <= framework.scale_max:
                raise CoPartnerError(
                    f"Score {score.criterion.code} from {framework.scale_min} to "
                    f"{framework.scale_max}"
                )
            if not score.comment.strip():
                raise CoPartnerError(f"Enter a comment on the score for {score.criterion.code}")
        below = [s.criterion.code for s in scores if s.score < framework.threshold]
        if meets and below:
            raise CoPartnerError(
                f"The co-partner meets the track record criteria only if every answer scores "
                f"{framework.threshold} or more: {', '.join(below)} scored less"
            )
        if not meets and not reason:
            raise CoPartnerError("Enter why the co-partner does not meet the track record criteria")
        now = clock.now()
        CoPartnerScore.objects.bulk_create(
            CoPartnerScore(
                change=locked,
                criterion=s.criterion,
                score=s.score,
                comment=s.comment.strip(),
                scored_by=actor,
                scored_at=now,
            )
            for s in scores
        )
        locked.state = ChangeState.MEETS if meets else ChangeState.DOES_NOT_MEET
        locked.decided_by, locked.decided_at, locked.reason = actor, now, reason
        locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        if meets:
            details = {"from": entry.co_partner_name, "to": locked.name}
            entry.co_partner_name, entry.co_partner_kind = locked.name, locked.kind
            entry.updated_at = now
            entry.save(update_fields=["co_partner_name", "co_partner_kind", "updated_at"])
            _history(locked, EventKind.CO_PARTNER_CHANGED, actor, now, details, entry=entry)
            name = "register/co_partner_met"
        else:
            details = {"co_partner": locked.name, "reason": reason}
            _history(locked, EventKind.CO_PARTNER_NOT_MET, actor, now, details, entry=entry)
            name = "register/co_partner_not_met"
        activity.record(
            actor,
            "co_partner_change_decided",
            locked,
            {
                "state": ["submitted", locked.state],
                "scores": {s.criterion.code: s.score for s in scores},
            },
        )
        emails.queue(
            name,
            {"change": locked, "entry": entry},
            contact_addresses(entry.organisation_id),
            key=f"{name}:{locked.pk}",
        )
    return locked


def _history(change, kind, actor, when, details, *, entry=None):
    entry = entry or change.entry
    return RegisterEvent.objects.create(
        entry=entry,
        kind=kind,
        accreditation_type=entry.accreditation_type,
        actor=actor,
        details={**details, "change": change.pk},
        created_at=when,
    )
