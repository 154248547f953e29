"""The assessors' pages of a case: scoring (the applicant's answers beside
the score forms), quality assurance (the two sets side by side, agreed
scores) and the recommendation; and the staff download of its documents."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.case_roles import remember, with_roles
from accreditation.models import AccreditationType
from accreditation.queries.cases import case_seen_by
from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.forms.scoring import AgreedScoreForm, RecommendationForm, ScoreForm
from assessments.models import Assignment, AssignmentKind, RecommendationOutcome
from assessments.queries.requests import answers_by_criterion
from assessments.queries.scoring import (
    assessment_state,
    current_assignment,
    is_met,
    latest_recommendation,
    referral_waiting,
    scale_of,
    scoring_page,
)
from assessments.services import quality, scoring
from assessments.services import recommendation as recommending
from proposals.models import Party
from proposals.views.documents import download_response

TYPED_LABELS = {
    "value": "Score",
    "internal_comment": "Internal comment",
    "applicant_feedback": "Feedback to the applicant",
    "reasoning": "Reasoning",
    "departure_reason": "Why the recommendation departs from the scores",
    "reason": "Reason",
}
PARTIES = dict(Party.choices)


def typed_in(post):
    """[(label, text)] of what a post of these pages carried that a person
    chose or wrote: the score, comments, feedback and reasons, each named by
    its criterion and party where it has one (``1A, lead organisation``)."""
    typed = []
    for key, value in post.items():
        if not value.strip():
            continue
        item, _, name = key.rpartition("-")
        if name in TYPED_LABELS:
            label = TYPED_LABELS[name]
        elif name in PARTIES and item:
            # The feedback page's boxes, one per criterion and party.
            item, label = key, "Feedback to the applicant"
        else:
            continue
        code, _, party = item.rpartition("-")
        if code and party in PARTIES:
            label = f"{code}, {PARTIES[party].lower()}: {label}"
        typed.append((label, value))
    return typed


class CasePageMixin(StaffAreaMixin):
    """A page about one case: 404 for who may not see it. An assessor taken
    off the case (reassigned, or stood down) while its page was open is told
    so when they send it, with what they wrote, not a bare page not found."""

    see_permission = "accreditation.view_case"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except (Http404, PermissionDenied):
            # Staff only: the staff area's own refusal stands for anyone else.
            staff = request.user.has_perm("accreditation.enter_staff_area")
            ended = self.taken_off() if request.method == "POST" and staff else None
            if ended is None:
                raise
            return render(
                request,
                "assessments/scoring/taken_off.html",
                {
                    "ended": ended,
                    "typed": typed_in(request.POST),
                    "assesses": request.user.has_role(Role.ASSESSOR),
                },
                status=403,
            )

    def taken_off(self):
        """The person's assignment to this case that ended, if they had one
        and have none now; else None."""
        assignments = Assignment.objects.filter(
            case_id=self.kwargs["pk"], assessor=self.request.user
        )
        if assignments.filter(ended_at__isnull=True).exists():
            return None
        return assignments.select_related("case").order_by("-ended_at").first()

    @cached_property
    def case(self):
        """The case, read with whether the viewer may see it and what their
        roles in it depend on, so the permission checks ask nothing more of
        the database. A page that only reads remembers the roles on this
        instance for the rest of the request; a post leaves them to be
        resolved afresh by each check."""
        user = self.request.user
        cases = apps.get_model("proposals", "Proposal").objects.select_related(
            "organisation__local_authority", "round", "window", "framework"
        )
        case = case_seen_by(user, with_roles(cases, user), self.kwargs["pk"])
        if case is not None and self.request.method in ("GET", "HEAD"):
            remember(case, user)
        return case

    def get_permission_object(self):
        return self.case

    def get_context_data(self, **kwargs):
        return super().get_context_data(referral=referral_waiting(self.case), **kwargs)

    def item_url(self, item):
        return reverse("case-scores", args=[self.case.pk]) + f"#{item.slug}"


class ScoresView(CasePageMixin, TemplateView):
    act_permission = "assessments.score_case"
    template_name = "assessments/scoring/scores.html"

    @cached_property
    def assignment(self):
        return current_assignment(self.case, self.request.user)

    @cached_property
    def page(self):
        return scoring_page(self.case, self.assignment)

    def form_for(self, row, data=None):
        score = row.score
        initial = {"version": score.version if score else 0}
        if score:
            initial.update(
                value=score.value,
                internal_comment=score.internal_comment,
                applicant_feedback=score.applicant_feedback,
            )
        return ScoreForm(
            data,
            initial=initial,
            prefix=row.item.slug,
            item=row.item,
            scale=scale_of(self.case),
            threshold=self.case.framework.threshold,
        )

    def get_context_data(self, bound=None, **kwargs):
        page = self.page
        editable = not page.finished and self.case.status in scoring.SCORING_STATUSES
        answers = answers_by_criterion(self.case)
        rows = [
            (
                row,
                bound if bound is not None and bound.item == row.item else self.form_for(row),
                answers.get(row.item.criterion.pk, ()),
            )
            for row in page.rows
        ]
        return super().get_context_data(
            case=self.case,
            page=page,
            rows=rows,
            editable=editable,
            form=bound,
            threshold=self.case.framework.threshold,
            is_second=self.assignment.kind == AssignmentKind.SECOND,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "finish" in request.POST:
            return self.finish()
        row = next((r for r in self.page.rows if r.item.slug == request.POST.get("item")), None)
        if row is None:
            raise Http404("This case is not scored on that criterion")
        form = self.form_for(row, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound=form))
        try:
            scoring.save_score(
                self.case,
                criterion=row.item.criterion,
                party=row.item.party,
                value=form.cleaned_data["value"],
                internal_comment=form.cleaned_data["internal_comment"],
                applicant_feedback=form.cleaned_data["applicant_feedback"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except scoring.StaleScore as stale:
            data = request.POST.copy()
            data[form.add_prefix("version")] = stale.current.version
            fresh = self.form_for(row, data)
            fresh.is_valid()
            fresh.add_error(None, str(stale))
            del self.page
            return self.render_to_response(self.get_context_data(bound=fresh, newer=stale.current))
        except scoring.ScoringError as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(bound=form))
        messages.success(request, f"Your score for {row.item} has been saved")
        return redirect(self.item_url(row.item))

    def finish(self):
        try:
            scoring.finish_scoring(self.case, actor=self.request.user)
        except scoring.Unscored as refusal:
            return self.render_to_response(
                self.get_context_data(finish_problem=str(refusal), missing=refusal.items)
            )
        except scoring.ScoringError as refusal:
            return self.render_to_response(self.get_context_data(finish_problem=str(refusal)))
        messages.success(self.request, "You have finished scoring this case")
        return redirect("case-scores", pk=self.case.pk)


class RecommendationView(CasePageMixin, TemplateView):
    act_permission = "assessments.recommend_case"
    template_name = "assessments/scoring/recommendation.html"

    @cached_property
    def state(self):
        # A finished assessment: the scores its recommendation stood on
        # (not those of an assessor assigned since to write its feedback).
        finished = self.case.status not in scoring.SCORING_STATUSES
        return assessment_state(self.case, as_recommended=finished)

    def make_form(self, data=None):
        latest = latest_recommendation(self.case)
        initial = {}
        if latest is not None:
            initial = {"after": latest.pk}
            if latest.assignment.ended_at is None:
                # The standing recommendation of this assessment (sent to
                # quality assurance, say); never that of an assessor since
                # replaced (stood down, or before an upheld concern).
                initial.update(
                    recommendation=latest.recommendation,
                    reasoning=latest.reasoning,
                    departure_reason=latest.departure_reason,
                )
        return RecommendationForm(data, initial=initial, suggested=self.state.suggestion)

    def get_context_data(self, form=None, **kwargs):
        state = self.state
        rows = [(item, state.standing(item), item.key in state.agreed) for item in state.items]
        return super().get_context_data(
            case=self.case,
            state=state,
            rows=rows,
            threshold=state.threshold,
            unscored=[(item, self.item_url(item)) for item in state.unscored],
            all_met=all(
                standing is not None and is_met(standing.value, state.threshold)
                for _, standing, _ in rows
            ),
            latest=latest_recommendation(self.case),
            open=self.case.status == Status.IN_ASSESSMENT,
            form=form if form is not None else self.make_form(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if self.case.status != Status.IN_ASSESSMENT:
            # Sent from a page opened before the assessment completed: the
            # refusal alone, not the form's checks of a form no longer shown.
            form.is_valid()
            form.errors.clear()
            latest = latest_recommendation(self.case)
            mine = (
                latest is not None
                and latest.made_by_id == request.user.pk
                and latest.outcome == RecommendationOutcome.COMPLETED
                and str(latest.pk) != form.data.get("after", "")
            )
            form.add_error(
                None,
                # The page did not show the assessor's own recommendation
                # that completed it: sent twice, or from another tab.
                (
                    f"You completed the assessment at {clock.describe(latest.made_at)}, in "
                    "another tab or with this form sent twice. "
                    if mine
                    else ""
                )
                + "No recommendation can be made while the case is "
                f"‘{self.case.get_status_display()}’",
            )
            return self.render_to_response(self.get_context_data(form=form))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            result = recommending.recommend(
                self.case,
                recommendation=form.cleaned_data["recommendation"],
                reasoning=form.cleaned_data["reasoning"],
                departure_reason=form.cleaned_data["departure_reason"],
                actor=request.user,
                after=form.cleaned_data["after"],
            )
        except recommending.StaleRecommendation as refusal:
            # What was sent stays in the form, now to replace the one made since.
            data = request.POST.copy()
            data["after"] = str(refusal.current.pk)
            form = self.make_form(data)
            form.is_valid()
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        except recommending.ScoringError as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        if result.completed:
            onward = (
                "the Advisory Group"
                if self.case.accreditation_type == AccreditationType.ASG
                else "the decision official"
            )
            messages.success(request, f"Assessment completed: the case has gone to {onward}")
            return redirect("staff-case", pk=self.case.pk)
        messages.info(
            request,
            "Your recommendation is saved. The case needs quality assurance before the "
            "assessment can be completed.",
        )
        return redirect("case-recommendation", pk=self.case.pk)


class QualityAssuranceView(CasePageMixin, TemplateView):
    act_permission = "assessments.quality_assure_case"
    template_name = "assessments/scoring/quality_assurance.html"

    @cached_property
    def state(self):
        return assessment_state(self.case)

    def form_for(self, item, data=None):
        agreed = self.state.agreed.get(item.key)
        initial = {"version": agreed.version if agreed else 0}
        if agreed:
            initial.update(
                value=agreed.value,
                reason=agreed.reason,
                applicant_feedback=agreed.applicant_feedback,
            )
        return AgreedScoreForm(
            data,
            initial=initial,
            prefix=item.slug,
            item=item,
            scale=scale_of(self.case),
            threshold=self.state.threshold,
        )

    def get_context_data(self, bound=None, **kwargs):
        state = self.state
        disagreements = set(state.disagreements)
        rows = []
        for item in state.items:
            form = None
            if item in disagreements:
                form = bound if bound is not None and bound.item == item else self.form_for(item)
            rows.append(
                (
                    item,
                    state.first_scores.get(item.key),
                    state.second_scores.get(item.key),
                    state.agreed.get(item.key),
                    form,
                )
            )
        return super().get_context_data(
            case=self.case,
            state=state,
            rows=rows if state.both_finished else [],
            editable=self.case.status in scoring.SCORING_STATUSES,
            form=bound,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        state = self.state
        item = next((i for i in state.disagreements if i.slug == request.POST.get("item")), None)
        if item is None or not state.both_finished:
            raise Http404("These scores do not need agreeing")
        form = self.form_for(item, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound=form))
        try:
            quality.record_agreed_score(
                self.case,
                criterion=item.criterion,
                party=item.party,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                applicant_feedback=form.cleaned_data["applicant_feedback"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except quality.StaleAgreedScore as stale:
            data = request.POST.copy()
            data[form.add_prefix("version")] = stale.current.version
            del self.state
            fresh = self.form_for(item, data)
            fresh.is_valid()
            fresh.add_error(None, str(stale))
            return self.render_to_response(self.get_context_data(bound=fresh))
        except quality.ScoringError as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(bound=form))
        messages.success(request, f"The agreed score for {item} has been recorded")
        return redirect(reverse("case-quality-assurance", args=[self.case.pk]) + f"#{item.slug}")


class CaseDocumentDownloadView(CasePageMixin, View):
    """A case's document for staff who may see the case, each download on
    its timeline."""

    def get(self, request, pk, doc):
        evidence = get_object_or_404(self.case.evidence, pk=doc)
        return download_response(evidence, request.user, permission="accreditation.view_case")
