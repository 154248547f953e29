"""The staff pages of assessments, under /staff/."""

from django.urls import path

from assessments.views import (
    assignment,
    conflicts,
    feedback,
    queue,
    requests,
    scoring,
    screening,
)

urlpatterns = [
    # Information requests
    path(
        "staff/cases/<id:pk>/requests/",
        requests.RequestListView.as_view(),
        name="staff-case-requests",
    ),
    path(
        "staff/cases/<id:pk>/requests/new/",
        requests.AskView.as_view(),
        name="staff-case-request-new",
    ),
    path(
        "staff/cases/<id:pk>/requests/extend/",
        requests.ExtendView.as_view(),
        name="staff-case-request-extend",
    ),
    path(
        "staff/cases/<id:pk>/requests/documents/<id:doc>/",
        requests.DocumentDownloadView.as_view(),
        name="staff-case-request-document",
    ),
    # Conflicts of interest
    path("staff/conflicts/", conflicts.ConflictListView.as_view(), name="staff-conflicts"),
    path("staff/conflicts/declare/", conflicts.DeclareView.as_view(), name="conflict-declare"),
    path("staff/conflicts/<id:pk>/end/", conflicts.EndView.as_view(), name="conflict-end"),
    path(
        "staff/conflicts/suggestions/<id:pk>/",
        conflicts.SuggestionView.as_view(),
        name="conflict-suggestion",
    ),
    # Screening
    path("staff/screening/", screening.QueueView.as_view(), name="screening-queue"),
    path("staff/screening/<id:pk>/", screening.ScreenView.as_view(), name="screening-case"),
    path(
        "staff/screening/<id:pk>/identifier/",
        screening.IdentifierClaimView.as_view(),
        name="screening-identifier",
    ),
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
    # Scoring, quality assurance and the recommendation of a case
    path("staff/cases/<id:pk>/scores/", scoring.ScoresView.as_view(), name="case-scores"),
    path(
        "staff/cases/<id:pk>/quality-assurance/",
        scoring.QualityAssuranceView.as_view(),
        name="case-quality-assurance",
    ),
    path(
        "staff/cases/<id:pk>/recommendation/",
        scoring.RecommendationView.as_view(),
        name="case-recommendation",
    ),
    path(
        "staff/cases/<id:pk>/feedback/",
        feedback.FeedbackView.as_view(),
        name="case-feedback",
    ),
    path(
        "staff/cases/<id:pk>/documents/<id:doc>/download/",
        scoring.CaseDocumentDownloadView.as_view(),
        name="case-document-download",
    ),
]
