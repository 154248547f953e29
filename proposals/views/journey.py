"""The applicant's proposal journey: start, task list, sections, check
answers, submission and what comes after."""

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accreditation import clock, eligibility, timeline
from accreditation import events as event_types
from accreditation.access import OrganisationPageMixin
from accreditation.forms.rounds import MoveDraftsForm
from accreditation.models import CaseEvent, CriterionGuidance, Round, Window
from accreditation.models.framework import sector_for_kind
from accreditation.numbers import id_param
from accreditation.paging import FirstPageFirstPaginator, NearestPageMixin
from accreditation.pdf import render_pdf
from accreditation.queries import decisions
from accreditation.versions import StaleEdit, StaleEditViewMixin, version_of
from accreditation.workflow import Action, Status, WorkflowError
from feedback.models import Letter, LetterPurpose
from feedback.queries.letters import (
    decision_round,
    decision_untold,
    told_decisions,
    with_decision_told,
)
from feedback.services import concerns
from feedback.services.letters import overtaken
from proposals.forms.journey import (
    DECLARATION,
    AnswerForm,
    CoPartnerForm,
    DeclarationForm,
    NewProvisionForm,
    SchoolForm,
    StartForm,
    TypeForm,
    WithdrawForm,
)
from proposals.models import Answer, Party, Proposal
from proposals.queries import starting
from proposals.queries.journey import (
    CO_PARTNER_FIRST,
    DIOCESE_KINDS,
    Journey,
    answer_to,
    can_lead_federation,
    criteria_of,
    schools_basis,
)
from proposals.queries.journey import questions as proposal_questions
from proposals.services import applicant as services
from proposals.services import moving
from proposals.views.access import ProposalMixin, ProposalPageCondition
from register.models import EntryState, RegisterEntry
from register.queries.register import departure, with_accreditation_revoked

UNDER_ASSESSMENT = (
    Status.SUBMITTED,
    Status.IN_ASSESSMENT,
    Status.INFORMATION_REQUESTED,
    Status.ASSESSED,
    Status.ADVISORY_REVIEW,
    Status.AWAITING_DECISION,
)
"""Submitted and not yet decided: the assessor may still ask for information."""

DECIDED = (Status.ACCREDITED, Status.NOT_ACCREDITED, Status.CLOSED_INELIGIBLE)
"""Statuses that a letter tells the organisation of."""


def may_withdraw(proposal):
    """An open draft, or a proposal not yet decided (a draft past its
    deadline lapses instead)."""
    return proposal.is_editable or proposal.status in UNDER_ASSESSMENT


NOT_WITHDRAWN_BECAUSE = {
    Status.WITHDRAWN: "it has already been withdrawn",
    Status.LAPSED: "it was not submitted by its deadline",
    Status.CLOSED_INELIGIBLE: "it was found not eligible",
    Status.ACCREDITED: "it has been decided",
    Status.NOT_ACCREDITED: "it has been decided",
}


def why_not_withdrawn(proposal):
    """Why ``proposal`` (not ``may_withdraw``) cannot be withdrawn, in words."""
    return NOT_WITHDRAWN_BECAUSE.get(
        proposal.status,
        "its deadline has passed"
        if proposal.status == Status.DRAFT
        else f"it is {proposal.status_meta.applicant_label.lower()}",
    )


def next_or_task_list(request, proposal, next_url):
    """'Save and come back later' returns to the task list; a page opened
    from a "Change" link on check answers (``?from=check``) returns there,
    as GOV.UK's pattern has it; otherwise on to ``next_url``."""
    if "later" in request.POST:
        messages.success(request, "Your answers have been saved.")
        return redirect("proposal-task-list", pk=proposal.pk)
    if request.GET.get("from") == "check":
        return redirect("proposal-check", pk=proposal.pk)
    return redirect(next_url)


class DashboardView(OrganisationPageMixin, NearestPageMixin, ListView):
    template_name = "proposals/dashboard.html"
    paginate_by = 25
    paginator_class = FirstPageFirstPaginator
    context_object_name = "proposals"

    def get_queryset(self):
        return with_accreditation_revoked(
            with_decision_told(
                Proposal.objects.filter(organisation=self.request.organisation)
                .select_related("round", "window__organisation")
                .order_by("-created_at")
            )
        )

    def get_context_data(self, **kwargs):
        now = clock.now()
        open_rounds, next_round = Round.objects.open_and_next(now)
        context = super().get_context_data(
            organisation=self.request.organisation,
            open_rounds=open_rounds,
            open_windows=Window.objects.filter(
                organisation=self.request.organisation, opens_at__lte=now, deadline__gt=now
            ).order_by("deadline", "pk"),
            next_round=next_round,
            **kwargs,
        )
        proposals = context["proposals"]
        # Where a copy could go is asked only when a proposal here could be copied.
        targets = (
            services.rounds_to_copy_into(self.request.organisation, open_rounds)
            if any(proposal.is_copyable for proposal in proposals)
            else []
        )
        context["rows"] = [
            (proposal, services.copy_round(proposal, targets)) for proposal in proposals
        ]
        return context


class StartView(OrganisationPageMixin, FormView):
    """Eligibility first: which types the organisation may seek here, why
    not where it may not, and a way to start only where it may."""

    template_name = "proposals/start.html"
    form_class = StartForm

    @cached_property
    def period(self):
        organisation = self.request.organisation
        window_id = id_param(self.request, "window")
        if window_id:
            return get_object_or_404(Window, pk=window_id, organisation=organisation)
        round_id = id_param(self.request, "round")
        rounds = Round.objects.open_at(clock.now())
        if round_id:
            chosen = rounds.filter(pk=round_id).first()
            if chosen is not None:
                return chosen
            # A link to, or a page shown before the close of, a round not
            # open now: the round open now is shown, to choose in, never
            # started in unasked.
            self.round_closed_since = True
        return rounds.order_by("deadline").first()

    round_closed_since = False

    @cached_property
    def verdicts(self):
        if self.period is None:
            return eligibility.verdicts(self.request.organisation)
        return starting.start_options(self.request.organisation, self.period)

    def get_form_kwargs(self):
        types = [v.accreditation_type for v in self.verdicts if v.eligible]
        return {**super().get_form_kwargs(), "types": types}

    def get_context_data(self, **kwargs):
        period = self.period
        return super().get_context_data(
            organisation=self.request.organisation,
            period=period,
            period_open=period is not None and period.is_open(),
            period_closed=period is not None and period.deadline <= clock.now(),
            # No form to link to where nothing can be started.
            unlinked=period is None or not period.is_open(),
            verdicts=self.verdicts,
            any_eligible=any(v.eligible for v in self.verdicts),
            existing=starting.live_proposals_in(self.request.organisation, period)
            if period is not None
            else [],
            is_window=isinstance(period, Window),
            round_closed_since=self.round_closed_since and period is not None,
            **kwargs,
        )

    def form_invalid(self, form):
        """A type the organisation has just started (from another tab, or a
        double click) is no longer offered: that proposal is where to go."""
        posted = self.request.POST.get("accreditation_type")
        if self.period is not None and "accreditation_type" in form.errors:
            for proposal in starting.live_proposals_in(self.request.organisation, self.period):
                if proposal.accreditation_type == posted:
                    what = "round" if isinstance(self.period, Round) else "out-of-round window"
                    messages.info(
                        self.request,
                        f"Your organisation already has an {proposal.accreditation_type.upper()} "
                        f"proposal in this {what}: this is it.",
                    )
                    return redirect("proposal-task-list", pk=proposal.pk)
        return super().form_invalid(form)

    def form_valid(self, form):
        if self.period is None:
            form.add_error(None, "There is no round open for proposals now.")
            return self.form_invalid(form)
        if self.period is not None and self.round_closed_since:
            form.add_error(
                None,
                f"The round you chose is no longer open. {self.period} is open now: choose "
                "the type again to start a proposal in it.",
            )
            return self.form_invalid(form)
        if not self.period.is_open():
            # Its form is no longer on the page: the refusal, not at a field.
            what = "round" if isinstance(self.period, Round) else "out-of-round window"
            form.add_error(None, f"This {what} is not open for proposals now")
            return self.form_invalid(form)
        try:
            proposal = services.start_proposal(
                organisation=self.request.organisation,
                period=self.period,
                accreditation_type=form.cleaned_data["accreditation_type"],
                actor=self.request.user,
            )
        except services.ProposalError as error:
            form.add_error("accreditation_type", str(error))
            return self.form_invalid(form)
        return redirect("proposal-task-list", pk=proposal.pk)


def load_proposal_for_journey(proposal):
    """The page's proposal (``ProposalMixin.proposal``, read with what the
    journey reads through it) with its answers and evidence as they stand
    now (read again if read before: a page may save and then show them), in
    a fixed number of queries."""
    read = getattr(proposal, "_prefetched_objects_cache", {})
    read.pop("answers", None)
    read.pop("evidence", None)
    prefetch_related_objects(
        [proposal], Prefetch("answers", queryset=Answer.objects.all()), "evidence"
    )
    return proposal


class DraftOverviewMixin(ProposalMixin):
    """Pages that show a draft as a whole; once it is submitted, or its
    deadline has passed, the status page takes their place."""

    def get(self, request, *args, **kwargs):
        if not self.proposal.is_editable:
            return redirect("proposal-status", pk=self.proposal.pk)
        return super().get(request, *args, **kwargs)

    @cached_property
    def journey(self):
        return Journey.load(load_proposal_for_journey(self.proposal))


class TaskListView(DraftOverviewMixin, TemplateView):
    template_name = "proposals/task_list.html"

    def get_context_data(self, **kwargs):
        journey = self.journey
        sections = journey.sections()
        can_submit = not any(s.problems for s in sections)
        return super().get_context_data(
            journey=journey,
            sections=sections,
            # Of the sections to complete: an optional one, filled in or
            # not, is counted in neither.
            completed=sum(1 for s in sections if s.completed and not s.optional),
            to_complete=sum(1 for s in sections if not s.optional),
            can_submit=can_submit,
            # What submission would refuse whatever the answers (another of
            # the organisation's proposals of this type not yet decided, or
            # the type already held): said once the draft is complete, in
            # place of "Ready to submit", not first at submission.
            held_back=can_submit and services.standing_problem(self.proposal),
            notices=[s.notice for s in sections if s.notice],
            **kwargs,
        )


class SectionNoticeMixin:
    """A section's page tells what changed under it, and what to do."""

    section_key = None

    def get_context_data(self, **kwargs):
        journey = Journey.load(load_proposal_for_journey(self.proposal))
        notice = journey.section(self.section_key).notice
        return super().get_context_data(notices=[notice] if notice else [], **kwargs)


class TypeView(SectionNoticeMixin, StaleEditViewMixin, ProposalMixin, FormView):
    editing = True
    section_key = "type"
    template_name = "proposals/section_form.html"
    form_class = TypeForm

    def get_form_kwargs(self):
        organisation = self.proposal.organisation
        return {
            **super().get_form_kwargs(),
            "organisation": organisation,
            "may_federate": can_lead_federation(organisation),
        }

    def get_initial(self):
        p = self.proposal
        chosen = [
            n
            for n, on in (
                ("majority_trust", p.leads_majority_trust),
                ("federation", p.leads_federation),
            )
            if on
        ]
        return {
            "route": p.route,
            "partnerships": chosen,
            "version": version_of(p, services.TYPE_FIELDS),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Type and partnerships", **kwargs)

    def form_valid(self, form):
        chosen = form.cleaned_data["partnerships"]
        try:
            services.set_type_and_models(
                self.proposal,
                route=form.cleaned_data.get("route", ""),
                majority_trust="majority_trust" in chosen,
                federation="federation" in chosen,
                actor=self.request.user,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except services.ProposalError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return next_or_task_list(
            self.request, self.proposal, reverse("proposal-schools", args=[self.proposal.pk])
        )


class SchoolsView(SectionNoticeMixin, ProposalMixin, FormView):
    editing = True
    section_key = "schools"
    template_name = "proposals/schools.html"
    form_class = SchoolForm

    @cached_property
    def basis(self):
        return schools_basis(self.proposal)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "basis": self.basis,
            "federation": can_lead_federation(self.proposal.organisation),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            basis=self.basis,
            schools=self.proposal.schools_led.select_related("local_authority"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.add_school(self.proposal, actor=self.request.user, **form.cleaned_data)
        except services.ProposalError as error:
            form.add_error(getattr(error, "field", None), str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{form.cleaned_data['name']} has been added.")
        return redirect(self.here("proposal-schools"))


class RemoveSchoolView(ProposalMixin, View):
    editing = True

    def post(self, request, pk, school):
        if services.remove_school(self.proposal, school, actor=self.request.user):
            messages.success(request, "The school has been removed.")
        else:
            messages.info(request, "That school is no longer on this proposal")
        return redirect(self.here("proposal-schools"))


class CoPartnerView(StaleEditViewMixin, ProposalMixin, ProposalPageCondition, FormView):
    editing = True
    template_name = "proposals/section_form.html"
    form_class = CoPartnerForm

    def unavailable(self):
        if not self.proposal.has_co_partner_route:
            raise Http404("This proposal has no co-partner")
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": getattr(self.proposal, "co_partner", None)}

    def get_initial(self):
        return {"version": services.co_partner_version(self.proposal)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Co-partner details",
            intro="Your educational co-partner is not accredited itself, but it must meet the "
            "track record criteria: it answers Part Two too.",
            **kwargs,
        )

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.save_co_partner(
                self.proposal,
                actor=self.request.user,
                version=form.cleaned_data["version"],
                **fields,
            )
        except StaleEdit as error:
            return self.stale(form, error)
        return next_or_task_list(
            self.request, self.proposal, reverse("proposal-task-list", args=[self.proposal.pk])
        )


class NewProvisionView(StaleEditViewMixin, ProposalMixin, ProposalPageCondition, FormView):
    editing = True
    template_name = "proposals/section_form.html"
    form_class = NewProvisionForm

    def unavailable(self):
        if self.proposal.applicant_profile.kind not in DIOCESE_KINDS:
            raise Http404("Only a diocese answers this")
        return None

    def get_initial(self):
        seeks = self.proposal.seeks_new_faith_provision
        return {
            "seeks": None if seeks is None else ("yes" if seeks else "no"),
            "statement": self.proposal.new_provision_statement,
            "version": version_of(self.proposal, services.NEW_PROVISION_FIELDS),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="New faith provision", **kwargs)

    def form_valid(self, form):
        try:
            services.save_new_provision(
                self.proposal,
                seeks=form.cleaned_data["seeks"],
                statement=form.cleaned_data["statement"],
                actor=self.request.user,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        return next_or_task_list(
            self.request, self.proposal, reverse("proposal-task-list", args=[self.proposal.pk])
        )


class AnswerView(ProposalMixin, ProposalPageCondition, FormView):
    """One criterion, for one party, with its guidance and a word count that
    agrees with the server's."""

    editing = True
    template_name = "proposals/answer.html"
    form_class = AnswerForm
    typed_fields = (("text", "Your answer"),)

    @cached_property
    def proposal(self):
        # The page the journey asks for most: only what it reads through the
        # proposal (its deadline, its organisation's and co-partner's kinds),
        # not the local authority and framework the other pages show.
        return (
            Proposal.objects.select_related("organisation", "round", "window", "co_partner")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    @cached_property
    def questions(self):
        """Every question of the proposal, in order. The page reads its own
        answer alone: not the whole journey (every answer's text, the
        evidence and the schools)."""
        return proposal_questions(self.proposal, criteria_of(self.proposal))

    @cached_property
    def question(self):
        for question in self.questions:
            if (
                question.criterion.code == self.kwargs["code"]
                and question.party == self.kwargs["party"]
            ):
                return question
        raise Http404("This proposal does not answer that criterion")

    @cached_property
    def answer(self):
        return answer_to(self.proposal, self.question)

    def unavailable(self):
        if self.question.party == Party.CO_PARTNER and not hasattr(self.proposal, "co_partner"):
            messages.info(self.request, CO_PARTNER_FIRST)
            return redirect("proposal-co-partner", pk=self.proposal.pk)
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "criterion": self.question.criterion}

    def get_initial(self):
        answer = self.answer
        return {"text": answer.text if answer else "", "version": answer.version if answer else 0}

    def sector(self):
        if self.question.party == Party.CO_PARTNER:
            partner = getattr(self.proposal, "co_partner", None)
            return sector_for_kind(partner.kind) if partner else None
        return sector_for_kind(self.proposal.organisation.kind)

    def following(self):
        index = self.questions.index(self.question)
        return self.questions[index + 1] if index + 1 < len(self.questions) else None

    def get_context_data(self, **kwargs):
        sector = self.sector()
        # One row at most (unique per criterion and sector); ordered by its
        # key, not by the model's order (which joins the criterion's part).
        guidance = (
            CriterionGuidance.objects.filter(criterion=self.question.criterion, sector=sector)
            .order_by("pk")
            .first()
        )
        return super().get_context_data(
            question=self.question,
            criterion=self.question.criterion,
            party_label=Party(self.question.party).label,
            sector_guidance=guidance,
            **kwargs,
        )

    def form_valid(self, form):
        if "later" not in self.request.POST and not form.cleaned_data["text"].strip():
            criterion = self.question.criterion
            form.add_error(
                "text",
                f"Enter your answer to {criterion.code}, or save and come back later",
            )
            return self.form_invalid(form)
        try:
            services.save_answer(
                self.proposal,
                criterion=self.question.criterion,
                party=self.question.party,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                actor=self.request.user,
            )
        except services.StaleAnswer as stale:
            return self.stale(form, stale)
        except services.ProposalError as error:
            form.add_error("text", str(error))
            return self.form_invalid(form)
        following = self.following()
        if following is None:
            next_url = reverse("proposal-task-list", args=[self.proposal.pk])
        else:
            next_url = reverse(
                "proposal-answer",
                args=[self.proposal.pk, following.criterion.code, following.party],
            )
        return next_or_task_list(self.request, self.proposal, next_url)

    def stale(self, form, stale):
        """Keep what this person typed, show what was saved meanwhile (by a
        colleague, or by them in another tab), and let them save again
        knowingly (against the current version)."""
        data = form.data.copy()
        data["version"] = stale.current.version
        fresh = self.get_form_class()(data, criterion=self.question.criterion)
        fresh.is_valid()
        fresh.add_error("text", str(stale))
        return self.render_to_response(
            self.get_context_data(form=fresh, saved_elsewhere=stale.current)
        )


class DeclarationView(SectionNoticeMixin, ProposalMixin, FormView):
    editing = True
    section_key = "declaration"
    template_name = "proposals/section_form.html"
    form_class = DeclarationForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Declaration", **kwargs)

    def form_valid(self, form):
        services.declare(self.proposal, self.request.user)
        return redirect("proposal-check", pk=self.proposal.pk)


class CheckAnswersView(DraftOverviewMixin, TemplateView):
    """Check your answers, with a change link on every answer, and submit."""

    template_name = "proposals/check_answers.html"

    def get_context_data(self, **kwargs):
        summary = summary_context(self.journey)
        # What submission would refuse, in place of the Submit button.
        outstanding = [problem for section in summary["sections"] for problem in section.problems]
        standing = services.standing_problem(self.proposal)
        if standing:
            outstanding.append(standing)
        return super().get_context_data(
            journey=self.journey, outstanding=outstanding, **summary, **kwargs
        )

    def post(self, request, *args, **kwargs):
        try:
            services.submit(self.proposal, request.user)
        except services.Incomplete as incomplete:
            return self.render_to_response(self.get_context_data(problems=incomplete.problems))
        except (services.ProposalError, WorkflowError) as error:
            if self.proposal.deadline_passed:
                # Too late: the status page says so, with no way to submit.
                messages.error(request, str(error))
                return redirect("proposal-status", pk=self.proposal.pk)
            return self.render_to_response(self.get_context_data(submit_error=str(error)))
        return redirect("proposal-confirmation", pk=self.proposal.pk)


def summary_context(journey):
    """The answers grouped as the check-answers page and the PDF show them."""
    parts = [
        {"title": title, "rows": [(q, journey.answer_for(q)) for q in questions]}
        for _key, title, questions in journey.question_groups()
        if journey.co_partner is not None or questions[0].party != Party.CO_PARTNER
    ]
    return {"parts": parts, "sections": journey.sections(), "declaration": DECLARATION}


class ConfirmationView(ProposalMixin, TemplateView):
    template_name = "proposals/confirmation.html"

    def get(self, request, *args, **kwargs):
        proposal = self.proposal
        if not proposal.reference:
            return redirect("proposal-task-list", pk=proposal.pk)
        if proposal.status != Status.SUBMITTED:
            # What happens next after submitting has happened, or will not
            # (withdrawn): where the case is now is on its own page.
            messages.info(
                request,
                f"{proposal.reference} was submitted at {clock.describe(proposal.submitted_at)}. "
                "This page says where it is now.",
            )
            return redirect("proposal-status", pk=proposal.pk)
        return super().get(request, *args, **kwargs)


def _applicant_label(event, kind):
    """What the applicant's history calls ``event``: a correction they see
    (the decision their letter told) the decision it made, a letter which
    letter it is."""
    if event.action == Action.CORRECT_DECISION:
        made = Action.ACCREDIT if event.to_status == Status.ACCREDITED else Action.NOT_ACCREDIT
        return event_types.get(made).applicant_label
    if event.action == "letter_issued" and event.details.get("name"):
        return f"{kind.applicant_label}: {event.details['name'].lower()}"
    return kind.applicant_label


def _applicant_reason(event, kind):
    """The reason the applicant's history gives with ``event``: a correction
    they see (the decision their letter told) gives that decision's reasons,
    not why the record was corrected."""
    if event.action == Action.CORRECT_DECISION:
        return event.details.get("decision_reasons", "")
    return event.details.get("reason", "") if kind.applicant_reads_reason else ""


AWAITED_LETTER = {
    Status.CLOSED_INELIGIBLE: LetterPurpose.SCREENING,
    Status.ACCREDITED: LetterPurpose.DECISION,
    Status.NOT_ACCREDITED: LetterPurpose.FEEDBACK,
}
"""The letter a case in each of these statuses is owed."""


class StatusView(ProposalMixin, TemplateView):
    """After submission: where the case is, and a timeline fit for the
    applicant (no internal events, no staff names)."""

    template_name = "proposals/status.html"

    def get_context_data(self, **kwargs):
        proposal = self.proposal
        events = list(
            CaseEvent.objects.filter(
                case=proposal, internal=False, action__in=event_types.applicant_codes()
            ).order_by("sequence")
        )
        # Every letter issued stays listed: a screening letter whose concern
        # was upheld, say, once the case is screened again and assessed.
        letters = list(
            Letter.objects.filter(case=proposal, issued_at__isnull=False)
            .defer("pdf")
            .order_by("issued_at")
        )
        told = told_decisions(events, letters)
        notes = overtaken(letters)
        for letter in letters:
            letter.overtaken = notes.get(letter.pk)
        context = {
            "events": [
                (event, _applicant_label(event, kind), _applicant_reason(event, kind))
                for event in events
                if event.action not in decisions.DECISION_ACTIONS or event.pk in told
                for kind in [event_types.get(event.action)]
            ],
            "letters": letters,
            "can_withdraw": may_withdraw(proposal),
            "under_assessment": proposal.status in UNDER_ASSESSMENT,
            "decided": proposal.status in DECIDED,
            "may_raise_concern": proposal.status in concerns.CONCERN_STATUSES,
            "concern_window": concerns.window(proposal),
            "concerns": proposal.concerns.select_related("letter")
            .defer("letter__pdf")
            .prefetch_related("documents")
            .order_by("raised_at"),
        }
        # The letter of the decision standing now (a screening, decision or
        # feedback letter of its decision round), still to come.
        awaited = AWAITED_LETTER.get(proposal.status)
        if awaited is not None:
            now = decision_round(proposal.pk)
            context["letter_waiting"] = not any(
                letter.purpose == awaited and letter.decision_round == now for letter in letters
            )
        # A decision is told by its letter: until it is issued (and the
        # decision can still be corrected) the page does not say it.
        proposal.decision_told = not context.get("letter_waiting")
        if proposal.status == Status.ACCREDITED:
            entry = RegisterEntry.objects.filter(
                organisation=proposal.organisation_id, state=EntryState.REVOKED
            ).first()
            proposal.accreditation_revoked = entry is not None
            context["revoked"] = departure(entry) if entry is not None else None
        context["decision_untold"] = decision_untold(proposal)
        context["may_raise_concern"] &= not context["decision_untold"]
        context["screened_out"] = proposal.status == Status.CLOSED_INELIGIBLE
        if proposal.is_copyable:
            next_round, is_open = services.next_round_for(proposal)
            context["next_round"], context["next_round_open"] = next_round, is_open
            if is_open:
                # Offered only where it can go (as on the dashboard): not into
                # a round where the organisation has this type already.
                targets = services.rounds_to_copy_into(proposal.organisation, [next_round])
                context["copy_round"] = services.copy_round(proposal, targets)
                context["already"] = [
                    p
                    for p in starting.live_proposals_in(proposal.organisation, next_round)
                    if p.accreditation_type == proposal.accreditation_type
                ]
        return super().get_context_data(**context, **kwargs)


class WithdrawView(ProposalMixin, ProposalPageCondition, FormView):
    template_name = "proposals/section_form.html"
    form_class = WithdrawForm

    def unavailable(self):
        if may_withdraw(self.proposal):
            return None
        if self.request.method == "POST":
            # Sent from a page opened before it was withdrawn (or sent twice):
            # said, not dropped silently.
            messages.error(
                self.request,
                f"This proposal can no longer be withdrawn: {why_not_withdrawn(self.proposal)}. "
                "Nothing was changed.",
            )
        return redirect("proposal-status", pk=self.proposal.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Withdraw your proposal",
            intro="Once withdrawn, this proposal cannot be reopened. "
            "You can start a new one, in this round while it is open or in a later round.",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.withdraw(self.proposal, self.request.user, form.cleaned_data["reason"])
        except WorkflowError as error:
            form.add_error("reason", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Your proposal has been withdrawn.")
        return redirect("proposal-status", pk=self.proposal.pk)


class ProposalPdfView(ProposalMixin, View):
    """The proposal as submitted (or the draft so far), as a PDF."""

    def get(self, request, pk):
        journey = Journey.load(load_proposal_for_journey(self.proposal))
        title = str(self.proposal)
        timeline.record(self.proposal, "proposal_pdf_downloaded", request.user)
        pdf = render_pdf(
            "proposals/pdf.html",
            {
                "proposal": self.proposal,
                "journey": journey,
                **summary_context(journey),
            },
            title=title,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.pdf"'
        return response


class CopyView(ProposalMixin, View):
    def post(self, request, pk):
        period = Round.objects.open_at(clock.now()).filter(pk=id_param(request, "round")).first()
        if period is None:
            messages.error(request, "Choose a round that is open now.")
            return redirect("proposal-dashboard")
        try:
            draft = services.copy_to_new_draft(self.proposal, period=period, actor=request.user)
        except services.ProposalError as error:
            messages.error(request, str(error))
            return redirect("proposal-dashboard")
        messages.success(
            request,
            "A new draft has been started with your earlier answers."
            if draft.answers.exists()
            else "A new draft has been started. The earlier proposal had no answers to copy.",
        )
        return redirect("proposal-task-list", pk=draft.pk)


class MoveView(ProposalMixin, ProposalPageCondition, FormView):
    """A draft whose round was cancelled, moved by a member of its
    organisation to a round that is open and takes its type."""

    template_name = "proposals/move.html"
    form_class = MoveDraftsForm

    def unavailable(self):
        if moving.is_movable(self.proposal):
            return None
        return redirect("proposal-task-list", pk=self.proposal.pk)

    def get_form_kwargs(self):
        rounds = Round.objects.filter(
            pk__in=[r.pk for r in moving.rounds_to_move_to(self.proposal)]
        ).order_by("deadline")
        return {**super().get_form_kwargs(), "rounds": rounds, "submit": "Move your draft"}

    def form_valid(self, form):
        target = form.cleaned_data["target"]
        try:
            moving.move_draft(self.proposal, target, self.request.user)
        except moving.MoveError as error:
            form.add_error("target", str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Your draft has been moved to the {target} round.")
        return redirect("proposal-task-list", pk=self.proposal.pk)
