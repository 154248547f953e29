"""Concerns: the organisation raises one about its feedback or screening
letter; staff list the concerns, read one with its documents, and someone
with no part in the case decides it."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, ListView

from accreditation.access import StaffAreaMixin, typed_in
from accreditation.paging import NearestPageMixin
from accreditation.queries.cases import visible_to
from accreditation.roles import Role
from assessments.views.requests import document_response
from feedback.forms.concerns import UPHELD, DecideConcernForm, RaiseConcernForm
from feedback.models import Concern, ConcernDocument, ConcernState, LetterPurpose
from feedback.queries.concerns import decidable_by
from feedback.services import concerns as services
from proposals.views.access import ProposalMixin


class RaiseConcernView(ProposalMixin, FormView):
    """Within the period after its feedback or screening letter, the
    organisation raises one concern about it. Where no concern applies (an
    accredited case, no letter yet) the page is not there; once the period
    has ended, or a concern was raised, it says so and offers nothing to send."""

    template_name = "feedback/concerns/raise.html"
    form_class = RaiseConcernForm

    @cached_property
    def state(self):
        return services.window(self.proposal)

    def closed(self):
        """The page that says why no concern can be sent now, or None."""
        state = self.state
        if not state.applies:
            raise Http404("No concern can be raised about this proposal")
        if state.is_open:
            return None
        message = (
            services.already_raised_message(state.concern)
            if state.concern
            else services.ended_message(state)
        )
        # A concern sent from a page opened before another was raised (or
        # before the period ended) is shown back, so nothing written is lost.
        typed = typed_in(self.get_form()) if self.request.method == "POST" else []
        return self.closed_page(message, typed)

    def closed_page(self, message, typed):
        return render(
            self.request,
            "feedback/concerns/closed.html",
            {"proposal": self.proposal, "message": message, "typed": typed},
        )

    def get(self, request, *args, **kwargs):
        return self.closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.closed() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        letter = self.state.letter
        return {**super().get_form_kwargs(), "screening": letter.purpose == LetterPurpose.SCREENING}

    def get_context_data(self, **kwargs):
        return super().get_context_data(state=self.state, **kwargs)

    def form_valid(self, form):
        try:
            services.raise_concern(
                self.proposal,
                self.request.user,
                form.cleaned_data["text"],
                form.cleaned_data["documents"],
            )
        except services.ConcernRefused as refusal:
            if refusal.field:
                form.add_error(refusal.field, str(refusal))
                return self.form_invalid(form)
            # Raised by someone else, or the period ended, while this waited.
            return self.closed_page(str(refusal).rstrip("."), typed_in(form))
        messages.success(
            self.request,
            "Your concern has been sent. We have emailed you to say we received it.",
        )
        return redirect("proposal-status", pk=self.proposal.pk)


class ApplicantConcernDocumentView(ProposalMixin, View):
    """A member of the organisation downloads a document it sent with a
    concern about the proposal."""

    def get(self, request, pk, doc):
        document = get_object_or_404(
            ConcernDocument.objects.select_related("concern__case"),
            pk=doc,
            concern__case=self.proposal,
        )
        return document_response(document, services.open_document(document, user=request.user))


class ConcernFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="State",
        choices=ConcernState.choices,
        empty_label="Any state",
        error_messages={"invalid_choice": "Select a state from the list"},
    )
    decide = django_filters.ChoiceFilter(
        label="Who can decide them",
        choices=[("me", "Only those you can decide")],
        empty_label="All concerns",
        method="filter_decide",
        error_messages={"invalid_choice": "Select who can decide them from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_role(Role.DECISION_OFFICIAL):
            # Only a decision official decides a concern.
            del self.filters["decide"]

    def filter_decide(self, queryset, name, value):
        """Those about a case the person had no part in (``decidable_by``)."""
        return decidable_by(queryset, self.user) if value else queryset


class ConcernListView(StaffAreaMixin, NearestPageMixin, ListView):
    """Concerns of the cases the person may see: waiting ones by default,
    oldest first."""

    act_permission = "feedback.view_concerns"
    template_name = "feedback/concerns/list.html"
    context_object_name = "concerns"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET.copy()
        data.setdefault("state", ConcernState.OPEN)
        concerns = (
            Concern.objects.filter(case__in=visible_to(self.request.user))
            .select_related(
                "case__organisation", "case__round", "case__window", "letter", "decided_by"
            )
            .defer("letter__pdf")
            .order_by("raised_at", "pk")
        )
        self.filterset = ConcernFilter(data, queryset=concerns, user=self.request.user)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


class ConcernMixin(StaffAreaMixin):
    """A concern and its documents, for the staff who may read it (the
    ``feedback.view_concern`` rule): everyone else gets 404."""

    see_permission = "feedback.view_concern"

    @cached_property
    def concern(self):
        return (
            Concern.objects.select_related(
                "case__organisation__local_authority",
                "case__round",
                "case__window",
                "letter",
                "raised_by",
                "decided_by",
            )
            .defer("letter__pdf")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.concern


class ConcernView(ConcernMixin, FormView):
    """A concern, its documents and the letter it is about; for someone
    with no part in the case, the decision."""

    template_name = "feedback/concerns/concern.html"
    form_class = DecideConcernForm

    @cached_property
    def may_decide(self):
        return self.request.user.has_perm("feedback.decide_concern", self.concern.case)

    def post(self, request, *args, **kwargs):
        if not self.concern.is_open and request.user.has_role(Role.DECISION_OFFICIAL):
            # Decided by someone else since this page was loaded (who may no
            # longer decide it: upheld, the case went back to be assessed).
            messages.error(request, "This concern has already been decided. Nothing was changed.")
            sent = DecideConcernForm(request.POST)
            context = self.get_context_data(form=sent, not_recorded=typed_in(sent))
            return self.render_to_response(context, status=409)
        if not self.may_decide:
            raise PermissionDenied("You cannot decide this concern.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        concern = self.concern
        return super().get_context_data(
            concern=concern,
            case=concern.case,
            documents=concern.documents.all(),
            response_letters=concern.response_letters.filter(issued_at__isnull=False).defer("pdf"),
            ends_on=services.period_ends_on(concern.letter),
            may_decide=self.concern.is_open and self.may_decide,
            may_list=self.request.user.has_perm("feedback.view_concerns"),
            **kwargs,
        )

    def form_valid(self, form):
        upheld = form.cleaned_data["outcome"] == UPHELD
        try:
            services.decide(
                self.concern,
                self.request.user,
                upheld=upheld,
                response=form.cleaned_data["response"],
            )
        except services.ConcernRefused as refusal:
            form.add_error(refusal.field if refusal.field else None, str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            "The concern is upheld: the case has been returned to be looked at again."
            if upheld
            else "The concern is not upheld: the response letter will be issued and emailed.",
        )
        return redirect("staff-concern", pk=self.concern.pk)


class ConcernDocumentView(ConcernMixin, View):
    def get(self, request, pk, doc):
        document = get_object_or_404(
            ConcernDocument.objects.select_related("concern__case"), pk=doc, concern=self.concern
        )
        return document_response(document, services.open_document(document, user=request.user))
