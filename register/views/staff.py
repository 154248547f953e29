"""The decision official's pages of the register: the accreditations under
notice of revocation, and an entry's page with its state and history and
the steps of revoking it (notice with a reason, the response period, then
revoke or withdraw the notice)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView, TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.paging import NearestPageMixin
from register.forms.revocation import NoticeForm, RevokeForm
from register.models import EntryState, RegisterEntry
from register.queries import notices
from register.services import revocation


class NoticeListView(StaffAreaMixin, NearestPageMixin, ListView):
    """Every accreditation under notice, the first response period to end
    on top, each marked once it has ended and the official can act; with
    ``?ended=on``, only those (the decision official's home count)."""

    template_name = "register/staff/notices.html"
    act_permission = "accreditation.use_decisions"
    context_object_name = "entries"
    paginate_by = 50

    @property
    def only_ended(self):
        return self.request.GET.get("ended") == "on"

    def get_queryset(self):
        if self.only_ended:
            return notices.due(self.request.user)
        return notices.under_notice(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=clock.now(), only_ended=self.only_ended, **kwargs)


class RevokeView(StaffAreaMixin, TemplateView):
    template_name = "register/staff/revoke.html"
    see_permission = "register.see_entry"
    act_permission = "register.revoke_entry"

    def get_permission_object(self):
        if not hasattr(self, "entry"):
            self.entry = get_object_or_404(
                RegisterEntry.objects.select_related("organisation", "local_authority"),
                pk=self.kwargs["pk"],
            )
        return self.entry

    def get_context_data(self, form=None, **kwargs):
        entry = self.entry
        period_over = entry.response_due is not None and clock.now() >= entry.response_due
        if form is None and entry.state == EntryState.CURRENT:
            form = NoticeForm()
        elif form is None and entry.state == EntryState.NOTICE_GIVEN and period_over:
            form = RevokeForm()
        history = list(
            entry.events.select_related("actor", "case", "response").order_by("created_at", "pk")
        )
        return super().get_context_data(
            entry=entry,
            form=form,
            history=history,
            responses=notices.responses_to_notice(entry),
            period_over=period_over,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        step = request.POST.get("step")
        try:
            if step == "notice":
                form = NoticeForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                revocation.give_notice(
                    self.entry, reason=form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, "Notice given. We have emailed the provider's contacts.")
            elif step == "revoke":
                # Revoking is asked twice: the reason, then a check of what it
                # does with that reason shown, which can go back to change it.
                form = RevokeForm(request.POST)
                confirm = request.POST.get("confirm")
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                if confirm != "yes":
                    # Where revoking is not open, its refusal says why; it is
                    # never done without the check step.
                    revocation.why_not_revoke(self.entry)
                    return self.render_to_response(
                        self.get_context_data(form=form, confirming=confirm != "change")
                    )
                revocation.revoke(
                    self.entry, reason=form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, "Accreditation revoked. We have emailed the provider.")
            elif step == "withdraw":
                revocation.withdraw_notice(self.entry, actor=request.user)
                messages.success(request, "Notice withdrawn. We have emailed the provider.")
            else:
                messages.error(request, "Choose what to do with this accreditation.")
        except revocation.RevocationError as refusal:
            messages.error(request, str(refusal))
        return redirect("staff-register-revoke", pk=self.entry.pk)
