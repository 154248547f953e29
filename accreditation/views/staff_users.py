"""Administrators manage staff accounts and invite Advisory Group members."""

from django.contrib import messages
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, ListView

from accreditation import clock, throttle
from accreditation.access import StaffAreaMixin
from accreditation.forms.accounts import StaffInvitationForm, StaffUserForm
from accreditation.models import Invitation, User
from accreditation.paging import NearestPageMixin
from accreditation.roles import STAFF_ROLES, Role, own_roles_refusal
from accreditation.services import accounts
from accreditation.versions import StaleEdit, StaleEditViewMixin
from assessments.services import assignment as assignment_services

STAFF_ROLE_NAMES = [r.value for r in STAFF_ROLES]


class StaffUserListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "accreditation.manage_users"
    template_name = "staff/users.html"
    paginate_by = 50
    context_object_name = "staff_users"

    def get_queryset(self):
        return (
            User.objects.filter(groups__name__in=STAFF_ROLE_NAMES)
            .distinct()
            .prefetch_related(
                Prefetch("groups", queryset=Group.objects.order_by("name"), to_attr="role_groups")
            )
            .order_by("full_name", "email")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            role_labels=dict(Role.choices),
            now=clock.now(),
            pending=Invitation.objects.filter(
                organisation__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
            )
            .select_related("invited_by")
            .order_by("-created_at")[:20],
            **kwargs,
        )


class StaffInviteView(StaffAreaMixin, FormView):
    act_permission = "accreditation.manage_users"
    template_name = "staff/invite.html"
    form_class = StaffInvitationForm
    success_url = reverse_lazy("staff-users")

    def form_valid(self, form):
        replaced = accounts.waiting_staff_invitation(form.cleaned_data["email"])
        try:
            accounts.invite_staff(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                invited_by=self.request.user,
                base_url=self.request.build_absolute_uri("/")[:-1],
            )
        except accounts.AccountError as error:
            field = "email" if isinstance(error, accounts.AddressRefused) else "roles"
            form.add_error(field, str(error))
            return self.form_invalid(form)
        except throttle.Throttled:
            # The same page as a sent invitation: the earlier one still works.
            replaced = None
        messages.success(self.request, f"Invitation sent to {form.cleaned_data['email']}.")
        if replaced is not None:
            sent_on = clock.local_date(replaced.created_at)
            roles = ", ".join(Role(role).label.lower() for role in replaced.roles)
            messages.info(
                self.request,
                f"It replaces the invitation sent on {sent_on:%-d %B %Y} (as {roles}): that "
                "link no longer works.",
            )
        organisations = accounts.organisations_of_address(form.cleaned_data["email"])
        if organisations:
            messages.warning(
                self.request,
                f"{form.cleaned_data['email']} is a member of {', '.join(organisations)}. "
                "Once they accept, they cannot act on those organisations' cases or requests: "
                "each is recorded as a conflict of interest.",
            )
        return super().form_valid(form)


class StaffUserEditView(StaleEditViewMixin, StaffAreaMixin, FormView):
    act_permission = "accreditation.manage_users"
    template_name = "staff/user_edit.html"
    form_class = StaffUserForm
    success_url = reverse_lazy("staff-users")

    @cached_property
    def person(self):
        return get_object_or_404(
            User.objects.filter(groups__name__in=STAFF_ROLE_NAMES).distinct(), pk=self.kwargs["pk"]
        )

    def get_initial(self):
        return {
            "roles": [name for name in self.person.role_names if name in STAFF_ROLE_NAMES],
            "is_active": "yes" if self.person.is_active else "no",
            "version": accounts.staff_version(self.person),
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "applicant": self.person.has_role(Role.APPLICANT)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        if (
            self.person == self.request.user
            and Role.ADMINISTRATOR not in form.cleaned_data["roles"]
        ):
            form.add_error("roles", "You cannot remove your own administrator role")
            return self.form_invalid(form)
        if self.person == self.request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", "You cannot switch off your own account")
            return self.form_invalid(form)
        if self.person == self.request.user and (
            gained := set(form.cleaned_data["roles"]) - self.person.role_names
        ):
            form.add_error("roles", own_roles_refusal(gained))
            return self.form_invalid(form)
        can_assess = form.cleaned_data["is_active"] and Role.ASSESSOR in form.cleaned_data["roles"]
        releasing = [] if can_assess else assignment_services.in_hand(self.person)
        if releasing and self.request.POST.get("release") != ",".join(releasing):
            # Taking someone off their cases is said before it is done, and
            # said again if they were given another since it was said.
            return self.render_to_response(self.get_context_data(form=form, releasing=releasing))
        try:
            accounts.set_staff_roles(
                self.person,
                roles=form.cleaned_data["roles"],
                is_active=form.cleaned_data["is_active"],
                by=self.request.user,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        if releasing:
            messages.success(
                self.request,
                f"{self.person} has been updated and taken off {len(releasing)} "
                f"case{pluralize(len(releasing))} ({', '.join(releasing)}). We have emailed the "
                "officers who assigned them to assign someone else.",
            )
        elif not form.cleaned_data["roles"]:
            messages.success(
                self.request,
                f"{self.person} is no longer staff: they use the service as an applicant only.",
            )
        else:
            messages.success(self.request, f"{self.person} has been updated.")
        return redirect(self.success_url)


class StaffInvitationWithdrawView(StaffAreaMixin, View):
    """Withdraw a staff invitation not yet accepted (a wrong address, a
    person who no longer joins): its link stops working."""

    act_permission = "accreditation.manage_users"
    http_method_names = ["post"]

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation, pk=pk, organisation__isnull=True)
        if accounts.withdraw_staff_invitation(invitation, by=request.user):
            messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
        else:
            messages.info(
                request,
                f"The invitation to {invitation.email} was accepted or withdrawn already. "
                "Nothing was changed.",
            )
        return redirect("staff-users")
