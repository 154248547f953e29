"""Chasing Advisory Group members before a meeting: each member (or the
chair) with open items on the agenda they have not given a view on, once per
meeting, in the policy's days before it."""

from datetime import timedelta

from accreditation import clock, emails, policy
from accreditation.chasing import chase_once
from accreditation.models import ScheduledAction, ScheduledKind
from accreditation.services import scheduler
from advisory_group.models import Meeting
from advisory_group.queries.agenda import agenda


def meetings_soon(now):
    days = policy.current().advice_chase_days_before_meeting
    return (
        Meeting.objects.filter(closed_at__isnull=True, held_at__gt=now)
        .filter(held_at__lte=now + timedelta(days=days))
        .select_related("chair")
        .prefetch_related("members")
        .order_by("held_at", "pk")
    )


def chase_views():
    now = clock.now()
    chased = 0
    for meeting in meetings_soon(now):
        target = scheduler.target("meeting", meeting.pk)
        done = set(
            ScheduledAction.objects.filter(
                kind=ScheduledKind.ADVICE_CHASED, target=target
            ).values_list("key", flat=True)
        )
        people = {meeting.chair, *meeting.members.all()}
        for person in sorted(people, key=lambda p: p.email):
            key = f"member:{person.pk}"
            if key in done or not person.is_active:
                continue
            waiting = [
                item
                for item in agenda(meeting, person, advising=True)
                if item.is_open and not item.my_view
            ]
            if not waiting:
                continue
            chased += chase_once(
                ScheduledKind.ADVICE_CHASED,
                target,
                key,
                f"{meeting}: {person.full_name}",
                [
                    emails.message(
                        "advisory_group/views_wanted",
                        {"meeting": meeting, "person": person, "items": waiting},
                        [person.email],
                        key=f"views-wanted:{meeting.pk}:{person.pk}",
                    )
                ],
            )
    return {"chased": chased}
