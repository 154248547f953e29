"""The public register (no sign-in) and the decision official's pages of it."""

from django.urls import path

from register.views import public, staff

urlpatterns = [
    path("register/", public.RegisterView.as_view(), name="register-search"),
    path("register/download/", public.DownloadSchemaView.as_view(), name="register-download"),
    path("register/download.csv", public.DownloadCsvView.as_view(), name="register-csv"),
    path("register/download.json", public.DownloadJsonView.as_view(), name="register-json"),
    path("register/feed/", public.RegisterFeed(), name="register-feed"),
    path("register/<id:pk>/", public.ProviderView.as_view(), name="register-provider"),
    path("staff/register/notices/", staff.NoticeListView.as_view(), name="staff-register-notices"),
    path(
        "staff/register/<id:pk>/revoke/",
        staff.RevokeView.as_view(),
        name="staff-register-revoke",
    ),
]
