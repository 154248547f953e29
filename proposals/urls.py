"""The applicant's side of the service, one module per area."""

from django.urls import include, path

urlpatterns = [
    path("organisation/", include("proposals.urls_organisation")),
    path("out-of-round/", include("proposals.urls_out_of_round")),
    path("proposals/", include("proposals.urls_journey")),
    path("proposals/", include("proposals.urls_documents")),
]
