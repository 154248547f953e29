"""A decision against a positive recommendation (SPEC, "Letters"): the
assessor writes the feedback from the decision official's reasons, the
chair of the Advisory Group approves it, and only then is the feedback
letter issued, carrying that approved feedback. And feedback the group
returns is revised by the assessor before it comes back."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock
from accreditation.case_roles import remember
from accreditation.celery import app as celery_app
from accreditation.models import CaseEvent, OutboxMessage
from accreditation.roles import Role
from accreditation.services import decisions
from accreditation.workflow import Action, Status, move
from advisory_group.models import FeedbackApproval, FeedbackOutcome
from advisory_group.queries import approved_feedback
from advisory_group.queries.agenda import waiting
from advisory_group.services import advice, meetings
from assessments.models import (
    AssessorCapacity,
    Assignment,
    DraftFeedback,
    FeedbackRevision,
    FeedbackState,
)
from assessments.queries.scoring import (
    assessment_state,
    draft_feedback,
    feedback_occasion,
    feedback_to_write,
    with_feedback_occasion,
)
from assessments.services import assignment, conflicts, scoring
from assessments.services import feedback as writing
from assessments.services import recommendation as recommending
from assessments.services.assignment import AssignmentRefused
from assessments.services.scoring import ScoringError
from assessments.views.queue import QueueView
from feedback.models import Letter, LetterPurpose
from feedback.services import letters
from proposals.models import Proposal
from tests.casework import person_with, sign_in_verified
from tests.factories import ConflictFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.scoring_helpers import case_in_assessment, score_all
from tests.test_letters import text_of
from tests.test_staff_homes import counts

pytestmark = pytest.mark.django_db

REASONS = "The plan does not show how the trust will keep its commitment beyond two years."
FEEDBACK_1D = "Show how your board will fund and staff the partnership for five years or more."


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    """The worker runs the letter task at once, in the test's process."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def group():
    return [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]


def meeting_of(group, days=14):
    chair, *members = group
    return meetings.save_meeting(
        None,
        data={
            "round": None,
            "held_at": clock.now() + timedelta(days=days),
            "chair": chair,
            "members": members,
            "minutes": "",
        },
        actor=person_with("casework_officer"),
    )


def recommended(recommendation, **values):
    """An ASP case scored and recommended by its assessor: awaiting decision."""
    case = case_in_assessment()
    assessor = person_with("assessor", case)
    score_all(case, assessor, 3, **values)
    recommending.recommend(
        case,
        recommendation=recommendation,
        reasoning="As the scores show.",
        departure_reason="",
        actor=assessor,
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION
    return case, assessor


def decided_not_accredited(case, reasons=REASONS):
    official = person_with("decision_official", full_name="Dana Decider")
    decisions.decide(
        case, official, outcome=Action.NOT_ACCREDIT, decision_date=clock.today(), reasons=reasons
    )
    case.refresh_from_db()
    return official


def accredit(case):
    decisions.decide(
        case,
        person_with("decision_official"),
        outcome=Action.ACCREDIT,
        decision_date=clock.today(),
        reasons="",
    )


def accredited_as_recommended():
    """A case recommended to accredit and accredited: no feedback to write."""
    case, assessor = recommended("accredit")
    accredit(case)
    return case, assessor


def assert_nothing_waits(client, case):
    """The assessor's feedback page, with no feedback waiting for them: the
    case's page, saying so (not a bare 404)."""
    response = client.get(feedback_url(case))
    assert response.status_code == 302
    assert response.url == reverse("staff-case", args=[case.pk])


def feedback_url(case):
    return reverse("case-feedback", args=[case.pk])


def write(client, case, data):
    """Send the feedback page as it is shown now: with the version of the
    draft it shows."""
    version = client.get(feedback_url(case)).context["form"]["version"].value()
    return client.post(feedback_url(case), {**data, "version": version})


class TestDecidedAgainstARecommendationToAccredit:
    def test_from_the_officials_reasons_to_the_chairs_approval_to_the_letter(
        self, client, group, django_capture_on_commit_callbacks
    ):
        case, assessor = recommended("accredit")
        meeting = meeting_of(group)
        assert not meeting.items.exists()
        with django_capture_on_commit_callbacks(execute=True):
            decided_not_accredited(case)
        # Nothing to send yet: no feedback, so no letter and nothing for the group.
        assert not Letter.objects.filter(case=case).exists()
        assert waiting([case.pk]) == []
        assert list(letters.owed_cases()) == []
        [email] = OutboxMessage.objects.filter(key__startswith=f"feedback_needed:{case.pk}:")
        assert email.to == assessor.email
        assert feedback_url(case) in email.body

        sign_in_verified(client, assessor)
        assert (
            "Write the feedback to the applicant"
            in client.get(reverse("staff-case", args=[case.pk])).text
        )
        page = client.get(feedback_url(case)).text
        assert REASONS in page and "Dana Decider" in page
        assert "Leave empty if the reasons for the decision do not concern it." in page
        response = write(client, case, {})
        assert "Enter feedback to the applicant on at least one criterion" in response.text
        assert not FeedbackRevision.objects.exists()
        # Feedback too long is entered: only its length is the problem.
        response = write(client, case, {"1D-lead": "x" * 5001})
        assert "The feedback on 1D must be 5,000 characters or fewer" in response.text
        assert "Enter feedback to the applicant on at least one criterion" not in response.text
        response = write(client, case, {"1D-lead": FEEDBACK_1D})
        assert response.status_code == 302
        [row] = draft_feedback(case)
        assert (row.criterion.code, row.party, row.score, row.text) == (
            "1D",
            "lead",
            3,
            FEEDBACK_1D,
        )
        [written] = CaseEvent.objects.filter(case=case, action="feedback_written")
        assert written.actor == assessor and written.details["criteria"] == ["1D-lead"]

        # It goes on the next meeting, for the chair to approve.
        [item] = meeting.items.filter(case=case)
        assert item.purpose == "feedback"
        sign_in_verified(client, group[0])
        item_page = client.get(reverse("advisory-item", args=[item.pk])).text
        assert FEEDBACK_1D in item_page and REASONS in item_page
        assert not Letter.objects.filter(case=case).exists()
        with django_capture_on_commit_callbacks(execute=True):
            advice.review_feedback(
                item,
                outcome=FeedbackOutcome.APPROVED,
                comment="",
                actor=group[0],
                by_correspondence=True,
            )

        letter = Letter.objects.get(case=case)
        assert letter.purpose == LetterPurpose.FEEDBACK
        text = text_of(bytes(letter.pdf))
        assert FEEDBACK_1D in text and REASONS in text and "Dana Decider" in text
        # The result is the decision's reasons, not criteria unmet: the
        # scores were the assessment's, which recommended accrediting.
        flat = " ".join(text.split())
        assert "recommended accrediting it, but the Secretary of State decided not to" in flat
        assert "accredited only when every criterion that applies to it is met" not in flat
        assert [row["text"] for row in approved_feedback(case)] == [FEEDBACK_1D]
        # Once approved, the feedback is no longer the assessor's to change.
        assert feedback_occasion(case) is None
        assert client.get(feedback_url(case)).status_code in (403, 404)
        sign_in_verified(client, assessor)
        assert_nothing_waits(client, case)

    def test_the_page_starts_from_the_feedback_the_scores_already_give(self, client):
        from assessments.queries.scoring import items_of
        from tests.scoring_helpers import score

        case = case_in_assessment()
        assessor = person_with("assessor", case)
        score_all(case, assessor, 3)
        first, second = items_of(case)[:2]
        score(case, assessor, first, 3, feedback="Your evidence of governance was clear.")
        score(case, assessor, second, 2, feedback="Give more evidence of results since 2024.")
        # Departing from what the scores suggest needs quality assurance.
        checker = person_with("second_assessor", case)
        score_all(case, checker, 3)
        score(case, checker, second, 2)
        scoring.finish_scoring(case, actor=checker)
        recommending.recommend(
            case,
            recommendation="accredit",
            reasoning="The results since the inspection outweigh the score.",
            departure_reason="The trust's latest results meet the criterion.",
            actor=assessor,
        )
        decided_not_accredited(case)
        sign_in_verified(client, assessor)
        page = client.get(feedback_url(case)).text
        # The criterion not met, as a recommendation not to accredit carries it;
        # not the praise of one met, which the decision's reasons may not concern.
        assert "Give more evidence of results since 2024.</textarea>" in page
        assert "Your evidence of governance was clear.</textarea>" not in page

    def test_a_save_from_a_page_opened_before_another_save_is_refused(self, client, group):
        """Two tabs: the older one's save would silently replace the newer."""
        case, assessor = recommended("accredit")
        meeting_of(group)
        decided_not_accredited(case)
        sign_in_verified(client, assessor)
        older = client.get(feedback_url(case)).context["form"]["version"].value()
        write(client, case, {"1D-lead": FEEDBACK_1D})
        refused = client.post(feedback_url(case), {"1D-lead": "First go.", "version": older})
        assert refused.status_code == 200
        assert "were saved again while you were editing them" in refused.text
        assert "First go." in refused.text  # what they typed, kept
        assert [row.text for row in draft_feedback(case)] == [FEEDBACK_1D]
        # Saved again from the page shown, it replaces the other knowingly.
        again = refused.context["form"]["version"].value()
        replaced = client.post(feedback_url(case), {"1D-lead": "First go.", "version": again})
        assert replaced.status_code == 302
        assert [row.text for row in draft_feedback(case)] == ["First go."]

    def test_the_assessor_can_rewrite_it_until_the_chair_approves_the_latest(self, client, group):
        case, assessor = recommended("accredit")
        meeting = meeting_of(group)
        decided_not_accredited(case)
        sign_in_verified(client, assessor)
        write(client, case, {"1D-lead": "First go."})
        page = client.get(feedback_url(case)).text
        assert "First go." in page
        write(client, case, {"1D-lead": FEEDBACK_1D, "2A-lead": "Say more on 2A."})
        assert [row.text for row in draft_feedback(case)] == [FEEDBACK_1D, "Say more on 2A."]
        assert meeting.items.filter(case=case).count() == 1
        item = meeting.items.get(case=case)
        advice.review_feedback(
            item, outcome="approved", comment="", actor=group[0], by_correspondence=True
        )
        assert [row["text"] for row in approved_feedback(case)] == [FEEDBACK_1D, "Say more on 2A."]
        with pytest.raises(ScoringError):
            writing.write_feedback(case, texts={"1D-lead": "Too late."}, actor=assessor)
        assert DraftFeedback.objects.filter(text="Too late.").count() == 0

    def test_an_asg_case_advised_then_decided_against_goes_the_same_way(self, group):
        case = case_in_assessment(accreditation_type="asg")
        assessor = person_with("assessor", case)
        second = person_with("second_assessor", case)
        score_all(case, assessor, 3)
        score_all(case, second, 3)
        scoring.finish_scoring(case, actor=second)
        recommending.recommend(
            case,
            recommendation="accredit",
            reasoning="Met.",
            departure_reason="",
            actor=assessor,
        )
        case.refresh_from_db()
        assert case.status == Status.ADVISORY_REVIEW
        move(case, Action.ADVISE, person_with("meeting_chair", case), details={"advice": "agree"})
        decided_not_accredited(case)
        assert feedback_occasion(case) == "decided_against"
        assert waiting([case.pk]) == []
        writing.write_feedback(case, texts={"1D-lead": FEEDBACK_1D}, actor=assessor)
        # On the next meeting's agenda (the chair's, made for the advice).
        [item] = case.agenda_items.filter(purpose="feedback", outcome="")
        assert [row["text"] for row in advice.feedback_rows(item.case)] == [FEEDBACK_1D]

    def test_a_case_decided_as_recommended_has_nothing_to_write(self, client):
        case, assessor = recommended("accredit")
        sign_in_verified(client, assessor)
        # Awaiting decision: nothing to write yet.
        assert_nothing_waits(client, case)
        person_with("decision_official")
        accredit(case)
        case.refresh_from_db()
        assert_nothing_waits(client, case)
        assert not OutboxMessage.objects.filter(key__startswith="feedback_needed:").exists()

    def test_a_correction_to_accredited_takes_the_feedback_off_the_assessors_list(self, client):
        case, assessor = recommended("accredit")
        official = decided_not_accredited(case)
        assert feedback_occasion(case) == "decided_against"
        decisions.correct(
            case, official, reason="Recorded the wrong outcome.", to=Status.ACCREDITED
        )
        case.refresh_from_db()
        assert case.status == Status.ACCREDITED
        assert feedback_occasion(case) is None
        sign_in_verified(client, assessor)
        # The email's link, opened after the correction: told, not a bare 404.
        opened = client.get(feedback_url(case), follow=True)
        assert opened.redirect_chain == [(reverse("staff-case", args=[case.pk]), 302)]
        assert f"No feedback on {case.reference} is waiting to be written now" in opened.text
        # Saved from a page opened before the correction: told too.
        sent = client.post(feedback_url(case), {"1D-lead": "x", "version": "0"}, follow=True)
        assert sent.status_code == 200
        assert f"No feedback on {case.reference} is waiting to be written now" in sent.text
        assert "Nothing was saved." in sent.text
        assert not FeedbackRevision.objects.filter(case=case).exists()


class TestWhoMayWriteIt:
    @pytest.mark.parametrize(
        "role", ["casework_officer", "decision_official", "meeting_chair", "second_assessor"]
    )
    def test_other_staff_are_refused_and_nothing_is_written(self, client, role):
        case, _ = recommended("accredit")
        decided_not_accredited(case)
        person = person_with(role, case)
        sign_in_verified(client, person)
        assert client.get(feedback_url(case)).status_code in (403, 404)
        assert client.post(feedback_url(case), {"1D-lead": "x"}).status_code in (403, 404)
        assert not FeedbackRevision.objects.exists()

    def test_an_assessor_of_another_case_and_the_applicant_get_404(self, client):
        case, _ = recommended("accredit")
        decided_not_accredited(case)
        other = person_with("assessor", case_in_assessment())
        applicant = person_with("applicant", case)
        for person in (other, applicant):
            client.force_login(person)
            sign_in_verified(client, person)
            assert client.get(feedback_url(case)).status_code in (403, 404)
            assert client.post(feedback_url(case), {"1D-lead": "x"}).status_code in (403, 404)
        assert not FeedbackRevision.objects.exists()

    def test_an_assessor_who_has_since_declared_a_conflict_is_refused(self, client):
        case, assessor = recommended("accredit")
        decided_not_accredited(case)
        ConflictFactory(user=assessor, organisation=case.organisation)
        sign_in_verified(client, assessor)
        assert client.get(feedback_url(case)).status_code == 404


class TestBadInput:
    def test_too_long_and_forged_fields_are_refused_with_a_message(self, client):
        case, assessor = recommended("accredit")
        decided_not_accredited(case)
        sign_in_verified(client, assessor)
        response = client.post(feedback_url(case), {"1D-lead": "x" * 10_000})
        assert response.status_code == 200
        assert "The feedback on 1D must be 5,000 characters or fewer" in response.text
        assert "Error: " in response.text
        response = client.post(feedback_url(case), {"9Z-lead": "Forged.", "1D-party": "x"})
        assert "Enter feedback to the applicant on at least one criterion" in response.text
        assert not FeedbackRevision.objects.exists()


class TestReturnedFeedback:
    def test_the_assessor_revises_returned_feedback_and_the_letter_carries_the_revision(
        self, client, group, django_capture_on_commit_callbacks
    ):
        case, assessor = recommended("not_accredit", **{"2B_lead": 2})
        first = meeting_of(group)
        second = meeting_of(group, days=40)
        item = first.items.get(case=case)
        advice.review_feedback(
            item,
            outcome=FeedbackOutcome.RETURNED,
            comment="Say which evidence would help.",
            actor=group[0],
            by_correspondence=True,
        )
        sign_in_verified(client, assessor)
        page = client.get(feedback_url(case)).text
        assert "Say which evidence would help." in page
        assert "Give more evidence for 2B." in page  # the draft, to revise
        assert "Leave empty if the feedback need not say anything on it." in page
        assert "reasons for the decision" not in page  # there is no decision yet
        write(client, case, {"2B-lead": "Send three years of validated results."})
        [again] = second.items.filter(case=case)
        with django_capture_on_commit_callbacks(execute=True):
            decided_not_accredited(case, reasons="")
        assert not Letter.objects.filter(case=case).exists()
        with django_capture_on_commit_callbacks(execute=True):
            advice.review_feedback(
                again, outcome="approved", comment="", actor=group[0], by_correspondence=True
            )
        assert FeedbackApproval.objects.filter(case=case).count() == 1
        text = text_of(bytes(Letter.objects.get(case=case).pdf))
        assert "Send three years of validated results." in text
        assert "Give more evidence for 2B." not in text

    def test_a_criterion_not_met_cannot_be_left_without_feedback(self, client, group):
        """Every score below the threshold gives the applicant feedback: a
        revision that empties one is refused, field by field, and nothing
        is written (a tester emptied them and the letter said nothing on
        two criteria not met)."""
        case, assessor = recommended("not_accredit", **{"2B_lead": 2, "1A_lead": 1})
        item = meeting_of(group).items.get(case=case)
        advice.review_feedback(
            item,
            outcome=FeedbackOutcome.RETURNED,
            comment="Be more specific.",
            actor=group[0],
            by_correspondence=True,
        )
        revisions = FeedbackRevision.objects.count()
        sign_in_verified(client, assessor)
        page = client.get(feedback_url(case)).text
        assert page.count("Needed: the criterion was not met, so the letter must say why.") == 2
        response = write(client, case, {"2B-lead": "Send three years of validated results."})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["1A-lead"]
        assert errors["1A-lead"][0].startswith("Enter feedback on 1A ")
        assert errors["1A-lead"][0].endswith(": it was not met, so the letter must say why")
        assert 'href="#id_1A-lead"' in response.text
        assert FeedbackRevision.objects.count() == revisions
        with pytest.raises(ScoringError, match="every criterion not met: 1A .*, 2B "):
            writing.write_feedback(case, texts={"2C-lead": "Fine."}, actor=assessor)
        response = write(
            client, case, {"1A-lead": "Say what you will do.", "2B-lead": "Send results."}
        )
        assert response.status_code == 302
        assert FeedbackRevision.objects.count() == revisions + 1


def test_a_criterion_without_a_score_has_no_box_and_takes_no_feedback(client):
    """The letter prints a score beside each criterion's feedback: one the
    recommendation has no score for (a framework's criterion added since,
    say) is offered no box, and text sent for it is not kept (its page
    answered 500)."""
    from assessments.models import DraftFeedback, Score

    case, assessor = recommended("accredit")
    decided_not_accredited(case)
    Score.objects.filter(assignment__case=case, criterion__code="1A").delete()
    sign_in_verified(client, assessor)
    page = client.get(feedback_url(case))
    assert page.status_code == 200
    assert 'name="1A-lead"' not in page.text and 'name="2B-lead"' in page.text
    response = write(client, case, {"1A-lead": "Not kept.", "2B-lead": "Send results."})
    assert response.status_code == 302
    assert list(DraftFeedback.objects.values_list("criterion__code", "text")) == [
        ("2B", "Send results.")
    ]


def test_an_assessor_assigned_after_the_decision_writes_it_on_the_recommended_scores(client):
    """The case's assessor is replaced after the decision: the new one
    writes the feedback, which carries the scores the recommendation stood on."""
    case, _ = recommended("accredit", **{"1D_lead": 4})
    decided_not_accredited(case)
    newcomer = person_with("assessor", case)
    [email] = OutboxMessage.objects.filter(key__startswith="feedback_needed:")
    assert email.to != newcomer.email  # told at the decision: the assessor then
    sign_in_verified(client, newcomer)
    response = write(client, case, {"1D-lead": FEEDBACK_1D})
    assert response.status_code == 302
    [row] = draft_feedback(case)
    assert (row.criterion.code, row.score) == ("1D", 4)


TO_WRITE = "Feedback to the applicant to write or revise"
TO_REVIEW = "Draft feedback whose review you are to record as chair"


def test_the_assessors_and_the_chairs_homes_count_the_feedback_waiting_for_them(client, group):
    case, assessor = recommended("accredit")
    meeting = meeting_of(group)
    decided_not_accredited(case)
    # Decided against their recommendation: on the assessor's home and queue.
    sign_in_verified(client, assessor)
    assert counts(client)["Assessor"][TO_WRITE] == (1, reverse("assessor-queue") + "#feedback")
    queue = client.get(reverse("assessor-queue"))
    assert [c.pk for c in queue.context["feedback_cases"]] == [case.pk]
    assert (
        feedback_url(case) in queue.text and "against the recommendation to accredit" in queue.text
    )
    write(client, case, {"1D-lead": FEEDBACK_1D})
    assert counts(client)["Assessor"][TO_WRITE][0] == 0
    # The home's link still lands on the (empty) section.
    queue = client.get(reverse("assessor-queue")).text
    assert 'id="feedback"' in queue and f"{TO_WRITE} (0)" in queue and "None now." in queue
    # Written: the chair has its review to record, on the meeting's page.
    sign_in_verified(client, group[0])
    chair = counts(client)["Advisory Group member"]
    to_review = reverse("advisory-meeting", args=[meeting.pk]) + "?show=feedback-review"
    assert chair[TO_REVIEW] == (1, to_review)
    listed = client.get(to_review).context["items"]
    assert [item.case_id for item in listed] == [case.pk]
    assert chair["ASG cases whose advice you are to record as chair"][0] == 0
    sign_in_verified(client, group[1])
    assert counts(client)["Advisory Group member"][TO_REVIEW][0] == 0
    # Returned to revise: the assessor's again, and no longer the chair's.
    advice.review_feedback(
        meeting.items.get(case=case),
        outcome=FeedbackOutcome.RETURNED,
        comment="Name the evidence.",
        actor=group[0],
        by_correspondence=True,
    )
    sign_in_verified(client, group[0])
    assert counts(client)["Advisory Group member"][TO_REVIEW][0] == 0
    sign_in_verified(client, assessor)
    assert counts(client)["Assessor"][TO_WRITE][0] == 1
    assert "returned the feedback to revise" in client.get(reverse("assessor-queue")).text
    write(client, case, {"1D-lead": FEEDBACK_1D + " Revised."})
    assert counts(client)["Assessor"][TO_WRITE][0] == 0


def worklist(client):
    return [case.pk for case in client.get(reverse("assessor-queue")).context["feedback_cases"]]


def agree(assessor, case):
    """Whether ``case`` is on ``assessor``'s worklist, and its occasion:
    every case on the worklist is one whose page they may open."""
    listed = case.pk in {c.pk for c in feedback_to_write(assessor)}
    occasion = feedback_occasion(case)
    if listed:
        assert occasion is not None
        assert assessor.has_perm("assessments.write_feedback", case)
    return listed, occasion


def test_the_worklist_and_the_page_agree_at_every_step(client, group):
    case, assessor = recommended("accredit")
    first, second = meeting_of(group), meeting_of(group, days=40)
    assert agree(assessor, case) == (False, None)
    decided_not_accredited(case)
    assert agree(assessor, case) == (True, "decided_against")
    writing.write_feedback(case, texts={"1D-lead": "First go."}, actor=assessor)
    # Written: the group's to review; the page still takes a rewrite.
    assert agree(assessor, case) == (False, "decided_against")
    advice.review_feedback(
        first.items.get(case=case),
        outcome=FeedbackOutcome.RETURNED,
        comment="Name the evidence.",
        actor=group[0],
        by_correspondence=True,
    )
    assert agree(assessor, case) == (True, "decided_against")
    sign_in_verified(client, assessor)
    queue = client.get(reverse("assessor-queue")).text
    assert "returned the feedback to revise" in queue
    page = client.get(feedback_url(case)).text
    assert "Name the evidence." in page and REASONS in page
    writing.write_feedback(case, texts={"1D-lead": FEEDBACK_1D}, actor=assessor)
    assert agree(assessor, case) == (False, "decided_against")
    advice.review_feedback(
        second.items.get(case=case),
        outcome=FeedbackOutcome.APPROVED,
        comment="",
        actor=group[0],
        by_correspondence=True,
    )
    assert agree(assessor, case) == (False, None)
    assert_nothing_waits(client, case)


@pytest.mark.parametrize("conflict", ["organisation", "local_authority", "member"])
def test_a_case_the_assessor_may_no_longer_act_on_leaves_the_worklist_with_its_page(
    client, conflict
):
    case, assessor = recommended("accredit")
    decided_not_accredited(case)
    sign_in_verified(client, assessor)
    assert worklist(client) == [case.pk]
    assert counts(client)["Assessor"][TO_WRITE][0] == 1
    if conflict == "member":
        MembershipFactory(user=assessor, organisation=case.organisation)
    elif conflict == "organisation":
        ConflictFactory(user=assessor, organisation=case.organisation)
    else:
        ConflictFactory(
            user=assessor, organisation=None, local_authority=case.organisation.local_authority
        )
    assert client.get(feedback_url(case)).status_code == 404
    assert worklist(client) == []
    assert counts(client)["Assessor"][TO_WRITE][0] == 0
    with pytest.raises(PermissionDenied):
        writing.write_feedback(case, texts={"1D-lead": "x"}, actor=assessor)


def test_a_writer_stood_down_after_their_page_was_read_cannot_write(group):
    """The page's permission check remembered the writer's part on its copy
    of the case; the service judges it again on the locked row."""
    case, assessor = recommended("accredit")
    decided_not_accredited(case)
    remember(case, assessor)
    case.assignments.filter(assessor=assessor).update(ended_at=clock.now())
    with pytest.raises(PermissionDenied):
        writing.write_feedback(
            case, texts={"1D-lead": "Written after standing down."}, actor=assessor
        )
    assert not DraftFeedback.objects.exists()


@pytest.mark.parametrize("size", [3, 5])
def test_the_worklist_pages_and_costs_the_same_queries_at_any_size(
    client, size, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(QueueView, "feedback_paginate_by", 2)
    cases = [case_in_assessment() for _ in range(size)]
    assessor = person_with("assessor", *cases)
    for case in cases:
        score_all(case, assessor, 3)
        recommending.recommend(
            case, recommendation="accredit", reasoning="Met.", departure_reason="", actor=assessor
        )
        decided_not_accredited(case)
    sign_in_verified(client, assessor)
    url = reverse("assessor-queue")
    client.get(url)
    with django_assert_num_queries(QUERIES_QUEUE):
        response = client.get(url)
    assert [c.pk for c in response.context["feedback_cases"]] == [c.pk for c in cases[:2]]
    assert f"Feedback to the applicant to write or revise ({size})" in response.text
    assert "?feedback_page=2#feedback" in response.text
    # The last page, reached from the address the link gives, with the filters kept.
    last = (size + 1) // 2
    response = client.get(url, {"feedback_page": last, "overdue": "true"})
    assert [c.pk for c in response.context["feedback_cases"]] == [
        c.pk for c in cases[2 * (last - 1) :]
    ]
    assert "overdue=true" in response.text.split('rel="prev"')[0].rsplit("href=", 1)[1]
    # A page that is not a number is the first; past the end, the last.
    assert client.get(url, {"feedback_page": "x"}).context["feedback_page"].number == 1
    assert client.get(url, {"feedback_page": 99}).context["feedback_page"].number == last


QUERIES_QUEUE = (
    7  # session and user, roles, the cases, feedback's count and page (the organisations in
    # conflict and the filter's rounds were read by the request before)
)


def test_the_occasion_is_read_from_one_row_per_case_joined_once():
    """``with_feedback_occasion`` joins the ``FeedbackState`` view, one row
    for every case (recommended or not), and names its columns: the
    recommendation's subqueries are in the view, not built into each query."""
    case, _ = recommended("accredit")
    other = ProposalFactory()
    rows = {row.case_id: row for row in FeedbackState.objects.all()}
    assert set(rows) == {case.pk, other.pk}
    assert rows[case.pk].recommended == "accredit" and rows[case.pk].recommended_at
    assert rows[other.pk].recommended is None and not rows[other.pk].feedback_approved
    sql = str(with_feedback_occasion(Proposal.objects.all()).query)
    assert sql.count('JOIN "assessments_feedbackstate"') == 1
    assert "assessments_recommendation" not in sql


def test_an_approval_counts_only_for_the_feedback_of_the_latest_recommendation(group):
    """The group approves a case's feedback; the case is then recommended
    again with new draft feedback (an ASG case the group referred back): the
    earlier approval was for the earlier recommendation. The new feedback
    waits for the group, and the letter carries it once approved, never the
    earlier text."""
    from assessments.models import Recommendation
    from feedback.queries.letters import letter_feedback

    meeting = meeting_of(group)
    case, assessor = recommended("not_accredit", **{"2B_lead": 2})
    first = meeting.items.get(case=case, purpose="feedback")
    advice.review_feedback(
        first, outcome="approved", comment="", actor=group[0], by_correspondence=True
    )
    assert waiting([case.pk]) == []
    assert [item.text for item in letter_feedback(case)] == ["Give more evidence for 2B."]
    earlier = Recommendation.objects.get(case=case)
    with time_machine.travel(clock.now() + timedelta(minutes=5)):
        again = Recommendation.objects.create(
            case=case,
            assignment=earlier.assignment,
            recommendation="not_accredit",
            suggested="not_accredit",
            reasoning="Looked at again: still not shown.",
            outcome="completed",
            made_by=assessor,
            made_at=clock.now(),
        )
        for draft in DraftFeedback.objects.filter(recommendation=earlier):
            DraftFeedback.objects.create(
                recommendation=again,
                criterion=draft.criterion,
                party=draft.party,
                score=draft.score,
                text="Publish three years of validated results.",
            )
        assert waiting([case.pk]) == [(case, "feedback")]
        assert letter_feedback(case) == []
        meetings.fill_agenda(meeting)
        review = meeting.items.get(case=case, purpose="feedback", outcome="")
        advice.review_feedback(
            review, outcome="approved", comment="", actor=group[0], by_correspondence=True
        )
        assert waiting([case.pk]) == []
        assert [item.text for item in letter_feedback(case)] == [
            "Publish three years of validated results."
        ]


class TestAConflictedWriterIsStoodDown:
    """An assessor who may no longer act on the case (a conflict declared
    since) cannot write its feedback: they are stood down when the feedback
    comes to them, or when they declare the conflict while it waits, and a
    casework officer assigns someone who may write it."""

    @pytest.fixture
    def officer(self):
        return person_with("casework_officer", full_name="Olu Officer")

    def stood_down_and_told(self, case, assessor, officer):
        assert not Assignment.objects.filter(case=case, ended_at__isnull=True, kind="first")
        assert CaseEvent.objects.filter(
            case=case, action="assessor_stood_down", actor=assessor
        ).exists()
        told = OutboxMessage.objects.filter(key__startswith="assessor-stood-down:")
        assert officer.email in {message.to for message in told}
        assert assessor.email not in {message.to for message in told}
        for message in told:
            assert "no longer write the feedback to the applicant on" in message.body
            assert "waiting for another assessor to write its feedback" in message.body
        # Nor is the one stood down asked to revise feedback they may no longer see.
        assert not OutboxMessage.objects.filter(
            to=assessor.email, subject__contains="revise the feedback"
        ).exists()

    def returned_by_the_chair(self, item, group):
        advice.review_feedback(
            item,
            outcome=FeedbackOutcome.RETURNED,
            comment="Say which evidence would help.",
            actor=group[0],
            by_correspondence=True,
        )

    def assigned_through_the_page(self, client, case):
        """A new assessor, assigned by the officer signed in on ``client``
        through the case's assessors page, and the email asking them."""
        newcomer = UserFactory(roles=[Role.ASSESSOR])
        response = client.post(
            reverse("case-assessors", args=[case.pk]),
            {"kind": "first", "assessor": newcomer.pk, "reason": ""},
        )
        assert response.status_code == 302
        [asked] = OutboxMessage.objects.filter(to=newcomer.email)
        return newcomer, asked

    def test_declaring_a_conflict_while_it_waits_hands_it_to_a_new_assessor(self, client, officer):
        case, assessor = recommended("accredit", **{"1D_lead": 4})
        decided_not_accredited(case)
        conflict = conflicts.declare(
            assessor, reason="I have joined its board.", organisation=case.organisation
        )
        assert conflict.stood_down == [case.reference]
        self.stood_down_and_told(case, assessor, officer)
        assert feedback_occasion(case) == "decided_against"

        sign_in_verified(client, officer)
        assert (
            "Assign or change assessors" in client.get(reverse("staff-case", args=[case.pk])).text
        )
        page = client.get(reverse("case-assessors", args=[case.pk])).text
        assert "The case has no assessor: the last one stood down" in page
        assert "Second assessor" not in page
        with pytest.raises(AssignmentRefused, match="only an assessor to write the feedback"):
            assignment.assign(case, UserFactory(roles=[Role.ASSESSOR]), "second", officer)
        with pytest.raises(AssignmentRefused, match="conflict of interest"):
            assignment.assign(case, assessor, "first", officer)

        newcomer, asked = self.assigned_through_the_page(client, case)
        assert "in place of its previous assessor" in asked.body
        assert "against its assessor's recommendation to accredit it" in asked.body
        assert feedback_url(case) in asked.body
        # They see the scores the recommendation stood on, as does the chair.
        assert Assignment.objects.get(case=case, ended_at__isnull=True).may_see_earlier_scores
        state = assessment_state(case, as_recommended=True)
        assert state.first.assessor == assessor
        assert {score.value for score in state.first_scores.values()} >= {4}
        sign_in_verified(client, newcomer)
        page = client.get(feedback_url(case)).text
        assert "against the previous assessor's recommendation to accredit it" in page
        # The recommendation page shows it as made, by whom, on its scores.
        page = client.get(reverse("case-recommendation", args=[case.pk])).text
        assert "You cannot complete the assessment" not in page
        assert "Your latest recommendation" not in page
        assert "Latest recommendation" in page and escape(assessor.full_name) in page
        assert "Not scored" not in page
        assert write(client, case, {"1D-lead": FEEDBACK_1D}).status_code == 302
        [row] = draft_feedback(case)
        assert (row.score, row.text) == (4, FEEDBACK_1D)  # the recommendation's score
        # Written, it waits for the chair: nobody is to be assigned to write it.
        with pytest.raises(AssignmentRefused, match="only while a case is being assessed"):
            assignment.assign(
                case, UserFactory(roles=[Role.ASSESSOR]), "first", officer, reason="Leaving."
            )

    def test_feedback_written_before_the_conflict_waits_for_the_chair_as_it_is(
        self, client, officer
    ):
        case, assessor = recommended("accredit")
        decided_not_accredited(case)
        writing.write_feedback(case, texts={"1D-lead": FEEDBACK_1D}, actor=assessor)
        conflict = conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        assert conflict.stood_down == []
        assert not OutboxMessage.objects.filter(key__startswith="assessor-stood-down:")
        [row] = draft_feedback(case)
        assert row.text == FEEDBACK_1D

    def test_a_conflict_declared_before_the_decision_stands_them_down_at_it(self, officer):
        case, assessor = recommended("accredit")
        conflict = conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        # Nothing waits for them yet: the assessment stands as it was made.
        assert conflict.stood_down == []
        decided_not_accredited(case)
        self.stood_down_and_told(case, assessor, officer)
        assert not OutboxMessage.objects.filter(key__startswith="feedback_needed:")

    def test_feedback_the_group_returns_to_a_conflicted_assessor(self, group, officer):
        case, assessor = recommended("not_accredit", **{"2B_lead": 2})
        item = meeting_of(group).items.get(case=case)
        conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        assert Assignment.objects.filter(case=case, ended_at__isnull=True, kind="first").exists()
        self.returned_by_the_chair(item, group)
        self.stood_down_and_told(case, assessor, officer)
        newcomer = UserFactory(roles=[Role.ASSESSOR])
        # Writing feedback is not one of the round's assessments: a full
        # capacity does not bar it.
        AssessorCapacity.objects.create(round=case.round, assessor=newcomer, capacity=0)
        assignment.assign(case, newcomer, "first", officer)
        [asked] = OutboxMessage.objects.filter(to=newcomer.email)
        assert "The Advisory Group returned the feedback to be revised" in asked.body
        assert "Say which evidence would help." in asked.body  # the group's comment
        assert asked.subject == f"{case.reference}: revise the feedback for the applicant"

    def test_a_finished_case_with_nothing_to_write_takes_no_assessor(self, officer):
        case, assessor = accredited_as_recommended()
        conflict = conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        assert conflict.stood_down == []
        with pytest.raises(AssignmentRefused, match="only while a case is being assessed"):
            assignment.assign(case, UserFactory(roles=[Role.ASSESSOR]), "first", officer)

    def test_a_form_sent_once_nothing_waits_says_so_without_a_link_to_a_form_gone(
        self, client, officer
    ):
        """The officer opened the assessors page while the feedback waited;
        by the time they send it, the case takes no assessor: the page no
        longer shows the form, so the error leads nowhere on it."""
        case, assessor = accredited_as_recommended()
        sign_in_verified(client, officer)
        response = client.post(
            reverse("case-assessors", args=[case.pk]),
            {"kind": "first", "assessor": UserFactory(roles=[Role.ASSESSOR]).pk, "reason": ""},
        )
        assert response.status_code == 200
        summary = response.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
        assert "only while a case is being assessed" in summary
        assert "<a " not in summary
        assert 'name="kind"' not in response.text
        assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exclude(
            assessor=assessor
        )

    def test_decided_against_then_returned_is_to_revise(self, client, group, officer):
        case, assessor = recommended("accredit")
        meeting = meeting_of(group)
        decided_not_accredited(case)
        writing.write_feedback(case, texts={"1D-lead": FEEDBACK_1D}, actor=assessor)
        item = meeting.items.get(case=case)
        conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        self.returned_by_the_chair(item, group)
        self.stood_down_and_told(case, assessor, officer)
        sign_in_verified(client, officer)
        page = client.get(reverse("case-assessors", args=[case.pk])).text
        assert "revise it: the Advisory Group returned it" in page
        assert "may see the scores of the assessor they replace" not in page
        newcomer, asked = self.assigned_through_the_page(client, case)
        assert "The Advisory Group returned the feedback to be revised" in asked.body
        assert "Say which evidence would help." in asked.body
        assert asked.subject == f"{case.reference}: revise the feedback for the applicant"
        sign_in_verified(client, newcomer)
        page = client.get(feedback_url(case)).text
        assert "Leave empty if the feedback need not say anything on it." in page

    def test_a_conflicted_assessor_owed_no_feedback_is_left_as_they_were(self, officer):
        """Recommended not to accredit and so decided: the feedback the group
        reviews is the recommendation's own, nothing comes to the assessor."""
        case, assessor = recommended("not_accredit", **{"2B_lead": 2})
        conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        decided_not_accredited(case)
        assert Assignment.objects.filter(case=case, ended_at__isnull=True, kind="first").exists()
        assert not OutboxMessage.objects.filter(key__startswith="assessor-stood-down:")

    def test_a_new_writer_writes_on_the_agreed_scores_the_decision_page_shows(
        self, client, officer
    ):
        from accreditation.models import Criterion
        from accreditation.queries.decisions import scores_of
        from assessments.services import quality

        case = case_in_assessment(accreditation_type="asg")
        assessor = person_with("assessor", case)
        second = person_with("second_assessor", case)
        score_all(case, assessor, 3, **{"1D_lead": 1})
        score_all(case, second, 3, **{"1D_lead": 4})
        scoring.finish_scoring(case, actor=assessor)
        scoring.finish_scoring(case, actor=second)
        quality.record_agreed_score(
            case,
            criterion=Criterion.objects.get(code="1D", part__framework=case.framework),
            party="lead",
            value=3,
            reason="Settled on the evidence.",
            applicant_feedback="",
            version=0,
            actor=assessor,
        )
        recommending.recommend(
            case, recommendation="accredit", reasoning="Met.", departure_reason="", actor=assessor
        )
        move(case, Action.ADVISE, person_with("meeting_chair", case), details={"advice": "agree"})
        decided_not_accredited(case)
        conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        newcomer = UserFactory(roles=[Role.ASSESSOR])
        assignment.assign(case, newcomer, "first", officer)

        summary = scores_of(case)
        assert [a.assessor for a in summary.assessors] == [assessor, second]
        [row] = [row for row in summary.rows if row.code == "1D"]
        assert (row.scores, row.agreed) == ([1, 4], 3)
        writing.write_feedback(case, texts={"1D-lead": FEEDBACK_1D}, actor=newcomer)
        [draft] = draft_feedback(case)
        assert draft.score == 3  # the agreed score the recommendation stood on
