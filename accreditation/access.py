"""View guards: sign-in, roles and the staff second factor, in one place."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice


def second_factor_passed(request):
    """Has this session passed the staff second factor (or is it off)?"""
    return not settings.STAFF_OTP_REQUIRED or request.user.is_verified()


def second_factor_redirect(request):
    """Where a staff user must go before the staff area, or None."""
    if second_factor_passed(request):
        return None
    query = urlencode({"next": request.get_full_path()})
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('otp-verify')}?{query}")
    return redirect(f"{reverse('otp-setup')}?{query}")


class StaffAreaMixin(LoginRequiredMixin):
    """Signed in, holding the permission below (a staff role by default), and
    past the second factor. Applicants who wander in get 403."""

    permission_required = "accreditation.enter_staff_area"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm("accreditation.enter_staff_area"):
            raise PermissionDenied("This page is for the accreditation team.")
        second_factor = second_factor_redirect(request)
        if second_factor:
            return second_factor
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied("Your role cannot use this page.")
        return super().dispatch(request, *args, **kwargs)
