"""Out-of-round requests, mounted at /out-of-round/: the applicant's pages,
and the casework officers' pages under staff/."""

from django.urls import path

from proposals import views_out_of_round as views

urlpatterns = [
    path("", views.RequestListView.as_view(), name="out-of-round-list"),
    path("new/", views.RequestCreateView.as_view(), name="out-of-round-new"),
    path("<id:pk>/sent/", views.RequestSentView.as_view(), name="out-of-round-sent"),
    path("staff/", views.StaffRequestListView.as_view(), name="out-of-round-staff-list"),
    path("staff/<id:pk>/", views.StaffDecisionView.as_view(), name="out-of-round-decide"),
]
