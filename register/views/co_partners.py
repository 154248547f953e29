"""The casework officers' pages of co-partner changes: the changes waiting
for a decision, and a page per change where the officer scores the
co-partner's answers and records whether it meets the track record
criteria. A conflicted officer neither sees nor acts (404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView

from accreditation.access import StaffAreaMixin, typed_in
from accreditation.paging import NearestPageMixin
from assessments.queries.scoring import scale_of
from register.forms.review import DecideForm
from register.models import ChangeState, CoPartnerChange
from register.queries import co_partners as queries
from register.services import co_partners


class WaitingListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "register.review_co_partners"
    template_name = "register/staff/co_partners.html"
    context_object_name = "changes"
    paginate_by = 25

    def get_queryset(self):
        return queries.waiting(self.request.user)


class DecideView(StaffAreaMixin, FormView):
    act_permission = "register.review_co_partners"
    see_permission = "register.review_co_partner_change"
    template_name = "register/staff/co_partner.html"
    form_class = DecideForm

    @cached_property
    def change(self):
        return (
            CoPartnerChange.objects.exclude(submitted_at__isnull=True)
            .select_related("entry", "organisation", "framework", "local_authority", "decided_by")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.change

    @cached_property
    def questions(self):
        return co_partners.criteria(self.change.framework, self.change.entry.accreditation_type)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "questions": self.questions,
            "scale": scale_of(self.change),
        }

    def get_context_data(self, **kwargs):
        answers = co_partners.answers_of(self.change)
        scores = {s.criterion_id: s for s in self.change.scores.all()}
        rows = [(c, answers.get(c.pk), scores.get(c.pk)) for c in self.questions]
        return super().get_context_data(
            change=self.change,
            rows=rows,
            waiting=self.change.state == ChangeState.SUBMITTED,
            closed=self.change.state == ChangeState.CLOSED,
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        scores = [
            co_partners.Score(c, data[f"score_{c.code}"], data[f"comment_{c.code}"])
            for c in self.questions
        ]
        try:
            co_partners.decide(
                self.change,
                actor=self.request.user,
                scores=scores,
                meets=data["outcome"] == "meets",
                reason=data["reason"],
            )
        except co_partners.AlreadyDecided as error:
            messages.error(self.request, str(error))
            return redirect("staff-co-partner-change", pk=self.change.pk)
        except co_partners.CoPartnerError as error:
            self.change.refresh_from_db()
            if self.change.state == ChangeState.CLOSED:
                # Closed since the page opened: said, with what was sent.
                messages.error(self.request, f"{error} Nothing was recorded.")
                context = self.get_context_data(not_recorded=typed_in(form))
                return self.render_to_response(context, status=409)
            form.add_error(None, str(error))
            return self.form_invalid(form)
        except PermissionDenied:
            messages.error(self.request, "You cannot decide this change of co-partner.")
            return redirect("staff-co-partner-changes")
        if data["outcome"] == "meets":
            done = f"{self.change.name} meets the track record criteria. The register shows it now."
        else:
            done = (
                f"{self.change.name} does not meet the track record criteria. "
                "We have emailed the provider the reason."
            )
        messages.success(self.request, done)
        return redirect("staff-co-partner-changes")
