"""The published criteria and guidance: no sign-in."""

from django.urls import path

from accreditation.views import guidance

urlpatterns = [
    path("criteria/", guidance.CriteriaView.as_view(), name="guidance-criteria"),
    path(
        "criteria/questions.pdf",
        guidance.QuestionsPdfView.as_view(),
        name="guidance-questions-pdf",
    ),
    path(
        "criteria/<id:version>/",
        guidance.CriteriaView.as_view(),
        name="guidance-criteria-version",
    ),
    path(
        "criteria/<id:version>/questions.pdf",
        guidance.QuestionsPdfView.as_view(),
        name="guidance-questions-pdf-version",
    ),
]
