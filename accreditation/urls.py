from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from accreditation.numbers import IdConverter
from accreditation.views import accounts, home, public, staff_users

# Registered before any pattern below (or in the included modules) uses it.
register_converter(IdConverter, "id")

handler403 = "accreditation.views.public.error_403"
handler404 = "accreditation.views.public.error_404"
handler500 = "accreditation.views.public.error_500"

urlpatterns = [
    path("", public.StartView.as_view(), name="start"),
    path("cookies/", public.static_page("pages/cookies.html"), name="cookies"),
    path("accessibility/", public.static_page("pages/accessibility.html"), name="accessibility"),
    path("privacy/", public.static_page("pages/privacy.html"), name="privacy"),
    path("healthz", public.healthz, name="healthz"),
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
    path("staff/users/", staff_users.StaffUserListView.as_view(), name="staff-users"),
    path("staff/users/invite/", staff_users.StaffInviteView.as_view(), name="staff-invite"),
    path("staff/users/<id:pk>/", staff_users.StaffUserEditView.as_view(), name="staff-user"),
    path("guidance/", include("accreditation.urls_guidance")),
    path("", include("proposals.urls")),
]
