"""Fetching proposals for the person asking, in one place."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property

from accreditation.middleware import SESSION_KEY
from proposals.models import Proposal


def proposal_for(user, pk, *, queryset=None):
    """The proposal if ``user`` may see it, else 404 (never 403: another
    organisation's proposals must not leak their existence)."""
    queryset = queryset if queryset is not None else Proposal.objects.all()
    proposal = (
        queryset.select_related("organisation", "round", "window", "framework")
        .filter(pk=pk, organisation__memberships__user=user)
        .first()
    )
    if proposal is None or not user.has_perm("proposals.view_proposal", proposal):
        raise Http404("No such proposal")
    return proposal


class ProposalMixin(LoginRequiredMixin):
    """For pages under /proposals/<pk>/. ``editing = True`` pages refuse a
    proposal that is no longer a draft by sending the person to its status
    page with a message (it is read-only after submission)."""

    editing = False

    @cached_property
    def proposal(self):
        return proposal_for(self.request.user, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Links on the page (the organisation's details, say) act for the
        # organisation chosen in the session: make it this proposal's.
        if request.session.get(SESSION_KEY) != self.proposal.organisation_id:
            request.session[SESSION_KEY] = self.proposal.organisation_id
        if self.editing and not request.user.has_perm("proposals.change_proposal", self.proposal):
            if request.method != "GET":
                messages.error(
                    request, "This proposal has been submitted, so it can no longer be changed."
                )
            return redirect("proposal-status", pk=self.proposal.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(proposal=self.proposal, **kwargs)
