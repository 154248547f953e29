"""Sign in, register, second factor, invitations and the session."""

import base64
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation import security
from accreditation.forms.accounts import (
    AcceptInvitationForm,
    GdsPasswordResetForm,
    GdsSetPasswordForm,
    RegistrationForm,
    SignInForm,
    TokenForm,
)
from accreditation.models import User
from accreditation.services import accounts

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if security.address_locked_out(request):
            minutes = round(settings.AXES_COOLOFF_TIME * 60)
            return render(
                request, "accounts/address_locked_out.html", {"minutes": minutes}, status=429
            )
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        """Where the sign-in was asked for, unless that is the staff area and
        the person is not staff: their own home, not a page refusing them."""
        url = super().get_success_url()
        if urlsplit(url).path.startswith(reverse("staff-home")) and not (
            self.request.user.is_staff_user
        ):
            return reverse(settings.LOGIN_REDIRECT_URL)
        return url


class SignedOutView(TemplateView):
    template_name = "accounts/signed_out.html"


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm

    def form_valid(self, form):
        accounts.register_applicant(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            base_url=self.request.build_absolute_uri("/")[:-1],
        )
        return redirect("registered")


class RegisteredView(TemplateView):
    """The same page whether the account was made or the address already
    had one (the e-mail says which)."""

    template_name = "accounts/registered.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = GdsPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = GdsSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class OtpSetupView(LoginRequiredMixin, FormView):
    """Enrol a TOTP authenticator: show the QR code and the key, then check
    one code before the device counts."""

    template_name = "accounts/otp_setup.html"
    form_class = TokenForm

    def device(self):
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(
            user=self.request.user, name="Authenticator app", confirmed=False
        )

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        ):
            return redirect(f"{reverse('otp-verify')}?next={safe_next(request, reverse('home'))}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = self.device()
        key = base64.b32encode(device.bin_key).decode()
        spaced = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
        return super().get_context_data(
            secret_key=spaced, next=safe_next(self.request, ""), **kwargs
        )

    def form_valid(self, form):
        device = self.device()
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error(
                "token", "The code is not right. Check the time on your phone and try again"
            )
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(self.request, device)
        messages.success(self.request, "Your authenticator app is set up.")
        return redirect(safe_next(self.request, reverse("staff-home")))


class OtpQrCodeView(LoginRequiredMixin, View):
    def get(self, request):
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            return HttpResponse(status=404)
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        return HttpResponse(image.to_string(), content_type="image/svg+xml")


class OtpVerifyView(LoginRequiredMixin, FormView):
    template_name = "accounts/otp_verify.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        device = match_token(self.request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token",
                "The code is not right, or it has already been used. Wait for the next code "
                "to appear in your app, then enter it",
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        return redirect(safe_next(self.request, reverse("staff-home")))


class AcceptInvitationView(FormView):
    template_name = "accounts/accept_invitation.html"
    form_class = AcceptInvitationForm

    def dispatch(self, request, *args, **kwargs):
        self.invitation = accounts.find_invitation(kwargs["token"])
        if self.invitation is None:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"problem": accounts.staff_invitation_problem(kwargs["token"])},
                status=410,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "email": self.invitation.email}

    def get_initial(self):
        return {"full_name": self.invitation.full_name}

    def get_context_data(self, **kwargs):
        """Said before anything is asked: an invitation for another address
        than the one signed in, or for an address that has an account (to
        sign in with, not to make again)."""
        user = self.request.user
        email = self.invitation.email
        signed_in = user.is_authenticated
        existing = None if signed_in else User.objects.filter(email__iexact=email).first()
        return super().get_context_data(
            invitation=self.invitation,
            for_someone_else=signed_in and user.email.lower() != email.lower(),
            sign_in_first=existing is not None and existing.is_active,
            switched_off=existing is not None and not existing.is_active,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return self.accept(user=request.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        return self.accept(
            full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
        )

    def accept(self, **kwargs):
        try:
            user = accounts.accept_invitation(self.kwargs["token"], **kwargs)
        except accounts.AccountError as error:
            messages.error(self.request, str(error))
            return redirect("home")
        if not self.request.user.is_authenticated:
            login(self.request, user, backend=MODEL_BACKEND)
        messages.success(self.request, "Your account is ready.")
        return redirect("staff-home" if user.is_staff_user else "home")


@require_POST
def keep_alive(request):
    """Saving the session restarts its clock."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    request.session.modified = True
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"expires_in": settings.SESSION_COOKIE_AGE})
    return redirect(safe_next(request, reverse("home")))
