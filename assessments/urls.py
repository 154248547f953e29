"""The staff pages of assessments, under /staff/."""

from django.urls import path

from assessments.views import conflicts, screening

urlpatterns = [
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
]
