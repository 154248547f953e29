"""Quality assurance: where the two assessors' finished scores differ too
much, one of them records the score they agreed, and why."""

from django.db import transaction

from accreditation import clock, timeline
from accreditation.access import require
from assessments.models import AgreedScore
from assessments.queries.scoring import assessment_state
from assessments.services.scoring import (
    SCORING_STATUSES,
    ScoringError,
    check_score,
    lock_case,
    no_longer_scored,
)


class StaleAgreedScore(ScoringError):
    def __init__(self, current):
        super().__init__(
            f"{current.agreed_by.full_name} recorded an agreed score of {current.value} while "
            "you were editing it. Yours has not been saved. Check it below, then save again "
            "to replace it."
        )
        self.current = current


def record_agreed_score(
    case, *, criterion, party, value, reason, applicant_feedback, version, actor
):
    """Record (or change, from ``version``: 0 for none yet) the agreed score
    of a criterion where the two assessors' scores differ."""
    with transaction.atomic():
        locked = lock_case(case)
        # Judged on the locked row: an assessor stood down since the page
        # was read may no longer agree its scores.
        require(actor, "assessments.quality_assure_case", locked)
        if locked.status not in SCORING_STATUSES:
            raise ScoringError(no_longer_scored(locked))
        state = assessment_state(locked)
        if not state.both_finished:
            raise ScoringError("Both assessors must finish scoring before scores are agreed.")
        item = next(
            (i for i in state.disagreements if i.key == (criterion.pk, party)),
            None,
        )
        if item is None:
            raise ScoringError("The two assessors' scores of this criterion do not need agreeing.")
        if not reason.strip():
            raise ScoringError("Enter why the assessors agreed this score.")
        check_score(locked, value, applicant_feedback)
        current = state.agreed.get(item.key)
        if (current.version if current else 0) != version:
            if current is None:
                raise ScoringError("This agreed score could not be found. Reload the page.")
            raise StaleAgreedScore(current)
        fields = {
            "value": value,
            "reason": reason,
            # Kept whatever the score (only a criterion not met carries its
            # feedback to the letter), so nothing typed is lost.
            "applicant_feedback": applicant_feedback,
            "agreed_by": actor,
            "agreed_at": clock.now(),
        }
        if current is None:
            agreed = AgreedScore.objects.create(
                first_score=state.first_scores[item.key],
                second_score=state.second_scores[item.key],
                **fields,
            )
        else:
            for name, field_value in fields.items():
                setattr(current, name, field_value)
            current.version += 1
            current.save()
            agreed = current
        timeline.append(
            locked,
            action="agreed_score_recorded",
            actor=actor,
            details={
                "criterion": criterion.code,
                "party": party,
                "score": value,
                "first": state.first_scores[item.key].value,
                "second": state.second_scores[item.key].value,
                "reason": reason,
            },
        )
    return agreed
