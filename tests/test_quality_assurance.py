"""Quality assurance (SPEC: "The life of a case", Assessment): every ASG, and
every case whose recommendation departs from its suggestion, gets a second
assessor who scores blind; the case cannot be recommended until both have
scored and every criterion where they differ by two or more points, or fall
either side of the threshold, has an agreed score with who agreed and why."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import clock
from accreditation.case_roles import remember
from accreditation.models import AccreditationType, CaseEvent
from accreditation.workflow import Action, Status, move
from assessments.models import AgreedScore
from assessments.queries.scoring import (
    assessment_state,
    draft_feedback,
    items_of,
)
from assessments.services import quality, scoring
from assessments.services import recommendation as recommending
from assessments.services.assignment import needs_second_assessor
from tests.casework import person_with, sign_in_verified
from tests.scoring_helpers import case_in_assessment, score, score_all

pytestmark = pytest.mark.django_db


def item(case, slug):
    return next(i for i in items_of(case) if i.slug == slug)


def agree(case, actor, slug, value, reason="We agreed after discussion.", version=0, **extra):
    target = item(case, slug)
    return quality.record_agreed_score(
        case,
        criterion=target.criterion,
        party=target.party,
        value=value,
        reason=reason,
        applicant_feedback=extra.get("feedback", "" if value >= 3 else "More evidence."),
        version=version,
        actor=actor,
    )


def recommend(case, actor, recommendation="accredit", departure=""):
    return recommending.recommend(
        case,
        recommendation=recommendation,
        reasoning="My reasons.",
        departure_reason=departure,
        actor=actor,
    )


@pytest.fixture
def asg():
    case = case_in_assessment(
        accreditation_type=AccreditationType.ASG, organisation__schools_led_count=3
    )
    first = person_with("assessor", case)
    second = person_with("second_assessor", case)
    return case, first, second


class TestWhereScoresDiffer:
    @pytest.mark.parametrize(
        "first, second, differ",
        [
            (4, 2, True),  # two points apart
            (3, 1, True),
            (3, 2, True),  # either side of the threshold
            (4, 3, False),  # one apart, both met
            (2, 1, False),  # one apart, neither met
            (3, 3, False),
        ],
    )
    def test_two_points_apart_or_either_side_of_the_threshold(self, asg, first, second, differ):
        case, one, two = asg
        score_all(case, one, 3, **{"1A_lead": first})
        score_all(case, two, 3, **{"1A_lead": second})
        disagreements = [i.slug for i in assessment_state(case).disagreements]
        assert disagreements == (["1A-lead"] if differ else [])


class TestBlindScoring:
    def test_neither_sees_the_others_scores_until_both_have_finished(self, client, asg):
        case, first, second = asg
        score_all(case, first, 3, **{"2A_lead": 4})
        score(case, first, item(case, "1A-lead"), 4, comment="FIRST-ASSESSORS-COMMENT")
        sign_in_verified(client, second)
        for name in ("case-scores", "case-quality-assurance"):
            text = client.get(reverse(name, args=[case.pk])).text
            assert "FIRST-ASSESSORS-COMMENT" not in text
        scoring.finish_scoring(case, actor=first)
        score_all(case, second, 3)
        text = client.get(reverse("case-quality-assurance", args=[case.pk])).text
        assert "FIRST-ASSESSORS-COMMENT" not in text
        assert "once both assessors have finished scoring" in text
        scoring.finish_scoring(case, actor=second)
        text = client.get(reverse("case-quality-assurance", args=[case.pk])).text
        assert "FIRST-ASSESSORS-COMMENT" not in text  # 4 and 3 need no agreement
        assert "The two sets of scores" in text

    def test_a_finished_set_cannot_change(self, asg):
        case, first, _ = asg
        score_all(case, first, 3)
        scoring.finish_scoring(case, actor=first)
        with pytest.raises(scoring.ScoringError, match="finished scoring"):
            score(case, first, item(case, "1A-lead"), 4)

    def test_finishing_with_a_criterion_unscored_is_refused(self, asg):
        case, first, _ = asg
        score(case, first, item(case, "1A-lead"), 4)
        with pytest.raises(scoring.Unscored) as refusal:
            scoring.finish_scoring(case, actor=first)
        assert [i.slug for i in refusal.value.items][:2] == ["1B-lead", "1C-lead"]

    def test_a_reassigned_assessor_does_not_see_earlier_scores(self, client, asg):
        case, first, _ = asg
        score(case, first, item(case, "1A-lead"), 4, comment="EARLIER-COMMENT")
        newcomer = person_with("assessor", case)
        assignment = newcomer.assignments.get(ended_at__isnull=True)
        assert not assignment.may_see_earlier_scores
        sign_in_verified(client, newcomer)
        text = client.get(reverse("case-scores", args=[case.pk])).text
        assert "EARLIER-COMMENT" not in text
        assert assessment_state(case).first_scores == {}


class TestAgreedScores:
    def finished(self, asg, first_values, second_values):
        case, first, second = asg
        score_all(case, first, 3, **first_values)
        score_all(case, second, 3, **second_values)
        scoring.finish_scoring(case, actor=first)
        scoring.finish_scoring(case, actor=second)
        return case, first, second

    def test_an_assessor_stood_down_after_their_page_was_read_cannot_agree(self, asg):
        """The page's check remembered their part on its copy of the case;
        the service judges it again on the locked row."""
        case, first, second = self.finished(asg, {"2B_lead": 4}, {"2B_lead": 2})
        remember(case, second)
        case.assignments.filter(assessor=second).update(ended_at=clock.now())
        with pytest.raises(PermissionDenied):
            agree(case, second, "2B-lead", 3)
        assert not AgreedScore.objects.exists()

    def test_an_asg_is_recommended_only_once_differences_are_agreed(self, client, asg):
        case, first, second = self.finished(asg, {"2B_lead": 4}, {"2B_lead": 2})
        with pytest.raises(scoring.ScoringError):
            agree(case, first, "1A-lead", 3)  # no difference there
        result = recommend(case, first)
        assert not result.completed
        assert result.problems == ["Record an agreed score for 2B Pupil achievement."]
        sign_in_verified(client, second)
        page = client.get(reverse("case-quality-assurance", args=[case.pk])).text
        assert "Differs: agree a score" in page
        response = client.post(
            reverse("case-quality-assurance", args=[case.pk]),
            {
                "item": "2B-lead",
                "2B-lead-version": 0,
                "2B-lead-value": 3,
                "2B-lead-reason": "The results data in the appendix is convincing.",
            },
        )
        assert response.status_code == 302
        agreed = AgreedScore.objects.get()
        assert (agreed.value, agreed.agreed_by, agreed.reason) == (
            3,
            second,
            "The results data in the appendix is convincing.",
        )
        [event] = CaseEvent.objects.filter(case=case, action="agreed_score_recorded")
        assert event.details["first"] == 4 and event.details["second"] == 2
        result = recommend(case, first)
        assert result.completed
        case.refresh_from_db()
        assert case.status == Status.ADVISORY_REVIEW
        assert CaseEvent.objects.get(case=case, action="refer_to_advisory_group").actor is None

    def test_the_agreed_score_stands_for_the_suggestion(self, asg):
        case, first, _ = self.finished(asg, {"2B_lead": 4}, {"2B_lead": 1})
        agree(case, first, "2B-lead", 2, feedback="Show three years of results.")
        state = assessment_state(case)
        assert state.suggestion == "not_accredit"
        with pytest.raises(scoring.ScoringError, match="differs from the suggested one"):
            recommend(case, first, "accredit")
        recommend(case, first, "not_accredit")
        [feedback] = draft_feedback(case)
        assert (feedback.score, feedback.text) == (2, "Show three years of results.")

    def test_an_agreed_score_needs_a_reason_and_feedback_below_the_threshold(self, client, asg):
        case, first, _ = self.finished(asg, {"2B_lead": 4}, {"2B_lead": 2})
        sign_in_verified(client, first)
        response = client.post(
            reverse("case-quality-assurance", args=[case.pk]),
            {"item": "2B-lead", "2B-lead-version": 0, "2B-lead-value": 2},
        )
        assert "Enter why the assessors agreed this score" in response.text
        assert "Enter feedback to the applicant: a score below 3 needs it" in response.text
        assert not AgreedScore.objects.exists()

    def test_a_second_agreed_score_over_a_newer_one_is_refused(self, asg):
        case, first, second = self.finished(asg, {"2B_lead": 4}, {"2B_lead": 2})
        agree(case, first, "2B-lead", 3)
        with pytest.raises(quality.StaleAgreedScore) as stale:
            agree(case, second, "2B-lead", 2, version=0)
        assert "recorded an agreed score of 3" in str(stale.value)
        assert AgreedScore.objects.get().value == 3
        agree(case, second, "2B-lead", 2, version=1)
        assert AgreedScore.objects.get().value == 2


def test_the_recommendation_page_says_what_quality_assurance_waits_for(client, asg):
    """Never an empty list: before the assessor has finished, it says their
    recommendation finishes their scoring so the two sets are compared (a
    tester found the list empty then)."""
    case, first, second = asg
    score_all(case, first, 3)
    score_all(case, second, 3)
    scoring.finish_scoring(case, actor=second)
    sign_in_verified(client, first)
    page = client.get(reverse("case-recommendation", args=[case.pk])).text
    section = page[page.index("needs quality assurance before") :]
    listed = section[section.index("<ul") : section.index("</ul>")]
    assert "making the recommendation below finishes it" in listed
    assert "second assessor has not finished" not in listed


class TestDepartingRecommendation:
    def test_goes_through_quality_assurance_then_completes(self):
        case = case_in_assessment()
        first = person_with("assessor", case)
        score_all(case, first, 3)
        held = recommend(case, first, "not_accredit", departure="Doubts about capacity.")
        assert not held.completed
        assert needs_second_assessor(case)
        second = person_with("second_assessor", case)
        score_all(case, second, 2)  # every criterion either side of the threshold
        waiting = recommend(case, first, "not_accredit", departure="Doubts about capacity.")
        assert waiting.problems == ["The second assessor has not finished scoring."]
        scoring.finish_scoring(case, actor=second)
        assert recommend(case, first, "not_accredit", departure="Still.").problems
        for target in items_of(case):
            agree(case, second, target.slug, 2)
        done = recommend(case, first, "not_accredit")
        assert done.completed
        case.refresh_from_db()
        assert case.status == Status.AWAITING_DECISION


def test_a_case_referred_back_opens_its_scores_again(asg):
    case, first, second = asg
    score_all(case, first, 3)
    score_all(case, second, 3)
    scoring.finish_scoring(case, actor=second)
    assert recommend(case, first).completed
    chair = person_with("meeting_chair", case)
    move(case, Action.REFER_BACK, chair, details={"reason": "Look again at 2C."})
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT
    score(case, first, item(case, "2C-lead"), 2)
    held = recommend(case, first, "not_accredit")
    assert held.problems == ["The second assessor has not finished scoring."]
    scoring.finish_scoring(case, actor=second)
    assert recommend(case, first, "not_accredit").problems == [
        "Record an agreed score for 2C Partnership working."
    ]
    agree(case, second, "2C-lead", 2)
    assert recommend(case, first, "not_accredit").completed
    case.refresh_from_db()
    assert case.status == Status.ADVISORY_REVIEW
