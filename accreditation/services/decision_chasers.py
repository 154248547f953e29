"""Telling the decision officials of cases past their round's decision
target, once per case and target: each official who may decide it."""

from django.apps import apps

from accreditation import clock, emails
from accreditation.chasing import chase_once, people_with
from accreditation.models import ScheduledAction, ScheduledKind
from accreditation.queries.decisions import queue
from accreditation.roles import Role
from accreditation.services import scheduler
from accreditation.workflow import Status


def cases_past_target(today):
    Proposal = apps.get_model("proposals", "Proposal")
    return (
        Proposal.objects.filter(status=Status.AWAITING_DECISION, round__decision_target__lt=today)
        .select_related("organisation", "round")
        .order_by("round__decision_target", "pk")
    )


def chase_decisions():
    today = clock.today()
    cases = list(cases_past_target(today))
    targets = [scheduler.target("proposal", case.pk) for case in cases]
    done = set(
        ScheduledAction.objects.filter(
            kind=ScheduledKind.DECISION_CHASED, target__in=targets
        ).values_list("target", "key")
    )
    due = [
        case
        for case in cases
        if (scheduler.target("proposal", case.pk), case.round.decision_target.isoformat())
        not in done
    ]
    if not due:
        return {"chased": 0}
    officials = people_with(Role.DECISION_OFFICIAL)
    may_decide = {
        official.pk: set(
            queue(official).filter(pk__in=[c.pk for c in due]).values_list("pk", flat=True)
        )
        for official in officials
    }
    chased = 0
    for case in due:
        key = case.round.decision_target.isoformat()
        recipients = [o.email for o in officials if case.pk in may_decide[o.pk]]
        chased += chase_once(
            ScheduledKind.DECISION_CHASED,
            scheduler.target("proposal", case.pk),
            key,
            case.reference,
            [
                emails.message(
                    "accreditation/decision_overdue",
                    {"case": case, "target": case.round.decision_target},
                    recipients,
                    key=f"decision-overdue:{case.pk}:{key}",
                )
            ]
            if recipients
            else [],
        )
    return {"chased": chased}
