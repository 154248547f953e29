"""The staff pages of assessments, under /staff/."""

from django.urls import path

from assessments.views import assignment, queue

urlpatterns = [
    # Assigning assessors (casework officers) and the assessor's queue.
    path(
        "staff/cases/<id:pk>/assessors/",
        assignment.CaseAssessorsView.as_view(),
        name="case-assessors",
    ),
    path("staff/assignment/", assignment.RoundListView.as_view(), name="assignment-rounds"),
    path(
        "staff/assignment/<id:round>/",
        assignment.RoundAssignmentView.as_view(),
        name="assignment-round",
    ),
    path("staff/assessments/", queue.QueueView.as_view(), name="assessor-queue"),
]
