from django.urls import path

from proposals import views_documents

urlpatterns = [
    path(
        "<id:pk>/documents/",
        views_documents.ProposalDocumentsView.as_view(),
        name="proposal-documents",
    ),
    path(
        "<id:pk>/documents/<id:doc>/download/",
        views_documents.ProposalDocumentDownloadView.as_view(),
        name="proposal-document-download",
    ),
    path(
        "<id:pk>/documents/<id:doc>/delete/",
        views_documents.ProposalDocumentDeleteView.as_view(),
        name="proposal-document-delete",
    ),
]
