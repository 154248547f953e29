"""Out-of-round requests: applicants ask for consideration outside the
rounds and see the outcome; casework officers grant a window or refuse."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, TemplateView

from accreditation.access import OrganisationPageMixin, StaffAreaMixin, typed_in
from accreditation.paging import NearestPageMixin
from proposals.forms.out_of_round import GrantForm, OutOfRoundRequestForm, RefuseForm
from proposals.models import OutOfRoundRequest
from proposals.queries import out_of_round as queries
from proposals.services import out_of_round

Outcome = OutOfRoundRequest.Outcome


def site_address(request):
    """The site's address with no trailing slash, for links in e-mail."""
    return request.build_absolute_uri("/")[:-1]


class RequestListView(OrganisationPageMixin, NearestPageMixin, ListView):
    template_name = "proposals/out_of_round/list.html"
    context_object_name = "requests"
    paginate_by = 20

    def get_queryset(self):
        return OutOfRoundRequest.objects.filter(
            organisation_id=self.request.organisation.pk
        ).select_related("local_authority", "window")


class RequestCreateView(OrganisationPageMixin, FormView):
    template_name = "proposals/out_of_round/request_form.html"
    form_class = OutOfRoundRequestForm

    def form_valid(self, form):
        try:
            request_obj = out_of_round.request_consideration(
                organisation=self.request.organisation,
                requested_by=self.request.user,
                **form.cleaned_data,
            )
        except out_of_round.OutOfRoundError as error:
            form.add_error("reason", str(error))
            return self.form_invalid(form)
        return redirect("out-of-round-sent", pk=request_obj.pk)


class RequestSentView(OrganisationPageMixin, DetailView):
    """The confirmation, for a request of any organisation the person
    belongs to; anyone else's request is 404."""

    template_name = "proposals/out_of_round/sent.html"
    context_object_name = "request_obj"

    def get_queryset(self):
        return OutOfRoundRequest.objects.filter(
            organisation__memberships__user=self.request.user
        ).select_related("organisation", "local_authority")


class StaffRequestListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "proposals.decide_out_of_round"
    template_name = "staff/out_of_round/list.html"
    context_object_name = "pending"
    paginate_by = 25
    recent_decided = 10

    def get_queryset(self):
        return queries.pending(self.request.user).select_related("organisation", "local_authority")

    def get_context_data(self, **kwargs):
        decided = (
            queries.visible_to(self.request.user)
            .exclude(outcome=Outcome.PENDING)
            .select_related("organisation", "local_authority", "decided_by")
            .order_by("-decided_at", "-pk")[: self.recent_decided]
        )
        return super().get_context_data(decided=decided, **kwargs)


class StaffDecisionView(StaffAreaMixin, TemplateView):
    """One request, with a form to grant a window and one to refuse. A
    request already decided shows its outcome instead."""

    act_permission = "proposals.decide_out_of_round"
    see_permission = "accreditation.free_of_conflict"
    template_name = "staff/out_of_round/decide.html"

    @cached_property
    def request_obj(self):
        return (
            OutOfRoundRequest.objects.select_related(
                "organisation__local_authority",
                "local_authority",
                "requested_by",
                "decided_by",
                "window",
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.request_obj

    def get_context_data(self, **kwargs):
        kwargs.setdefault("grant_form", GrantForm(prefix="grant"))
        kwargs.setdefault("refuse_form", RefuseForm(prefix="refuse"))
        return super().get_context_data(request_obj=self.request_obj, **kwargs)

    def post(self, request, *args, **kwargs):
        if "refuse" in request.POST:
            form = RefuseForm(request.POST, prefix="refuse")
            field, form_key = "refusal_reason", "refuse_form"
        else:
            form = GrantForm(request.POST, prefix="grant")
            field, form_key = "deadline_date", "grant_form"
        try:
            out_of_round.check_pending(self.request_obj)
            if form.is_valid():
                decided = self.decide(form)
                messages.success(request, self.done_message(decided))
                return redirect("out-of-round-staff-list")
        except out_of_round.AlreadyDecided as error:
            # The decision made meanwhile, with what this officer sent, to copy.
            messages.error(request, str(error))
            self.request_obj.refresh_from_db()
            return self.render_to_response(
                self.get_context_data(not_recorded=typed_in(form)), status=409
            )
        except out_of_round.OutOfRoundError as error:
            form.add_error(field, str(error))
        return self.render_to_response(self.get_context_data(form=form, **{form_key: form}))

    def decide(self, form):
        base_url = site_address(self.request)
        if isinstance(form, RefuseForm):
            return out_of_round.refuse(
                self.request_obj,
                self.request.user,
                form.cleaned_data["refusal_reason"],
                base_url=base_url,
            )
        return out_of_round.grant(
            self.request_obj, self.request.user, form.cleaned_data["deadline"], base_url=base_url
        )

    def done_message(self, decided):
        organisation = self.request_obj.organisation.name
        if decided.outcome == Outcome.GRANTED:
            return f"Window granted to {organisation}. Its contacts have been told by email."
        return f"Request from {organisation} refused. Its contacts have been told by email."
