from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from accreditation.admin import site as admin_site
from accreditation.numbers import IdConverter
from accreditation.views import (
    accounts,
    case_list,
    cases,
    decisions,
    email_templates,
    guidance,
    home,
    organisations,
    public,
    reports,
    rounds,
    schedule,
    staff_emails,
    staff_users,
)

# Registered before any pattern below (or in the included modules) uses it.
register_converter(IdConverter, "id")

handler400 = "accreditation.views.public.error_400"
handler403 = "accreditation.views.public.error_403"
handler404 = "accreditation.views.public.error_404"
handler500 = "accreditation.views.public.error_500"

urlpatterns = [
    path("", public.StartView.as_view(), name="start"),
    path("cookies/", public.static_page("pages/cookies.html"), name="cookies"),
    path("accessibility/", public.static_page("pages/accessibility.html"), name="accessibility"),
    path("privacy/", public.static_page("pages/privacy.html"), name="privacy"),
    path("healthz", public.healthz, name="healthz"),
    path("favicon.ico", public.favicon, name="favicon"),
    # Accounts
    path("account/sign-in/", accounts.SignInView.as_view(), name="login"),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/signed-out/", accounts.SignedOutView.as_view(), name="signed-out"),
    path("account/register/", accounts.RegisterView.as_view(), name="register"),
    path("account/register/sent/", accounts.RegisteredView.as_view(), name="registered"),
    path("account/keep-alive/", accounts.keep_alive, name="keep-alive"),
    path("account/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/two-factor/set-up/", accounts.OtpSetupView.as_view(), name="otp-setup"),
    path("account/two-factor/qr-code.svg", accounts.OtpQrCodeView.as_view(), name="otp-qr"),
    path("account/two-factor/", accounts.OtpVerifyView.as_view(), name="otp-verify"),
    path(
        "invitation/<str:token>/", accounts.AcceptInvitationView.as_view(), name="accept-invitation"
    ),
    # Homes
    path("home/", home.home, name="home"),
    path("applicant/", home.ApplicantHomeView.as_view(), name="applicant-home"),
    path("applicant/switch/", home.switch_organisation, name="switch-organisation"),
    path("staff/", home.StaffHomeView.as_view(), name="staff-home"),
    path("staff/more/", home.MoreView.as_view(), name="staff-more"),
    path("staff/cases/", case_list.CaseListView.as_view(), name="staff-cases"),
    path("staff/cases/download.csv", case_list.CaseListCsvView.as_view(), name="staff-cases-csv"),
    path("staff/cases/<id:pk>/", cases.CaseView.as_view(), name="staff-case"),
    path(
        "staff/cases/<id:pk>/evidence.zip",
        cases.EvidenceZipView.as_view(),
        name="staff-case-evidence-zip",
    ),
    path("staff/decisions/", decisions.QueueView.as_view(), name="decision-queue"),
    path("staff/decisions/<id:pk>/", decisions.CaseDecisionView.as_view(), name="decision-case"),
    path(
        "staff/decisions/<id:pk>/correct/",
        decisions.CorrectDecisionView.as_view(),
        name="decision-correct",
    ),
    path("staff/reports/", reports.ReportRoundsView.as_view(), name="staff-reports"),
    path("staff/reports/<id:pk>/", reports.RoundReportView.as_view(), name="staff-report"),
    path(
        "staff/reports/<id:pk>/calibration/",
        reports.CalibrationView.as_view(),
        name="staff-report-calibration",
    ),
    path(
        "staff/reports/<id:pk>/report.csv",
        reports.RoundReportCsvView.as_view(),
        name="staff-report-csv",
    ),
    path("staff/users/", staff_users.StaffUserListView.as_view(), name="staff-users"),
    path("staff/users/invite/", staff_users.StaffInviteView.as_view(), name="staff-invite"),
    path(
        "staff/users/invitations/<id:pk>/withdraw/",
        staff_users.StaffInvitationWithdrawView.as_view(),
        name="staff-invitation-withdraw",
    ),
    path("staff/users/<id:pk>/", staff_users.StaffUserEditView.as_view(), name="staff-user"),
    path(
        "staff/emails/failed/",
        staff_emails.FailedEmailListView.as_view(),
        name="staff-failed-emails",
    ),
    path(
        "staff/emails/templates/",
        email_templates.EmailTemplateListView.as_view(),
        name="staff-email-templates",
    ),
    path(
        "staff/emails/templates/<slug:app>/<slug:key>/",
        email_templates.EmailPreviewView.as_view(),
        name="staff-email-preview",
    ),
    path(
        "staff/emails/templates/<slug:app>/<slug:key>/html/",
        email_templates.EmailPreviewHtmlView.as_view(),
        name="staff-email-preview-html",
    ),
    path(
        "staff/schedule/",
        schedule.ScheduleView.as_view(),
        name="staff-schedule",
    ),
    path(
        "staff/emails/failed/retry/",
        staff_emails.RetryEmailView.as_view(),
        name="staff-retry-emails",
    ),
    path("staff/rounds/", rounds.RoundListView.as_view(), name="staff-rounds"),
    path("staff/rounds/new/", rounds.RoundCreateView.as_view(), name="staff-round-new"),
    path("staff/rounds/calendar/", rounds.CalendarView.as_view(), name="staff-round-calendar"),
    path(
        "staff/rounds/calendar/<str:term>/",
        rounds.CalendarEditView.as_view(),
        name="staff-round-calendar-term",
    ),
    path("staff/rounds/<id:pk>/", rounds.RoundView.as_view(), name="staff-round"),
    path("staff/rounds/<id:pk>/change/", rounds.RoundEditView.as_view(), name="staff-round-change"),
    path(
        "staff/rounds/<id:pk>/cancel/", rounds.RoundCancelView.as_view(), name="staff-round-cancel"
    ),
    path(
        "staff/rounds/<id:pk>/move-drafts/",
        rounds.MoveDraftsView.as_view(),
        name="staff-round-move",
    ),
    path("staff/admin/", admin_site.urls),
    # The published criteria and guidance: no sign-in
    path("guidance/criteria/", guidance.CriteriaView.as_view(), name="guidance-criteria"),
    path(
        "guidance/criteria/questions.pdf",
        guidance.QuestionsPdfView.as_view(),
        name="guidance-questions-pdf",
    ),
    path(
        "guidance/criteria/<id:version>/",
        guidance.CriteriaView.as_view(),
        name="guidance-criteria-version",
    ),
    path(
        "guidance/criteria/<id:version>/questions.pdf",
        guidance.QuestionsPdfView.as_view(),
        name="guidance-questions-pdf-version",
    ),
    # The organisation profile and its members
    path("organisation/", organisations.ProfileView.as_view(), name="organisation-profile"),
    path("organisation/new/", organisations.CreateKindView.as_view(), name="organisation-create"),
    path(
        "organisation/new/<str:kind>/",
        organisations.CreateDetailsView.as_view(),
        name="organisation-create-details",
    ),
    path(
        "organisation/change-kind/",
        organisations.ChangeKindView.as_view(),
        name="organisation-change-kind",
    ),
    path(
        "organisation/edit/<str:kind>/",
        organisations.EditDetailsView.as_view(),
        name="organisation-edit",
    ),
    path("organisation/members/", organisations.MembersView.as_view(), name="organisation-members"),
    path(
        "organisation/members/invite/",
        organisations.InviteView.as_view(),
        name="organisation-invite",
    ),
    path(
        "organisation/members/contacts/",
        organisations.ContactsView.as_view(),
        name="organisation-contacts",
    ),
    path(
        "organisation/members/<id:pk>/remove/",
        organisations.RemoveMemberView.as_view(),
        name="organisation-remove-member",
    ),
    path(
        "organisation/members/invitations/<id:pk>/withdraw/",
        organisations.WithdrawInvitationView.as_view(),
        name="organisation-invitation-withdraw",
    ),
    path(
        "organisation/join/<str:token>/", organisations.JoinView.as_view(), name="organisation-join"
    ),
    path("", include("proposals.urls")),
    path("", include("assessments.urls")),
    path("", include("advisory_group.urls")),
    path("", include("feedback.urls")),
    path("", include("register.urls")),
]
