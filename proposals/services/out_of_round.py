"""Out-of-round consideration: an organisation asks to be considered outside
the termly rounds (to lead a particular trust or federation now); a casework
officer grants it a window with its own deadline, or refuses with a reason.

Each decision runs in one transaction holding the request's row lock, so two
officers deciding at once give one outcome and the second is told so. The
deadline is compared with the clock inside that transaction. The
organisation's contacts are e-mailed only once the decision has committed.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from accreditation import clock, emails, policy
from accreditation.models import Framework, Organisation, Window
from accreditation.models.organisations import contact_addresses
from accreditation.services import activity
from proposals.models import OutOfRoundRequest
from proposals.queries.journey import count_words

REASON_WORD_LIMIT = 300

Outcome = OutOfRoundRequest.Outcome


class OutOfRoundError(Exception):
    """A refusal with a message fit to show the person."""


class AlreadyDecided(OutOfRoundError):
    """Another officer decided the request first."""


def check_reason(reason):
    """The applicant's reason: required, and no longer than the limit
    (words are counted as the page's word count counts them)."""
    if not reason.strip():
        raise OutOfRoundError("Enter why you need to be considered outside the rounds")
    words = count_words(reason)
    if words > REASON_WORD_LIMIT:
        raise OutOfRoundError(
            f"Your reason must be {REASON_WORD_LIMIT} words or fewer (it has {words})"
        )


def request_consideration(
    *, organisation, requested_by, local_authority, school_name, school_urn, urgency, reason
):
    """Record an organisation's request. Sending the same request twice (a
    double click) gives one request."""
    if not requested_by.has_perm("accreditation.act_for_organisation", organisation):
        raise PermissionDenied("You cannot act for this organisation.")
    check_reason(reason)
    fields = {
        "local_authority": local_authority,
        "school_name": school_name.strip(),
        "school_urn": school_urn.strip(),
        "urgency": urgency,
        "reason": reason,
    }
    with transaction.atomic():
        # One request at a time per organisation, so a duplicate is seen.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).get()
        existing = OutOfRoundRequest.objects.filter(
            organisation_id=organisation.pk, outcome=Outcome.PENDING, **fields
        ).first()
        if existing:
            return existing
        return OutOfRoundRequest.objects.create(
            organisation_id=organisation.pk, requested_by=requested_by, **fields
        )


def deadline_problem(deadline, now):
    """Why ``deadline`` cannot be a new window's, or None: it is in the
    future, and no further ahead than the policy's
    ``out_of_round_window_max_days``."""
    if deadline <= now:
        return "The deadline must be in the future"
    latest = clock.local_date(now) + timedelta(days=policy.current().out_of_round_window_max_days)
    if clock.local_date(deadline) > latest:
        return f"The deadline must be no later than {latest.day} {latest:%B %Y}"
    return None


def grant(request_obj, officer, deadline, *, base_url):
    """Grant a window for ``request_obj``'s organisation, open from now until
    ``deadline`` (exclusive), using the current framework. ``base_url`` (the
    site's address, no trailing slash) goes into the e-mail's link."""
    _check_officer(officer, request_obj)
    with transaction.atomic():
        locked = _lock_pending(request_obj)
        now = clock.now()
        problem = deadline_problem(deadline, now)
        if problem:
            raise OutOfRoundError(problem)
        window = Window.objects.create(
            organisation_id=locked.organisation_id,
            framework=Framework.current(),
            opens_at=now,
            deadline=deadline,
            granted_by=officer,
        )
        _decide(locked, Outcome.GRANTED, officer, now, window=window)
        _tell_contacts(locked, base_url)
    return locked


def refuse(request_obj, officer, reason, *, base_url):
    """Refuse ``request_obj``; the reason is shown to the applicant."""
    _check_officer(officer, request_obj)
    reason = reason.strip()
    if not reason:
        raise OutOfRoundError("Enter the reason for refusing, which the organisation will see")
    with transaction.atomic():
        locked = _lock_pending(request_obj)
        _decide(locked, Outcome.REFUSED, officer, clock.now(), refusal_reason=reason)
        _tell_contacts(locked, base_url)
    return locked


def _check_officer(officer, request_obj):
    if not officer.has_perm("proposals.decide_out_of_round"):
        raise PermissionDenied("Only a casework officer can decide out-of-round requests.")
    if not officer.has_perm("proposals.decide_out_of_round_request", request_obj):
        raise PermissionDenied(
            "You cannot decide a request from an organisation you belong to or have a "
            "conflict of interest with."
        )


def check_pending(request_obj):
    """Refuse to decide a request that has been decided, saying by whom."""
    if request_obj.outcome != Outcome.PENDING:
        decided_at = clock.describe(request_obj.decided_at)
        raise AlreadyDecided(
            f"This request has already been {request_obj.get_outcome_display().lower()} by "
            f"{request_obj.decided_by} at {decided_at}. Your decision has not been recorded."
        )


def _lock_pending(request_obj):
    locked = OutOfRoundRequest.objects.select_for_update().get(pk=request_obj.pk)
    check_pending(locked)
    return locked


DECISION_FIELDS = ("outcome", "decided_by", "decided_at", "refusal_reason", "window")


def _decide(locked, outcome, officer, when, *, window=None, refusal_reason=""):
    """Record the outcome on the locked request, and in the activity log."""
    before = activity.snapshot(locked, DECISION_FIELDS)
    locked.outcome = outcome
    locked.decided_by = officer
    locked.decided_at = when
    locked.window = window
    locked.refusal_reason = refusal_reason
    locked.save(update_fields=DECISION_FIELDS)
    activity.record(
        officer,
        f"out_of_round_{outcome}",
        locked,
        activity.diff(before, activity.snapshot(locked, DECISION_FIELDS)),
    )


def _tell_contacts(decided, base_url):
    """E-mail the organisation's contacts (sent once the decision commits)."""
    recipients = contact_addresses(decided.organisation_id)
    if not recipients:
        return
    context = {"request_obj": decided, "link": base_url + reverse("out-of-round-list")}
    emails.queue(
        f"proposals/out_of_round_{decided.outcome}",
        context,
        recipients,
        key=f"out-of-round:{decided.pk}",
    )
