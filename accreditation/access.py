"""Who may do what, checked the same way by views and services: sign-in,
roles, the staff second factor, and the rules permissions of each app."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation.numbers import parse_id


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


def require(user, permission, obj=None):
    """Raise PermissionDenied unless ``user`` holds ``permission`` (on ``obj``).
    Services call it, so a write is refused whatever path reaches it."""
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied("You are not allowed to do this.")


class PermissionMixin(LoginRequiredMixin):
    """The one permission idiom of every page. ``get_permission_object()``
    is what the page is about; ``see_permission`` decides whether the person
    may know it exists (404 if not, so nothing leaks); ``act_permission``
    whether they may use this page on it (``refuse()``: 403 unless a page
    says otherwise). Both are ``rules`` permissions from an app's rules.py."""

    see_permission = None
    act_permission = None

    def get_permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        target = self.get_permission_object()
        if self.see_permission and not request.user.has_perm(self.see_permission, target):
            return self.not_seen(target)
        self.seen(target)
        if self.act_permission and not request.user.has_perm(self.act_permission, target):
            return self.refuse(target)
        return super().dispatch(request, *args, **kwargs)

    def not_seen(self, target):
        """The person may not know ``target`` exists: 404, unless a page can
        tell them more without telling them anything they may not know."""
        raise Http404("Not found")

    def seen(self, target):
        """Called once the person may see ``target``, before the act check."""

    def refuse(self, target):
        raise PermissionDenied("You cannot do this.")


class OrganisationPageMixin(PermissionMixin):
    """Applicants' pages that act for the organisation chosen in this
    session (``request.organisation``). Only applicants use them (403 for
    anyone else); an applicant who belongs to no organisation is told how to
    set one up; one who may not act for it gets 404."""

    see_permission = "accreditation.act_for_organisation"

    @property
    def organisation(self):
        # request.organisation is lazy: test its truth, never `is None`.
        return self.request.organisation or None

    def get_permission_object(self):
        return self.organisation

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not request.user.has_perm("accreditation.use_applicant_pages"):
                raise PermissionDenied("These pages are for applicants.")
            if self.organisation is None:
                return render(request, "applicant/no_organisation.html")
            opened_for = request.POST.get("acting_for") if request.method == "POST" else None
            if opened_for is not None and opened_for != str(self.organisation.pk):
                return self.switched(opened_for)
        return super().dispatch(request, *args, **kwargs)

    def switched(self, opened_for):
        """A form sent from a page opened for another organisation than the
        one now chosen (the person switched, or opened one of its pages, in
        another tab or window): nothing is saved, whichever organisation the
        form names (never acting for another than the page showed). What was
        written is shown, and a switch back offered to an organisation the
        person still belongs to."""
        pk = parse_id(opened_for)
        membership = (
            self.request.user.memberships.filter(organisation_id=pk)
            .select_related("organisation")
            .first()
            if pk is not None
            else None
        )
        return render(
            self.request,
            "applicant/switched_organisation.html",
            {
                "opened_for": membership.organisation if membership else None,
                "organisation": self.organisation,
                # As the page's form labels it (a page without one: nothing).
                "typed": typed_in(self.get_form()) if hasattr(self, "get_form") else [],
            },
            status=409,
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("organisation", self.organisation)
        # Sent back with the page's form (includes/acting_for.html), so that
        # a form opened for one organisation never acts for another.
        kwargs.setdefault("acting_for", self.organisation.pk)
        return super().get_context_data(**kwargs)


def typed_in(form):
    """[(label, text)] of what a person wrote or chose in ``form`` (bound to
    what they sent), field by field as the form labels them, a choice by its
    label: for a page that could not take it to show it back."""
    typed = []
    for bound in form.visible_fields():
        data = bound.data
        values = data if isinstance(data, list | tuple) else [data]
        choices = {str(value): label for value, label in getattr(bound.field, "choices", ())}
        given = [str(value) for value in values if str(value or "").strip()]
        shown = [str(choices.get(value, value)) for value in given]
        if shown:
            typed.append((bound.label, ", ".join(shown)))
    return typed


class StaffAreaMixin(PermissionMixin):
    """Signed in, holding a staff role, past the second factor, and holding
    ``act_permission`` (a staff role by default). Applicants who wander in
    get 403. Pages about a case or another object add ``see_permission``."""

    act_permission = "accreditation.enter_staff_area"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm("accreditation.enter_staff_area"):
            raise PermissionDenied("This page is for the accreditation team.")
        second_factor = second_factor_redirect(request)
        if second_factor:
            return second_factor
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, target):
        raise PermissionDenied("Your role cannot use this page.")
