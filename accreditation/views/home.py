"""Where each person lands after signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accreditation import homes, navigation
from accreditation.access import StaffAreaMixin
from accreditation.middleware import SESSION_KEY
from accreditation.numbers import id_param
from accreditation.views.accounts import safe_next


@login_required
def home(request):
    if request.user.is_staff_user:
        return redirect("staff-home")
    return redirect("applicant-home")


class ApplicantHomeView(LoginRequiredMixin, TemplateView):
    template_name = "applicant/home.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(
            "accreditation.use_applicant_pages"
        ):
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        memberships = self.request.user.memberships.select_related(
            "organisation__local_authority"
        ).order_by("organisation__name")
        return super().get_context_data(memberships=memberships, **kwargs)


@login_required
@require_POST
def switch_organisation(request):
    chosen = id_param(request, "organisation")
    if chosen is None:
        raise Http404
    membership = (
        request.user.memberships.filter(organisation_id=chosen)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.organisation_id
    messages.success(request, f"You are now acting for {membership.organisation.name}.")
    return redirect(safe_next(request, reverse("applicant-home")))


class StaffHomeView(StaffAreaMixin, TemplateView):
    """What needs the person now: a section per staff role they hold, with
    counts linking to the lists where the work is (``accreditation.homes``)."""

    template_name = "staff/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=homes.sections(self.request.user), **kwargs)


class MoreView(StaffAreaMixin, TemplateView):
    """The person's staff sections beyond the daily work, each with what it
    is for: "More" in the navigation (``accreditation.navigation``)."""

    template_name = "staff/more.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sections=navigation.more_sections(self.request.user), **kwargs
        )
