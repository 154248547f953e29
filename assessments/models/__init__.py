"""The assessments app's models, one module per part of the work."""

from assessments.models.assignments import Assignment, AssignmentKind
from assessments.models.conflicts import Conflict, ConflictQuerySet
from assessments.models.scoring import (
    AgreedScore,
    DraftFeedback,
    Recommendation,
    RecommendationChoice,
    RecommendationOutcome,
    Score,
    ScoreSheet,
)

__all__ = [
    "AgreedScore",
    "Assignment",
    "AssignmentKind",
    "Conflict",
    "ConflictQuerySet",
    "DraftFeedback",
    "Recommendation",
    "RecommendationChoice",
    "RecommendationOutcome",
    "Score",
    "ScoreSheet",
]
