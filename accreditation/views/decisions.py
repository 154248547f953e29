"""The decision official's pages: the queue of cases awaiting their decision
(where several can be decided at once), one case's decision page, and the
correction of a decision before its letter is issued. A case the official
may not see (a conflict) is 404; one they may see but not decide says why."""

from dataclasses import dataclass, replace

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from accreditation.access import StaffAreaMixin
from accreditation.forms.decisions import BatchDecisionForm, CorrectionForm, DecisionForm
from accreditation.guards import corrected_outcome, goes_against
from accreditation.paging import NearestPageMixin
from accreditation.queries import decisions as queries
from accreditation.queries.cases import visible_to
from accreditation.services import decisions
from accreditation.workflow import Action, Status
from assessments.queries.scoring import latest_completed_recommendation

GONE = "This case is no longer waiting for your decision."
NOT_SEEN = "A case"
"""How a refusal names a case the official may not see."""


@dataclass(frozen=True)
class Refusal:
    pk: int
    reference: str
    message: str
    seen: bool = True
    """Whether the official may see the case (named, and linked)."""
    href: str = ""
    """Where the summary's link goes: the case's reasons box where it is on
    this page, its decision page otherwise (decided by another official
    meanwhile, say, or on another page of the queue), or nowhere for a case
    the official may not see."""


class QueueView(StaffAreaMixin, NearestPageMixin, ListView):
    """The cases awaiting the official's decision, a page in one query: read
    from their status's index in the queue's order
    (``proposal_submitted_status``), each joined to its organisation, so
    PostgreSQL stops at a page (0.3 ms at 25,000 cases)."""

    act_permission = "accreditation.use_decisions"
    template_name = "staff/decisions/queue.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_queryset(self):
        return queries.queue(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases = context["cases"]
        advice = queries.advice_of_many(cases)
        form = context.setdefault("form", BatchDecisionForm())
        chosen = set(form.data.getlist("cases")) if form.is_bound else set()
        refused = {refusal.pk: refusal.message for refusal in context.get("refusals", ())}
        shown = {case.pk for case in cases}
        context["refusals"] = [
            replace(
                refusal,
                href=f"#reasons-{refusal.pk}"
                if refusal.pk in shown
                else reverse("decision-case", args=[refusal.pk])
                if refusal.seen
                else "",
            )
            for refusal in context.get("refusals", ())
        ]
        context["seen"] = queries.seen_note(self.request.user, cases)
        for case in cases:
            case.advice = advice[case.pk]
            case.chosen = str(case.pk) in chosen
            case.entered_reasons = form.data.get(f"reasons-{case.pk}", "")
            case.refusal = refused.get(case.pk)
        return context

    def post(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        form = BatchDecisionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        cases = visible_to(request.user).filter(pk__in=data["cases"])
        found = set(cases.values_list("pk", flat=True))
        try:
            result = decisions.decide_many(
                cases,
                request.user,
                outcome=data["outcome"],
                decision_date=data["decision_date"],
                reasons_by_case=data["reasons"],
            )
        except decisions.DecisionRefused as refusal:
            form.add_error(refusal.field, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        label = decisions.OUTCOMES[data["outcome"]].lower()
        if result.moved:
            # The cases this official just decided: named, so they can tell
            # which ticks were recorded.
            decided = sorted(
                cases.model.objects.filter(pk__in=result.moved).values_list("reference", flat=True)
            )
            named = ", ".join(decided)
            messages.success(
                request,
                f"{named} decided: {label}."
                if len(decided) == 1
                else f"{len(decided)} cases decided: {label} ({named}).",
            )
        refused = {**dict.fromkeys(set(data["cases"]) - found, GONE), **result.refused}
        if not refused:
            return redirect("decision-queue")
        references = dict(
            visible_to(request.user).filter(pk__in=refused).values_list("pk", "reference")
        )
        named = dict(references)
        note = request.POST.get("seen")
        unseen = (set(refused) - set(references)) & queries.shown(note, request.user)
        for case in cases.model.objects.filter(pk__in=unseen):
            # Out of reach since another official decided it: named (not
            # linked), as its page would say.
            decision = queries.decided_by_another(case, request.user, note)
            if decision is not None:
                named[case.pk] = case.reference
                refused[case.pk] = (
                    f"{decision.signatory_name or 'Another official'} decided it: "
                    f"{decisions.OUTCOMES[decision.outcome].lower()}. Its letter has been "
                    "issued, so the decision stands."
                )
        refusals = [
            Refusal(pk, named.get(pk, NOT_SEEN), message, seen=pk in references)
            for pk, message in sorted(refused.items())
        ]
        return self.render_to_response(self.get_context_data(form=form, refusals=refusals))


class CaseDecisionView(StaffAreaMixin, TemplateView):
    """The decision page of one case: the recommendation and the advice, and
    the decision form (or, once decided, the decision and its correction)."""

    act_permission = "accreditation.use_decisions"
    see_permission = "accreditation.see_decision_case"
    template_name = "staff/decisions/case.html"

    @cached_property
    def case(self):
        return queries.case_for_decision(self.kwargs["pk"])

    def get_permission_object(self):
        return self.case

    def not_seen(self, target):
        """A form sent after another official decided the case and its
        letter was issued (it left this official's reach): say so."""
        decision = (
            queries.decided_by_another(target, self.request.user, self.request.POST.get("seen"))
            if self.request.method == "POST"
            else None
        )
        if decision is None:
            return super().not_seen(target)
        written = "\n\n".join(
            value.strip()
            for name in ("reasons", "reason", "decision_reasons")
            if (value := self.request.POST.get(name, "")).strip()
        )
        return render(
            self.request,
            "staff/decisions/decided_elsewhere.html",
            {
                "case": target,
                "decision": decision,
                "outcome": decisions.OUTCOMES[decision.outcome],
                "written": written,
            },
            status=409,
        )

    @property
    def decided(self):
        return self.case.status in queries.DECIDED

    @cached_property
    def correction_target(self):
        return Status.NOT_ACCREDITED if self.case.status == Status.ACCREDITED else Status.ACCREDITED

    def correction_form(self, data=None):
        return CorrectionForm(
            data,
            target=self.correction_target,
            against=goes_against(self.case, corrected_outcome(self.case)),
        )

    def get_context_data(self, **kwargs):
        case, user = self.case, self.request.user
        action = Action.CORRECT_DECISION if self.decided else Action.ACCREDIT
        why_not = decisions.why_not(case, user, action)
        if why_not is not None or not self.decided:
            kwargs.pop("correction_form", None)
        if why_not is None:
            if self.decided:
                kwargs.setdefault("correction_form", self.correction_form())
            else:
                kwargs.setdefault("form", DecisionForm())
        return super().get_context_data(
            case=case,
            advice=queries.advice_of(case),
            recommendation=latest_completed_recommendation(case),
            scores=queries.scores_of(case),
            decision=queries.decision_of(case),
            why_not=why_not,
            signatory=user,
            correction_target=self.correction_target,
            seen=queries.seen_note(user, [case]),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decisions.decide(
                    self.case,
                    request.user,
                    outcome=data["outcome"],
                    decision_date=data["decision_date"],
                    reasons=data["reasons"],
                )
            except decisions.DecisionRefused as refusal:
                if refusal.field is None:
                    messages.error(request, f"{self.case.reference}: {refusal}")
                    return redirect("decision-queue")
                form.add_error(refusal.field, str(refusal))
            else:
                messages.success(
                    request,
                    f"{self.case.reference} decided: {self.case.get_status_display().lower()}.",
                )
                return redirect("decision-queue")
        return self.render_to_response(self.get_context_data(form=form))


class CorrectDecisionView(CaseDecisionView):
    """The correction form's target: it answers on the case's decision page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.correction_form(request.POST)
        if form.is_valid():
            try:
                decisions.correct(
                    self.case,
                    request.user,
                    reason=form.cleaned_data["reason"],
                    to=form.cleaned_data["to"],
                    decision_reasons=form.cleaned_data.get("decision_reasons", ""),
                )
            except decisions.DecisionRefused as refusal:
                if refusal.field in form.fields:
                    form.add_error(refusal.field, str(refusal))
                    return self.render_to_response(self.get_context_data(correction_form=form))
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    f"The decision on {self.case.reference} is corrected to: "
                    f"{self.case.get_status_display().lower()}.",
                )
            return redirect("decision-case", pk=self.case.pk)
        return self.render_to_response(self.get_context_data(correction_form=form))
