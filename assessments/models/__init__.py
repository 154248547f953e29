"""The assessments app's models, one module per part of the work."""

from assessments.models.assignments import Assignment, AssignmentKind
from assessments.models.conflicts import (
    Conflict,
    ConflictQuerySet,
    DismissedSuggestion,
    SuggestionBasis,
)
from assessments.models.screening import NssOutcome, Screening, ScreeningDecision

__all__ = [
    "Assignment",
    "AssignmentKind",
    "Conflict",
    "ConflictQuerySet",
    "DismissedSuggestion",
    "NssOutcome",
    "Screening",
    "ScreeningDecision",
    "SuggestionBasis",
]
