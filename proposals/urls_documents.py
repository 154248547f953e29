from django.urls import path

from proposals import views_documents

urlpatterns = [
    path(
        "<int:pk>/documents/",
        views_documents.ProposalDocumentsView.as_view(),
        name="proposal-documents",
    ),
    path(
        "<int:pk>/documents/<int:doc>/download/",
        views_documents.ProposalDocumentDownloadView.as_view(),
        name="proposal-document-download",
    ),
    path(
        "<int:pk>/documents/<int:doc>/delete/",
        views_documents.ProposalDocumentDeleteView.as_view(),
        name="proposal-document-delete",
    ),
]
