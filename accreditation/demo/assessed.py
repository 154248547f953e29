"""The assessment behind the demo's recommendations. The histories replay a
recommendation as a workflow move; this gives each case the Advisory Group
or a decision official reads it on (a case on any meeting's agenda, and
every case whose recommendation is still to be advised on or decided) what
its assessor would have left: the applicant's answers, a finished set of
scores (criteria not met carry feedback to the applicant), the
recommendation itself and its draft feedback. A case decided not accredited
on a past meeting's agenda had its feedback approved at that meeting.

Written in bulk as the history's own past (like the assignments the player
makes), once: a case that has a recommendation is left as it is, and one
the demo is scoring again (after the group referred it back) keeps its
scores."""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from accreditation.demo.scoring import _with_answers
from accreditation.models import CaseEvent
from accreditation.workflow import Action, Status

WAITING = (Status.ASSESSED, Status.ADVISORY_REVIEW, Status.AWAITING_DECISION)
NOT_MET = "For {code}, give specific, measured examples of the impact you describe."
REASONING = {
    "accredit": "Every criterion is met: the evidence of leadership and impact is convincing.",
    "not_accredit": "Not every criterion is met: the evidence of impact is too thin in places.",
}


def _model(label):
    return apps.get_model(*label.split("."))


def _values(items, recommendation, seed):
    """Scores that suggest the recommendation: all met, or one or two not."""
    values = [4 if (n + seed) % 3 == 0 else 3 for n in range(len(items))]
    if recommendation == "not_accredit":
        for n in {seed % len(items), (seed * 7 + 3) % len(items)}:
            values[n] = 2
    return values


def backfill(seeder):
    Proposal = _model("proposals.Proposal")
    Assignment = _model("assessments.Assignment")
    Recommendation = _model("assessments.Recommendation")
    AgendaItem = _model("advisory_group.AgendaItem")
    cases = (
        Proposal.objects.filter(
            Q(status__in=WAITING) | Exists(AgendaItem.objects.filter(case=OuterRef("pk")))
        )
        .exclude(Exists(Recommendation.objects.filter(case=OuterRef("pk"))))
        .select_related("framework", "organisation", "created_by")
        .order_by("pk")
    )
    recommended = {}
    for event in (
        CaseEvent.objects.filter(case__in=cases, action=Action.RECOMMEND)
        .select_related("actor")
        .order_by("case_id", "sequence")
    ):
        recommended[event.case_id] = event  # the latest stands
    assignments = {
        (a.case_id, a.assessor_id): a
        for a in Assignment.objects.filter(case_id__in=list(recommended), kind="first")
    }
    made = []
    for case in cases:
        event = recommended.get(case.pk)
        assignment = event and assignments.get((case.pk, event.actor_id))
        if assignment is None:
            continue
        made.append(_assess(case, event, assignment))
    _approve_decided_feedback([case for case in made if case.status == Status.NOT_ACCREDITED])
    seeder.created["assessments behind recommendations"] += len(made)


def _assess(case, event, assignment):
    Score = _model("assessments.Score")
    Recommendation = _model("assessments.Recommendation")
    DraftFeedback = _model("assessments.DraftFeedback")
    assessor, when = event.actor, event.created_at
    recommendation = event.details.get("recommendation", "accredit")
    items = _with_answers(case)
    scored = {
        (score.criterion_id, score.party): score.value
        for score in Score.objects.filter(assignment=assignment)
    }
    if scored:
        values = [scored.get(item.key, 3) for item in items]
    else:
        values = _values(items, recommendation, case.pk)
        _score(assignment, items, values, assessor, when)
    made = Recommendation.objects.create(
        case=case,
        assignment=assignment,
        recommendation=recommendation,
        suggested=recommendation,
        reasoning=event.details.get("reasoning") or REASONING[recommendation],
        outcome="completed",
        made_by=assessor,
        made_at=when,
    )
    DraftFeedback.objects.bulk_create(
        DraftFeedback(
            recommendation=made,
            criterion=item.criterion,
            party=item.party,
            score=value,
            text=NOT_MET.format(code=item.criterion.code),
        )
        for item, value in zip(items, values, strict=True)
        if value < 3
    )
    case.recommended = recommendation
    return case


def _score(assignment, items, values, assessor, when):
    """The assessor's finished set, as it stood when they recommended."""
    Score = _model("assessments.Score")
    Score.objects.bulk_create(
        Score(
            assignment=assignment,
            criterion=item.criterion,
            party=item.party,
            value=value,
            internal_comment=f"{item.criterion.code}: the evidence is "
            f"{'sufficient' if value >= 3 else 'thin'} for this criterion.",
            applicant_feedback="" if value >= 3 else NOT_MET.format(code=item.criterion.code),
            updated_by=assessor,
            updated_at=when,
        )
        for item, value in zip(items, values, strict=True)
    )
    _model("assessments.ScoreSheet").objects.create(
        assignment=assignment, finished_by=assessor, finished_at=when
    )


def _approve_decided_feedback(cases):
    """Cases decided not accredited on a past meeting's agenda: the chair of
    that meeting approved their feedback there (so the next meeting is not
    filled with history)."""
    from advisory_group.queries.agenda import digest, feedback_rows

    AgendaItem = _model("advisory_group.AgendaItem")
    FeedbackApproval = _model("advisory_group.FeedbackApproval")
    advised = {
        item.case_id: item
        for item in AgendaItem.objects.filter(
            case__in=[case for case in cases if case.recommended == "not_accredit"],
            purpose="advice",
        )
        .exclude(outcome="")
        .select_related("meeting")
    }
    for case in cases:
        item = advised.get(case.pk)
        if item is None:
            continue
        review = AgendaItem.objects.create(
            meeting=item.meeting,
            case=case,
            purpose="feedback",
            added_at=item.added_at,
            outcome="approved",
            decided_by=item.meeting.chair,
            decided_at=item.decided_at,
        )
        rows = feedback_rows(case)
        FeedbackApproval.objects.create(
            case=case,
            item=review,
            feedback=rows,
            digest=digest(rows),
            approved_by=item.meeting.chair,
            approved_at=item.decided_at,
        )
