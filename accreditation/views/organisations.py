"""The organisation profile and its members, for applicants.

Every page acts on the organisation the person is acting for
(``request.organisation``, chosen on the applicant home page). Someone who
may not act for it gets 404. The rules live in ``accreditation.services.organisations``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import FormView, ListView, TemplateView

from accreditation import clock, throttle
from accreditation.access import OrganisationPageMixin, PermissionMixin
from accreditation.forms.accounts import AcceptInvitationForm
from accreditation.forms.organisations import (
    ContactsForm,
    InviteForm,
    KindForm,
    OrganisationDetailsForm,
)
from accreditation.middleware import SESSION_KEY
from accreditation.models import Invitation, Membership, OrganisationKind, User
from accreditation.numbers import id_param
from accreditation.paging import NearestPageMixin
from accreditation.services import organisations as services
from accreditation.versions import StaleEdit, StaleEditViewMixin
from accreditation.views.accounts import MODEL_BACKEND
from accreditation.workflow import Status
from proposals.models import Proposal


def kind_or_404(kind):
    if kind not in OrganisationKind.values:
        raise Http404("No such kind of organisation")
    return OrganisationKind(kind)


class CreatorMixin(PermissionMixin):
    """For creating a profile: any signed-in applicant (403 for others)."""

    act_permission = "proposals.create_organisation"


# --- The profile -------------------------------------------------------------


class ReturnToProposalMixin:
    """Reached from a draft's task list (``?proposal=<id>``), the profile's
    pages keep the way back to it, and saving the profile returns there; from
    its check answers (``&from=check``), back there."""

    @cached_property
    def returning_to(self):
        pk = id_param(self.request, "proposal")
        if pk is None:
            return None
        return Proposal.objects.filter(
            pk=pk, organisation=self.organisation, status=Status.DRAFT
        ).first()

    @property
    def from_check(self):
        return self.returning_to is not None and self.request.GET.get("from") == "check"

    @property
    def return_url(self):
        """Where the way back leads: the proposal's check answers, or its
        task list (None: not reached from a proposal)."""
        if self.returning_to is None:
            return None
        name = "proposal-check" if self.from_check else "proposal-task-list"
        return reverse(name, args=[self.returning_to.pk])

    def with_return(self, url):
        if self.returning_to is None:
            return url
        joiner = "&" if "?" in url else "?"
        query = {"proposal": self.returning_to.pk, **({"from": "check"} if self.from_check else {})}
        return f"{url}{joiner}{urlencode(query)}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            returning_to=self.returning_to,
            return_url=self.return_url,
            from_check=self.from_check,
            **kwargs,
        )


class ProfileView(ReturnToProposalMixin, OrganisationPageMixin, TemplateView):
    template_name = "organisation/profile.html"

    def get_context_data(self, **kwargs):
        kind = self.organisation.kind
        return super().get_context_data(
            needs_urn=services.needs_urn(kind),
            needs_ukprn=services.needs_ukprn(kind),
            may_claim_nss=services.may_claim_national_support_school(kind),
            edit_url=self.with_return(reverse("organisation-edit", args=[kind])),
            change_kind_url=self.with_return(reverse("organisation-change-kind")),
            kind_fixed=services.kind_fixed(self.organisation),
            **kwargs,
        )


class KindStepMixin:
    """Step one, for creating and for changing: choose the kind."""

    template_name = "organisation/kind.html"
    form_class = KindForm
    details_url_name = None

    def get_initial(self):
        return {"kind": self.request.GET.get("kind") or self.current_kind()}

    def current_kind(self):
        return None

    def with_return(self, url):
        return url

    def form_valid(self, form):
        return redirect(
            self.with_return(reverse(self.details_url_name, args=[form.cleaned_data["kind"]]))
        )


class CreateKindView(CreatorMixin, KindStepMixin, FormView):
    details_url_name = "organisation-create-details"

    def get_context_data(self, **kwargs):
        return super().get_context_data(creating=True, back_url=reverse("applicant-home"), **kwargs)


class ChangeKindView(ReturnToProposalMixin, OrganisationPageMixin, KindStepMixin, FormView):
    details_url_name = "organisation-edit"

    def current_kind(self):
        return self.organisation.kind

    def form_valid(self, form):
        if form.cleaned_data["kind"] != self.organisation.kind and (
            fixed := services.kind_fixed(self.organisation)
        ):
            form.add_error("kind", fixed)
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            creating=False, back_url=self.with_return(reverse("organisation-profile")), **kwargs
        )


class DetailsStepMixin(StaleEditViewMixin):
    """Step two: the details for the kind in the URL."""

    template_name = "organisation/details.html"
    form_class = OrganisationDetailsForm
    kind_url_name = None

    @cached_property
    def kind(self):
        return kind_or_404(self.kwargs["kind"])

    def existing(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind, "organisation": self.existing()}

    def with_return(self, url):
        return url

    def get_context_data(self, **kwargs):
        kind_url = self.with_return(
            f"{reverse(self.kind_url_name)}?{urlencode({'kind': self.kind.value})}"
        )
        return super().get_context_data(
            kind=self.kind,
            kind_url=kind_url,
            back_url=kind_url,
            may_claim_nss=services.may_claim_national_support_school(self.kind),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            organisation = self.save(form.values())
        except StaleEdit as error:
            return self.stale(form, error)
        except services.OrganisationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            return self.form_invalid(form)
        return self.saved(organisation)


class CreateDetailsView(CreatorMixin, DetailsStepMixin, FormView):
    kind_url_name = "organisation-create"

    def get_context_data(self, **kwargs):
        return super().get_context_data(creating=True, **kwargs)

    repeated = False
    """The profile was sent again (``services.AlreadyCreated``)."""

    def save(self, values):
        try:
            return services.create_organisation(self.request.user, values)
        except services.AlreadyCreated as repeat:
            self.repeated = True
            return repeat.organisation

    def form_invalid(self, form):
        # Sent again after the first was saved, the form asks whether its
        # URN, now the person's own new organisation's, should be contested.
        if set(form.errors) == {"contest_identifier"}:
            made = services.already_created(self.request.user, form.values())
            if made is not None:
                self.repeated = True
                return self.saved(made)
        return super().form_invalid(form)

    def saved(self, organisation):
        self.request.session[SESSION_KEY] = organisation.pk
        if self.repeated:
            messages.info(
                self.request,
                f"You are already a member of {organisation.name}, whose profile is the one you "
                "sent, so nothing new was created: you are acting for it.",
            )
        else:
            messages.success(
                self.request,
                f"You have created the profile for {organisation.name}. "
                "You are its contact, and you are now acting for it.",
            )
        return redirect("organisation-profile")


class EditDetailsView(ReturnToProposalMixin, OrganisationPageMixin, DetailsStepMixin, FormView):
    kind_url_name = "organisation-change-kind"

    def existing(self):
        return self.organisation

    def get(self, request, *args, **kwargs):
        # Another kind for a provider whose kind is fixed: said before any
        # details are written, on the page of its own kind.
        if self.kind != self.organisation.kind and (
            fixed := services.kind_fixed(self.organisation)
        ):
            messages.error(request, fixed)
            return redirect(
                self.with_return(reverse("organisation-edit", args=[self.organisation.kind]))
            )
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return OrganisationDetailsForm.initial_from(self.organisation)

    def get_context_data(self, **kwargs):
        kind_changed = self.kind != self.organisation.kind
        context = super().get_context_data(creating=False, kind_changed=kind_changed, **kwargs)
        # Back to the kind chosen on the step before, or else to the profile
        # the change was started from; an accredited provider's kind is not
        # offered for change (its profile says why).
        if not kind_changed:
            context["back_url"] = self.with_return(reverse("organisation-profile"))
        context["kind_fixed"] = services.kind_fixed(self.organisation)
        return context

    def save(self, values):
        return services.update_organisation(
            self.organisation, values, actor=self.request.user, version=values["version"]
        )

    def saved(self, organisation):
        messages.success(self.request, "The organisation profile has been updated.")
        if self.returning_to is not None:
            return redirect(self.return_url)
        return redirect("organisation-profile")


# --- Members -----------------------------------------------------------------


class MembersView(OrganisationPageMixin, NearestPageMixin, ListView):
    template_name = "organisation/members.html"
    context_object_name = "members"
    paginate_by = 50

    def get_queryset(self):
        return (
            Membership.objects.filter(organisation=self.organisation)
            .select_related("user")
            .order_by("user__full_name", "user__email", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=services.pending_invitations(self.organisation).order_by("email")[:50],
            **kwargs,
        )


class InviteView(OrganisationPageMixin, FormView):
    template_name = "organisation/invite.html"
    form_class = InviteForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        try:
            invitation, _ = services.invite_member(
                self.organisation,
                email=email,
                invited_by=self.request.user,
                base_url=self.request.build_absolute_uri("/")[:-1],
            )
            expires_at = invitation.expires_at
        except services.OrganisationError as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        except throttle.Throttled:
            # The same page as a sent invitation: the earlier one still works.
            expires_at = services.invitation_expiry()
        messages.success(
            self.request,
            f"We have sent an invitation to {email}. The link works once, until "
            f"{clock.local(expires_at):%-d %B %Y}.",
        )
        return redirect("organisation-members")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invitation_valid_days=settings.INVITATION_VALID_DAYS, **kwargs
        )


class ContactsView(StaleEditViewMixin, OrganisationPageMixin, FormView):
    template_name = "organisation/contacts.html"
    form_class = ContactsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def form_valid(self, form):
        try:
            services.set_contacts(
                self.organisation,
                form.cleaned_data["contacts"],
                actor=self.request.user,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except services.OrganisationError as error:
            form.add_error("contacts", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The contacts have been updated.")
        return redirect("organisation-members")


class RemoveMemberView(OrganisationPageMixin, TemplateView):
    """A confirmation page; the removal itself is a POST."""

    template_name = "organisation/remove.html"

    @cached_property
    def membership(self):
        return get_object_or_404(
            Membership.objects.select_related("user", "organisation"),
            pk=self.kwargs["pk"],
            organisation=self.organisation,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            membership=self.membership,
            refusal=services.removal_refusal(self.membership),
            is_self=self.membership.user_id == self.request.user.pk,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        membership = self.membership
        try:
            services.remove_member(membership, actor=request.user)
        except services.OrganisationError as error:
            messages.error(request, str(error))
            return redirect("organisation-members")
        if membership.user_id == request.user.pk:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, f"You have left {self.organisation.name}.")
            return redirect("applicant-home")
        messages.success(
            request, f"{membership.user} has been removed from {self.organisation.name}."
        )
        return redirect("organisation-members")


class WithdrawInvitationView(OrganisationPageMixin, TemplateView):
    """A confirmation page; withdrawing the invitation is a POST. Another
    organisation's invitation is 404."""

    template_name = "organisation/withdraw_invitation.html"

    @cached_property
    def invitation(self):
        return get_object_or_404(
            Invitation.objects.select_related("organisation"),
            pk=self.kwargs["pk"],
            organisation=self.organisation,
        )

    def get_context_data(self, **kwargs):
        invitation = self.invitation
        usable = invitation in services.pending_invitations(self.organisation)
        return super().get_context_data(invitation=invitation, usable=usable, **kwargs)

    def post(self, request, *args, **kwargs):
        invitation = self.invitation
        if services.withdraw_member_invitation(invitation, by=request.user):
            messages.success(
                request,
                f"The invitation to {invitation.email} has been withdrawn: its link no longer "
                "works.",
            )
        else:
            messages.info(
                request,
                f"The invitation to {invitation.email} was accepted, withdrawn or replaced "
                "already. Nothing was changed.",
            )
        return redirect("organisation-members")


# --- Joining -----------------------------------------------------------------


class JoinView(FormView):
    """Where an invitation link lands. Signed out, the person signs in (and
    comes back here) or creates an account with the invited address; signed
    in as the invited address, they accept."""

    template_name = "organisation/join.html"
    form_class = AcceptInvitationForm

    def dispatch(self, request, *args, **kwargs):
        self.invitation, problem = services.find_invitation(kwargs["token"])
        if problem:
            return self.unusable(problem)
        if request.user.is_authenticated:
            refusal = services.wrong_account(self.invitation, request.user)
            if refusal:
                return self.wrong_account(refusal)
        return super().dispatch(request, *args, **kwargs)

    def unusable(self, problem):
        return render(
            self.request,
            "organisation/join_invalid.html",
            {"problem": problem},
            status=410,
        )

    def wrong_account(self, refusal):
        return render(
            self.request,
            "organisation/join_wrong_account.html",
            {"refusal": refusal, "invitation": self.invitation},
            status=403,
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "email": self.invitation.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invitation=self.invitation,
            sign_in_url=f"{reverse('login')}?{urlencode({'next': self.request.path})}",
            has_account=User.objects.filter(email__iexact=self.invitation.email).exists(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return self.join(user=request.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            return self.join(
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.OrganisationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)

    def join(self, **kwargs):
        try:
            membership = services.accept_invitation(self.kwargs["token"], **kwargs)
        except services.InvitationUnusable as error:
            return self.unusable(str(error))
        except services.WrongAccount as error:
            return self.wrong_account(str(error))
        if not self.request.user.is_authenticated:
            login(self.request, membership.user, backend=MODEL_BACKEND)
        self.request.session[SESSION_KEY] = membership.organisation_id
        messages.success(
            self.request,
            f"You have joined {membership.organisation.name}. You are now acting for it.",
        )
        return redirect("organisation-profile")
