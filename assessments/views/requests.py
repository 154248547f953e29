"""The staff pages of information requests, under /staff/cases/<id>/requests/:
the case's requests with each answer beside its criterion, asking, extending
the due date, and the documents sent with the answers."""

from django.apps import apps
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.workflow import Status, WorkflowError
from assessments.forms.requests import AskForm, ExtendForm
from assessments.models import RequestDocument
from assessments.queries.requests import open_request, requests_for_case
from assessments.queries.scoring import items_of
from assessments.services import requests as services


class CaseRequestsMixin(StaffAreaMixin):
    """A page about one case's requests: 404 for a case the person may not
    see, as the case page."""

    see_permission = "accreditation.view_case"
    act_permission = "accreditation.do_casework"

    @cached_property
    def case(self):
        return (
            apps.get_model("proposals", "Proposal")
            .objects.select_related("organisation", "round", "window", "framework")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.case

    def back_to_list(self, message):
        messages.error(self.request, message)
        return redirect("staff-case-requests", pk=self.case.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)


class RequestListView(CaseRequestsMixin, TemplateView):
    template_name = "assessments/requests/list.html"

    def get_context_data(self, **kwargs):
        user, case = self.request.user, self.case
        may_ask = user.has_perm("assessments.ask_for_information", case)
        return super().get_context_data(
            requests=requests_for_case(case),
            can_ask=may_ask and case.status == Status.IN_ASSESSMENT,
            can_extend=may_ask and case.status == Status.INFORMATION_REQUESTED,
            today=clock.today(),
            **kwargs,
        )


class AskView(CaseRequestsMixin, FormView):
    template_name = "assessments/requests/ask.html"
    form_class = AskForm
    act_permission = "assessments.ask_for_information"

    def dispatch(self, request, *args, **kwargs):
        self.today = clock.today()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.case.status != Status.IN_ASSESSMENT:
            return self.back_to_list(
                "You can ask for information only while the case is in assessment."
            )
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        # The criteria this case is scored on (no 1E for an educational
        # organisation, no 2A or 2B for a confirmed National Support School).
        criteria = list(dict.fromkeys(item.criterion for item in items_of(self.case)))
        return {**super().get_form_kwargs(), "criteria": criteria, "today": self.today}

    def form_valid(self, form):
        try:
            services.ask(
                self.case,
                self.request.user,
                form.cleaned_data["questions"],
                form.cleaned_data["due"],
            )
        except services.RequestWaiting as error:
            # Nothing in the form to change: said, not linked to a field.
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form, unlinked=True))
        except services.RequestError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        except WorkflowError as error:
            # Refused since the page was opened (the case moved on, or the
            # person's part in it ended): said, with the questions kept.
            message = str(error)
            self.case.refresh_from_db(fields=["status"])
            if self.case.status != Status.IN_ASSESSMENT:
                message = (
                    "You can ask for information only while the case is in assessment, and it "
                    f"is now {self.case.get_status_display().lower()}."
                )
            form.add_error(None, f"{message} Your questions have not been sent.")
            return self.form_invalid(form)
        messages.success(self.request, "Your request has been sent to the applicant")
        return redirect("staff-case-requests", pk=self.case.pk)


class ExtendView(CaseRequestsMixin, FormView):
    template_name = "assessments/requests/extend.html"
    form_class = ExtendForm
    act_permission = "assessments.ask_for_information"

    @cached_property
    def information_request(self):
        if self.case.status != Status.INFORMATION_REQUESTED:
            return None
        return open_request(self.case)

    def get(self, request, *args, **kwargs):
        if self.information_request is None:
            return self.back_to_list("There is no request waiting for answers to extend.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.information_request is None:
            return self.back_to_list("There is no request waiting for answers to extend.")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "current": self.information_request.due}

    def get_context_data(self, **kwargs):
        return super().get_context_data(information_request=self.information_request, **kwargs)

    def form_valid(self, form):
        try:
            services.extend(
                self.information_request,
                self.request.user,
                form.cleaned_data["due"],
                form.cleaned_data["reason"],
            )
        except services.RequestError as error:
            form.add_error("due", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The due date has been extended")
        return redirect("staff-case-requests", pk=self.case.pk)


def document_response(document, handle):
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class DocumentDownloadView(CaseRequestsMixin, View):
    """A document sent with the applicant's answers. One the applicant has
    uploaded but not sent is theirs alone until they send it: 404."""

    def get(self, request, pk, doc):
        document = get_object_or_404(
            RequestDocument.objects.select_related("request__case"),
            pk=doc,
            request__case=self.case,
            request__sent_at__isnull=False,
        )
        return document_response(document, services.open_document(document, user=request.user))
