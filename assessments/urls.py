"""The staff pages of assessments, under /staff/."""

from django.urls import path

from assessments.views import scoring

urlpatterns = [
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
        "staff/cases/<id:pk>/documents/<id:doc>/download/",
        scoring.CaseDocumentDownloadView.as_view(),
        name="case-document-download",
    ),
]
