"""Chasing what is overdue in assessment, each once (the scheduler's record):

- an assessment past its due date: its assessor, then, after the policy's
  working days, the casework officers;
- an information request past its due date: the applicant's contacts, then,
  after the same number of working days, the assessor who asked.
"""

from accreditation import clock, emails, policy
from accreditation.chasing import (
    chase_once,
    contacts_by_organisation,
    escalation_due,
    officers_who_may_see,
)
from accreditation.models import ScheduledAction, ScheduledKind, User
from accreditation.queries.conflicts import is_conflicted
from accreditation.services import scheduler
from accreditation.workflow import Status
from assessments.models import Assignment, AssignmentKind, InformationRequest
from assessments.queries.assignment import due_date


def overdue_assignments(today):
    return (
        Assignment.objects.filter(
            ended_at__isnull=True, kind=AssignmentKind.FIRST, case__status=Status.IN_ASSESSMENT
        )
        .annotate(due=due_date())
        .filter(due__lt=today)
        .select_related("assessor", "case__organisation", "case__round", "case__window")
        .order_by("due", "pk")
    )


def done(kind, kind_of_thing, things):
    """{(target, key): when} of ``kind`` already done to ``things``."""
    targets = [scheduler.target(kind_of_thing, thing.pk) for thing in things]
    return {
        (target, key): done_at
        for target, key, done_at in ScheduledAction.objects.filter(
            kind=kind, target__in=targets
        ).values_list("target", "key", "done_at")
    }


def chase_assessments():
    """Chase each overdue assessment's assessor once per due date, and tell
    the casework officers once if it is still overdue some working days
    later."""
    today = clock.today()
    working_days = policy.current().assessment_chase_escalation_working_days
    assignments = list(overdue_assignments(today))
    first_chases = done(ScheduledKind.ASSESSMENT_CHASED, "assignment", assignments)
    escalations = done(ScheduledKind.ASSESSMENT_ESCALATED, "assignment", assignments)
    chased = escalated = 0
    for assignment in assignments:
        case, key = assignment.case, assignment.due.isoformat()
        target = scheduler.target("assignment", assignment.pk)
        context = {"case": case, "assignment": assignment, "due": assignment.due}
        first = first_chases.get((target, key))
        if (target, key) in escalations:
            continue
        if first is None:
            chased += chase_once(
                ScheduledKind.ASSESSMENT_CHASED,
                target,
                key,
                case.reference,
                [
                    emails.message(
                        "assessments/assessment_overdue",
                        context,
                        [assignment.assessor.email],
                        key=f"assessment-overdue:{assignment.pk}:{key}",
                    )
                ],
            )
        elif escalation_due(first, working_days):
            officers = officers_who_may_see(case.pk)
            escalated += chase_once(
                ScheduledKind.ASSESSMENT_ESCALATED,
                target,
                key,
                case.reference,
                [
                    emails.message(
                        "assessments/assessment_overdue_officers",
                        {**context, "chased_at": first},
                        [officer.email for officer in officers],
                        key=f"assessment-overdue-officers:{assignment.pk}:{key}",
                    )
                ]
                if officers
                else [],
            )
    return {"chased": chased, "escalated": escalated}


def overdue_requests(today):
    return (
        InformationRequest.objects.filter(
            sent_at__isnull=True, due__lt=today, case__status=Status.INFORMATION_REQUESTED
        )
        .select_related("asked_by", "case__organisation")
        .order_by("due", "pk")
    )


def _who_follows_up(request):
    """The assessor who asked; if they have since declared a conflict with
    the organisation (and were stood down), the case's current assessors
    who may see it (whoever was assigned in their place), if any yet."""
    case = request.case
    current = Assignment.objects.filter(case=case, ended_at__isnull=True).values("assessor_id")
    people = [request.asked_by, *User.objects.filter(pk__in=current).order_by("email")]
    followers = [
        person
        for person in people
        if person.is_active and not is_conflicted(person, case.organisation)
    ]
    return [followers[0].email] if followers else []


def chase_requests():
    """Chase the applicant's contacts once for each overdue information
    request, and tell the assessor who asked once if it is still overdue
    some working days later."""
    today = clock.today()
    working_days = policy.current().assessment_chase_escalation_working_days
    requests = list(overdue_requests(today))
    first_chases = done(ScheduledKind.REQUEST_CHASED, "request", requests)
    escalations = done(ScheduledKind.REQUEST_ESCALATED, "request", requests)
    contacts = contacts_by_organisation(r.case.organisation_id for r in requests)
    chased = escalated = 0
    for request in requests:
        case, key = request.case, request.due.isoformat()
        target = scheduler.target("request", request.pk)
        context = {"case": case, "request": request}
        first = first_chases.get((target, key))
        if (target, key) in escalations:
            continue
        if first is None:
            recipients = contacts.get(case.organisation_id, [])
            chased += chase_once(
                ScheduledKind.REQUEST_CHASED,
                target,
                key,
                case.reference,
                [
                    emails.message(
                        "assessments/request_overdue",
                        context,
                        recipients,
                        key=f"request-overdue:{request.pk}:{key}",
                    )
                ]
                if recipients
                else [],
            )
        elif escalation_due(first, working_days):
            recipients = _who_follows_up(request)
            escalated += chase_once(
                ScheduledKind.REQUEST_ESCALATED,
                target,
                key,
                case.reference,
                [
                    emails.message(
                        "assessments/request_overdue_assessor",
                        {**context, "chased_at": first},
                        recipients,
                        key=f"request-overdue-assessor:{request.pk}:{key}",
                    )
                ]
                if recipients
                else [],
            )
    return {"chased": chased, "escalated": escalated}
