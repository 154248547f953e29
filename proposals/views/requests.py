"""The applicant's pages for answering an information request: the answers
(saved to come back to later, then sent), the documents sent with them, and
their downloads. Another organisation's proposal answers 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView

from accreditation.numbers import parse_id
from accreditation.workflow import Status
from assessments.forms.requests import AnswersForm
from assessments.models import RequestDocument
from assessments.queries.requests import open_request
from assessments.services import requests as services
from assessments.views.requests import document_response
from proposals.views.access import ProposalMixin

NOTHING_TO_ANSWER = "There are no questions waiting for your answers on this proposal."


class AnswerRequestView(ProposalMixin, FormView):
    template_name = "proposals/requests/answer.html"
    form_class = AnswersForm

    @cached_property
    def information_request(self):
        if self.proposal.status != Status.INFORMATION_REQUESTED:
            return None
        return open_request(self.proposal)

    def to_status(self, message):
        messages.error(self.request, message)
        return redirect("proposal-status", pk=self.proposal.pk)

    def get(self, request, *args, **kwargs):
        if self.information_request is None:
            return self.to_status(NOTHING_TO_ANSWER)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # A page for a request since answered (in another window, or by a
        # colleague) names that request: its answers are not written into
        # the next one.
        if (
            self.information_request is None
            or parse_id(request.POST.get("request")) != self.information_request.pk
        ):
            return self.not_saved()
        return super().post(request, *args, **kwargs)

    def not_saved(self):
        """What was typed, shown back to copy: the questions of the request
        the page was for (this proposal's), each with its answer as sent."""
        sent = self.proposal.information_requests.filter(
            pk=parse_id(self.request.POST.get("request"))
        ).first()
        questions = sent.questions.order_by("position") if sent is not None else []
        typed = [
            (f"{question.position}. {question.text}", text)
            for question in questions
            if (text := self.request.POST.get(f"answer_{question.pk}", "").strip())
        ]
        return render(
            self.request,
            "proposals/requests/not_saved.html",
            {"proposal": self.proposal, "typed": typed},
            status=409,
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.information_request}

    def get_context_data(self, **kwargs):
        return super().get_context_data(information_request=self.information_request, **kwargs)

    def refreshed_form(self, error, field=None, **context):
        """The page again with what was typed, the versions now stored (the
        answers may have been saved before the refusal) and the error."""
        request = open_request(self.proposal)
        if request is None:
            return self.to_status(error)
        data = self.request.POST.copy()
        for question in request.questions.all():
            data[f"version_{question.pk}"] = str(question.version)
        form = AnswersForm(data=data, request=request)
        form.is_valid()
        form.add_error(field, error)
        self.information_request = request
        return self.render_to_response(self.get_context_data(form=form, **context))

    def form_valid(self, form):
        user, request = self.request.user, self.information_request
        try:
            services.save_answers(request, user, form.answers())
            document = form.cleaned_data.get("document")
            if document:
                uploaded = services.add_document(
                    request,
                    document,
                    content_type=form.content_type,
                    sha256=form.sha256,
                    actor=user,
                )
            elif "upload" in self.request.POST:
                # The answers are saved all the same: nothing typed is lost.
                return self.refreshed_form("Select a file to upload", "document")
            if "send" in self.request.POST:
                services.send_answers(request, user)
        except services.RequestClosed as error:
            return self.to_status(str(error))
        except services.StaleAnswer as error:
            saved = error.question
            return self.refreshed_form(
                str(error),
                error.field,
                saved_elsewhere=saved,
                saved_by=saved.answered_by.full_name or saved.answered_by.email
                if saved.answered_by
                else "",
            )
        except services.RequestError as error:
            return self.refreshed_form(str(error), error.field)
        except ValidationError as error:
            return self.refreshed_form(error.message, "document")
        if "send" in self.request.POST:
            messages.success(self.request, "Your answers have been sent")
            return redirect("proposal-status", pk=self.proposal.pk)
        due = f"{request.due.day} {request.due:%B %Y}"
        saved = (
            f"Your answers have been saved. They were due by {due}: send them as soon as you can."
            if request.is_overdue()
            else f"Your answers have been saved. You can come back and send them by {due}."
        )
        if document:
            saved = f"{uploaded.original_name} has been uploaded. {saved}"
        messages.success(self.request, saved)
        if "save" in self.request.POST:
            return redirect("proposal-status", pk=self.proposal.pk)
        return redirect("proposal-request-answer", pk=self.proposal.pk)


class RequestDocumentMixin(ProposalMixin):
    @cached_property
    def document(self):
        return get_object_or_404(
            RequestDocument.objects.select_related("request__case"),
            pk=self.kwargs["doc"],
            request__case=self.proposal,
        )


class RequestDocumentDownloadView(RequestDocumentMixin, View):
    def get(self, request, pk, doc):
        return document_response(
            self.document, services.open_document(self.document, user=request.user)
        )


class RequestDocumentDeleteView(RequestDocumentMixin, View):
    def post(self, request, pk, doc):
        if services.document_deleted(self.proposal, doc):
            # Deleted already: the button pressed twice, or in another tab.
            messages.info(request, "That document is no longer with your answers")
            return redirect("proposal-request-answer", pk=self.proposal.pk)
        try:
            services.delete_document(self.document, actor=request.user)
        except services.RequestError as error:
            messages.error(request, str(error))
            return redirect("proposal-status", pk=self.proposal.pk)
        messages.success(request, f"{self.document.original_name} has been deleted")
        return redirect("proposal-request-answer", pk=self.proposal.pk)
