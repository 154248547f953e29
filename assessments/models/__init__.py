"""The assessments app's models, one module per part of the work."""

from assessments.models.assignments import Assignment, AssignmentKind
from assessments.models.conflicts import Conflict, ConflictQuerySet
from assessments.models.requests import InformationRequest, RequestDocument, RequestQuestion

__all__ = [
    "Assignment",
    "AssignmentKind",
    "Conflict",
    "ConflictQuerySet",
    "InformationRequest",
    "RequestDocument",
    "RequestQuestion",
]
