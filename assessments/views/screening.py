"""Screening: the casework officer's queue of submitted cases, and one
case's screening page with its eligibility checked again against today's
organisation profile."""

from django.apps import apps
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from accreditation.access import StaffAreaMixin
from accreditation.workflow import Status
from assessments.forms.screening import ScreeningForm
from assessments.queries import screening as queries
from assessments.services import screening


class QueueView(StaffAreaMixin, ListView):
    act_permission = "assessments.screen_cases"
    template_name = "assessments/screening/queue.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_queryset(self):
        return queries.queue(self.request.user)


class ScreenView(StaffAreaMixin, TemplateView):
    """A case the officer may not act on (a conflict) is 404."""

    act_permission = "assessments.screen_cases"
    see_permission = "assessments.screen_case"
    template_name = "assessments/screening/screen.html"

    @cached_property
    def case(self):
        return queries.case_for_screening(
            apps.get_model("proposals", "Proposal"), self.kwargs["pk"]
        )

    def get_permission_object(self):
        return self.case

    @property
    def claims_nss(self):
        return screening.claims_national_support_school(self.case)

    def get_context_data(self, **kwargs):
        case = self.case
        if case.status == Status.SUBMITTED:
            kwargs.setdefault("form", ScreeningForm(claims_nss=self.claims_nss))
        return super().get_context_data(
            case=case,
            check=screening.recheck(case),
            claims_nss=self.claims_nss,
            screenings=queries.screenings_of(case),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ScreeningForm(request.POST, claims_nss=self.claims_nss)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = screening.screen(
                    self.case,
                    request.user,
                    decision=data["decision"],
                    reason=data["reason"],
                    nss=data.get("nss"),
                    nss_reason=data.get("nss_reason", ""),
                )
            except screening.AlreadyScreened as error:
                messages.error(request, str(error))
                return redirect("screening-case", pk=self.case.pk)
            except screening.ScreeningError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, self.done_message(done))
                return redirect("screening-queue")
        return self.render_to_response(self.get_context_data(form=form))

    def done_message(self, done):
        reference = self.case.reference
        if done.decision == "ineligible":
            return (
                f"{reference} screened as not eligible. The applicant has been told why by email."
            )
        if done.part_two_required:
            return (
                f"{reference} screened as eligible. The National Support School claim was not "
                "confirmed, so the applicant has been asked for criteria 2A and 2B."
            )
        return f"{reference} screened as eligible and ready for an assessor."
