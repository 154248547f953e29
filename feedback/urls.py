"""Letters: the applicant's download, staff's download and preview under
/staff/, the letters register, and the public check. Concerns: the
applicant raises one; staff list, read and decide them."""

from django.urls import path

from feedback.views import concerns, letters

urlpatterns = [
    path(
        "proposals/<id:pk>/letters/<id:letter>.pdf",
        letters.ApplicantLetterView.as_view(),
        name="letter-download",
    ),
    path(
        "staff/cases/<id:pk>/letters/<id:letter>.pdf",
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
    path(
        "proposals/<id:pk>/concern/",
        concerns.RaiseConcernView.as_view(),
        name="proposal-concern",
    ),
    path(
        "proposals/<id:pk>/concern-documents/<id:doc>/",
        concerns.ApplicantConcernDocumentView.as_view(),
        name="proposal-concern-document",
    ),
    path("staff/concerns/", concerns.ConcernListView.as_view(), name="staff-concerns"),
    path("staff/concerns/<id:pk>/", concerns.ConcernView.as_view(), name="staff-concern"),
    path(
        "staff/concerns/<id:pk>/documents/<id:doc>/",
        concerns.ConcernDocumentView.as_view(),
        name="staff-concern-document",
    ),
]
