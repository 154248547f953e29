"""The assessments app's models, one module per part of the work."""

from assessments.models.assignments import Assignment, AssignmentKind
from assessments.models.conflicts import Conflict, ConflictQuerySet

__all__ = ["Assignment", "AssignmentKind", "Conflict", "ConflictQuerySet"]
