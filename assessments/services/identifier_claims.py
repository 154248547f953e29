"""Contested URNs and UKPRNs, decided at screening.

An identifier is claimed first come, first served; a later organisation that
says it is its own holds it too, as a contested claim (see
``accreditation.services.organisations``). Screening a case shows every
other organisation claiming its organisation's identifier, and the casework
officer records which claim is genuine: the others have the identifier
cleared (their members are asked for the right one), their contacts are
told by email, and the decision is on the activity log and on the timeline
of the case being screened. A case is not screened eligible while its
identifier is contested or after it was cleared."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from accreditation import emails, timeline
from accreditation.access import require
from accreditation.models import IdentifierClaim, Membership, Organisation
from accreditation.models.organisations import contact_addresses
from accreditation.services import activity
from accreditation.services.organisations import IDENTIFIER_LABELS

EVENT = "identifier_claim_decided"
ALREADY_DECIDED = (
    "Which claim is genuine has already been decided, or only one organisation claims the "
    "identifier now. Nothing was changed."
)


class ClaimError(Exception):
    """A refused decision; the message is fit to show the officer, and
    ``field`` names the part of the form to fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class ClaimAlreadyDecided(ClaimError):
    """Someone else decided first, or the claim ended: nothing was written."""


@dataclass(frozen=True)
class Claimant:
    """Another organisation claiming the same identifier, as the officer
    needs to judge it."""

    organisation: Organisation
    email_domains: tuple
    cases: tuple


@dataclass(frozen=True)
class Contest:
    """The organisation's identifier, the organisation as a claimant
    (``own``), and every other organisation claiming it, oldest first."""

    field: str
    value: str
    own: Claimant
    claimants: tuple

    @property
    def label(self):
        return IDENTIFIER_LABELS[self.field]

    @property
    def everyone(self):
        return (self.own, *self.claimants)


def held_identifier(organisation):
    """(field, value) of the URN or UKPRN the organisation holds, or None."""
    field = organisation.identifier_field
    if field is None or not getattr(organisation, field):
        return None
    return field, getattr(organisation, field)


def _claimant(organisation):
    domains = {m.user.email.rpartition("@")[2].lower() for m in organisation.memberships.all()}
    cases = sorted(organisation.proposals.all(), key=lambda proposal: proposal.pk)
    return Claimant(organisation, tuple(sorted(domains)), tuple(cases))


def contest(organisation):
    """Who claims the organisation's identifier (a ``Contest``), or None if
    no other organisation does."""
    held = held_identifier(organisation)
    if held is None:
        return None
    field, value = held
    holders = (
        Organisation.objects.filter(**{field: value})
        .select_related("local_authority")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user")),
            "proposals",
        )
        .order_by("created_at", "pk")
    )
    claimants = [_claimant(holder) for holder in holders]
    own = next((c for c in claimants if c.organisation.pk == organisation.pk), None)
    others = tuple(c for c in claimants if c.organisation.pk != organisation.pk)
    if own is None or not others:
        return None
    return Contest(field, value, own, others)


def refusal_to_screen_eligible(organisation):
    """Why a case of this organisation cannot be screened eligible now
    because of its identifier, or None."""
    field = organisation.identifier_field
    if field is None:
        return None
    label = IDENTIFIER_LABELS[field]
    if not getattr(organisation, field):
        return (
            f"{organisation.name} has no {label}: another organisation's claim to it was found "
            f"genuine. It cannot be screened eligible until its members enter the right {label}."
        )
    if contest(organisation) is not None:
        return (
            f"Another organisation also claims {organisation.name}'s {label}. Decide which claim "
            "is genuine before screening the case eligible."
        )
    return None


def decide(case, officer, *, genuine, reason, base_url=""):
    """Record which organisation's claim to the case organisation's
    identifier is genuine (``genuine``: its id, as the form sent it). If the
    input is incomplete (``ClaimError``) or someone decided first
    (``ClaimAlreadyDecided``), nothing is written. Returns the timeline
    event."""
    require(officer, "assessments.screen_case", case)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError(
            "Enter why this claim is genuine: the other organisations will read it",
            field="reason",
        )
    with transaction.atomic():
        held = held_identifier(Organisation.objects.get(pk=case.organisation_id))
        # Every holder's row, in one order, so two officers deciding from two
        # cases cannot deadlock; rows changed meanwhile are read as committed.
        holders = (
            list(
                Organisation.objects.select_for_update().filter(**{held[0]: held[1]}).order_by("pk")
            )
            if held
            else []
        )
        if case.organisation_id not in {h.pk for h in holders} or len(holders) < 2:
            raise ClaimAlreadyDecided(ALREADY_DECIDED)
        field, value = held
        winner = next((h for h in holders if str(h.pk) == str(genuine).strip()), None)
        if winner is None:
            raise ClaimError("Select the organisation whose claim is genuine", field="genuine")
        losers = [h for h in holders if h.pk != winner.pk]
        for loser in losers:
            was = loser.identifier_claim
            setattr(loser, field, "")
            loser.identifier_claim = IdentifierClaim.CLEARED
            loser.save(update_fields=[field, "identifier_claim", "updated_at"])
            activity.record(
                officer,
                "identifier_cleared",
                loser,
                {
                    field: [value, ""],
                    "identifier_claim": [was, IdentifierClaim.CLEARED],
                    "genuine_claim": [None, winner.name],
                    "reason": [None, reason],
                },
            )
        was = winner.identifier_claim
        winner.identifier_claim = IdentifierClaim.UNCONTESTED
        winner.save(update_fields=["identifier_claim", "updated_at"])
        activity.record(
            officer,
            "identifier_confirmed",
            winner,
            {
                f"genuine_{field}": [None, value],
                "identifier_claim": [was, IdentifierClaim.UNCONTESTED],
                "cleared_from": [None, sorted(loser.name for loser in losers)],
                "reason": [None, reason],
            },
        )
        event = timeline.record(
            case,
            EVENT,
            officer,
            details={
                "identifier": IDENTIFIER_LABELS[field],
                "value": value,
                "genuine": winner.name,
                "cleared": sorted(loser.name for loser in losers),
                "reason": reason,
            },
        )
        for loser in losers:
            _tell_cleared(loser, field, value, reason, event, base_url)
    return event


def _tell_cleared(organisation, field, value, reason, event, base_url):
    label = IDENTIFIER_LABELS[field]
    emails.queue(
        "assessments/identifier_cleared",
        {
            "organisation": organisation,
            "label": label,
            "value": value,
            "reason": reason,
            "profile_url": base_url + reverse("organisation-profile"),
        },
        contact_addresses(organisation.pk),
        key=f"identifier_cleared:{event.pk}:{organisation.pk}",
    )
