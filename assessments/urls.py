"""The staff pages of assessments, under /staff/."""

from django.urls import path

from assessments.views import requests

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
]
