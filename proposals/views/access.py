"""The applicant's pages about one proposal, on the one permission idiom:
a proposal the person may not see answers 404, never 403, so another
organisation's proposals do not leak their existence."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

from accreditation.access import PermissionMixin
from accreditation.middleware import SESSION_KEY
from accreditation.workflow import Status
from proposals.models import Proposal

NOT_CHANGEABLE = {
    "deadline": "The deadline for this proposal has passed, so it can no longer be changed.",
    Status.WITHDRAWN: "This proposal has been withdrawn, so it can no longer be changed.",
    Status.LAPSED: "This proposal has lapsed, so it can no longer be changed.",
}
"""Why a proposal that is no longer an open draft cannot be changed (any
other: it has been submitted)."""


class ProposalMixin(PermissionMixin):
    """For pages under /proposals/<pk>/. ``editing = True`` pages refuse a
    proposal that is no longer an open draft (submitted, or past its
    deadline) by sending the person to its status page with a message."""

    see_permission = "proposals.view_proposal"
    editing = False
    typed_fields = ()
    """(field name, label) of the free text a page takes: sent after the
    proposal could no longer be changed, it is shown back to copy."""

    @property
    def act_permission(self):
        return "proposals.change_proposal" if self.editing else None

    @cached_property
    def proposal(self):
        return (
            # What the pages and the journey read through the proposal, so
            # the journey's pages need not read it again. Who made the
            # declaration (on check answers and the PDF) is read there, if
            # made: each table joined here costs every page's query its
            # planning.
            Proposal.objects.select_related(
                "organisation__local_authority", "round", "window", "framework", "co_partner"
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.proposal

    def seen(self, target):
        # Links on the page (the organisation's details, say) act for the
        # organisation chosen in the session: make it this proposal's.
        if self.request.session.get(SESSION_KEY) != target.organisation_id:
            self.request.session[SESSION_KEY] = target.organisation_id

    def refuse(self, target):
        if self.request.method == "GET":
            return redirect("proposal-status", pk=target.pk)
        why = NOT_CHANGEABLE.get(
            "deadline" if target.missed_deadline else target.status,
            "This proposal has been submitted, so it can no longer be changed.",
        )
        typed = [
            (label, text)
            for name, label in self.typed_fields
            if (text := self.request.POST.get(name, "").strip())
        ]
        if typed:
            return render(
                self.request,
                "proposals/not_changed.html",
                {"proposal": target, "why": why, "typed": typed},
                status=409,
            )
        messages.error(self.request, why)
        return redirect("proposal-status", pk=target.pk)

    @property
    def from_check(self):
        """Opened from a "Change" link on check answers: the page's way back,
        and where it goes once done, is check answers."""
        return self.request.GET.get("from") == "check"

    def here(self, name, *args):
        """The address of ``name``, keeping ``?from=check``: a list page
        (schools, documents) stays on the way back to check answers across
        its adds and removals."""
        url = reverse(name, args=[self.proposal.pk, *args])
        return f"{url}?from=check" if self.from_check else url

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            proposal=self.proposal, from_check=self.from_check, **kwargs
        )

    def dispatch(self, request, *args, **kwargs):
        # Read before the page's service, which may read the proposal again.
        declared = (
            self.editing
            and request.method == "POST"
            and self.proposal is not None
            and self.proposal.declared_at is not None
        )
        response = super().dispatch(request, *args, **kwargs)
        if declared:
            self.tell_if_undeclared()
        return response

    def tell_if_undeclared(self):
        """A change to a declared draft undoes the declaration (each service
        that changes it does): said where the change is made, not left for
        the task list to show unexplained."""
        if not Proposal.objects.filter(pk=self.proposal.pk, declared_at__isnull=False).exists():
            messages.warning(
                self.request,
                "You changed the proposal after making the declaration, so it has been "
                "undone. Make the declaration again before you submit.",
            )


class ProposalPageCondition:
    """For a page that only some proposals have, after ProposalMixin in the
    bases. ``unavailable()`` runs in the handlers, after the permission
    checks in ``dispatch()``: a proposal that does not exist, or that the
    person may not see, answers 404 whatever its state. It returns a response
    that takes the page's place, or None; it raises Http404 where the page
    does not exist for this proposal."""

    def unavailable(self):
        return None

    def get(self, request, *args, **kwargs):
        return self.unavailable() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.unavailable() or super().post(request, *args, **kwargs)
