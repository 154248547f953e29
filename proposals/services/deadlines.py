"""Deadlines the scheduler keeps for drafts: closing each round and
out-of-round window at its deadline (lapsing its drafts, contacts told) and
reminding contacts before it; and telling the contacts of a round's drafts
when its deadline moves.

Each is recorded once (``accreditation.services.scheduler``): a round's
closing per deadline, a draft's reminder per number of days. The lapse, the
record and the e-mails are written in one transaction, and the drafts are
locked by ``move_many()``: a submission racing the close either commits
first (and its draft is no longer a draft when the lapse takes the lock) or
waits for the lapse and is refused.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from accreditation import clock, emails, policy
from accreditation.chasing import contacts_by_organisation
from accreditation.models import Round, ScheduledAction, ScheduledKind, Window
from accreditation.services import outbox, scheduler
from accreditation.workflow import Action, Status, move_many
from proposals.models import Proposal
from proposals.services.applicant import next_round_for


def task_list_link(draft):
    """The address of ``draft``'s task list, for an email."""
    return settings.SERVICE_URL + reverse("proposal-task-list", kwargs={"pk": draft.pk})


def tell_of_new_deadline(round_, before):
    """The round's deadline moved from ``before`` (once it is open, only
    later): the contacts of each of its drafts are told, once per draft and
    deadline."""
    drafts = list(
        Proposal.objects.filter(round=round_, status=Status.DRAFT)
        .select_related("organisation", "round")
        .order_by("pk")
    )
    contacts = contacts_by_organisation(p.organisation_id for p in drafts)
    outbox.queue_many(
        emails.message(
            "proposals/deadline_moved",
            {
                "proposal": draft,
                "before": before,
                "link": task_list_link(draft),
            },
            contacts[draft.organisation_id],
            key=f"deadline-moved:{draft.pk}:{scheduler.moment_key(round_.deadline)}",
        )
        for draft in drafts
        if contacts.get(draft.organisation_id)
    )


def lapsed_messages(proposal_pks):
    """The e-mails telling each lapsed draft's contacts that it missed its
    deadline and how to copy it into the next round, keyed per proposal."""
    proposals = list(
        Proposal.objects.filter(pk__in=proposal_pks).select_related(
            "organisation", "round", "window"
        )
    )
    contacts = contacts_by_organisation(p.organisation_id for p in proposals)
    next_rounds = {}
    messages = []
    for proposal in proposals:
        recipients = contacts.get(proposal.organisation_id)
        if not recipients:
            continue
        which = (proposal.round_id, proposal.accreditation_type)
        if which not in next_rounds:
            next_rounds[which] = next_round_for(proposal)
        next_round, next_round_open = next_rounds[which]
        context = {
            "proposal": proposal,
            "next_round": next_round,
            "next_round_open": next_round_open,
            "link": settings.SERVICE_URL + reverse("proposal-dashboard"),
        }
        messages.append(
            emails.message("proposals/lapsed", context, recipients, key=f"lapsed:{proposal.pk}")
        )
    return messages


CATCH_UP = timedelta(days=7)
"""How long after a deadline the scheduler still records a closing that left
no draft to lapse (one that did is closed whenever it is found), so the
record starts with the periods closing when the scheduler first ran rather
than every period ever closed."""


def periods_to_close(now):
    """Rounds (not cancelled) and windows whose deadline has passed and whose
    closing at that deadline is not yet recorded, or that still hold a draft:
    [(kind, target, key, period, proposal field)]."""
    recent_or_with_drafts = Q(deadline__gte=now - CATCH_UP) | Q(proposals__status=Status.DRAFT)
    rounds = (
        Round.objects.not_cancelled()
        .filter(deadline__lte=now)
        .filter(recent_or_with_drafts)
        .distinct()
    )
    windows = (
        Window.objects.select_related("organisation")
        .filter(deadline__lte=now)
        .filter(recent_or_with_drafts)
        .distinct()
    )
    due = []
    for kind, kind_of_thing, periods in (
        (ScheduledKind.ROUND_CLOSED, "round", rounds),
        (ScheduledKind.WINDOW_CLOSED, "window", windows),
    ):
        closed = set(_closed(kind))
        with_drafts = set(
            Proposal.objects.filter(
                status=Status.DRAFT, **{f"{kind_of_thing}__in": periods}
            ).values_list(f"{kind_of_thing}_id", flat=True)
        )
        for period in periods.order_by("deadline", "pk"):
            name = scheduler.target(kind_of_thing, period.pk)
            key = scheduler.moment_key(period.deadline)
            if (name, key) not in closed or period.pk in with_drafts:
                due.append((kind, name, key, period, f"{kind_of_thing}_id"))
    return due


def _closed(kind):
    return ScheduledAction.objects.filter(kind=kind).values_list("target", "key")


def close_periods():
    """Close each round and window whose deadline has passed: lapse its
    drafts and tell their contacts, recording the closing once per deadline.
    Returns how many were closed and how many drafts lapsed."""
    closed = lapsed = 0
    for kind, name, key, period, field in periods_to_close(clock.now()):
        with transaction.atomic():
            now = clock.now()
            record = scheduler.once(kind, name, key, summary=str(period))
            drafts = Proposal.objects.filter(status=Status.DRAFT, **{field: period.pk})
            # One statement per kind of row however many drafts (PostgreSQL).
            result = move_many(drafts, Action.LAPSE, None, when=now, batch_size=None)
            outbox.queue_many(lapsed_messages(result.moved))
            moved = len(result.moved)
            if record is not None:
                closed += 1
                record.count = moved
                record.save(update_fields=["count"])
            elif moved:
                ScheduledAction.objects.filter(kind=kind, target=name, key=key).update(
                    count=F("count") + moved
                )
            lapsed += moved
    return {"closed": closed, "lapsed": lapsed}


def reminder_stage(deadline, now, days):
    """The reminder due for a draft with ``deadline`` at ``now``: the fewest
    of ``days`` at or after which (in Europe/London wall-clock days before
    the deadline) ``now`` falls, or None. A draft started three days before
    its deadline gets the seven-day reminder, not a late fourteen-day one."""
    local_deadline = clock.local(deadline)
    due = [d for d in days if local_deadline - timedelta(days=d) <= now < deadline]
    return min(due) if due else None


def reminder_key(stage, deadline):
    """What makes a reminder one occasion: its number of days before this
    deadline. A deadline moved (a round's extended) has reminders of its
    own, however many were sent before the old one."""
    return f"{stage}:{scheduler.moment_key(deadline)}"


def drafts_to_remind(now):
    """[(proposal pk, (days, key))] of drafts with a reminder due and not yet
    sent: ``key`` (``reminder_key``) names the deadline the days were
    counted to, as read here."""
    days = policy.current().reminder_days_before_deadline
    horizon = now + timedelta(days=max(days) + 1)
    drafts = (
        Proposal.objects.filter(status=Status.DRAFT)
        .filter(
            Q(round__deadline__gt=now, round__deadline__lte=horizon, round__cancelled_at=None)
            | Q(window__deadline__gt=now, window__deadline__lte=horizon)
        )
        .annotate(due_by=Coalesce("round__deadline", "window__deadline"))
        .order_by("pk")
        .values_list("pk", "due_by")
    )
    due = []
    for pk, deadline in drafts:
        stage = reminder_stage(deadline, now, days)
        if stage is not None:
            due.append((scheduler.target("proposal", pk), reminder_key(stage, deadline), pk, stage))
    sent = scheduler.recorded(ScheduledKind.REMINDER, {name for name, *_ in due})
    return [(pk, (stage, key)) for name, key, pk, stage in due if (name, key) not in sent]


def days_left(deadline):
    """Whole days from today to the deadline's day (UK): 0 on the day. A
    reminder's own number of days is when it became due, and a draft
    started late gets it later (the seven-day one three days before)."""
    return (clock.local_date(deadline) - clock.today()).days


def remind_drafts():
    """Remind the contacts of each draft 14, 7 and 1 days before its deadline
    (the policy's days), once per draft, deadline and number of days, in
    batches."""
    reminded = 0
    for batch in scheduler.batches(drafts_to_remind(clock.now())):
        with transaction.atomic():
            stages = dict(batch)
            proposals = list(
                Proposal.objects.filter(pk__in=stages, status=Status.DRAFT).select_related(
                    "organisation", "round", "window"
                )
            )
            contacts = contacts_by_organisation(p.organisation_id for p in proposals)
            scheduler.once_many(
                ScheduledKind.REMINDER,
                [
                    (
                        scheduler.target("proposal", p.pk),
                        stages[p.pk][1],
                        p.draft_name,
                        len(contacts.get(p.organisation_id, ())),
                    )
                    for p in proposals
                ],
            )
            outbox.queue_many(
                emails.message(
                    "proposals/reminder",
                    {
                        "proposal": p,
                        "days": days_left(p.period.deadline),
                        "link": task_list_link(p),
                    },
                    contacts[p.organisation_id],
                    key=f"reminder:{p.pk}:{stages[p.pk][1]}",
                )
                for p in proposals
                if contacts.get(p.organisation_id)
            )
            reminded += len(proposals)
    return {"reminded": reminded}
