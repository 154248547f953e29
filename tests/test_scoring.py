"""Scoring and the recommendation (SPEC: "The criteria framework", "The life
of a case": Assessment): the applicant's answers beside the score forms, the
framework's scale, feedback below the threshold, stale saves refused, only
the case's assessors, and completing the assessment through the workflow."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock
from accreditation.models import (
    AccreditationType,
    CaseEvent,
    Criterion,
    CriterionGuidance,
    OrganisationKind,
    Sector,
)
from accreditation.roles import Role
from accreditation.workflow import Status
from assessments.models import Recommendation, RecommendationOutcome, Score
from assessments.queries.scoring import (
    assessment_state,
    draft_feedback,
    items_of,
)
from assessments.services import recommendation as recommending
from assessments.services import scoring
from assessments.services.assignment import needs_second_assessor
from proposals.models import Proposal, Route
from tests.casework import person_with, sign_in_verified, walk_to
from tests.factories import (
    ConflictFactory,
    CoPartnerFactory,
    CriterionFactory,
    EvidenceFactory,
    FrameworkFactory,
    MembershipFactory,
    OrganisationFactory,
    PartFactory,
    RoundFactory,
    UserFactory,
)
from tests.scoring_helpers import case_in_assessment, score, score_all

pytestmark = pytest.mark.django_db


def codes(case):
    return [(item.criterion.code, item.party) for item in items_of(case)]


def events(case, action):
    return list(CaseEvent.objects.filter(case=case, action=action).order_by("sequence"))


def post_score(client, case, slug, **fields):
    data = {"item": slug, f"{slug}-version": fields.pop("version", 0)}
    data.update({f"{slug}-{name}": value for name, value in fields.items()})
    return client.post(reverse("case-scores", args=[case.pk]), data)


@pytest.fixture
def case():
    return case_in_assessment()


@pytest.fixture
def assessor(case):
    return person_with("assessor", case)


# --- Which criteria are scored -------------------------------------------------


class TestWhatIsScored:
    def test_a_school_is_scored_on_part_one_and_part_two(self, case):
        assert codes(case) == [
            (code, "lead") for code in ("1A", "1B", "1C", "1D", "2A", "2B", "2C")
        ]

    def test_a_national_support_school_is_not_scored_on_2a_and_2b(self):
        case = case_in_assessment(organisation__claims_national_support_school=True)
        assert [code for code, _ in codes(case)] == ["1A", "1B", "1C", "1D", "2C"]

    def test_a_consortium_is_scored_on_part_two_for_each_party(self):
        partner = CoPartnerFactory()
        case = partner.proposal
        assert case.route == Route.CONSORTIUM_LEAD
        assert codes(case) == [
            *[(code, "lead") for code in ("1A", "1B", "1C", "1D", "2A", "2B", "2C")],
            *[(code, "co_partner") for code in ("2A", "2B", "2C")],
        ]

    def test_a_non_educational_organisation_in_its_own_right_answers_1e(self):
        organisation = OrganisationFactory(non_educational=True)
        case = case_in_assessment(organisation=organisation, route=Route.OWN_RIGHT)
        assert "1E" in [code for code, _ in codes(case)]


# --- The scoring page --------------------------------------------------------------


class TestTheScoringPage:
    def test_shows_the_answers_scale_and_the_sectors_guidance(self, client, case, assessor):
        sign_in_verified(client, assessor)
        response = client.get(reverse("case-scores", args=[case.pk]))
        assert response.status_code == 200
        text = response.text
        assert "Our evidence for 1A (lead)." in text
        assert "4: Strong evidence" in text and "1: Insufficient or no evidence" in text
        guidance = CriterionGuidance.objects.get(
            criterion__part__framework=case.framework, criterion__code="2B", sector=Sector.SCHOOLS
        )
        assert guidance.text in text
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), "every id on the page is unique"

    def test_answers_to_information_requests_stand_beside_their_criterion(
        self, client, case, assessor
    ):
        from assessments.services import requests

        criterion = Criterion.objects.get(part__framework=case.framework, code="1B")
        asked = requests.ask(
            case,
            assessor,
            [requests.NewQuestion("How often does the board meet?", criterion.pk)],
            requests.default_due(),
        )
        applicant = person_with("applicant", case)
        question = asked.questions.get()
        requests.save_answers(
            asked, applicant, {question.pk: ("Every month, BOARD-ANSWER.", question.version)}
        )
        requests.send_answers(asked, applicant)
        sign_in_verified(client, assessor)
        text = client.get(reverse("case-scores", args=[case.pk])).text
        section = text[text.index('id="1B-lead"') : text.index('id="1C-lead"')]
        assert "How often does the board meet?" in section and "BOARD-ANSWER" in section
        assert text.count("BOARD-ANSWER") == 1

    def test_documents_sent_with_answers_to_requests_are_listed_and_open(
        self, client, case, assessor, settings, tmp_path
    ):
        """Not "no documents" when the applicant sent one with their answers
        (a tester's finding); one uploaded but not yet sent is theirs alone."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from assessments.services import requests
        from tests.test_uploads import pdf_bytes

        settings.MEDIA_ROOT = tmp_path
        criterion = Criterion.objects.get(part__framework=case.framework, code="1B")
        applicant = person_with("applicant", case)

        def ask_and_attach(name):
            asked = requests.ask(
                case,
                assessor,
                [requests.NewQuestion("Send the plan.", criterion.pk)],
                requests.default_due(),
            )
            question = asked.questions.get()
            requests.save_answers(asked, applicant, {question.pk: ("Attached.", question.version)})
            uploaded = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
            requests.add_document(
                asked, uploaded, content_type="application/pdf", sha256="0" * 64, actor=applicant
            )
            return asked

        requests.send_answers(ask_and_attach("plan.pdf"), applicant)
        ask_and_attach("unsent.pdf")
        sign_in_verified(client, assessor)
        text = client.get(reverse("case-scores", args=[case.pk])).text
        assert "The applicant uploaded no documents with the proposal." in text
        assert "Sent with answers to information requests" in text
        assert "plan.pdf" in text and "unsent.pdf" not in text
        link = re.search(r'href="([^"]*/requests/documents/\d+/)">plan.pdf', text)[1]
        assert client.get(link).status_code == 200

    def test_the_co_partners_answers_come_with_its_sectors_guidance(self, client):
        partner = CoPartnerFactory(kind=OrganisationKind.ACADEMY_TRUST)
        case = walk_to(partner.proposal, Status.IN_ASSESSMENT)
        assessor = person_with("assessor", case)
        sign_in_verified(client, assessor)
        text = client.get(reverse("case-scores", args=[case.pk])).text
        trusts = CriterionGuidance.objects.get(
            criterion__part__framework=case.framework,
            criterion__code="2A",
            sector=Sector.TRUSTS_FEDERATIONS,
        )
        private = CriterionGuidance.objects.get(
            criterion__part__framework=case.framework,
            criterion__code="2A",
            sector=Sector.PRIVATE_THIRD_SECTOR,
        )
        assert escape(trusts.text) in text and escape(private.text) in text
        assert 'id="2A-co_partner"' in text

    def test_a_score_saves_with_a_button_and_goes_on_the_timeline(self, client, case, assessor):
        sign_in_verified(client, assessor)
        response = post_score(client, case, "1A-lead", value=4, internal_comment="Clear vision.")
        assert response.status_code == 302
        assert response["Location"].endswith("#1A-lead")
        saved = Score.objects.get(criterion__code="1A", assignment__case=case)
        assert (saved.value, saved.internal_comment, saved.version) == (4, "Clear vision.", 1)
        [event] = events(case, "score_saved")
        assert event.actor == assessor
        assert event.details == {
            "criterion": "1A",
            "party": "lead",
            "score": 4,
            "assessor": "first",
        }
        response = post_score(
            client, case, "1A-lead", value=3, internal_comment="On reflection.", version=1
        )
        saved.refresh_from_db()
        assert (saved.value, saved.version) == (3, 2)

    @pytest.mark.parametrize("value", ["7", "0", "three", ""])
    def test_a_score_off_the_scale_or_not_a_number_is_refused(self, client, case, assessor, value):
        sign_in_verified(client, assessor)
        response = post_score(client, case, "1A-lead", value=value, internal_comment="Hmm.")
        assert response.status_code == 200
        assert "Error: " in response.text.split("</title>")[0]
        assert "Select a score for 1A" in response.text
        assert not Score.objects.exists()
        # What was typed is kept.
        assert "Hmm." in response.text

    def test_each_error_links_to_its_field_which_says_it_and_keeps_what_was_typed(
        self, client, case, assessor
    ):
        sign_in_verified(client, assessor)
        response = post_score(client, case, "2B-lead", value=2, internal_comment="Thin <b>.")
        summary = response.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
        assert '<a href="#id_2B-lead-applicant_feedback">Enter feedback to the applicant' in summary
        response = post_score(client, case, "2B-lead", value="", internal_comment="")
        summary = response.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
        assert '<a href="#id_2B-lead-value_1">Select a score for 2B</a>' in summary
        assert '<a href="#id_2B-lead-internal_comment">Enter an internal comment' in summary
        section = response.text.split('id="2B-lead"')[1].split("</section>")[0]
        group = 'id="div_id_2B-lead-value" class="govuk-form-group govuk-form-group--error"'
        assert group in section
        assert 'aria-describedby="id_2B-lead-value_1_error"' in section
        assert 'id="id_2B-lead-value_1_error" class="govuk-error-message"' in section
        comment = "id_2B-lead-internal_comment"
        assert f'aria-describedby="{comment}_hint {comment}_1_error"' in section
        assert 'class="govuk-textarea govuk-textarea--error" aria-invalid="true"' in section
        # Another criterion's form shows no error.
        other = response.text.split('id="1A-lead"')[1].split("</section>")[0]
        assert "govuk-error" not in other

    def test_what_was_typed_is_kept_escaped(self, client, case, assessor):
        sign_in_verified(client, assessor)
        response = post_score(client, case, "2B-lead", value=2, internal_comment="Thin <b>.")
        section = response.text.split('id="2B-lead"')[1].split("</section>")[0]
        assert "Thin &lt;b&gt;.</textarea>" in section
        assert 'value="2" checked' in section

    def test_a_score_below_the_threshold_needs_feedback_to_the_applicant(
        self, client, case, assessor
    ):
        sign_in_verified(client, assessor)
        response = post_score(client, case, "2B-lead", value=2, internal_comment="Thin.")
        assert "Enter feedback to the applicant: a score below 3 needs it" in response.text
        assert not Score.objects.exists()
        # Feedback too long is told so, not also to enter feedback.
        response = post_score(
            client,
            case,
            "2B-lead",
            value=2,
            internal_comment="Thin.",
            applicant_feedback="x" * 5001,
        )
        assert "must be 5,000 characters or fewer" in response.text
        assert "a score below 3 needs it" not in response.text
        assert not Score.objects.exists()
        post_score(
            client,
            case,
            "2B-lead",
            value=2,
            internal_comment="Thin.",
            applicant_feedback="Show results over three years.",
        )
        saved = Score.objects.get()
        assert (saved.internal_comment, saved.applicant_feedback) == (
            "Thin.",
            "Show results over three years.",
        )

    def test_feedback_typed_with_a_met_score_is_kept(self, client, case, assessor):
        """Only a criterion not met sends its feedback to the applicant, but
        what the assessor typed beside a higher score is not thrown away."""
        sign_in_verified(client, assessor)
        post_score(
            client,
            case,
            "1A-lead",
            value=3,
            internal_comment="Sound.",
            applicant_feedback="The vision is clear.",
        )
        assert Score.objects.get().applicant_feedback == "The vision is clear."
        page = client.get(reverse("case-scores", args=[case.pk])).text
        assert "The vision is clear." in page
        assert "With a higher score it is kept but not sent." in page

    def test_a_save_over_a_newer_score_is_refused_showing_the_newer_one(
        self, client, case, assessor
    ):
        sign_in_verified(client, assessor)
        post_score(client, case, "1B-lead", value=4, internal_comment="First tab.")
        # A second tab, loaded before that save, saves against version 0.
        response = post_score(
            client,
            case,
            "1B-lead",
            value=2,
            internal_comment="Second tab.",
            applicant_feedback="Say who holds leaders to account.",
        )
        assert response.status_code == 200
        assert (
            "This score was changed by you in another tab or window while you were editing it: "
            "it is now 4" in response.text
        )
        # The error summary leads to the criterion's score: its first radio.
        summary = response.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
        assert '<a href="#id_1B-lead-value_1">' in summary
        saved = Score.objects.get()
        assert (saved.value, saved.internal_comment) == (4, "First tab.")
        # Saved again knowingly, against the version now on the page.
        response = post_score(
            client,
            case,
            "1B-lead",
            value=3,
            internal_comment="Second tab.",
            version=1,
        )
        saved.refresh_from_db()
        assert (saved.value, saved.version) == (3, 2)

    def test_finishing_with_criteria_unscored_lists_them(self, client, case, assessor):
        score(case, assessor, items_of(case)[0], 3)
        sign_in_verified(client, assessor)
        response = client.post(reverse("case-scores", args=[case.pk]), {"finish": "1"})
        assert response.status_code == 200
        assert response.text.startswith("<!DOCTYPE html>")
        assert "<title>Error: Scores" in response.text
        assert "Score every criterion before you finish." in response.text
        # Each links to the criterion's first score, where focus can go.
        assert '<a href="#id_1B-lead-value_1">Score 1B' in response.text
        assert 'id="id_1B-lead-value_1"' in response.text
        assert not events(case, "scoring_finished")
        # Finishing is final, and the page warns of it beside the button.
        assert (
            '<span class="govuk-visually-hidden">Warning</span>You cannot change your scores '
            "after you finish."
        ) in response.text

    def test_documents_open_through_a_staff_download_on_the_timeline(
        self, client, case, assessor, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        document = EvidenceFactory(proposal=case)
        sign_in_verified(client, assessor)
        page = client.get(reverse("case-scores", args=[case.pk])).text
        url = reverse("case-document-download", args=[case.pk, document.pk])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        [event] = events(case, "document_downloaded")
        assert event.actor == assessor and event.details["document"] == document.pk

    @pytest.mark.parametrize("size", [2, 20])
    def test_the_page_costs_the_same_queries_at_any_size(
        self, client, size, django_assert_num_queries, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        framework = FrameworkFactory(published_at=None)
        part = PartFactory(framework=framework, number=1)
        criteria = [CriterionFactory(part=part, code=f"C{n}", position=n) for n in range(size)]
        for criterion in criteria:
            CriterionGuidance.objects.create(
                criterion=criterion, sector=Sector.SCHOOLS, text=f"Guidance {criterion.code}"
            )
        period = RoundFactory(framework=framework)
        case = case_in_assessment(round=period)
        assessor = person_with("assessor", case)
        from assessments.models import InformationRequest, RequestDocument

        answered = InformationRequest.objects.create(
            case=case, asked_by=assessor, due="2026-01-01", sent_by=assessor, sent_at=clock.now()
        )
        for n, item in enumerate(items_of(case)):
            EvidenceFactory(proposal=case)
            RequestDocument.objects.create(
                request=answered,
                file=f"requests/{n}",
                original_name=f"plan-{n}.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by=assessor,
            )
            if n % 2:
                score(case, assessor, item, 3)
        assert Criterion.objects.filter(part__framework=framework).count() == size
        sign_in_verified(client, assessor)
        client.get(reverse("case-scores", args=[case.pk]))
        with django_assert_num_queries(13):
            response = client.get(reverse("case-scores", args=[case.pk]))
        assert response.status_code == 200
        assert response.text.count('name="item"') == size


# --- Who may score -------------------------------------------------------------------


class TestWhoMayScore:
    def test_the_second_assessor_scores_too(self, client, case, assessor):
        second = person_with("second_assessor", case)
        sign_in_verified(client, second)
        post_score(
            client, case, "1A-lead", value=2, internal_comment="Weak.", applicant_feedback="x"
        )
        assert Score.objects.get().assignment.assessor == second

    def test_an_assessor_not_assigned_gets_not_found(self, client, case, assessor):
        other = person_with("assessor")
        sign_in_verified(client, other)
        for name in ("case-scores", "case-recommendation", "case-quality-assurance"):
            assert client.get(reverse(name, args=[case.pk])).status_code == 404
        assert post_score(client, case, "1A-lead", value=4).status_code == 404
        assert not Score.objects.exists()

    def test_an_assessor_with_a_conflict_cannot_score(self, client, case, assessor):
        ConflictFactory(user=assessor, organisation=case.organisation)
        sign_in_verified(client, assessor)
        assert client.get(reverse("case-scores", args=[case.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            score(case, assessor, items_of(case)[0], 4)
        assert not Score.objects.exists()

    def test_a_former_assessor_gets_not_found(self, client, case, assessor):
        person_with("assessor", case)  # reassigned
        sign_in_verified(client, assessor)
        assert client.get(reverse("case-scores", args=[case.pk])).status_code == 404

    def test_a_score_sent_after_being_taken_off_says_so_with_what_was_written(
        self, client, case, assessor
    ):
        """The page was open when the officer assigned someone else: what the
        assessor wrote is shown back, not lost behind a page not found."""
        sign_in_verified(client, assessor)
        person_with("assessor", case)  # reassigned meanwhile
        response = post_score(
            client,
            case,
            "2B-lead",
            value=2,
            internal_comment="Thin on <b>outcomes</b>.\nNo data.",
            applicant_feedback="Show three years of results.",
        )
        assert response.status_code == 403
        assert f"You are no longer assessing {case.reference}" in response.text
        assert "Thin on &lt;b&gt;outcomes&lt;/b&gt;.<br>No data." in response.text
        assert "2B, lead organisation: Feedback to the applicant" in response.text
        assert "2B, lead organisation: Score" in response.text
        assert "Show three years of results." in response.text
        assert not Score.objects.exists()
        # Someone who never assessed it learns nothing of it.
        sign_in_verified(client, UserFactory(roles=[Role.ASSESSOR]))
        assert post_score(client, case, "2B-lead", value=2).status_code == 404
        # Nor does someone who is no longer staff at all.
        assessor.groups.clear()
        client.force_login(assessor)
        response = post_score(client, case, "2B-lead", value=2, internal_comment="Thin.")
        assert response.status_code == 403
        assert "no longer assessing" not in response.text

    @pytest.mark.parametrize(
        "role, status",
        [
            (Role.CASEWORK_OFFICER, 403),
            (Role.DECISION_OFFICIAL, 404),
            (Role.ADVISORY_GROUP_MEMBER, 404),
            (Role.ADMINISTRATOR, 404),
        ],
    )
    def test_other_staff_are_refused(self, client, case, assessor, role, status):
        sign_in_verified(client, UserFactory(roles=[role]))
        for name in ("case-scores", "case-recommendation", "case-quality-assurance"):
            assert client.get(reverse(name, args=[case.pk])).status_code == status
        assert post_score(client, case, "1A-lead", value=4).status_code == status
        assert not Score.objects.exists()

    def test_the_applicant_is_refused(self, client, case, assessor):
        member = MembershipFactory(organisation=case.organisation).user
        client.force_login(member)
        for name in ("case-scores", "case-recommendation", "case-quality-assurance"):
            assert client.get(reverse(name, args=[case.pk])).status_code in (403, 404)

    def test_the_service_refuses_whoever_the_page_would(self, case, assessor):
        officer = person_with("casework_officer")
        with pytest.raises(PermissionDenied):
            score(case, officer, items_of(case)[0], 4)


# --- The recommendation ---------------------------------------------------------------


def recommend(case, actor, recommendation="accredit", reasoning="All met.", departure=""):
    return recommending.recommend(
        case,
        recommendation=recommendation,
        reasoning=reasoning,
        departure_reason=departure,
        actor=actor,
    )


class TestTheRecommendation:
    def test_completing_with_a_criterion_unscored_is_refused_listing_it(
        self, client, case, assessor
    ):
        for item in items_of(case)[:-2]:
            score(case, assessor, item, 3)
        sign_in_verified(client, assessor)
        page = client.get(reverse("case-recommendation", args=[case.pk])).text
        scores_url = reverse("case-scores", args=[case.pk])
        assert f'href="{scores_url}#2B-lead"' in page
        assert f'href="{scores_url}#2C-lead"' in page
        response = client.post(
            reverse("case-recommendation", args=[case.pk]),
            {"recommendation": "accredit", "reasoning": "Looks good."},
        )
        assert response.status_code == 200
        assert "Score every criterion before you recommend." in response.text
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert not Recommendation.objects.exists()

    def test_while_information_is_requested_the_page_says_the_case_waits_for_it(
        self, client, case, assessor
    ):
        score_all(case, assessor, 3)
        Proposal.objects.filter(pk=case.pk).update(status=Status.INFORMATION_REQUESTED)
        sign_in_verified(client, assessor)
        page = client.get(reverse("case-recommendation", args=[case.pk])).text
        assert (
            "You cannot make a recommendation while the case is waiting for information from "
            "the applicant. You can make it once they have answered."
        ) in page
        assert "Complete the assessment" not in page

    def test_an_asp_case_every_criterion_met_is_recommended_and_sent_for_decision(
        self, client, case, assessor
    ):
        score_all(case, assessor, 3, **{"1A_lead": 4})
        assert assessment_state(case).suggestion == "accredit"
        sign_in_verified(client, assessor)
        assert (
            "The scores suggest: <strong>Recommend accreditation"
            in client.get(reverse("case-recommendation", args=[case.pk])).text
        )
        response = client.post(
            reverse("case-recommendation", args=[case.pk]),
            {"recommendation": "accredit", "reasoning": "A strong proposal throughout."},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == Status.AWAITING_DECISION
        [recommended] = events(case, "recommend")
        assert recommended.actor == assessor
        assert recommended.details["recommendation"] == "accredit"
        assert recommended.details["reasoning"] == "A strong proposal throughout."
        [referred] = events(case, "refer_to_decision")
        assert referred.actor is None and referred.to_status == Status.AWAITING_DECISION
        assert events(case, "scoring_finished")
        # Scores can no longer change.
        with pytest.raises(scoring.ScoringError, match="assessment of this case is complete"):
            score(case, assessor, items_of(case)[0], 1, feedback="x")

    def test_a_score_after_the_applicant_withdrew_says_so(self, case, assessor):
        case.status = Status.WITHDRAWN
        case.save(update_fields=["status"])
        with pytest.raises(scoring.ScoringError, match="The applicant has withdrawn this proposal"):
            score(case, assessor, items_of(case)[0], 3)

    def test_a_criterion_not_met_suggests_not_to_accredit_and_carries_feedback(
        self, case, assessor
    ):
        score_all(case, assessor, 3, **{"2B_lead": 2})
        assert assessment_state(case).suggestion == "not_accredit"
        recommend(case, assessor, "not_accredit", "Pupil achievement is not shown.")
        case.refresh_from_db()
        assert case.status == Status.AWAITING_DECISION
        [feedback] = draft_feedback(case)
        assert (feedback.criterion.code, feedback.party, feedback.score, feedback.text) == (
            "2B",
            "lead",
            2,
            "Give more evidence for 2B.",
        )

    def test_departing_from_the_suggestion_needs_a_reason(self, client, case, assessor):
        score_all(case, assessor, 3)
        sign_in_verified(client, assessor)
        response = client.post(
            reverse("case-recommendation", args=[case.pk]),
            {"recommendation": "not_accredit", "reasoning": "I have doubts."},
        )
        assert response.status_code == 200
        assert "Enter why your recommendation differs from the suggested one" in response.text
        assert not Recommendation.objects.exists()
        with pytest.raises(scoring.ScoringError, match="differs from the suggested one"):
            recommend(case, assessor, "not_accredit", "I have doubts.")

    def test_a_recommendation_sent_again_after_it_completed_says_why_and_keeps_the_text(
        self, client, case, assessor
    ):
        score_all(case, assessor, 3)
        sign_in_verified(client, assessor)
        url = reverse("case-recommendation", args=[case.pk])
        sent = {"recommendation": "accredit", "reasoning": "Strong on every criterion."}
        assert client.post(url, sent).status_code == 302
        again = {"recommendation": "accredit", "reasoning": "Second thoughts, also strong."}
        response = client.post(url, again)
        assert response.status_code == 200
        assert "Error: " in response.text
        assert "There is a problem" in response.text
        assert "No recommendation can be made while the case is ‘Awaiting decision’" in (
            response.text
        )
        # Its page did not show the recommendation that completed it: sent
        # twice, or from another tab, and said so.
        assert "You completed the assessment at " in response.text
        assert "in another tab or with this form sent twice" in response.text
        assert "The reasoning you sent, not saved" in response.text
        assert "Second thoughts, also strong." in response.text
        assert Recommendation.objects.count() == 1
        # From a page that showed it (the recommendation page reloaded), or
        # for someone else, only why no recommendation can be made.
        shown = str(Recommendation.objects.get().pk)
        reloaded = client.post(url, {**again, "after": shown})
        assert "No recommendation can be made while the case is" in reloaded.text
        assert "You completed the assessment" not in reloaded.text
        # Nothing links to the form no longer shown, nor checks it.
        empty = client.post(url, {"recommendation": "", "reasoning": ""})
        assert "No recommendation can be made while the case is" in empty.text
        assert "Enter the reasons" not in empty.text
        assert 'href="#id_' not in empty.text

    def test_departing_sends_the_case_to_quality_assurance(self, client, case, assessor):
        score_all(case, assessor, 3)
        assert not needs_second_assessor(case)
        sign_in_verified(client, assessor)
        response = client.post(
            reverse("case-recommendation", args=[case.pk]),
            {
                "recommendation": "not_accredit",
                "reasoning": "I have doubts.",
                "departure_reason": "Its capacity claims do not add up.",
            },
            follow=True,
        )
        assert "needs quality assurance" in response.text
        assert "A casework officer must assign a second assessor." in response.text
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT
        assert needs_second_assessor(case)
        held = Recommendation.objects.get()
        assert held.outcome == RecommendationOutcome.QUALITY_ASSURANCE
        assert held.departure_reason == "Its capacity claims do not add up."
        [event] = events(case, "quality_assurance_needed")
        assert event.details["departure_reason"] == "Its capacity claims do not add up."

    def test_a_held_recommendation_sent_twice_is_saved_once_and_the_second_kept(
        self, client, case, assessor
    ):
        """Held for quality assurance, the case is still being assessed: the
        same form sent again (twice clicked, the back button) is refused,
        with what it holds kept, and sent from the page that says so it
        replaces the first."""
        score_all(case, assessor, 3)
        sign_in_verified(client, assessor)
        url = reverse("case-recommendation", args=[case.pk])
        page = client.get(url).text
        assert 'name="after"' in page
        sent = {
            "recommendation": "not_accredit",
            "reasoning": "I have doubts.",
            "departure_reason": "Its capacity claims do not add up.",
            "after": "",
        }
        assert client.post(url, sent).status_code == 302
        held = Recommendation.objects.get()
        again = client.post(url, {**sent, "reasoning": "I have doubts, written again."})
        assert again.status_code == 200
        assert "You saved a recommendation in another tab or window, or sent this one twice" in (
            again.text
        )
        assert "I have doubts, written again." in again.text
        assert f'name="after" value="{held.pk}"' in again.text
        assert Recommendation.objects.count() == 1
        assert len(events(case, "quality_assurance_needed")) == 1
        replaced = client.post(url, {**sent, "after": str(held.pk), "reasoning": "Replaced."})
        assert replaced.status_code == 302
        assert Recommendation.objects.count() == 2
        assert Recommendation.objects.first().reasoning == "Replaced."
        # A value that is no recommendation's is taken for none: refused.
        forged = client.post(url, {**sent, "after": "not a number"})
        assert "after this page was opened" in forged.text
        assert Recommendation.objects.count() == 2

    def test_an_assessor_replacing_another_starts_from_a_blank_recommendation(
        self, client, case, assessor
    ):
        """The page shows the assessor the recommendation standing in their
        assessment (held for quality assurance, say), never that of an
        assessor since replaced: theirs is their own judgement."""
        from assessments.services import assignment as assignment_services

        score_all(case, assessor, 3)
        recommend(case, assessor, "not_accredit", departure="Doubts about capacity.")
        url = reverse("case-recommendation", args=[case.pk])
        sign_in_verified(client, assessor)
        assert "Doubts about capacity." in client.get(url).text
        other = person_with("assessor")
        assignment_services.assign(
            case, other, "first", person_with("casework_officer"), reason="Away for a month."
        )
        score_all(case, other, 3)
        client.logout()
        sign_in_verified(client, other)
        page = client.get(url)
        assert "Doubts about capacity." not in page.text
        initial = page.context["form"].initial
        assert "recommendation" not in initial and "reasoning" not in initial
        assert initial["after"] == Recommendation.objects.get().pk

    def test_a_page_that_names_a_recommendation_none_was_made_before_is_taken(self, case, assessor):
        score_all(case, assessor, 3)
        result = recommending.recommend(
            case,
            recommendation="accredit",
            reasoning="All met.",
            departure_reason="",
            actor=assessor,
            after=7,
        )
        assert result.completed

    def test_a_recommendation_made_since_the_page_opened_is_refused(self, case, assessor):
        score_all(case, assessor, 3)
        recommend(case, assessor, "not_accredit", departure="Doubts.")
        with pytest.raises(recommending.StaleRecommendation, match="You saved a recommendation"):
            recommending.recommend(
                case,
                recommendation="accredit",
                reasoning="All met.",
                departure_reason="",
                actor=assessor,
                after=0,
            )

    def test_an_asg_case_needs_quality_assurance(self):
        case = case_in_assessment(
            accreditation_type=AccreditationType.ASG,
            organisation__schools_led_count=3,
        )
        assert needs_second_assessor(case)
        assessor = person_with("assessor", case)
        score_all(case, assessor, 3)
        result = recommend(case, assessor)
        assert not result.completed
        assert result.problems == ["A casework officer must assign a second assessor."]
        case.refresh_from_db()
        assert case.status == Status.IN_ASSESSMENT

    def test_only_the_first_assessor_recommends(self, client, case, assessor):
        second = person_with("second_assessor", case)
        sign_in_verified(client, second)
        assert client.get(reverse("case-recommendation", args=[case.pk])).status_code == 403


# --- What the applicant never sees --------------------------------------------------


def test_the_applicant_never_sees_scores_comments_or_draft_feedback(client, case, assessor):
    score_all(case, assessor, 3, **{"2B_lead": 2})
    score(
        case,
        assessor,
        items_of(case)[0],
        3,
        comment="SECRET-INTERNAL-COMMENT",
    )
    score(
        case,
        assessor,
        items_of(case)[5],
        1,
        comment="Nothing here.",
        feedback="DRAFT-FEEDBACK-TEXT",
    )
    recommend(case, assessor, "not_accredit", "SECRET-REASONING")
    member = MembershipFactory(organisation=case.organisation).user
    client.force_login(member)
    for url in (
        reverse("proposal-status", args=[case.pk]),
        reverse("proposal-dashboard"),
        reverse("applicant-home"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in ("SECRET-INTERNAL-COMMENT", "DRAFT-FEEDBACK-TEXT", "SECRET-REASONING"):
            assert secret not in response.text, url
        assert "Score saved" not in response.text
