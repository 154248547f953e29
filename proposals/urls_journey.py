from django.urls import path

from proposals import views_journey as v

urlpatterns = [
    path("", v.DashboardView.as_view(), name="proposal-dashboard"),
    path("start/", v.StartView.as_view(), name="proposal-start"),
    path("<id:pk>/", v.TaskListView.as_view(), name="proposal-task-list"),
    path("<id:pk>/type/", v.TypeView.as_view(), name="proposal-type"),
    path("<id:pk>/schools/", v.SchoolsView.as_view(), name="proposal-schools"),
    path(
        "<id:pk>/schools/<id:school>/remove/",
        v.RemoveSchoolView.as_view(),
        name="proposal-school-remove",
    ),
    path("<id:pk>/co-partner/", v.CoPartnerView.as_view(), name="proposal-co-partner"),
    path("<id:pk>/new-provision/", v.NewProvisionView.as_view(), name="proposal-new-provision"),
    path("<id:pk>/answers/<str:code>/<str:party>/", v.AnswerView.as_view(), name="proposal-answer"),
    path("<id:pk>/declaration/", v.DeclarationView.as_view(), name="proposal-declaration"),
    path("<id:pk>/check/", v.CheckAnswersView.as_view(), name="proposal-check"),
    path("<id:pk>/confirmation/", v.ConfirmationView.as_view(), name="proposal-confirmation"),
    path("<id:pk>/status/", v.StatusView.as_view(), name="proposal-status"),
    path("<id:pk>/withdraw/", v.WithdrawView.as_view(), name="proposal-withdraw"),
    path("<id:pk>/proposal.pdf", v.ProposalPdfView.as_view(), name="proposal-pdf"),
    path("<id:pk>/copy/", v.CopyView.as_view(), name="proposal-copy"),
]
