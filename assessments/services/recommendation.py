"""The recommendation: the assessor recommends, with reasoning, and the
service either completes the assessment (moving the case on through the
workflow) or, when quality assurance is needed and not done, holds the
recommendation until it is."""

from dataclasses import dataclass

from django.db import transaction

from accreditation import clock, timeline
from accreditation.access import require
from accreditation.workflow import Action, Status, move
from assessments.models import (
    DraftFeedback,
    Recommendation,
    RecommendationChoice,
    RecommendationOutcome,
)
from assessments.queries.scoring import assessment_state, is_met, latest_recommendation
from assessments.services.scoring import ScoringError, Unscored, finish_scores, lock_case


@dataclass
class Result:
    recommendation: object
    problems: list
    """What quality assurance still needs when the recommendation is held."""

    @property
    def completed(self):
        return self.recommendation.outcome == RecommendationOutcome.COMPLETED


class StaleRecommendation(ScoringError):
    def __init__(self, current, actor):
        who = (
            "You saved a recommendation in another tab or window, or sent this one twice,"
            if current.made_by_id == actor.pk
            else f"{current.made_by.full_name} saved a recommendation"
        )
        super().__init__(
            f"{who} at {clock.describe(current.made_at)}, after this page was opened: it is "
            "shown below. This one has not been saved: check it, then send it again if it "
            "should replace that one."
        )
        self.current = current


def recommend(case, *, recommendation, reasoning, departure_reason, actor, after=None):
    """The first assessor's recommendation. Refused while any criterion is
    unscored, and without a reason when it departs from the suggested one.
    ``after``: the pk of the latest recommendation the assessor's page
    showed (0 for none), refused if another has been made since (the same
    form sent twice, say); None: not checked."""
    require(actor, "assessments.recommend_case", case)
    if recommendation not in RecommendationChoice.values:
        raise ScoringError("Select whether you recommend accreditation.")
    if not reasoning.strip():
        raise ScoringError("Enter the reasons for your recommendation.")
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status != Status.IN_ASSESSMENT:
            raise ScoringError(
                "The case is not being assessed now, so a recommendation cannot be made."
            )
        latest = latest_recommendation(locked)
        if after is not None and latest is not None and latest.pk != after:
            raise StaleRecommendation(latest, actor)
        state = assessment_state(locked)
        if state.first is None or state.first.assessor_id != actor.pk:
            raise ScoringError("Only the case's assessor can recommend.")
        if state.unscored:
            raise Unscored(state.unscored, "Score every criterion before you recommend.")
        suggested = state.suggestion
        departs = recommendation != suggested
        if departs and not departure_reason.strip():
            raise ScoringError("Enter why your recommendation differs from the suggested one.")
        if not state.first_finished:
            finish_scores(locked, state.first, actor)
            state.finished.add(state.first.pk)
        needs_qa = state.needs_quality_assurance or departs
        problems = state.quality_assurance_problems() if needs_qa else []
        made = Recommendation.objects.create(
            case=locked,
            assignment=state.first,
            recommendation=recommendation,
            suggested=suggested,
            reasoning=reasoning,
            departure_reason=departure_reason if departs else "",
            outcome=(
                RecommendationOutcome.QUALITY_ASSURANCE
                if problems
                else RecommendationOutcome.COMPLETED
            ),
            made_by=actor,
        )
        details = {
            "recommendation": recommendation,
            "suggested": str(suggested),
            "reasoning": reasoning,
        }
        if departs:
            details["departure_reason"] = departure_reason
        if problems:
            timeline.append(locked, action="quality_assurance_needed", actor=actor, details=details)
            return Result(made, problems)
        if recommendation == RecommendationChoice.NOT_ACCREDIT:
            carry_feedback_forward(made, state)
        move(locked, Action.RECOMMEND, actor, details=details)
        onward = Action.REFER_TO_ADVISORY_GROUP if locked.is_asg else Action.REFER_TO_DECISION
        move(locked, onward, None)
    case.refresh_from_db()
    return Result(made, [])


def carry_feedback_forward(recommendation, state):
    """Keep the applicant feedback of every criterion not met, from the
    score that stands (the agreed one where there is one), for the letter."""
    rows = []
    for item in state.items:
        standing = state.standing(item)
        if not is_met(standing.value, state.threshold):
            rows.append(
                DraftFeedback(
                    recommendation=recommendation,
                    criterion=item.criterion,
                    party=item.party,
                    score=standing.value,
                    text=standing.applicant_feedback,
                )
            )
    DraftFeedback.objects.bulk_create(rows)
