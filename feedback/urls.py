"""Letters: the applicant's download, staff's download and preview under
/staff/, the letters register, and the public check."""

from django.urls import path

from feedback.views import letters

urlpatterns = [
    path(
        "proposals/<id:pk>/letters/<str:purpose>.pdf",
        letters.ApplicantLetterView.as_view(),
        name="letter-download",
    ),
    path(
        "staff/cases/<id:pk>/letters/<str:purpose>.pdf",
        letters.StaffLetterView.as_view(),
        name="staff-letter-download",
    ),
    path(
        "staff/cases/<id:pk>/letters/preview/<str:purpose>/",
        letters.PreviewView.as_view(),
        name="letter-preview",
    ),
    path(
        "staff/cases/<id:pk>/letters/preview/<str:purpose>.pdf",
        letters.PreviewPdfView.as_view(),
        name="letter-preview-pdf",
    ),
    path("staff/letters/", letters.LetterRegisterView.as_view(), name="staff-letters"),
    path("letters/check/", letters.CheckLetterView.as_view(), name="letter-check"),
]
