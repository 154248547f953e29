"""Supporting documents on a proposal: the list and upload form, downloads
through a permission check, and deletion while the proposal is a draft."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from proposals.forms.documents import EvidenceUploadForm
from proposals.services import evidence as uploads
from proposals.views.access import ProposalMixin


class ProposalDocumentsView(ProposalMixin, FormView):
    template_name = "proposals/documents.html"
    form_class = EvidenceUploadForm

    @property
    def editing(self):
        """Every member may read the list, before and after submission;
        uploading (a POST) needs the proposal to be a draft."""
        return self.request.method == "POST"

    def get_context_data(self, **kwargs):
        documents = self.proposal.evidence.select_related("uploaded_by")
        return super().get_context_data(
            documents=[
                (document, uploads.label_for(document.content_type)) for document in documents
            ],
            can_change=self.request.user.has_perm("proposals.change_proposal", self.proposal),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            evidence = uploads.add_evidence(
                self.proposal,
                form.cleaned_data["file"],
                content_type=form.content_type,
                sha256=form.sha256,
                description=form.cleaned_data["description"],
                user=self.request.user,
            )
        except ValidationError as error:
            if error.code == "not_draft":
                raise PermissionDenied(error.message) from error
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.success(self.request, f"{evidence.original_name} has been uploaded")
        return redirect(self.here("proposal-documents"))


class ProposalDocumentDownloadView(ProposalMixin, View):
    """The only way to a stored document: a member of the proposal's
    organisation, with each download on the case timeline."""

    def get(self, request, pk, doc):
        evidence = get_object_or_404(self.proposal.evidence, pk=doc)
        return download_response(evidence, request.user)


def download_response(evidence, user, permission="proposals.view_proposal"):
    """The document as an attachment, never sniffed or cached, its download
    on the case timeline (``uploads.open_for_download`` checks ``permission``)."""
    response = FileResponse(
        uploads.open_for_download(evidence, user=user, permission=permission),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ProposalDocumentDeleteView(ProposalMixin, View):
    editing = True

    def post(self, request, pk, doc):
        evidence = self.proposal.evidence.filter(pk=doc).first()
        if evidence is None:
            if not uploads.was_deleted(self.proposal, doc):
                raise Http404("No such document on this proposal")
            # Deleted already: the button pressed twice, or in another tab.
            messages.info(request, "That document is no longer on this proposal")
            return redirect(self.here("proposal-documents"))
        try:
            uploads.delete_evidence(evidence, user=request.user)
        except uploads.AlreadyDeleted:
            messages.info(request, "That document is no longer on this proposal")
            return redirect(self.here("proposal-documents"))
        except ValidationError as error:
            raise PermissionDenied(error.message) from error
        messages.success(request, f"{evidence.original_name} has been deleted")
        return redirect(self.here("proposal-documents"))
