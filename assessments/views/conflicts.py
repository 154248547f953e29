"""A staff member's conflicts of interest: their declarations (current and
ended), declaring one, ending one, and the service's suggestions to confirm
or dismiss."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from accreditation.access import StaffAreaMixin
from accreditation.paging import NearestPageMixin
from assessments.forms.conflicts import (
    ConfirmSuggestionForm,
    DeclareForm,
    DismissSuggestionForm,
    EndForm,
)
from assessments.models import Conflict
from assessments.queries.conflicts import declarations_of
from assessments.services import conflicts


def declared_message(conflict):
    message = f"Conflict declared with {conflict.organisation or conflict.local_authority}."
    if conflict.stood_down:
        message += (
            f" You are stood down from {', '.join(conflict.stood_down)}: the casework "
            "officer who assigned you has been told (or every casework officer, if they no "
            "longer assign), to assign someone else."
        )
    return message


class ConflictListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "assessments.declare_conflict"
    template_name = "assessments/conflicts/list.html"
    context_object_name = "declarations"
    paginate_by = 25

    def get_queryset(self):
        return declarations_of(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            suggestions=conflicts.suggestions(user),
            # A member's conflict with their organisation stands while they are.
            member_of=set(user.memberships.values_list("organisation_id", flat=True)),
            **kwargs,
        )


class DeclareView(StaffAreaMixin, FormView):
    act_permission = "assessments.declare_conflict"
    template_name = "assessments/conflicts/declare.html"
    form_class = DeclareForm
    kept_on_search = ("query", "organisation", "local_authority", "reason")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["query"] = self.request.GET.get("query", "")
            kwargs["initial"] = {"query": kwargs["query"]}
        return kwargs

    def post(self, request, *args, **kwargs):
        if "find" in request.POST:
            # A search, not a declaration: the page again, with the matches
            # to choose from and what was typed kept, and no errors.
            form = self.form_class(
                initial={name: request.POST.get(name, "") for name in self.kept_on_search},
                query=request.POST.get("query", ""),
                searched=True,
            )
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            conflict = conflicts.declare(
                self.request.user,
                reason=data["reason"],
                organisation=data["organisation"],
                local_authority=data["local_authority"],
            )
        except conflicts.ConflictError as error:
            form.add_error("organisation" if form.matches else "query", str(error))
            return self.form_invalid(form)
        messages.success(self.request, declared_message(conflict))
        return redirect("staff-conflicts")


class EndView(StaffAreaMixin, FormView):
    """Only the person's own conflict (anyone else's is 404)."""

    see_permission = "assessments.end_conflict"
    template_name = "assessments/conflicts/end.html"
    form_class = EndForm

    @cached_property
    def conflict(self):
        return (
            Conflict.objects.select_related("organisation", "local_authority")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.conflict

    def get(self, request, *args, **kwargs):
        if self.conflict.ended_at is not None:
            messages.info(request, "This conflict has already ended.")
            return redirect("staff-conflicts")
        if self.conflict.organisation_id and conflicts.is_member(
            request.user, self.conflict.organisation_id
        ):
            # Said before a reason is written for it.
            messages.info(request, conflicts.member_refusal(self.conflict.organisation))
            return redirect("staff-conflicts")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(conflict=self.conflict, **kwargs)

    def form_valid(self, form):
        try:
            conflicts.end(self.conflict, self.request.user, form.cleaned_data["end_reason"])
        except conflicts.ConflictError as error:
            messages.error(self.request, str(error))
            return redirect("staff-conflicts")
        messages.success(
            self.request,
            f"Conflict with {self.conflict.organisation or self.conflict.local_authority} ended.",
        )
        return redirect("staff-conflicts")


class SuggestionView(StaffAreaMixin, TemplateView):
    """One open suggestion about an organisation: confirm it, or dismiss it
    with a reason. No open suggestion of the person's about it: 404."""

    see_permission = "assessments.settle_suggestion"
    template_name = "assessments/conflicts/suggestion.html"

    @cached_property
    def suggestion(self):
        return conflicts.suggestion_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.suggestion

    def not_seen(self, target):
        """A suggestion settled since the page was opened (another tab):
        said, on the conflicts page, rather than a page not found."""
        settled = (
            conflicts.settled_suggestion(self.request.user, self.kwargs["pk"])
            if self.request.method == "POST"
            else None
        )
        if settled is None:
            return super().not_seen(target)
        messages.info(self.request, f"{settled} Nothing was changed.")
        return redirect("staff-conflicts")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("confirm_form", ConfirmSuggestionForm(prefix="confirm"))
        kwargs.setdefault("dismiss_form", DismissSuggestionForm(prefix="dismiss"))
        return super().get_context_data(
            suggestion=self.suggestion,
            member=conflicts.is_member(self.request.user, self.suggestion.organisation.pk),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        organisation = self.suggestion.organisation
        if "confirm" in request.POST:
            try:
                conflict = conflicts.confirm(request.user, organisation)
            except conflicts.ConflictError as error:
                messages.error(request, str(error))
                return redirect("staff-conflicts")
            messages.success(request, declared_message(conflict))
            return redirect("staff-conflicts")
        form = DismissSuggestionForm(request.POST, prefix="dismiss")
        if form.is_valid():
            try:
                conflicts.dismiss(request.user, organisation, form.cleaned_data["reason"])
            except conflicts.ConflictError as error:
                messages.error(request, str(error))
                return redirect("staff-conflicts")
            messages.success(request, f"Suggestion about {organisation} dismissed.")
            return redirect("staff-conflicts")
        return self.render_to_response(self.get_context_data(dismiss_form=form, form=form))
