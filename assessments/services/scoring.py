"""Scoring: an assessor saves a score (refused over a newer one) and
finishes their set; every write is on the case timeline. Each write locks
the case's row, so two saves of one score are judged one after the other."""

from django.db import transaction

from accreditation import clock, timeline
from accreditation.access import require
from accreditation.workflow import Status
from assessments.models import Score, ScoreSheet
from assessments.queries.scoring import current_assignment, finished_assignments, items_of

SCORING_STATUSES = (Status.IN_ASSESSMENT, Status.INFORMATION_REQUESTED)


class ScoringError(Exception):
    """A refusal with a message fit to show the assessor."""


class StaleScore(ScoringError):
    def __init__(self, current, actor):
        who = (
            "by you in another tab or window"
            if current.updated_by_id == actor.pk
            else f"by {current.updated_by.full_name}"
        )
        super().__init__(
            f"This score was changed {who} while you were editing it: it is now "
            f"{current.value}. Your changes have not been saved. Check the score below, then "
            "save again to replace it."
        )
        self.current = current


class Unscored(ScoringError):
    def __init__(self, items, message):
        super().__init__(message)
        self.items = items


def lock_case(case):
    """The case's row, locked for this transaction and read after the lock."""
    return type(case).objects.select_for_update(of=("self",)).get(pk=case.pk)


def no_longer_scored(locked):
    """Why the locked case's scores cannot change now it is out of
    assessment: withdrawn by the applicant, or its assessment complete."""
    if locked.status == Status.WITHDRAWN:
        return "The applicant has withdrawn this proposal, so its scores cannot change."
    return "The assessment of this case is complete, so its scores cannot change."


def scoring_assignment(locked, actor):
    """The actor's current assignment to the locked case, which must still be
    being assessed, with their set not yet finished."""
    if locked.status not in SCORING_STATUSES:
        raise ScoringError(no_longer_scored(locked))
    assignment = current_assignment(locked, actor)
    if assignment is None:
        raise ScoringError("You are not assigned to this case.")
    if finished_assignments(locked, [assignment.pk]):
        raise ScoringError("You have finished scoring this case, so your scores cannot change.")
    return assignment


def check_score(case, value, feedback):
    """A score on the framework's scale, with feedback to the applicant when
    it is below the threshold."""
    framework = case.framework
    if not framework.scale_min <= value <= framework.scale_max:
        raise ScoringError(
            f"Choose a score between {framework.scale_min} and {framework.scale_max}."
        )
    if value < framework.threshold and not feedback.strip():
        raise ScoringError(
            f"Enter feedback to the applicant: a score below {framework.threshold} needs it."
        )


def find_item(case, criterion, party):
    for item in items_of(case):
        if item.criterion.pk == criterion.pk and item.party == party:
            return item
    raise ScoringError("This case is not scored on that criterion.")


def save_score(
    case, *, criterion, party, value, internal_comment, applicant_feedback, version, actor
):
    """Save the actor's score of ``criterion`` for ``party`` unless someone
    saved it since ``version`` (0 for a new score). Returns the score."""
    require(actor, "assessments.score_case", case)
    with transaction.atomic():
        locked = lock_case(case)
        assignment = scoring_assignment(locked, actor)
        find_item(locked, criterion, party)
        check_score(locked, value, applicant_feedback)
        if not internal_comment.strip():
            raise ScoringError("Enter an internal comment explaining the score.")
        current = (
            Score.objects.filter(assignment=assignment, criterion=criterion, party=party)
            .select_related("updated_by")
            .first()
        )
        if (current.version if current else 0) != version:
            if current is None:
                raise ScoringError("This score could not be found. Reload the page.")
            raise StaleScore(current, actor)
        fields = {
            "value": value,
            "internal_comment": internal_comment,
            # Kept whatever the score (only a criterion not met carries its
            # feedback to the letter), so nothing typed is lost.
            "applicant_feedback": applicant_feedback,
            "updated_by": actor,
            "updated_at": clock.now(),
        }
        if current is None:
            score = Score.objects.create(
                assignment=assignment, criterion=criterion, party=party, **fields
            )
        else:
            for name, field_value in fields.items():
                setattr(current, name, field_value)
            current.version += 1
            current.save()
            score = current
        timeline.append(
            locked,
            action="score_saved",
            actor=actor,
            details={
                "criterion": criterion.code,
                "party": party,
                "score": value,
                "assessor": assignment.kind,
            },
        )
    return score


def finish_scores(locked, assignment, actor):
    """Fix ``assignment``'s set once every criterion is scored (inside the
    caller's transaction, with the case locked)."""
    scored = set(Score.objects.filter(assignment=assignment).values_list("criterion_id", "party"))
    missing = [item for item in items_of(locked) if item.key not in scored]
    if missing:
        raise Unscored(missing, "Score every criterion before you finish.")
    sheet = ScoreSheet.objects.create(assignment=assignment, finished_by=actor)
    timeline.append(
        locked, action="scoring_finished", actor=actor, details={"assessor": assignment.kind}
    )
    return sheet


def finish_scoring(case, *, actor):
    """The actor has scored every criterion and fixes their set, so it can be
    compared with the other assessor's."""
    require(actor, "assessments.score_case", case)
    with transaction.atomic():
        locked = lock_case(case)
        assignment = scoring_assignment(locked, actor)
        return finish_scores(locked, assignment, actor)
