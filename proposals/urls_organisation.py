"""The organisation profile and its members, under /organisation/."""

from django.urls import path

from proposals import views_organisation as views

urlpatterns = [
    path("", views.ProfileView.as_view(), name="organisation-profile"),
    path("new/", views.CreateKindView.as_view(), name="organisation-create"),
    path("new/<str:kind>/", views.CreateDetailsView.as_view(), name="organisation-create-details"),
    path("change-kind/", views.ChangeKindView.as_view(), name="organisation-change-kind"),
    path("edit/<str:kind>/", views.EditDetailsView.as_view(), name="organisation-edit"),
    path("members/", views.MembersView.as_view(), name="organisation-members"),
    path("members/invite/", views.InviteView.as_view(), name="organisation-invite"),
    path("members/contacts/", views.ContactsView.as_view(), name="organisation-contacts"),
    path(
        "members/<id:pk>/remove/",
        views.RemoveMemberView.as_view(),
        name="organisation-remove-member",
    ),
    path("join/<str:token>/", views.JoinView.as_view(), name="organisation-join"),
]
