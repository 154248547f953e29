"""The public register (no sign-in), the decision official's pages of it, the
accredited provider's pages of its own entry and the casework officers'
pages of co-partner changes."""

from django.urls import path

from register.views import co_partners, provider, public, staff

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
    # The accredited provider's own entry, its details and its co-partner
    path("accredited/", provider.EntryView.as_view(), name="provider-entry"),
    path("accredited/details/", provider.DetailsView.as_view(), name="provider-details"),
    path("accredited/response/", provider.ResponseView.as_view(), name="provider-response"),
    path("accredited/co-partner/", provider.StartView.as_view(), name="provider-co-partner-start"),
    path(
        "accredited/co-partner/<id:pk>/",
        provider.ChangeView.as_view(),
        name="provider-co-partner-change",
    ),
    path(
        "accredited/co-partner/<id:pk>/details/",
        provider.ChangeDetailsView.as_view(),
        name="provider-co-partner-details",
    ),
    path(
        "accredited/co-partner/<id:pk>/answers/<str:code>/",
        provider.AnswerView.as_view(),
        name="provider-co-partner-answer",
    ),
    # ... and the casework officers' decisions on co-partners
    path(
        "staff/co-partners/", co_partners.WaitingListView.as_view(), name="staff-co-partner-changes"
    ),
    path(
        "staff/co-partners/<id:pk>/",
        co_partners.DecideView.as_view(),
        name="staff-co-partner-change",
    ),
]
