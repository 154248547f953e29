"""Revoking an accreditation: notice to the provider with a reason, a period
to respond (a policy setting) in which the provider sends its response
through the service, then the decision official revokes it, giving the
reason for the decision, or withdraws the notice. Each step is on the
entry's history and told to the provider's contacts once: the notice and
the revocation in a letter (``revocation_step``: feedback issues it, and
its e-mail says what the step means and links the letter), the withdrawal
of a notice in an e-mail."""

from datetime import timedelta

from django.db import transaction

from accreditation import clock, emails, policy
from accreditation.access import require
from accreditation.models.organisations import contact_addresses
from accreditation.services import activity
from register.models import (
    FEED_KINDS,
    EntryState,
    EventKind,
    NoticeResponse,
    RegisterEntry,
    RegisterEvent,
)
from register.services import co_partners
from register.signals import revocation_step


class RevocationError(Exception):
    """The step does not fit the entry's state; the message says why."""


def _locked(entry):
    return RegisterEntry.objects.select_for_update().select_related("organisation").get(pk=entry.pk)


def _tell(entry, event, name):
    emails.queue(
        name,
        {"entry": entry},
        contact_addresses(entry.organisation_id),
        key=f"register-{event.kind}:{entry.pk}:{event.pk}",
    )


def _step(entry, kind, actor, when, details, *, before):
    """Record the step on the entry's history and the activity log. The
    entry's "Last updated" moves only for a step the public sees (a
    revocation), not for a notice given or withdrawn."""
    if kind in FEED_KINDS:
        entry.updated_at = when
    event = RegisterEvent.objects.create(
        entry=entry,
        kind=kind,
        accreditation_type=entry.accreditation_type,
        case=entry.case,
        actor=actor,
        details=details,
        created_at=when,
    )
    activity.record(actor, f"register_{kind}", entry, {"state": [before, entry.state]})
    return event


def give_notice(entry, *, reason, actor, when=None):
    """Tell a current provider its accreditation may be revoked, and why
    (``when``: now, unless the demo plays a notice given in the past)."""
    require(actor, "register.revoke_entry", entry)
    reason = reason.strip()
    if not reason:
        raise RevocationError("Enter the reason for revoking the accreditation")
    with transaction.atomic():
        entry = _locked(entry)
        if entry.state == EntryState.NOTICE_GIVEN:
            # Given from another page meanwhile (or this form sent twice).
            raise RevocationError(
                "Notice of revocation has already been given on this accreditation, since you "
                "opened the page: its reason is below. Nothing was changed."
            )
        if entry.state != EntryState.CURRENT:
            raise RevocationError("Notice can only be given on a current accreditation.")
        when = when or clock.now()
        entry.state = EntryState.NOTICE_GIVEN
        entry.notice_given_at = when
        entry.response_due = when + timedelta(days=policy.current().revocation_response_days)
        entry.revocation_reason = reason
        event = _step(
            entry,
            EventKind.NOTICE_GIVEN,
            actor,
            when,
            {"reason": reason, "response_due": entry.response_due.isoformat()},
            before=EntryState.CURRENT,
        )
        revocation_step.send(RegisterEntry, event=event)
        entry.save()
    return entry


def respond(entry, *, text, actor):
    """The provider's written response to a notice, sent before the response
    period ends; it may send more than one. The entry's history records it
    was sent, by whom and when; its text is kept beside the history (until
    its retention period ends) for the decision official, who reads it
    before deciding. The same text sent again by the same person to the
    same notice (the form sent twice, from two tabs or resent) is the
    response already kept: its event is returned, nothing more stored."""
    require(actor, "register.respond_to_notice", entry)
    text = text.strip()
    if not text:
        raise RevocationError("Enter your response to the notice")
    with transaction.atomic():
        entry = _locked(entry)
        when = clock.now()
        if entry.state != EntryState.NOTICE_GIVEN:
            raise RevocationError("There is no notice to respond to.")
        if when >= entry.response_due:
            raise RevocationError(
                f"The time to respond ended at {clock.describe(entry.response_due)}."
            )
        sent = (
            RegisterEvent.objects.filter(
                entry=entry,
                kind=EventKind.RESPONSE_RECEIVED,
                created_at__gte=entry.notice_given_at,
                actor=actor,
                response__text=text,
            )
            .order_by("pk")
            .first()
        )
        if sent is not None:
            return sent
        event = RegisterEvent.objects.create(
            entry=entry,
            kind=EventKind.RESPONSE_RECEIVED,
            accreditation_type=entry.accreditation_type,
            case=entry.case,
            actor=actor,
            created_at=when,
        )
        NoticeResponse.objects.create(event=event, text=text)
        activity.record(actor, "register_response_received", entry, {})
    return event


def withdraw_notice(entry, *, actor):
    """The provider's response satisfied the department: the entry is current again."""
    require(actor, "register.revoke_entry", entry)
    with transaction.atomic():
        entry = _locked(entry)
        if entry.state != EntryState.NOTICE_GIVEN:
            raise RevocationError("There is no notice to withdraw.")
        when = clock.now()
        entry.state = EntryState.CURRENT
        entry.notice_given_at = entry.response_due = None
        entry.revocation_reason = ""
        event = _step(
            entry, EventKind.NOTICE_WITHDRAWN, actor, when, {}, before=EntryState.NOTICE_GIVEN
        )
        entry.save()
        _tell(entry, event, "register/notice_withdrawn")
    return entry


def why_not_revoke(entry):
    """Raise RevocationError saying why ``entry`` (as read) cannot be revoked
    now: no notice given, or the provider's time to respond not over."""
    if entry.state == EntryState.REVOKED:
        raise RevocationError("This accreditation has already been revoked. Nothing was changed.")
    if entry.state != EntryState.NOTICE_GIVEN:
        latest = entry.events.select_related("actor").order_by("-created_at", "-pk").first()
        withdrawn = latest if latest and latest.kind == EventKind.NOTICE_WITHDRAWN else None
        if entry.state == EntryState.CURRENT and withdrawn:
            # A page opened before another official withdrew the notice.
            who = withdrawn.actor.full_name if withdrawn.actor else "Someone"
            raise RevocationError(
                f"{who} withdrew the notice at {clock.describe(withdrawn.created_at)}: the "
                "accreditation is current, and nothing was changed. Give notice again before "
                "revoking it."
            )
        raise RevocationError("Give notice before revoking an accreditation.")
    if clock.now() < entry.response_due:
        raise RevocationError(
            "The provider can respond until "
            f"{clock.describe(entry.response_due)}: revoke the accreditation after that."
        )


def revoke(entry, *, reason, actor):
    """Revoke the accreditation once the response period has ended, with the
    reason for the decision (having read the provider's response)."""
    require(actor, "register.revoke_entry", entry)
    reason = reason.strip()
    if not reason:
        raise RevocationError("Enter the reason for revoking the accreditation")
    with transaction.atomic():
        entry = _locked(entry)
        why_not_revoke(entry)
        when = clock.now()
        entry.state = EntryState.REVOKED
        co_partners.close_open_changes(entry, when)
        event = _step(
            entry,
            EventKind.REVOKED,
            actor,
            when,
            {"reason": reason, "notice_reason": entry.revocation_reason},
            before=EntryState.NOTICE_GIVEN,
        )
        revocation_step.send(RegisterEntry, event=event)
        entry.save()
    return entry
