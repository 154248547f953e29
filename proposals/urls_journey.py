from django.urls import path

from proposals import views_journey as v

urlpatterns = [
    path("", v.DashboardView.as_view(), name="proposal-dashboard"),
    path("start/", v.StartView.as_view(), name="proposal-start"),
    path("<int:pk>/", v.TaskListView.as_view(), name="proposal-task-list"),
    path("<int:pk>/type/", v.TypeView.as_view(), name="proposal-type"),
    path("<int:pk>/schools/", v.SchoolsView.as_view(), name="proposal-schools"),
    path(
        "<int:pk>/schools/<int:school>/remove/",
        v.RemoveSchoolView.as_view(),
        name="proposal-school-remove",
    ),
    path("<int:pk>/co-partner/", v.CoPartnerView.as_view(), name="proposal-co-partner"),
    path("<int:pk>/new-provision/", v.NewProvisionView.as_view(), name="proposal-new-provision"),
    path(
        "<int:pk>/answers/<str:code>/<str:party>/", v.AnswerView.as_view(), name="proposal-answer"
    ),
    path("<int:pk>/declaration/", v.DeclarationView.as_view(), name="proposal-declaration"),
    path("<int:pk>/check/", v.CheckAnswersView.as_view(), name="proposal-check"),
    path("<int:pk>/confirmation/", v.ConfirmationView.as_view(), name="proposal-confirmation"),
    path("<int:pk>/status/", v.StatusView.as_view(), name="proposal-status"),
    path("<int:pk>/withdraw/", v.WithdrawView.as_view(), name="proposal-withdraw"),
    path("<int:pk>/proposal.pdf", v.ProposalPdfView.as_view(), name="proposal-pdf"),
    path("<int:pk>/copy/", v.CopyView.as_view(), name="proposal-copy"),
]
