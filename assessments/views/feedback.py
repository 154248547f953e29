"""The assessor's page for the applicant's feedback after the assessment:
written from the decision official's reasons when the case was decided not
accredited against a recommendation to accredit, or revised when the
Advisory Group returned it. The chair approves it before the letter."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accreditation.queries.decisions import decision_of
from accreditation.versions import StaleEdit
from advisory_group.queries.agenda import last_return
from assessments.forms.feedback import FeedbackForm
from assessments.models import FeedbackOccasion
from assessments.queries.scoring import (
    assessment_state,
    draft_feedback,
    feedback_occasion,
    feedback_unwritten,
    is_met,
    latest_completed_recommendation,
)
from assessments.services import feedback
from assessments.services.scoring import ScoringError
from assessments.views.scoring import CasePageMixin


class FeedbackView(CasePageMixin, TemplateView):
    act_permission = "assessments.write_feedback"
    template_name = "assessments/scoring/feedback.html"

    @cached_property
    def occasion(self):
        return feedback_occasion(self.case)

    @cached_property
    def state(self):
        return assessment_state(self.case)

    def make_form(self, data=None):
        draft = draft_feedback(self.case)
        if draft:
            current = {(row.criterion_id, row.party): row.text for row in draft}
        else:
            # Nothing written for the letter yet (decided against a
            # recommendation to accredit): start from the feedback the
            # standing scores already give the applicant on the criteria
            # they did not meet, as a recommendation not to accredit would.
            threshold = self.case.framework.threshold
            current = {
                item.key: standing.applicant_feedback
                for item in self.state.items
                if (standing := self.state.standing(item)) is not None
                and not is_met(standing.value, threshold)
            }
        # A box for each criterion the letter prints a score for.
        scores = feedback.recommended_scores(self.case)
        items = [item for item in self.state.items if item.key in scores]
        initial = {item.slug: current.get(item.key, "") for item in items}
        initial["version"] = feedback.draft_version(draft)
        return FeedbackForm(
            data,
            initial=initial,
            items=items,
            needed=feedback.needing_feedback(items, scores, self.case.framework.threshold),
            returned=feedback_unwritten(self.case) == FeedbackOccasion.RETURNED,
        )

    def not_waiting(self, outcome=""):
        """The case's page, telling the assessor no feedback waits for them
        to write (a link in an email opened after the decision was corrected
        to accredited, say)."""
        messages.info(
            self.request,
            f"No feedback on {self.case.reference} is waiting to be written now (its decision "
            f"may have been corrected).{outcome}",
        )
        return redirect("staff-case", pk=self.case.pk)

    def get(self, request, *args, **kwargs):
        if self.occasion is None:
            return self.not_waiting()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        occasion = self.occasion
        return super().get_context_data(
            case=self.case,
            occasion=occasion,
            decided_against=occasion == FeedbackOccasion.DECIDED_AGAINST,
            # Or the assessor's who stood down, whom this one replaces.
            their_recommendation=getattr(
                latest_completed_recommendation(self.case), "made_by_id", None
            )
            == self.request.user.pk,
            decision=decision_of(self.case),
            returned=last_return(self.case),
            form=form if form is not None else self.make_form(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.occasion is None:
            # Sent from a page opened before the feedback stopped being needed.
            return self.not_waiting(" Nothing was saved.")
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            feedback.write_feedback(
                self.case,
                texts=form.texts,
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            # What they typed, shown again with the version saved since:
            # saved again, it replaces that knowingly.
            sent = request.POST.copy()
            sent["version"] = stale.current
            form = self.make_form(sent)
            form.is_valid()
            form.add_error(None, str(stale))
            return self.render_to_response(self.get_context_data(form=form))
        except ScoringError as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            "The feedback is saved. The chair of the Advisory Group approves it before the "
            "letter is sent.",
        )
        return redirect("staff-case", pk=self.case.pk)
