"""The accredited provider's pages: its entry on the register, keeping its
details current, and adding or changing its educational co-partner (the
co-partner's details and Part Two answers, saved as it goes, checked, then
sent to the casework officers)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from accreditation import clock
from accreditation.access import OrganisationPageMixin, PermissionMixin, typed_in
from accreditation.models import CriterionGuidance
from accreditation.models.framework import sector_for_kind
from accreditation.rules import is_member_of
from accreditation.versions import StaleEdit, StaleEditViewMixin
from proposals.forms.journey import AnswerForm
from register.forms.provider import CoPartnerChangeForm, DetailsForm
from register.forms.revocation import ResponseForm
from register.models import (
    OWN_HISTORY_KINDS,
    PUBLIC_STATES,
    ChangeState,
    CoPartnerChange,
    EntryState,
    EventKind,
    RegisterEntry,
)
from register.queries import notices
from register.queries.co_partners import of_provider
from register.queries.register import departure
from register.services import co_partners, details, revocation


class EntryView(OrganisationPageMixin, TemplateView):
    """The organisation's entry as the register shows it, with what it can
    change; an organisation not on the register is told so."""

    template_name = "register/provider/entry.html"

    def get_context_data(self, **kwargs):
        entry = (
            RegisterEntry.objects.filter(organisation=self.organisation)
            .select_related("local_authority", "region")
            .first()
        )
        changes = list(of_provider(entry)) if entry else []
        history = (
            entry.events.filter(kind__in=OWN_HISTORY_KINDS).order_by("created_at", "pk")
            if entry
            else []
        )
        # A notice's email leads here, acting for whichever organisation:
        # the person's others on the register (those under notice, beside
        # an entry of this one's) are offered to switch to.
        others = (
            RegisterEntry.objects.filter(
                organisation__memberships__user=self.request.user,
                state__in=(
                    PUBLIC_STATES
                    if entry is None or not entry.is_public
                    else [EntryState.NOTICE_GIVEN]
                ),
            )
            .exclude(organisation=self.organisation)
            .order_by("name")
        )
        return super().get_context_data(
            entry=entry,
            left=departure(entry) if entry is not None and not entry.is_public else None,
            others_on_register=others,
            can_keep=entry is not None and self.request.user.has_perm("register.keep_entry", entry),
            open_change=next((c for c in changes if c.is_open), None),
            decided=[c for c in changes if not c.is_open],
            history=history,
            can_respond=entry is not None
            and self.request.user.has_perm("register.respond_to_notice", entry)
            and clock.now() < entry.response_due,
            responses=notices.responses_to_notice(entry),
            **kwargs,
        )


def unavailable(request, entry, *, title, form=None, not_done="", reason="", **context):
    """The page a member of ``entry``'s organisation gets for one of its
    pages that no longer applies (its accreditation revoked or corrected,
    its notice withdrawn, its change of co-partner sent or decided): why,
    and what they sent (``form``, bound) to copy, as nothing was saved."""
    return render(
        request,
        "register/provider/unavailable.html",
        {
            "title": title,
            "entry": entry,
            "left": None if entry.is_public else departure(entry),
            "reason": reason,
            "typed": typed_in(form) if form is not None and request.method == "POST" else [],
            "not_done": not_done,
            **context,
        },
        # A form sent: 409. A page asked for: gone (410) once the provider
        # left the register, else not found (no notice to respond to).
        status=409 if request.method == "POST" else 404 if entry.is_public else 410,
    )


class KeepEntryMixin(OrganisationPageMixin):
    """A page of the organisation's own current entry: 404 if it has none;
    a member whose entry is no longer on the register is told why
    (``unavailable``), with what they sent."""

    see_permission = "register.keep_entry"
    unavailable_title = ""
    not_done = "Nothing was saved."

    @cached_property
    def entry(self):
        return RegisterEntry.objects.filter(organisation=self.organisation).first()

    def get_permission_object(self):
        return self.entry if self.organisation else None

    def not_seen(self, target):
        entry = self.entry
        if entry is None or not is_member_of(self.request.user, entry.organisation_id):
            return super().not_seen(target)
        return unavailable(
            self.request,
            entry,
            title=self.unavailable_title,
            form=self.get_form(),
            not_done=self.not_done,
            **self.unavailable_context(),
        )

    def unavailable_context(self):
        return {}


class DetailsView(StaleEditViewMixin, KeepEntryMixin, FormView):
    template_name = "register/provider/details.html"
    form_class = DetailsForm
    unavailable_title = "You can no longer change your register details"
    not_done = "Your register details were not saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "accreditation_type": self.entry.accreditation_type}

    def get_initial(self):
        return {
            "more_schools": self.entry.more_schools,
            "contact_email": self.entry.contact_email,
            "version": details.details_version(self.entry),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            details.update_details(
                self.entry,
                actor=self.request.user,
                more_schools=data["more_schools"],
                contact_email=data["contact_email"],
                version=data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except details.DetailsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Your register details have been updated.")
        return redirect("provider-entry")


class ResponseView(KeepEntryMixin, FormView):
    """The provider's written response to a notice of revocation, while the
    response period runs: 404 when there is no notice."""

    template_name = "register/provider/response.html"
    form_class = ResponseForm
    see_permission = "register.respond_to_notice"
    unavailable_title = "There is no notice to respond to"
    not_done = "Your response was not sent."

    def unavailable_context(self):
        withdrawn = None
        if self.entry.is_public:
            withdrawn = (
                self.entry.events.filter(kind=EventKind.NOTICE_WITHDRAWN)
                .order_by("-created_at", "-pk")
                .first()
            )
        return {"withdrawn": withdrawn}

    def form_valid(self, form):
        try:
            revocation.respond(
                self.entry, text=form.cleaned_data["response"], actor=self.request.user
            )
        except revocation.RevocationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request, "Your response has been sent. We will read it before we decide."
        )
        return redirect("provider-entry")

    def get_context_data(self, **kwargs):
        ended = self.entry.response_due is not None and clock.now() >= self.entry.response_due
        if ended and self.request.method == "GET":
            # Said before anything is written: there is no form to fill in.
            kwargs["form"] = None
        return super().get_context_data(entry=self.entry, ended=ended, **kwargs)


class StartView(KeepEntryMixin, FormView):
    """The co-partner's details start a change; with one open, its page."""

    template_name = "register/provider/co_partner_details.html"
    form_class = CoPartnerChangeForm
    unavailable_title = "You can no longer propose a co-partner"
    not_done = "The co-partner was not saved."

    def get(self, request, *args, **kwargs):
        current = co_partners.open_change(self.entry)
        if current is not None:
            return redirect("provider-co-partner-change", pk=current.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            change = co_partners.start(self.entry, actor=self.request.user, **data)
        except co_partners.ChangeInProgress as error:
            # Sent twice, or from a tab opened before one was started: the
            # change in progress, with what this form held to copy into it.
            return unavailable(
                self.request,
                self.entry,
                title="Your organisation has a change of co-partner in progress",
                form=form,
                not_done="This form was not saved: continue the change in progress instead.",
                reason=str(error),
                change=error.change,
            )
        except co_partners.CoPartnerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect("provider-co-partner-change", pk=change.pk)


class ChangeMixin(PermissionMixin):
    """A change of co-partner of an organisation the person belongs to
    (whichever they act for now); anyone else's is 404."""

    see_permission = "register.view_co_partner_change"

    @cached_property
    def change(self):
        return (
            CoPartnerChange.objects.select_related("entry", "framework", "local_authority")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.change

    @cached_property
    def questions(self):
        return co_partners.criteria(self.change.framework, self.change.entry.accreditation_type)


class EditMixin(ChangeMixin):
    """A page that changes a draft: once sent, decided, or its provider off
    the register, a form sent to it is shown back with why (nothing saved),
    and a page asked for leads back to the change's page, saying why."""

    act_permission = "register.change_co_partner"

    def refuse(self, target):
        if not self.request.user.has_perm("register.view_co_partner_change", target):
            raise PermissionDenied
        reason = co_partners.why_not_editable(target)
        if self.request.method == "POST":
            return unavailable(
                self.request,
                target.entry,
                title="This change of co-partner can no longer be changed",
                form=self.get_form(),
                not_done="What you sent was not saved.",
                reason=reason,
                change=target,
            )
        messages.error(self.request, reason)
        return redirect("provider-co-partner-change", pk=target.pk)


class ChangeView(ChangeMixin, TemplateView):
    """Check the co-partner's details and answers, then send them; once
    sent, where the change has got to."""

    template_name = "register/provider/co_partner_change.html"

    def get_context_data(self, **kwargs):
        answers = co_partners.answers_of(self.change)
        rows = [(criterion, answers.get(criterion.pk)) for criterion in self.questions]
        return super().get_context_data(
            change=self.change,
            rows=rows,
            problems=co_partners.problems(self.change, self.questions, answers),
            editable=self.request.user.has_perm("register.change_co_partner", self.change),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.change.state == ChangeState.SUBMITTED:
            # Sent from another tab, or this one's button pressed twice.
            messages.info(
                request,
                f"Your co-partner was already sent to the accreditation team at "
                f"{clock.describe(self.change.submitted_at)}. Nothing more was sent.",
            )
            return redirect("provider-co-partner-change", pk=self.change.pk)
        try:
            co_partners.submit(self.change, actor=request.user)
        except co_partners.CoPartnerError as error:
            messages.error(request, str(error))
            return redirect("provider-co-partner-change", pk=self.change.pk)
        except PermissionDenied:
            messages.error(request, co_partners.why_not_editable(self.change))
            return redirect("provider-co-partner-change", pk=self.change.pk)
        messages.success(
            request,
            "Your co-partner has been sent to the accreditation team. We will email your "
            "contacts when they have decided whether it meets the track record criteria.",
        )
        return redirect("provider-co-partner-change", pk=self.change.pk)


class ChangeDetailsView(StaleEditViewMixin, EditMixin, FormView):
    template_name = "register/provider/co_partner_details.html"
    form_class = CoPartnerChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.change}

    def get_initial(self):
        return {"version": co_partners.details_version(self.change)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(change=self.change, **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            co_partners.save_details(
                self.change, actor=self.request.user, version=form.cleaned_data["version"], **data
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except co_partners.CoPartnerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect("provider-co-partner-change", pk=self.change.pk)


class AnswerView(EditMixin, FormView):
    template_name = "register/provider/co_partner_answer.html"
    form_class = AnswerForm

    @cached_property
    def criterion(self):
        found = next((c for c in self.questions if c.code == self.kwargs["code"]), None)
        if found is None:
            raise Http404("No such question")
        return found

    @cached_property
    def answer(self):
        return self.change.answers.filter(criterion=self.criterion).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "criterion": self.criterion}

    def get_initial(self):
        answer = self.answer
        return {"text": answer.text if answer else "", "version": answer.version if answer else 0}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            change=self.change,
            criterion=self.criterion,
            sector_guidance=CriterionGuidance.objects.filter(
                criterion=self.criterion, sector=sector_for_kind(self.change.kind)
            ).first(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            co_partners.save_answer(
                self.change,
                criterion=self.criterion,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                actor=self.request.user,
            )
        except co_partners.StaleAnswer as error:
            data = form.data.copy()
            data["version"] = error.current.version if error.current else 0
            fresh = AnswerForm(data, criterion=self.criterion)
            fresh.is_valid()
            fresh.add_error(None, str(error))
            return self.render_to_response(
                self.get_context_data(form=fresh, saved_elsewhere=error.current)
            )
        except co_partners.CoPartnerError as error:
            form.add_error("text", str(error))
            return self.form_invalid(form)
        if "later" in self.request.POST:
            messages.success(self.request, "Your answer has been saved.")
        return redirect("provider-co-partner-change", pk=self.change.pk)
