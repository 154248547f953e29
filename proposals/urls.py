"""The applicant's pages about proposals and out-of-round requests, and the
casework officers' out-of-round pages under /staff/."""

from django.urls import path

from proposals.views import documents, journey, out_of_round, requests

urlpatterns = [
    # The applicant's proposals
    path("proposals/", journey.DashboardView.as_view(), name="proposal-dashboard"),
    path("proposals/start/", journey.StartView.as_view(), name="proposal-start"),
    path("proposals/<id:pk>/", journey.TaskListView.as_view(), name="proposal-task-list"),
    path("proposals/<id:pk>/type/", journey.TypeView.as_view(), name="proposal-type"),
    path("proposals/<id:pk>/schools/", journey.SchoolsView.as_view(), name="proposal-schools"),
    path(
        "proposals/<id:pk>/schools/<id:school>/remove/",
        journey.RemoveSchoolView.as_view(),
        name="proposal-school-remove",
    ),
    path(
        "proposals/<id:pk>/co-partner/",
        journey.CoPartnerView.as_view(),
        name="proposal-co-partner",
    ),
    path(
        "proposals/<id:pk>/new-provision/",
        journey.NewProvisionView.as_view(),
        name="proposal-new-provision",
    ),
    path(
        "proposals/<id:pk>/answers/<str:code>/<str:party>/",
        journey.AnswerView.as_view(),
        name="proposal-answer",
    ),
    path(
        "proposals/<id:pk>/declaration/",
        journey.DeclarationView.as_view(),
        name="proposal-declaration",
    ),
    path("proposals/<id:pk>/check/", journey.CheckAnswersView.as_view(), name="proposal-check"),
    path(
        "proposals/<id:pk>/confirmation/",
        journey.ConfirmationView.as_view(),
        name="proposal-confirmation",
    ),
    path("proposals/<id:pk>/status/", journey.StatusView.as_view(), name="proposal-status"),
    path("proposals/<id:pk>/withdraw/", journey.WithdrawView.as_view(), name="proposal-withdraw"),
    path("proposals/<id:pk>/proposal.pdf", journey.ProposalPdfView.as_view(), name="proposal-pdf"),
    path("proposals/<id:pk>/copy/", journey.CopyView.as_view(), name="proposal-copy"),
    path("proposals/<id:pk>/move/", journey.MoveView.as_view(), name="proposal-move"),
    # Their supporting documents
    path(
        "proposals/<id:pk>/documents/",
        documents.ProposalDocumentsView.as_view(),
        name="proposal-documents",
    ),
    path(
        "proposals/<id:pk>/documents/<id:doc>/download/",
        documents.ProposalDocumentDownloadView.as_view(),
        name="proposal-document-download",
    ),
    path(
        "proposals/<id:pk>/documents/<id:doc>/delete/",
        documents.ProposalDocumentDeleteView.as_view(),
        name="proposal-document-delete",
    ),
    # Answers to an information request
    path(
        "proposals/<id:pk>/information-request/",
        requests.AnswerRequestView.as_view(),
        name="proposal-request-answer",
    ),
    path(
        "proposals/<id:pk>/information-request/documents/<id:doc>/",
        requests.RequestDocumentDownloadView.as_view(),
        name="proposal-request-document",
    ),
    path(
        "proposals/<id:pk>/information-request/documents/<id:doc>/delete/",
        requests.RequestDocumentDeleteView.as_view(),
        name="proposal-request-document-delete",
    ),
    # Out-of-round requests: the applicant's pages
    path("out-of-round/", out_of_round.RequestListView.as_view(), name="out-of-round-list"),
    path("out-of-round/new/", out_of_round.RequestCreateView.as_view(), name="out-of-round-new"),
    path(
        "out-of-round/<id:pk>/sent/",
        out_of_round.RequestSentView.as_view(),
        name="out-of-round-sent",
    ),
    # ... and the casework officers'
    path(
        "staff/out-of-round/",
        out_of_round.StaffRequestListView.as_view(),
        name="out-of-round-staff-list",
    ),
    path(
        "staff/out-of-round/<id:pk>/",
        out_of_round.StaffDecisionView.as_view(),
        name="out-of-round-decide",
    ),
]
