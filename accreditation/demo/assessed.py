"""The assessment behind the demo's recommendations. The histories replay a
recommendation as a workflow move; this gives each case the Advisory Group
or a decision official reads it on (a case on any meeting's agenda, every
case whose recommendation is still to be advised on or decided, and every
case decided on one) what its assessor left: a finished set of scores
(criteria not met carry feedback to the applicant), the recommendation
itself and its draft feedback. A case decided not accredited
on a past meeting's agenda had its feedback approved at that meeting.

Written in bulk as the history's own past (like the assignments the player
makes), once: a case that has a recommendation is left as it is, and one
the demo is scoring again (after the group referred it back) keeps its
scores."""

import bisect

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from accreditation import clock
from accreditation.demo.answers import questions_by_shape
from accreditation.demo.histories import REASONING
from accreditation.demo.moves import BATCH
from accreditation.demo.scale import SCALE_STAFF
from accreditation.models import CaseEvent
from accreditation.roles import Role
from accreditation.workflow import Action, Status
from assessments.models.screening import NssOutcome
from assessments.queries.scoring import Item

WAITING = (Status.ADVISORY_REVIEW, Status.AWAITING_DECISION)
DECIDED = (Status.ACCREDITED, Status.NOT_ACCREDITED)
COMMENTS = {
    True: (
        "{code}: the evidence is sufficient, with specific examples and results.",
        "{code}: met. The answer is specific and the results it cites are recent.",
        "{code}: a clear answer; the impact described is borne out by published data.",
    ),
    False: (
        "{code}: the evidence is thin; the examples do not show measured impact.",
        "{code}: not met. The answer describes plans rather than a track record.",
    ),
}
NOT_MET = "For {code}, give specific, measured examples of the impact you describe."
SCALE_STAFF_PREFIX = SCALE_STAFF.split("{")[0]


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
    """Write the assessment behind every recommendation that has none, in
    bulk (a query per kind of row, not per case, so ``--scale`` stays fast)."""
    Proposal = _model("proposals.Proposal")
    Assignment = _model("assessments.Assignment")
    Recommendation = _model("assessments.Recommendation")
    AgendaItem = _model("advisory_group.AgendaItem")
    cases = list(
        Proposal.objects.filter(
            Q(status__in=WAITING + DECIDED) | Exists(AgendaItem.objects.filter(case=OuterRef("pk")))
        )
        .exclude(Exists(Recommendation.objects.filter(case=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("pk")
    )
    ids = [case.pk for case in cases]
    recommended = {}
    for event in (
        CaseEvent.objects.filter(case_id__in=ids, action=Action.RECOMMEND)
        .select_related("actor")
        .order_by("case_id", "sequence")
    ):
        recommended[event.case_id] = event  # the latest stands
    assignments = {
        (a.case_id, a.assessor_id): a
        for a in Assignment.objects.filter(case_id__in=list(recommended), kind="first")
    }
    planned = []
    for case in cases:
        event = recommended.get(case.pk)
        assignment = event and assignments.get((case.pk, event.actor_id))
        if assignment is not None:
            planned.append((case, event, assignment))
    made = _assess(planned)
    _quality_assure(
        seeder, [(case, event, a) for case, event, a in planned if case.accreditation_type == "asg"]
    )
    _approve_decided_feedback([case for case in made if case.status == Status.NOT_ACCREDITED])
    seeder.created["assessments behind recommendations"] += len(made)


def _items(cases):
    """Each case's items, as ``items_of`` gives them, with the screened
    National Support School status read in one query and the questions
    worked out once per shape of case."""
    Screening = _model("assessments.Screening")
    rejected = set(
        Screening.objects.filter(
            case_id__in=[case.pk for case in cases], nss_claim=NssOutcome.REJECTED
        ).values_list("case_id", flat=True)
    )
    asked = questions_by_shape()
    return {
        case.pk: [
            Item(question.criterion, question.party)
            for question in asked(
                case,
                national_support_school=bool(
                    (case.submitted_profile or {}).get("claims_national_support_school")
                )
                and case.pk not in rejected,
            )
        ]
        for case in cases
    }


def _assess(planned):
    """Scores (unless the assessor has some), the finished sheet, the
    recommendation and its draft feedback of each (case, recommend event,
    assignment)."""
    Score = _model("assessments.Score")
    ScoreSheet = _model("assessments.ScoreSheet")
    Recommendation = _model("assessments.Recommendation")
    DraftFeedback = _model("assessments.DraftFeedback")
    items = _items([case for case, _, _ in planned])
    scored = {}
    for score in Score.objects.filter(assignment__in=[a for _, _, a in planned]):
        scored.setdefault(score.assignment_id, {})[(score.criterion_id, score.party)] = score.value
    scores, sheets, recommendations, values_of = [], [], [], []
    for case, event, assignment in planned:
        assessor, when = event.actor, event.created_at
        recommendation = event.details.get("recommendation", "accredit")
        own = items[case.pk]
        if assignment.pk in scored:
            values = [scored[assignment.pk].get(item.key, 3) for item in own]
        else:
            values = _values(own, recommendation, case.pk)
            scores += _scores(assignment, own, values, assessor, when)
            sheets.append(ScoreSheet(assignment=assignment, finished_by=assessor, finished_at=when))
        recommendations.append(
            Recommendation(
                case=case,
                assignment=assignment,
                recommendation=recommendation,
                suggested=recommendation,
                # A demo seeded before its events carried the reasons.
                reasoning=event.details.get("reasoning") or REASONING[recommendation],
                outcome="completed",
                made_by=assessor,
                made_at=when,
            )
        )
        values_of.append(values)
        case.recommended, case.recommended_at = recommendation, when
    Score.objects.bulk_create(scores, batch_size=BATCH)
    ScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
    Recommendation.objects.bulk_create(recommendations, batch_size=BATCH)
    DraftFeedback.objects.bulk_create(
        (
            DraftFeedback(
                recommendation=made,
                criterion=item.criterion,
                party=item.party,
                score=value,
                text=NOT_MET.format(code=item.criterion.code),
            )
            for (case, _, _), made, values in zip(planned, recommendations, values_of, strict=True)
            for item, value in zip(items[case.pk], values, strict=True)
            if value < 3
        ),
        batch_size=BATCH,
    )
    return [case for case, _, _ in planned]


def _quality_assure(seeder, planned):
    """Every ASG case's quality assurance (SPEC: a second assessor scores
    blind before the case can be recommended): a second assessor, never on
    the case before nor in conflict with it, assigned between the first
    assignment and the recommendation, whose finished scores agree with
    the first's (so no criterion needs an agreed score). Cases that have a
    second assessor already are left as they are."""
    Assignment = _model("assessments.Assignment")
    Score = _model("assessments.Score")
    ScoreSheet = _model("assessments.ScoreSheet")
    Conflict = _model("assessments.Conflict")
    has_second = set(
        Assignment.objects.filter(
            case_id__in=[case.pk for case, _, _ in planned], kind="second"
        ).values_list("case_id", flat=True)
    )
    # A case being assessed again (a concern upheld, or referred back) has
    # its quality assurance still to come.
    planned = [p for p in planned if p[0].pk not in has_second and p[0].status in WAITING + DECIDED]
    ever_on = set(
        Assignment.objects.filter(case_id__in=[case.pk for case, _, _ in planned]).values_list(
            "case_id", "assessor_id"
        )
    )
    # The demo's assessors (the third for a case the other two may not
    # assess), and at a scale its scale assessors, in turn.
    candidates = [*seeder.assessors, seeder.users["assessor3@example.org"]] + list(
        _model("accreditation.User")
        .objects.filter(email__startswith=SCALE_STAFF_PREFIX, groups__name=Role.ASSESSOR)
        .order_by("pk")
    )
    conflicts = set()
    for user, organisation, local_authority in (
        Conflict.objects.active()
        .filter(user__in=candidates)
        .values_list("user_id", "organisation_id", "local_authority_id")
    ):
        conflicts |= {(user, "o", organisation), (user, "l", local_authority)}
    items = _items([case for case, _, _ in planned])
    scored = {}
    for score in Score.objects.filter(assignment__in=[a for _, _, a in planned]):
        scored.setdefault(score.assignment_id, {})[(score.criterion_id, score.party)] = score.value
    seconds, pending = [], []
    for case, event, first in planned:
        turn = case.pk % len(candidates)
        second = next(
            (
                person
                for person in candidates[turn:] + candidates[:turn]
                if (case.pk, person.pk) not in ever_on
                and (person.pk, "o", case.organisation_id) not in conflicts
                and (person.pk, "l", case.organisation.local_authority_id) not in conflicts
            ),
            None,
        )
        if second is None:
            continue
        span = event.created_at - first.assigned_at
        assigned = first.assigned_at + span / 2
        seconds.append(
            Assignment(
                case=case,
                assessor=second,
                kind="second",
                assigned_by=seeder.users["caseworker@example.org"],
                assigned_at=assigned,
            )
        )
        own = items[case.pk]
        values = [scored.get(first.pk, {}).get(item.key, 3) for item in own]
        pending.append((second, own, values, first.assigned_at + span * 3 / 4))
    Assignment.objects.bulk_create(seconds, batch_size=BATCH)
    Score.objects.bulk_create(
        (
            score
            for assignment, (assessor, own, values, when) in zip(seconds, pending, strict=True)
            for score in _scores(assignment, own, values, assessor, when)
        ),
        batch_size=BATCH,
    )
    ScoreSheet.objects.bulk_create(
        (
            ScoreSheet(assignment=assignment, finished_by=assessor, finished_at=when)
            for assignment, (assessor, _, _, when) in zip(seconds, pending, strict=True)
        ),
        batch_size=BATCH,
    )


def _scores(assignment, items, values, assessor, when):
    """The assessor's finished set, as it stood when they recommended."""
    Score = _model("assessments.Score")
    return [
        Score(
            assignment=assignment,
            criterion=item.criterion,
            party=item.party,
            value=value,
            internal_comment=COMMENTS[value >= 3][
                (assignment.pk + n) % len(COMMENTS[value >= 3])
            ].format(code=item.criterion.code),
            applicant_feedback="" if value >= 3 else NOT_MET.format(code=item.criterion.code),
            updated_by=assessor,
            updated_at=when,
        )
        for n, (item, value) in enumerate(zip(items, values, strict=True))
    ]


def _approve_decided_feedback(cases):
    """Cases decided not accredited on a recommendation not to accredit: the
    group approved their feedback at the meeting that advised on them (an
    ASG), or at the first meeting held after the recommendation (an ASP), so
    the next meeting is not filled with history. A case whose feedback no
    meeting held has reviewed yet has it waiting for the next."""
    from advisory_group.queries.agenda import digest, feedback_rows

    AgendaItem = _model("advisory_group.AgendaItem")
    FeedbackApproval = _model("advisory_group.FeedbackApproval")
    Meeting = _model("advisory_group.Meeting")
    cases = [case for case in cases if case.recommended == "not_accredit"]
    advised = {
        item.case_id: item
        for item in AgendaItem.objects.filter(case__in=cases, purpose="advice")
        .exclude(outcome="")
        .select_related("meeting__chair")
    }
    held = list(
        Meeting.objects.filter(held_at__lt=clock.now())
        .select_related("chair")
        .order_by("held_at", "pk")
    )
    times = [meeting.held_at for meeting in held]
    for case in cases:
        item = advised.get(case.pk)
        if item is not None and item.decided_at >= case.recommended_at:
            meeting, added_at, decided_at = item.meeting, item.added_at, item.decided_at
        else:
            after = bisect.bisect_right(times, case.recommended_at)
            if after == len(held):
                continue
            meeting = held[after]
            added_at = decided_at = meeting.held_at
        review = AgendaItem.objects.create(
            meeting=meeting,
            case=case,
            purpose="feedback",
            added_at=added_at,
            outcome="approved",
            decided_by=meeting.chair,
            decided_at=decided_at,
        )
        rows = feedback_rows(case)
        FeedbackApproval.objects.create(
            case=case,
            item=review,
            feedback=rows,
            digest=digest(rows),
            approved_by=meeting.chair,
            approved_at=decided_at,
        )
