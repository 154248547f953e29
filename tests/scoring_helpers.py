"""Cases being assessed, with the applicant's answers, and their scores
saved through the scoring service as an assessor saves them."""

from accreditation.workflow import Status
from assessments.models import Score
from assessments.queries.scoring import items_of
from assessments.services import scoring
from tests.factories import AnswerFactory, ProposalFactory


def case_in_assessment(**fields):
    """A case walked to ``in_assessment`` with an answer to every criterion
    it is scored on (for each party)."""
    case = ProposalFactory(status=Status.IN_ASSESSMENT, **fields)
    for item in items_of(case):
        AnswerFactory(
            proposal=case,
            criterion=item.criterion,
            party=item.party,
            text=f"Our evidence for {item.criterion.code} ({item.party}).",
        )
    return case


def score(case, actor, item, value, *, comment=None, feedback=None, version=None):
    """Save one score as ``actor``, against the stored version unless told."""
    if version is None:
        stored = Score.objects.filter(
            assignment__case=case,
            assignment__assessor=actor,
            assignment__ended_at__isnull=True,
            criterion=item.criterion,
            party=item.party,
        ).first()
        version = stored.version if stored else 0
    return scoring.save_score(
        case,
        criterion=item.criterion,
        party=item.party,
        value=value,
        internal_comment=comment or f"Comment on {item.criterion.code}",
        applicant_feedback=feedback
        if feedback is not None
        else ("" if value >= 3 else f"Give more evidence for {item.criterion.code}."),
        version=version,
        actor=actor,
    )


def score_all(case, actor, value=3, **overrides):
    """Score every item ``value``, or ``overrides[slug]`` (``"2A-lead"``)."""
    for item in items_of(case):
        score(case, actor, item, overrides.get(item.slug.replace("-", "_"), value))
