"""Two assessors at once, on PostgreSQL's real row locks: each test runs the
racing saves in threads with their own database connections. One save wins;
the other is refused and told the newer value, never applied silently."""

import pytest

from accreditation.models import AccreditationType
from assessments.models import AgreedScore, Score
from assessments.queries.scoring import items_of
from assessments.services import quality, scoring
from tests.casework import person_with
from tests.scoring_helpers import case_in_assessment, score, score_all
from tests.test_journey_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_saves_of_the_same_score_at_once_keep_one_and_tell_the_other():
    case = case_in_assessment()
    assessor = person_with("assessor", case)
    target = items_of(case)[0]
    first = score(case, assessor, target, 3)

    def save(value, comment):
        return lambda: score(case, assessor, target, value, comment=comment, version=first.version)

    results = run_together(save(4, "From one tab."), save(1, "From another."))
    saved = [r for r in results if isinstance(r, Score)]
    refused = [r for r in results if isinstance(r, scoring.StaleScore)]
    assert len(saved) == 1 and len(refused) == 1, results
    stored = Score.objects.get(pk=first.pk)
    assert (stored.value, stored.version) == (saved[0].value, 2)
    assert refused[0].current.value == stored.value
    assert f"it is now {stored.value}" in str(refused[0])


def test_two_assessors_recording_the_same_agreed_score_at_once():
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG, organisation__schools_led_count=3
    )
    first = person_with("assessor", case)
    second = person_with("second_assessor", case)
    score_all(case, first, 3, **{"1A_lead": 4})
    score_all(case, second, 3, **{"1A_lead": 2})
    scoring.finish_scoring(case, actor=first)
    scoring.finish_scoring(case, actor=second)
    target = items_of(case)[0]

    def agree(actor, value):
        return lambda: quality.record_agreed_score(
            case,
            criterion=target.criterion,
            party=target.party,
            value=value,
            reason=f"Agreed by {actor.full_name}.",
            applicant_feedback="" if value >= 3 else "More evidence.",
            version=0,
            actor=actor,
        )

    results = run_together(agree(first, 4), agree(second, 2))
    saved = [r for r in results if isinstance(r, AgreedScore)]
    refused = [r for r in results if isinstance(r, quality.StaleAgreedScore)]
    assert len(saved) == 1 and len(refused) == 1, results
    stored = AgreedScore.objects.get()
    assert (stored.value, stored.agreed_by) == (saved[0].value, saved[0].agreed_by)
    assert refused[0].current.value == stored.value
