"""Assessments in progress for the demo, made through the scoring services
as the assessors would: an ASP case part scored, an ASG case whose two
assessors disagree on a criterion (quality assurance to resolve), and an
ASP case scored and recommended (sent on for decision). Played once: a
database that holds any score already has them."""

from django.apps import apps

from accreditation.models import User
from accreditation.workflow import Status


def _score(case, assessor, items, values):
    from assessments.services import scoring

    for item, value in zip(items, values, strict=True):
        scoring.save_score(
            case,
            criterion=item.criterion,
            party=item.party,
            value=value,
            internal_comment=f"{item.criterion.code}: the evidence is "
            f"{'sufficient' if value >= 3 else 'thin'} for this criterion.",
            applicant_feedback=(
                ""
                if value >= 3
                else f"For {item.criterion.code}, give specific, measured examples of impact."
            ),
            version=0,
            actor=assessor,
        )


def _cases(accreditation_type):
    """In-assessment cases of a type with a first assessor, oldest first."""
    Proposal = apps.get_model("proposals", "Proposal")
    return list(
        Proposal.objects.filter(
            status=Status.IN_ASSESSMENT,
            accreditation_type=accreditation_type,
            assignments__kind="first",
            assignments__ended_at=None,
        )
        .select_related("framework", "organisation")
        .order_by("submitted_at", "pk")
    )


def play(seeder):
    """Score the demo's cases, unless it has been done."""
    from assessments.models import Score
    from assessments.queries.scoring import items_of
    from assessments.services import assignment, recommendation, scoring

    if Score.objects.exists():
        return
    asp, asg = _cases("asp"), _cases("asg")
    officer = User.objects.get(email="caseworker@example.org")
    if len(asp) >= 3:
        # Part scored: the assessor is halfway through.
        case = asp[0]
        first = case.assignments.get(kind="first", ended_at=None).assessor
        items = items_of(case)
        half = items[: len(items) // 2]
        _score(case, first, half, [4, *[3] * (len(half) - 2), 2])
        seeder.created["scored cases"] += 1
        # Scored and recommended: sent on to the decision official.
        case = asp[1]
        first = case.assignments.get(kind="first", ended_at=None).assessor
        items = items_of(case)
        _score(case, first, items, [4 if n % 3 == 1 else 3 for n in range(len(items))])
        recommendation.recommend(
            case,
            recommendation="accredit",
            reasoning="Every criterion is met; the vision and partnership evidence is strong.",
            departure_reason="",
            actor=first,
        )
        seeder.created["recommended cases"] += 1
    if asg:
        # Both assessors finished; they disagree on the last criterion.
        case = asg[0]
        first = case.assignments.get(kind="first", ended_at=None).assessor
        current = case.assignments.filter(kind="second", ended_at=None).first()
        if current is None:
            person = next(person for person in seeder.assessors if person != first)
            current = assignment.assign(case, person, "second", officer)
        second = current.assessor
        items = items_of(case)
        _score(case, first, items, [3] * (len(items) - 1) + [4])
        _score(case, second, items, [3] * (len(items) - 1) + [2])
        scoring.finish_scoring(case, actor=first)
        scoring.finish_scoring(case, actor=second)
        seeder.created["cases in quality assurance"] += 1
