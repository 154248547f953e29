"""The staff pages of advisory_group, under /staff/."""

from django.urls import path

from advisory_group.views import meetings

urlpatterns = [
    path("staff/advisory-group/", meetings.MeetingListView.as_view(), name="advisory-meetings"),
    path(
        "staff/advisory-group/new/", meetings.MeetingFormView.as_view(), name="advisory-meeting-new"
    ),
    path("staff/advisory-group/<id:pk>/", meetings.MeetingView.as_view(), name="advisory-meeting"),
    path(
        "staff/advisory-group/<id:pk>/edit/",
        meetings.MeetingFormView.as_view(),
        name="advisory-meeting-edit",
    ),
    path(
        "staff/advisory-group/<id:pk>/attendance/",
        meetings.AttendanceView.as_view(),
        name="advisory-meeting-attendance",
    ),
    path(
        "staff/advisory-group/<id:pk>/close/",
        meetings.CloseView.as_view(),
        name="advisory-meeting-close",
    ),
    path(
        "staff/advisory-group/<id:pk>/packs/<id:member>/",
        meetings.PackView.as_view(),
        name="advisory-meeting-pack",
    ),
    path(
        "staff/advisory-group/items/<id:pk>/",
        meetings.ItemView.as_view(),
        name="advisory-item",
    ),
    path(
        "staff/advisory-group/items/<id:pk>/move/",
        meetings.MoveItemView.as_view(),
        name="advisory-item-move",
    ),
]
