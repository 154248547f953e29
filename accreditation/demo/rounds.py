"""The demo's rounds, out-of-round windows and Advisory Group meetings.

Rounds are placed around today (the current one open for three more weeks)
and a term apart; their terms, years and later dates come from the term
calendar (``Term``, ``Round.dates_after_deadline``). A round that exists for
that term and year is reused."""

from datetime import datetime, time, timedelta

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from accreditation import clock, timeline
from accreditation.demo.histories import PAST_ROUNDS
from accreditation.demo.timing import london
from accreditation.models import Framework, Round, Term, User, Window
from accreditation.roles import Role
from accreditation.workflow import Action, Status, move


def rounds(framework, now, created):
    """Rounds by how many terms back they are (0 current, -1 next)."""
    today = clock.local_date(now)
    opens0, deadline0 = today - timedelta(days=30), today + timedelta(days=21)
    found = {}
    for back in range(PAST_ROUNDS, -2, -1):
        opens = Term.later(opens0, -back)
        deadline = Term.later(deadline0, -back)
        term, year = Term.of(deadline), deadline.year
        existing = Round.objects.filter(term=term, year=year).first()
        if existing:
            found[back] = existing
            continue
        found[back] = Round.objects.create(
            term=term,
            year=year,
            framework=framework,
            opens_at=london(opens, 9),
            deadline=london(deadline, 17),
            **Round.dates_after_deadline(deadline),
        )
        created["rounds"] += 1
    return found


def window(organisation, now, granted_by):
    """The organisation's out-of-round window, open now (granted if missing)."""
    existing = organisation.windows.first()
    if existing is not None:
        return existing
    return Window.objects.create(
        organisation=organisation,
        framework=Framework.current(),
        opens_at=now - timedelta(days=12),
        # A whole minute, as every deadline set through the service is.
        deadline=(now + timedelta(days=16)).replace(second=0, microsecond=0),
        granted_by=granted_by,
    )


def meeting(period, chair, now):
    """The open Advisory Group meeting of a round (out-of-round cases: an ad
    hoc meeting), on its meeting date, with every Advisory Group member (all
    of whom attended, if it has been held: the advice recorded at it was
    quorate); a round whose meeting has closed meets again (a later run of
    the seed)."""
    Meeting = apps.get_model("advisory_group", "Meeting")
    is_round = isinstance(period, Round)
    existing = Meeting.objects.filter(round=period if is_round else None, closed_at=None).first()
    if existing is not None:
        return existing
    held_at = (
        timezone.make_aware(datetime.combine(period.advisory_group_meeting, time(10)))
        if is_round
        else now + timedelta(days=21)
    )
    created = Meeting.objects.create(
        round=period if is_round else None, held_at=held_at, chair=chair
    )
    members = User.objects.filter(groups__name=Role.ADVISORY_GROUP_MEMBER).exclude(pk=chair.pk)
    created.members.add(*members)
    if held_at <= now:
        created.attendees.add(chair, *members)
    return created


def close_past_meetings(now):
    """A meeting held over a week ago with nothing left to advise on has
    agreed its minutes: its agenda is final, and its members' part in those
    cases ends (so they no longer see them)."""
    Meeting = apps.get_model("advisory_group", "Meeting")
    Meeting.objects.filter(held_at__lt=now - timedelta(days=7), closed_at=None).exclude(
        items__case__status=Status.ADVISORY_REVIEW
    ).update(closed_at=F("held_at") + timedelta(days=7))


def cancelled_round(framework, rounds, caseworker, now, created):
    """A round cancelled while it was open, a term before the oldest past
    round, whose one draft the casework officer moved to the next round
    (where it lapsed, never submitted): the state a cancelled round's page
    and a moved draft's timeline show. Built once: a later run (another day) finds it."""
    from proposals.models import Proposal

    back = PAST_ROUNDS + 1
    today = clock.local_date(now)
    opens = Term.later(today - timedelta(days=30), -back)
    deadline = Term.later(today + timedelta(days=21), -back)
    term, year = Term.of(deadline), deadline.year
    if (
        Round.objects.filter(cancelled_at__isnull=False).exists()
        or Round.objects.filter(term=term, year=year).exists()
    ):
        return
    cancelled_at = london(opens + timedelta(days=20), 11)
    reason = "Too few assessors were free that term; its drafts were moved to the next round."
    cancelled = Round.objects.create(
        term=term,
        year=year,
        framework=framework,
        opens_at=london(opens, 9),
        deadline=london(deadline, 17),
        cancelled_at=cancelled_at,
        cancellation_reason=reason,
        **Round.dates_after_deadline(deadline),
    )
    created["rounds"] += 1
    target = rounds[PAST_ROUNDS]
    membership = _free_member_for(target)
    if membership is None:
        return
    draft = Proposal.objects.create(
        organisation=membership.organisation,
        round=cancelled,
        framework=framework,
        accreditation_type="asp",
        created_by=membership.user,
    )
    started = london(opens + timedelta(days=6), 10)
    Proposal.objects.filter(pk=draft.pk).update(created_at=started, updated_at=started)
    timeline.append(draft, action="created", actor=membership.user, when=started)
    timeline.append(
        draft,
        action="round_cancelled",
        actor=caseworker,
        details={"round": str(cancelled), "reason": reason},
        when=cancelled_at,
    )
    moved_at = target.opens_at + timedelta(days=1)
    Proposal.objects.filter(pk=draft.pk).update(round=target)
    draft.round = target
    timeline.append(
        draft,
        action="moved_to_round",
        actor=caseworker,
        details={"from": str(cancelled), "to": str(target)},
        when=moved_at,
    )
    move(draft, Action.LAPSE, None, when=target.deadline)


def _free_member_for(period):
    """A contact of an organisation with no ASP proposal in ``period``."""
    Membership = apps.get_model("accreditation", "Membership")
    Proposal = apps.get_model("proposals", "Proposal")
    taken = Proposal.objects.filter(round=period, accreditation_type="asp").values(
        "organisation_id"
    )
    return (
        Membership.objects.filter(is_contact=True)
        .exclude(organisation_id__in=taken)
        .select_related("organisation", "user")
        .order_by("organisation_id")
        .first()
    )
