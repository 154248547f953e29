"""Feedback to the applicant written by the assessor after the assessment:
from the decision official's reasons when a case recommended for
accreditation is decided not accredited (SPEC, "Letters"), or revised when
the Advisory Group returns it. Each save is a new revision, on the timeline;
the Advisory Group's chair approves it before the feedback letter is issued."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accreditation import emails, timeline
from accreditation.access import require
from accreditation.events import EventType, register
from accreditation.models import User
from accreditation.versions import check_version, fingerprint
from assessments.models import (
    Assignment,
    AssignmentKind,
    DraftFeedback,
    FeedbackOccasion,
    FeedbackRevision,
)
from assessments.queries.scoring import (
    assessment_state,
    draft_feedback,
    feedback_occasion,
    feedback_unwritten,
    is_met,
)
from assessments.services.scoring import ScoringError, lock_case
from assessments.signals import feedback_written

register(
    EventType("feedback_written", "Feedback to the applicant written by the assessor"),
)


def draft_version(draft):
    """The version of a case's draft feedback (its ``draft_feedback`` rows),
    which the feedback page carries: saved again since, it is another."""
    # Rows as tuples: ``fingerprint`` reads a list inside as a set.
    return fingerprint([(row.criterion_id, row.party, row.text) for row in draft])


@transaction.atomic
def write_feedback(case, *, texts, actor, version=None):
    """Save the assessor's feedback, ``texts`` {item slug: text} (empty
    texts left out), as the case's standing draft for the group's review.
    ``version``: the ``draft_version`` of the draft the page showed (None:
    no page); refused with ``StaleEdit`` when the draft is another now."""
    locked = lock_case(case)
    # Judged on the locked row: a writer stood down since the page was read
    # may no longer write the case's feedback.
    require(actor, "assessments.write_feedback", locked)
    occasion = feedback_occasion(locked)
    if occasion is None:
        raise ScoringError(
            "The feedback of this case is not waiting for you to write it: it has been "
            "approved, or the case has no decision against your recommendation."
        )
    check_version(draft_version(draft_feedback(locked)), version)
    state = assessment_state(locked)
    scores = recommended_scores(locked)
    # Feedback is on the scores the letter prints: a criterion with none
    # (its page offers no box for it) takes none.
    written = [
        (item, texts[item.slug].strip())
        for item in state.items
        if item.key in scores and texts.get(item.slug, "").strip()
    ]
    if not written:
        raise ScoringError("Enter feedback to the applicant on at least one criterion.")
    if missing := [
        item
        for item in needing_feedback(state.items, scores, locked.framework.threshold)
        if not texts.get(item.slug, "").strip()
    ]:
        raise ScoringError(
            "Enter feedback to the applicant on every criterion not met: "
            + ", ".join(str(item) for item in missing)
            + "."
        )
    revision = FeedbackRevision.objects.create(case=locked, occasion=occasion, written_by=actor)
    DraftFeedback.objects.bulk_create(
        DraftFeedback(
            revision=revision,
            criterion=item.criterion,
            party=item.party,
            score=scores[item.key],
            text=text,
        )
        for item, text in written
    )
    timeline.append(
        locked,
        action="feedback_written",
        actor=actor,
        details={"occasion": occasion, "criteria": [item.slug for item, _ in written]},
        internal=True,
    )
    feedback_written.send(sender=FeedbackRevision, case=locked, revision=revision)
    case.timeline_sequence, case.timeline_hash = locked.timeline_sequence, locked.timeline_hash
    return revision


def needing_feedback(items, scores, threshold):
    """Those of ``items`` whose score the recommendation stood on
    (``scores``, {item key: score}) is not met: the feedback must say
    something on each, as every score below the threshold gives the
    applicant feedback (SPEC, "The criteria framework")."""
    return [
        item for item in items if item.key in scores and not is_met(scores[item.key], threshold)
    ]


def recommended_scores(case):
    """{item key: score} the latest completed recommendation stood on: its
    assessor's, or the agreed one where quality assurance agreed one (read
    so, not from an assessor assigned since to write the feedback, who
    scored nothing)."""
    state = assessment_state(case, as_recommended=True)
    return {
        item.key: standing.value
        for item in state.items
        if (standing := state.standing(item)) is not None
    }


def ask_assessor_for_feedback(case, event):
    """Email the case's assessor that the decision ``event`` left the case
    not accredited against their recommendation to accredit, so they write
    the feedback from the official's reasons (once per decision)."""
    case.refresh_from_db(fields=["status"])  # the move wrote it, not on this object
    if feedback_occasion(case) == FeedbackOccasion.DECIDED_AGAINST:
        _ask_current_writer(case, FeedbackOccasion.DECIDED_AGAINST, event)


def ask_assessor_to_revise_feedback(case, event):
    """Email the case's assessor that the Advisory Group returned the draft
    feedback (the return ``event``), with the group's comment, once per
    return. An assessor stood down for a conflict is not asked: the one
    assigned in their place is, when assigned. Asked only while the feedback
    waits on that return (the rule that stands a conflicted writer down)."""
    if feedback_unwritten(case) == FeedbackOccasion.RETURNED:
        _ask_current_writer(
            case, FeedbackOccasion.RETURNED, event, comment=event.details["comment"]
        )


def _ask_current_writer(case, occasion, event, comment=""):
    """Email the active person who is the case's (first) assessor now, if
    any, that its feedback waits for them on ``occasion`` (once per
    ``event``)."""
    assessor = User.objects.filter(
        is_active=True,
        pk__in=Assignment.objects.filter(
            case_id=case.pk, kind=AssignmentKind.FIRST, ended_at__isnull=True
        ).values("assessor_id"),
    ).first()
    if assessor is not None:
        _email_feedback_needed(
            case,
            assessor,
            occasion,
            replacing=False,
            key=f"feedback_needed:{case.pk}:{event.sequence}",
            comment=comment,
        )


def ask_replacement_for_feedback(case, assignment):
    """Email the assessor just ``assignment``-ed to a finished case (in
    place of one who stood down, or was replaced) that its feedback waits
    for them, as it last came: decided against the recommendation, or
    returned by the Advisory Group (with the group's comment)."""
    from advisory_group.queries.agenda import last_return

    occasion = feedback_unwritten(case)
    returned = last_return(case) if occasion == FeedbackOccasion.RETURNED else None
    _email_feedback_needed(
        case,
        assignment.assessor,
        occasion,
        replacing=True,
        key=f"feedback_needed:{case.pk}:assignment:{assignment.pk}",
        comment=returned.comment if returned else "",
    )


def _email_feedback_needed(case, assessor, occasion, *, replacing, key, comment=""):
    emails.queue(
        "assessments/feedback_needed",
        {
            "case": case,
            "decided_against": occasion == FeedbackOccasion.DECIDED_AGAINST,
            "replacing": replacing,
            "comment": comment,
            "link": settings.SERVICE_URL + reverse("case-feedback", args=[case.pk]),
        },
        [assessor.email],
        key=key,
    )
