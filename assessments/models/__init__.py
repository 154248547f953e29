"""The assessments app's models, one module per part of the work."""

from assessments.models.assignments import AssessorCapacity, Assignment, AssignmentKind
from assessments.models.conflicts import (
    Conflict,
    ConflictQuerySet,
    DismissedSuggestion,
    SuggestionBasis,
)
from assessments.models.requests import InformationRequest, RequestDocument, RequestQuestion
from assessments.models.scoring import (
    AgreedScore,
    DraftFeedback,
    FeedbackOccasion,
    FeedbackRevision,
    FeedbackState,
    Recommendation,
    RecommendationChoice,
    RecommendationOutcome,
    Score,
    ScoreSheet,
)
from assessments.models.screening import NssOutcome, Screening, ScreeningDecision

__all__ = [
    "AgreedScore",
    "AssessorCapacity",
    "Assignment",
    "AssignmentKind",
    "Conflict",
    "ConflictQuerySet",
    "DismissedSuggestion",
    "DraftFeedback",
    "FeedbackOccasion",
    "FeedbackRevision",
    "FeedbackState",
    "InformationRequest",
    "NssOutcome",
    "Recommendation",
    "RecommendationChoice",
    "RecommendationOutcome",
    "RequestDocument",
    "RequestQuestion",
    "Score",
    "ScoreSheet",
    "Screening",
    "ScreeningDecision",
    "SuggestionBasis",
]
