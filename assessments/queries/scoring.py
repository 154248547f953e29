"""What an assessment reads: which criteria of a case are scored (for each
party), the scores of its assessors, where the two disagree, and the
recommendation the scores suggest. Each loader makes the same few queries
whatever the number of criteria, answers or documents."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from accreditation import policy
from accreditation.models import CaseEvent, CriterionGuidance
from accreditation.models.framework import sector_for_kind
from accreditation.queries.conflicts import without_conflicts
from accreditation.workflow import Action, Status
from assessments.models import (
    AgreedScore,
    Assignment,
    AssignmentKind,
    FeedbackOccasion,
    FeedbackRevision,
    NssOutcome,
    Recommendation,
    RecommendationChoice,
    RecommendationOutcome,
    RequestDocument,
    Score,
    ScoreSheet,
    Screening,
)
from proposals.models import Answer, CoPartner, Party
from proposals.queries.journey import criteria_of, questions

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""Before any referral back: every finished set counts."""


def national_support_school_confirmed(case):
    """Is the case's organisation a National Support School for assessment?
    Its claim (in the profile it submitted) stands unless its latest
    screening did not confirm it."""
    if not case.applicant_profile.claims_national_support_school:
        return False
    latest = Screening.objects.filter(case_id=case.pk).order_by("-pk").first()
    return latest is None or latest.nss_claim != NssOutcome.REJECTED


def referral_waiting(case):
    """The Advisory Group's latest referral of ``case`` back to its
    assessors (its event: when, and the group's comment as ``reason``), while
    the case is assessed again and not yet recommended since; else None.
    Only an ASG comes to the group for advice, so only an ASG is referred
    back."""
    if case.accreditation_type != "asg" or case.status not in (
        Status.IN_ASSESSMENT,
        Status.INFORMATION_REQUESTED,
    ):
        return None
    latest = (
        CaseEvent.objects.filter(case_id=case.pk, action=Action.REFER_BACK)
        .annotate(
            # Recommended and through quality assurance: one held for it
            # leaves the second assessor still re-scoring.
            recommended_since=Exists(
                Recommendation.objects.filter(
                    case_id=case.pk,
                    outcome=RecommendationOutcome.COMPLETED,
                    made_at__gt=OuterRef("created_at"),
                )
            )
        )
        .order_by("-sequence")
        .first()
    )
    return None if latest is None or latest.recommended_since else latest


def finished_assignments(case, assignment_ids):
    """Which of these assignments' sets are finished: a set finished before
    the Advisory Group last referred the case back is open again."""
    referred_back = (
        CaseEvent.objects.filter(case_id=case.pk, action=Action.REFER_BACK)
        .order_by("-sequence")
        .values("created_at")[:1]
    )
    sheets = ScoreSheet.objects.filter(
        assignment_id__in=assignment_ids,
        finished_at__gt=Coalesce(Subquery(referred_back), Value(EARLIEST)),
    )
    return set(sheets.order_by().values_list("assignment_id", flat=True))


@dataclass(frozen=True)
class Item:
    """One criterion scored for one party."""

    criterion: object
    party: str

    @property
    def key(self):
        return (self.criterion.pk, self.party)

    @property
    def slug(self):
        return f"{self.criterion.code}-{self.party}"

    @property
    def party_label(self):
        return Party(self.party).label

    def __str__(self):
        if self.party == Party.CO_PARTNER:
            return f"{self.criterion.code} {self.criterion.title} (co-partner)"
        return f"{self.criterion.code} {self.criterion.title}"


def items_of(case, criteria=None):
    """The criteria the case is scored on, for each party, in order: those
    its proposal answers (``proposals.queries.journey``), with a National
    Support School's status as screened."""
    criteria = criteria_of(case) if criteria is None else criteria
    return [
        Item(question.criterion, question.party)
        for question in questions(
            case, criteria, national_support_school=national_support_school_confirmed(case)
        )
    ]


def current_assignment(case, user):
    """``user``'s current assignment to ``case`` (first or second), or None."""
    return (
        Assignment.objects.filter(case_id=case.pk, assessor=user, ended_at__isnull=True)
        .order_by("kind")
        .first()
    )


def is_met(value, threshold):
    return value is not None and value >= threshold


@dataclass
class AssessmentState:
    """A case's scores as the recommendation and quality assurance judge
    them: the current first and second assessors' sets, the agreed scores,
    and what follows from them."""

    case: object
    items: list
    threshold: int
    gap: int
    first: object = None
    second: object = None
    first_scores: dict = field(default_factory=dict)
    second_scores: dict = field(default_factory=dict)
    agreed: dict = field(default_factory=dict)
    finished: set = field(default_factory=set)
    departure_recorded: bool = False

    @property
    def unscored(self):
        return [item for item in self.items if item.key not in self.first_scores]

    @property
    def first_finished(self):
        return self.first is not None and self.first.pk in self.finished

    @property
    def second_finished(self):
        return self.second is not None and self.second.pk in self.finished

    @property
    def both_finished(self):
        return self.first_finished and self.second_finished

    def differ(self, first, second):
        """Two scores need an agreed one: far apart, or either side of the
        threshold."""
        return abs(first - second) >= self.gap or (
            is_met(first, self.threshold) != is_met(second, self.threshold)
        )

    @cached_property
    def disagreements(self):
        """Items both assessors scored where they need an agreed score."""
        found = []
        for item in self.items:
            first, second = self.first_scores.get(item.key), self.second_scores.get(item.key)
            if first and second and self.differ(first.value, second.value):
                found.append(item)
        return found

    @property
    def unresolved(self):
        return [item for item in self.disagreements if item.key not in self.agreed]

    def standing(self, item):
        """The score that stands for ``item``: the agreed one, else the first
        assessor's (or None)."""
        return self.agreed.get(item.key) or self.first_scores.get(item.key)

    @property
    def suggestion(self):
        """Accreditation only when every criterion of every party is met;
        None while any is unscored."""
        if self.unscored:
            return None
        met = all(is_met(self.standing(item).value, self.threshold) for item in self.items)
        return RecommendationChoice.ACCREDIT if met else RecommendationChoice.NOT_ACCREDIT

    @property
    def needs_quality_assurance(self):
        """The rule of ``services.assignment.needs_second_assessor``, on what
        the state has already loaded."""
        every_asg = policy.current().second_assessor_for_every_asg
        return bool((self.case.is_asg and every_asg) or self.departure_recorded)

    @property
    def quality_assurance_done(self):
        return self.both_finished and not self.unresolved

    def quality_assurance_problems(self):
        """What stands between the case and its recommendation, in words."""
        problems = []
        if not self.first_finished:
            problems.append(
                "The assessor’s scores are compared with the second assessor’s once the "
                "assessor finishes scoring: making the recommendation below finishes it."
            )
        if self.second is None:
            problems.append("A casework officer must assign a second assessor.")
        elif not self.second_finished:
            problems.append("The second assessor has not finished scoring.")
        if self.both_finished:
            problems += [f"Record an agreed score for {item}." for item in self.unresolved]
        return problems


def assessment_state(case, as_recommended=False):
    """Load a case's ``AssessmentState`` (a constant number of queries).
    ``as_recommended``: with the first assessor whose assessment the latest
    completed recommendation stood on, when one assigned since (to write
    the feedback, in place of one who stood down) holds the part now."""
    current = list(
        Assignment.objects.filter(case_id=case.pk, ended_at__isnull=True).select_related("assessor")
    )
    if as_recommended:
        recommended = (
            Recommendation.objects.filter(case_id=case.pk, outcome=RecommendationOutcome.COMPLETED)
            .select_related("assignment__assessor")
            .order_by("-made_at", "-pk")
            .first()
        )
        if recommended is not None and recommended.assignment.kind == AssignmentKind.FIRST:
            current = [a for a in current if a.kind != AssignmentKind.FIRST]
            current.append(recommended.assignment)
    by_kind = {assignment.kind: assignment for assignment in current}
    rules = case.framework
    state = AssessmentState(
        case=case,
        items=items_of(case),
        threshold=rules.threshold,
        gap=policy.current().qa_score_gap,
        first=by_kind.get(AssignmentKind.FIRST),
        second=by_kind.get(AssignmentKind.SECOND),
    )
    pks = [assignment.pk for assignment in current]
    first_pk = state.first.pk if state.first else None
    for score in Score.objects.filter(assignment_id__in=pks).select_related("updated_by"):
        scores = state.first_scores if score.assignment_id == first_pk else state.second_scores
        scores[(score.criterion_id, score.party)] = score
    state.finished = finished_assignments(case, pks)
    if state.first and state.second:
        for agreed in AgreedScore.objects.filter(
            first_score__assignment=state.first, second_score__assignment=state.second
        ).select_related("agreed_by", "first_score"):
            state.agreed[(agreed.first_score.criterion_id, agreed.first_score.party)] = agreed
    state.departure_recorded = departure_recorded(case)
    return state


def departure_recorded(case):
    return Recommendation.objects.departing().filter(case_id=case.pk).exists()


def latest_recommendation(case):
    return (
        Recommendation.objects.filter(case_id=case.pk)
        .select_related("made_by", "assignment")
        .first()
    )


def latest_completed_recommendation(case):
    return (
        Recommendation.objects.filter(case_id=case.pk, outcome=RecommendationOutcome.COMPLETED)
        .order_by("-made_at", "-pk")
        .first()
    )


def draft_feedback(case):
    """The feedback to the applicant that stands for the case's letter,
    criterion by criterion: the assessor's latest revision written since
    the latest completed recommendation, else the feedback that
    recommendation (not to accredit) carried forward."""
    recommendation = latest_completed_recommendation(case)
    revision = FeedbackRevision.objects.filter(case_id=case.pk).first()
    if revision is not None and (
        recommendation is None or revision.written_at >= recommendation.made_at
    ):
        return list(revision.draft_feedback.select_related("criterion__part"))
    if recommendation is None or recommendation.recommendation != RecommendationChoice.NOT_ACCREDIT:
        return []
    return list(recommendation.draft_feedback.select_related("criterion__part"))


FEEDBACK_STATUSES = (Status.ADVISORY_REVIEW, Status.AWAITING_DECISION, Status.NOT_ACCREDITED)
"""A case has feedback under review from when its assessment is complete
(the Advisory Group's agenda reads this too)."""


def with_feedback_occasion(cases):
    """``cases`` annotated with why each one's first assessor is to write its
    feedback to the applicant now: ``feedback_occasion`` (a
    ``FeedbackOccasion``, or None) and ``feedback_due_since``, when it last
    came to them. The one definition the feedback page, its service, the
    case page and the assessor's worklist share.

    The occasion holds from a decision not to accredit against a
    recommendation to accredit, or from the Advisory Group returning the
    feedback, until the group approves feedback written since the latest
    completed recommendation. It came to the assessor at the later of the
    decision and the group's return."""
    # What the occasion is decided from, one row per case in a view
    # (``FeedbackState``): joined once, its columns named as often as the
    # conditions ask.
    waiting = (
        Q(status__in=FEEDBACK_STATUSES)
        & Q(recommended_at__isnull=False)
        & ~Q(feedback_approved=True)
    )
    decided_against = Q(status=Status.NOT_ACCREDITED, recommended=RecommendationChoice.ACCREDIT)
    returned_to_revise = Q(returned_at__isnull=False)

    def while_waiting(*whens, output_field):
        # ``waiting`` asked once, around the other conditions.
        inner = Case(*whens, default=None, output_field=output_field)
        return Case(When(waiting, then=inner), default=None, output_field=output_field)

    return cases.annotate(
        recommended_at=F("feedback_state__recommended_at"),
        recommended=F("feedback_state__recommended"),
        feedback_approved=F("feedback_state__feedback_approved"),
        returned_at=F("feedback_state__returned_at"),
        decided_at=F("feedback_state__decided_at"),
    ).annotate(
        feedback_occasion=while_waiting(
            When(decided_against, then=Value(FeedbackOccasion.DECIDED_AGAINST.value)),
            When(returned_to_revise, then=Value(FeedbackOccasion.RETURNED.value)),
            output_field=CharField(),
        ),
        feedback_due_since=while_waiting(
            When(
                decided_against, then=Greatest("decided_at", Coalesce("returned_at", "decided_at"))
            ),
            When(returned_to_revise, then=F("returned_at")),
            output_field=DateTimeField(),
        ),
    )


def feedback_occasion(case):
    """Why the case's assessor is to write its feedback to the applicant
    now (a ``FeedbackOccasion``), or None: ``with_feedback_occasion``, read
    from the database (inside a service, after the case's row is locked)."""
    Proposal = apps.get_model("proposals", "Proposal")
    return (
        with_feedback_occasion(Proposal.objects.filter(pk=case.pk))
        .values_list("feedback_occasion", flat=True)
        .first()
    )


# --- The scoring page --------------------------------------------------------


@dataclass
class Row:
    """An item on the scoring page: the applicant's answer, the sector's
    guidance, this assessor's score and (when allowed) the earlier one."""

    item: Item
    answer: object
    guidance: object
    score: object
    earlier: object = None


@dataclass
class ScoringPage:
    case: object
    assignment: object
    rows: list
    documents: list
    request_documents: list
    """Sent with the answers to information requests."""
    finished: bool

    @property
    def unscored(self):
        return [row.item for row in self.rows if row.score is None]


def scoring_page(case, assignment):
    """Everything the scoring page shows ``assignment``'s assessor."""
    criteria = criteria_of(case)
    items = items_of(case, criteria)
    sectors = {Party.LEAD: sector_for_kind(case.applicant_profile.kind)}
    # Only a co-partner route has the co-partner's items to guide.
    co_partner = (
        CoPartner.objects.filter(proposal_id=case.pk).first() if case.has_co_partner_route else None
    )
    if co_partner is not None:
        sectors[Party.CO_PARTNER] = sector_for_kind(co_partner.kind)
    guidance = {
        (g.criterion_id, g.sector): g
        for g in CriterionGuidance.objects.filter(
            criterion__in=criteria, sector__in=set(sectors.values())
        )
    }
    answers = {(a.criterion_id, a.party): a for a in Answer.objects.filter(proposal_id=case.pk)}
    scores = {
        (s.criterion_id, s.party): s
        for s in Score.objects.filter(assignment=assignment).select_related("updated_by")
    }
    earlier = {}
    if assignment.may_see_earlier_scores:
        previous = (
            Assignment.objects.filter(case_id=case.pk, kind=assignment.kind, ended_at__isnull=False)
            .order_by("-ended_at")
            .first()
        )
        if previous is not None:
            earlier = {
                (s.criterion_id, s.party): s for s in Score.objects.filter(assignment=previous)
            }
    rows = [
        Row(
            item=item,
            answer=answers.get(item.key),
            guidance=guidance.get((item.criterion.pk, sectors.get(item.party))),
            score=scores.get(item.key),
            earlier=earlier.get(item.key),
        )
        for item in items
    ]
    return ScoringPage(
        case=case,
        assignment=assignment,
        rows=rows,
        documents=list(case.evidence.order_by("uploaded_at")),
        request_documents=list(
            RequestDocument.objects.filter(request__case_id=case.pk, request__sent_at__isnull=False)
            .select_related("request")
            .order_by("request__sent_at", "uploaded_at", "pk")
        ),
        finished=bool(finished_assignments(case, [assignment.pk])),
    )


def scale_of(case):
    """The framework's scale, highest first, as (value, label) pairs."""
    framework = case.framework
    labels = dict(policy.current().score_labels)
    return [
        (value, labels.get(value, str(value)))
        for value in range(framework.scale_max, framework.scale_min - 1, -1)
    ]


def with_quality_assurance_to_resolve(assignments):
    """Those of ``assignments`` whose case has both assessors' sets finished
    (since the Advisory Group last referred it back) and a criterion where
    their scores need an agreed score and have none: what
    ``AssessmentState.unresolved`` finds, for many cases in one query."""
    gap = policy.current().qa_score_gap
    current = {"assignment__ended_at__isnull": True}
    second = Score.objects.filter(
        assignment__case_id=OuterRef("assignment__case_id"),
        assignment__kind=AssignmentKind.SECOND,
        criterion_id=OuterRef("criterion_id"),
        party=OuterRef("party"),
        **current,
    )
    threshold = F("assignment__case__framework__threshold")
    unresolved = (
        Score.objects.filter(
            assignment__case_id=OuterRef("case_id"),
            assignment__kind=AssignmentKind.FIRST,
            **current,
        )
        .annotate(second_value=Subquery(second.values("value")[:1]))
        .filter(
            Q(second_value__lte=F("value") - gap)
            | Q(second_value__gte=F("value") + gap)
            | Q(value__gte=threshold, second_value__lt=threshold)
            | Q(value__lt=threshold, second_value__gte=threshold)
        )
        .exclude(
            Exists(
                AgreedScore.objects.filter(
                    first_score=OuterRef("pk"), second_score__assignment__ended_at__isnull=True
                )
            )
        )
    )
    referred_back = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), action=Action.REFER_BACK)
        .order_by("-sequence")
        .values("created_at")[:1]
    )

    def finished(kind):
        return Exists(
            ScoreSheet.objects.filter(
                assignment__case_id=OuterRef("case_id"),
                assignment__kind=kind,
                finished_at__gt=Coalesce(OuterRef("referred_back"), Value(EARLIEST)),
                **current,
            )
        )

    return (
        assignments.annotate(referred_back=Subquery(referred_back))
        .filter(finished(AssignmentKind.FIRST))
        .filter(finished(AssignmentKind.SECOND))
        .filter(Exists(unresolved))
    )


def with_feedback_unwritten(cases):
    """``cases`` whose feedback to the applicant is to be written or revised
    now (``with_feedback_occasion``) and has not been written since it came
    to their assessor: once written it waits for the Advisory Group, though
    the feedback page still takes a rewrite until the chair approves it."""
    last_written = (
        FeedbackRevision.objects.filter(case_id=OuterRef("pk"))
        .order_by("-written_at")
        .values("written_at")[:1]
    )
    return (
        # (Only a case in these statuses has an occasion: asked first, the
        # view's columns are read for those cases alone.)
        with_feedback_occasion(cases.filter(status__in=FEEDBACK_STATUSES))
        .exclude(feedback_occasion=None)
        .annotate(last_written_at=Subquery(last_written))
        .filter(Q(last_written_at=None) | Q(last_written_at__lt=F("feedback_due_since")))
    )


def feedback_unwritten(case):
    """Why ``case``'s feedback waits to be written (``with_feedback_unwritten``),
    as it last came to its assessor: ``FeedbackOccasion.RETURNED`` when the
    Advisory Group returned it since the decision against the recommendation
    (if any), else the occasion; None if it does not wait."""
    Proposal = apps.get_model("proposals", "Proposal")
    found = (
        with_feedback_unwritten(Proposal.objects.filter(pk=case.pk))
        .values_list("feedback_occasion", "returned_at", "feedback_due_since")
        .first()
    )
    if found is None:
        return None
    occasion, returned_at, due_since = found
    return FeedbackOccasion.RETURNED if returned_at and returned_at == due_since else occasion


def feedback_to_write(user):
    """The cases whose feedback to the applicant ``user``, their current
    first assessor free of conflict with the organisation (so holding the
    part the feedback page asks for), is to write or revise now and has not
    written since it came to them (``with_feedback_unwritten``). Oldest
    recommendation first."""
    Proposal = apps.get_model("proposals", "Proposal")
    mine = without_conflicts(
        Assignment.objects.filter(assessor=user, kind=AssignmentKind.FIRST, ended_at__isnull=True),
        user,
        prefix="case__organisation",
    ).values("case_id")
    return (
        with_feedback_unwritten(Proposal.objects.filter(pk__in=mine))
        .select_related("organisation")
        .order_by("recommended_at", "pk")
    )
