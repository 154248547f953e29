"""Screening: the casework officer's queue of submitted cases, and one
case's screening page with its eligibility checked again against today's
organisation profile."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.generic import ListView, TemplateView

from accreditation import policy
from accreditation.access import StaffAreaMixin
from accreditation.paging import KeysFirstMixin
from accreditation.workflow import Status
from assessments.forms.screening import IdentifierClaimForm, ScreeningForm
from assessments.queries import screening as queries
from assessments.services import identifier_claims, screening

SCREENED_IT_BEFORE = (
    "You screened this case out before and a concern about that was upheld, so another "
    "casework officer must screen it again."
)


class QueueView(StaffAreaMixin, KeysFirstMixin, ListView):
    act_permission = "assessments.screen_cases"
    template_name = "assessments/screening/queue.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_queryset(self):
        return queries.queue(self.request.user)


class ScreenView(StaffAreaMixin, TemplateView):
    """A case the officer may not act on (a conflict) is 404. The officer
    who screened it out before a concern about that was upheld sees the
    page, told that another officer screens it again, with no form."""

    act_permission = "assessments.screen_cases"
    see_permission = "assessments.see_screening"
    template_name = "assessments/screening/screen.html"

    @cached_property
    def case(self):
        return queries.case_for_screening(
            apps.get_model("proposals", "Proposal"), self.kwargs["pk"]
        )

    def get_permission_object(self):
        return self.case

    @cached_property
    def may_screen(self):
        return self.request.user.has_perm("assessments.screen_case", self.case)

    @property
    def claims_nss(self):
        return screening.claims_national_support_school(self.case)

    @cached_property
    def contest(self):
        return identifier_claims.contest(self.case.organisation)

    def claim_form(self, data=None):
        contest = self.contest
        organisations = [contest.own.organisation] + [c.organisation for c in contest.claimants]
        return IdentifierClaimForm(data, organisations=organisations, prefix="claim")

    def get_context_data(self, **kwargs):
        case = self.case
        if case.status == Status.SUBMITTED and self.may_screen:
            kwargs.setdefault("form", ScreeningForm(claims_nss=self.claims_nss))
        if self.contest is not None and self.may_screen:
            kwargs.setdefault("claim_form", self.claim_form())
        return super().get_context_data(
            case=case,
            check=screening.recheck(case),
            claims_nss=self.claims_nss,
            screenings=queries.screenings_of(case),
            schools=queries.schools_of(case) if case.is_asg else None,
            asg_minimum_schools=policy.current().asg_minimum_schools,
            contest=self.contest,
            screened_it_before=not self.may_screen,
            screen_again=queries.to_screen_again(case),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.may_screen:
            raise PermissionDenied(SCREENED_IT_BEFORE)
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
        return format_html(
            '{} screened as eligible and ready for an assessor. <a class="govuk-notification-'
            'banner__link" href="{}">Assign its assessor</a>',
            reference,
            reverse("case-assessors", args=[self.case.pk]),
        )


class IdentifierClaimView(ScreenView):
    """The officer records which claim to the case organisation's URN or
    UKPRN is genuine; the form is on the screening page."""

    def get(self, request, *args, **kwargs):
        return redirect("screening-case", pk=self.case.pk)

    def post(self, request, *args, **kwargs):
        if not self.may_screen:
            raise PermissionDenied(SCREENED_IT_BEFORE)
        if self.contest is None:
            messages.error(request, identifier_claims.ALREADY_DECIDED)
            return redirect("screening-case", pk=self.case.pk)
        form = self.claim_form(request.POST)
        if form.is_valid():
            try:
                event = identifier_claims.decide(
                    self.case,
                    request.user,
                    genuine=form.cleaned_data["genuine"],
                    reason=form.cleaned_data["reason"],
                    base_url=request.build_absolute_uri("/")[:-1],
                )
            except identifier_claims.ClaimAlreadyDecided as error:
                messages.error(request, str(error))
                return redirect("screening-case", pk=self.case.pk)
            except identifier_claims.ClaimError as error:
                form.add_error(error.field, str(error))
            else:
                details = event.details
                messages.success(
                    request,
                    f"The claim of {details['genuine']} to {details['identifier']} "
                    f"{details['value']} is genuine. It has been cleared from "
                    f"{', '.join(details['cleared'])}, whose contacts have been told by email.",
                )
                return redirect("screening-case", pk=self.case.pk)
        return self.render_to_response(self.get_context_data(claim_form=form))
