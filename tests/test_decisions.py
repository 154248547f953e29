"""Decisions for the Secretary of State: the decision official's queue, one
case's decision (reasons when it goes against the recommendation or the
Advisory Group's advice), the refusals (the case's own assessor, a
conflicted official, before assessment, an ASG before advice, deciding
twice), batch decisions checked case by case, and the correction of a
decision before its letter is issued."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import clock
from accreditation.models import CaseEvent
from accreditation.queries.decisions import decision_of
from accreditation.roles import Role
from accreditation.services import decisions
from accreditation.views.decisions import QueueView
from accreditation.workflow import Action, Status, move
from assessments.queries.scoring import items_of
from proposals.models import Proposal
from tests.casework import give_part, person_with, sign_in_verified
from tests.factories import ConflictFactory, LetterFactory, ProposalFactory, UserFactory
from tests.scoring_helpers import case_in_assessment, score_all

pytestmark = pytest.mark.django_db


def recommended(recommendation="accredit", *, asg=False, advice=None, assessor=None, **fields):
    """A case its assessor recommended (with reasoning), sent on to decision:
    an ASG through the Advisory Group's ``advice`` ("agree", "disagree")."""
    case = ProposalFactory(
        status=Status.IN_ASSESSMENT, accreditation_type="asg" if asg else "asp", **fields
    )
    assessor = give_part(assessor or UserFactory(roles=[Role.ASSESSOR]), "assessor", [case])
    move(
        case,
        Action.RECOMMEND,
        assessor,
        details={"recommendation": recommendation, "reasoning": "Strong leadership evidence."},
    )
    if asg:
        move(case, Action.REFER_TO_ADVISORY_GROUP, None)
        if advice is None:
            return case
        chair = person_with("meeting_chair", case)
        move(
            case,
            Action.ADVISE,
            chair,
            details={"advice": advice, "comment": "The group discussed the evidence."},
        )
    else:
        move(case, Action.REFER_TO_DECISION, None)
    return case


def date_fields(day, prefix="decision_date"):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def decide(client, case, outcome="accredit", reasons="", day=None):
    return client.post(
        reverse("decision-case", args=[case.pk]),
        {"outcome": outcome, "reasons": reasons, **date_fields(day or clock.today())},
    )


@pytest.fixture
def official(client):
    person = person_with("decision_official", full_name="Dana Decider")
    sign_in_verified(client, person)
    return person


def decisions_on(case):
    return CaseEvent.objects.filter(
        case=case, action__in=(Action.ACCREDIT, Action.NOT_ACCREDIT, Action.CORRECT_DECISION)
    )


# --- The queue -----------------------------------------------------------------


def test_the_queue_holds_the_cases_the_official_may_decide_oldest_first(client, official):
    newer = recommended("not_accredit")
    older = recommended(asg=True, advice="disagree")
    Proposal.objects.filter(pk=older.pk).update(updated_at=clock.now() - timedelta(days=3))
    assessed_by_them = recommended()
    give_part(official, "assessor", [assessed_by_them])
    conflicted = recommended()
    ConflictFactory(user=official, organisation=conflicted.organisation)
    recommended(asg=True)  # still with the Advisory Group
    ProposalFactory(status=Status.IN_ASSESSMENT)

    response = client.get(reverse("decision-queue"))

    assert [case.pk for case in response.context["cases"]] == [older.pk, newer.pk]
    page = response.content.decode()
    assert "Disagrees with the recommendation" in page
    assert "Do not accredit" in page
    assert "Dana Decider" in page


def test_the_queue_is_for_decision_officials(client):
    sign_in_verified(client, person_with("casework_officer"))
    assert client.get(reverse("decision-queue")).status_code == 403


def test_the_staff_home_links_to_the_queue(client, official):
    response = client.get(reverse("staff-home"))
    assert reverse("decision-queue") in response.content.decode()


@pytest.mark.parametrize("size", [2, 6])
def test_the_queue_makes_the_same_queries_at_any_size(client, django_assert_num_queries, size):
    for index in range(size):
        recommended(asg=bool(index % 2), advice="agree")
    person = person_with("decision_official")
    sign_in_verified(client, person)
    # (its count, then the page of cases with what they show, in one query)
    with django_assert_num_queries(11):
        response = client.get(reverse("decision-queue"))
    assert len(response.context["cases"]) == size


def test_the_queue_pages_the_longest_waiting_first(client, monkeypatch):
    monkeypatch.setattr(QueueView, "paginate_by", 2)
    days = {recommended().pk: waited for waited in (1, 3, 2)}
    waited = {pk: clock.now() - timedelta(days=count) for pk, count in days.items()}
    for pk, at in waited.items():
        Proposal.objects.filter(pk=pk).update(updated_at=at)
    oldest_first = sorted(waited, key=waited.get)
    sign_in_verified(client, person_with("decision_official"))
    shown = [
        [case.pk for case in client.get(reverse("decision-queue"), {"page": page}).context["cases"]]
        for page in (1, 2)
    ]
    assert shown == [oldest_first[:2], oldest_first[2:]]


# --- One case --------------------------------------------------------------------


def test_the_case_page_shows_the_recommendation_the_advice_and_the_signatory(client, official):
    case = recommended(asg=True, advice="agree")
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Strong leadership evidence." in page
    assert "Agrees with the recommendation" in page
    assert "The group discussed the evidence." in page
    assert "Dana Decider" in page
    assert 'name="outcome"' in page
    # Told before deciding that an accredited decision's letter goes at once.
    assert "An accredited provider joins the register and its letter is issued straight" in page


def test_the_staff_case_page_links_to_the_decision(client, official):
    case = recommended()
    page = client.get(reverse("staff-case", args=[case.pk])).content.decode()
    assert reverse("decision-case", args=[case.pk]) in page


def test_a_decision_is_recorded_with_its_date_reasons_and_signatory(client, official):
    case = recommended()
    # Ready for decision three days ago; decided, and dated, yesterday.
    type(case).objects.filter(pk=case.pk).update(updated_at=clock.now() - timedelta(days=3))
    day = clock.today() - timedelta(days=1)
    response = decide(client, case, reasons="Meets every criterion.", day=day)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    event = decisions_on(case).get()
    assert event.actor == official
    assert event.details == {
        "decision_date": day.isoformat(),
        "reason": "Meets every criterion.",
        "signatory_name": "Dana Decider",
    }
    decision = decision_of(case)
    assert (decision.outcome, decision.date, decision.reasons) == (
        "accredit",
        day,
        "Meets every criterion.",
    )
    assert decision.signatory == official
    assert not decision.corrected


def test_a_decision_date_in_the_future_is_refused(client, official):
    case = recommended()
    response = decide(client, case, day=clock.today() + timedelta(days=1))
    assert response.context["form"].errors["decision_date"] == [
        "The date of the decision must be today or in the past"
    ]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION


def test_a_decision_date_before_the_case_was_ready_for_decision_is_refused(client, official):
    case = recommended()
    ready = clock.local_date(case.updated_at)
    response = decide(client, case, day=ready - timedelta(days=1))
    assert response.context["form"].errors["decision_date"] == [
        f"The date of the decision must be on or after {ready.day} {ready:%B %Y}, "
        "when the case was ready for decision."
    ]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION and not decisions_on(case).exists()
    decide(client, case, day=ready)
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED


def test_going_against_the_recommendation_needs_reasons(client, official):
    case = recommended("not_accredit")
    response = decide(client, case, "accredit")
    assert response.status_code == 200
    assert response.context["form"].errors["reasons"] == [
        "Give the reasons for deciding against the recommendation"
    ]
    assert not decisions_on(case).exists()
    assert (
        decide(client, case, "accredit", reasons="The evidence on 3B is strong.").status_code == 302
    )
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED


def test_going_against_the_advisory_groups_advice_needs_reasons(client, official):
    case = recommended(asg=True, advice="disagree")
    response = decide(client, case, "accredit")
    assert response.context["form"].errors["reasons"] == [
        "Give the reasons for deciding against the Advisory Group's advice"
    ]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION


# --- Refusals ------------------------------------------------------------------------


def test_the_cases_own_assessor_is_told_they_cannot_decide_it(client):
    person = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
    case = recommended(assessor=person)
    sign_in_verified(client, person)
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "you had a part in it" in page
    assert 'name="outcome"' not in page
    response = decide(client, case)
    assert response.status_code == 302
    assert not decisions_on(case).exists()
    shown = client.get(response["Location"]).content.decode()
    assert "you had a part in it" in shown


def test_the_officer_who_screened_a_case_does_not_decide_it(client):
    """Roles combine on one person, never on one case: a casework officer
    who is a decision official too does not decide a case they screened
    (not in their queue nor their home's count; the page says why; a
    decision sent anyway is refused), though another case they may."""
    case = recommended()
    screener = CaseEvent.objects.get(case=case, action=Action.SCREEN_ELIGIBLE).actor
    screener.groups.add(*UserFactory(roles=[Role.DECISION_OFFICIAL]).groups.all())
    other = recommended()
    sign_in_verified(client, screener)
    queued = [row.pk for row in client.get(reverse("decision-queue")).context["cases"]]
    assert case.pk not in queued and other.pk in queued
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "you had a part in it: you screened it, assessed it, or sat on" in page
    assert 'name="outcome"' not in page
    decide(client, case)
    assert not decisions_on(case).exists()
    decide(client, other)
    assert decisions_on(other).exists()


def test_a_conflicted_official_gets_not_found(client, official):
    case = recommended()
    ConflictFactory(user=official, organisation=case.organisation)
    assert client.get(reverse("decision-case", args=[case.pk])).status_code == 404
    assert decide(client, case).status_code == 404
    assert not decisions_on(case).exists()


def test_a_case_cannot_be_decided_before_its_assessment_is_complete(client):
    person = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.DECISION_OFFICIAL])
    sign_in_verified(client, person)
    case = ProposalFactory(status=Status.IN_ASSESSMENT)
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "The assessment of this case is not complete" in page
    assert 'name="outcome"' not in page
    decide(client, case)
    case.refresh_from_db()
    assert case.status == Status.IN_ASSESSMENT
    assert not decisions_on(case).exists()


def test_an_asg_cannot_be_decided_before_the_groups_advice(client):
    person = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.DECISION_OFFICIAL])
    sign_in_verified(client, person)
    case = recommended(asg=True)
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "The Advisory Group has not advised on this case yet" in page
    response = decide(client, case)
    assert "The Advisory Group has not advised" in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert case.status == Status.ADVISORY_REVIEW


def test_deciding_twice_is_refused_and_the_first_decision_stands(client, official):
    case = recommended()
    decide(client, case, "accredit")
    response = decide(client, case, "not_accredit", reasons="Changed my mind.")
    page = client.get(response["Location"]).content.decode()
    assert "already been decided" in page
    # Not told to correct it as though that were always open.
    assert "until the letter telling the applicant is issued" in page
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    assert decisions_on(case).count() == 1


def test_the_service_refuses_someone_who_is_not_a_decision_official():
    case = recommended()
    with pytest.raises(PermissionDenied):
        decisions.decide(
            case,
            person_with("casework_officer"),
            outcome="accredit",
            decision_date=clock.today(),
            reasons="",
        )


# --- Batch decisions ------------------------------------------------------------------


def test_a_batch_decides_each_case_on_its_own(client, official):
    plain = recommended()
    with_reasons = recommended("not_accredit")
    without_reasons = recommended("not_accredit")
    response = client.post(
        reverse("decision-queue"),
        {
            "cases": [plain.pk, with_reasons.pk, without_reasons.pk],
            "outcome": "accredit",
            f"reasons-{with_reasons.pk}": "Its partnership evidence is strong.",
            f"reasons-{without_reasons.pk}": "",
            **date_fields(clock.today()),
        },
    )
    assert response.status_code == 200
    for case in (plain, with_reasons, without_reasons):
        case.refresh_from_db()
    assert (plain.status, with_reasons.status, without_reasons.status) == (
        Status.ACCREDITED,
        Status.ACCREDITED,
        Status.AWAITING_DECISION,
    )
    assert decisions_on(with_reasons).get().details["reason"] == (
        "Its partnership evidence is strong."
    )
    assert decisions_on(plain).get().details["signatory_name"] == "Dana Decider"
    [refusal] = response.context["refusals"]
    assert (refusal.pk, refusal.message) == (
        without_reasons.pk,
        "Give the reasons for deciding against the recommendation",
    )
    page = response.content.decode()
    assert (
        f'<a href="#reasons-{without_reasons.pk}">{without_reasons.reference} was not decided'
        in page
    )
    named = ", ".join(sorted([with_reasons.reference, plain.reference]))
    assert f"2 cases decided: accredited ({named})." in page


def test_a_batchs_reasons_are_taken_as_one_cases_form_takes_them(client, official):
    """Reasons of invisible characters alone are no reasons (against the
    recommendation, the case is not decided); a null character is refused,
    which PostgreSQL's JSON could not hold."""
    invisible, nul = recommended("not_accredit"), recommended("not_accredit")
    data = {"outcome": "accredit", **date_fields(clock.today())}
    response = client.post(
        reverse("decision-queue"),
        {**data, "cases": [invisible.pk], f"reasons-{invisible.pk}": "\u200b\u200b \n"},
    )
    [refusal] = response.context["refusals"]
    assert refusal.message == "Give the reasons for deciding against the recommendation"
    response = client.post(
        reverse("decision-queue"),
        {**data, "cases": [nul.pk, invisible.pk], f"reasons-{nul.pk}": "Strong\x00 evidence."},
    )
    assert response.context["form"].errors["__all__"] == [
        "The reasons for a case hold a character that cannot be saved (a null character, "
        "pasted from another program): type them again"
    ]
    assert not decisions_on(invisible).exists() and not decisions_on(nul).exists()


def test_a_batch_without_a_case_or_a_decision_is_refused(client, official):
    case = recommended()
    response = client.post(reverse("decision-queue"), {**date_fields(clock.today())})
    errors = response.context["form"].errors
    assert errors["__all__"] == ["Select at least one case to decide"]
    assert errors["outcome"] == ["Select accredited or not accredited"]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION


def test_a_batch_reports_a_case_the_official_may_not_decide(client):
    person = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
    sign_in_verified(client, person)
    theirs = recommended(assessor=person)
    other = recommended()
    hidden = recommended()
    ConflictFactory(user=person, organisation=hidden.organisation)
    response = client.post(
        reverse("decision-queue"),
        {
            "cases": [theirs.pk, other.pk, hidden.pk],
            "outcome": "accredit",
            **date_fields(clock.today()),
        },
    )
    refusals = {refusal.pk: refusal.message for refusal in response.context["refusals"]}
    assert refusals == {
        theirs.pk: decisions.HAD_PART,
        hidden.pk: "This case is no longer waiting for your decision.",
    }
    assert not decisions_on(theirs).exists() and not decisions_on(hidden).exists()
    other.refresh_from_db()
    assert other.status == Status.ACCREDITED
    # The summary links a refusal of a case not in the queue to its page,
    # which says why; one the official may not see is named as such, and
    # linked nowhere.
    page = response.content.decode()
    url = reverse("decision-case", args=[theirs.pk])
    assert f'<a href="{url}">{theirs.reference} was not decided.' in page
    assert "<li>A case was not decided. This case is no longer waiting" in page
    assert f"#reasons-{hidden.pk}" not in page


def test_a_batch_refusal_of_a_case_decided_meanwhile_links_to_its_decision(client, official):
    """Another official decided it after the page was loaded: it has left
    the queue, so its refusal links to its decision page."""
    decided, waiting = recommended(), recommended()
    response = client.post(
        reverse("decision-queue"),
        {"cases": [decided.pk], "outcome": "accredit", **date_fields(clock.today())},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("decision-queue"),
        {"cases": [decided.pk, waiting.pk], "outcome": "accredit", **date_fields(clock.today())},
    )
    page = response.content.decode()
    url = reverse("decision-case", args=[decided.pk])
    assert f'<a href="{url}">{decided.reference} was not decided.' in page
    assert f"#reasons-{decided.pk}" not in page


# --- Correction ------------------------------------------------------------------------


CORRECTED_REASONS = "The evidence for 2B does not show sustained improvement."


def correct(client, case, reason, to=None, decision_reasons=CORRECTED_REASONS):
    """Post the correction form as the decision page offers it: to the
    outcome the case does not have now (or ``to``), with reasons for the
    corrected decision (which the form reads only where it asks for them)."""
    if to is None:
        case.refresh_from_db()
        to = Status.NOT_ACCREDITED if case.status == Status.ACCREDITED else Status.ACCREDITED
    return client.post(
        reverse("decision-correct", args=[case.pk]),
        {"reason": reason, "to": to, "decision_reasons": decision_reasons},
    )


def test_a_decision_is_corrected_before_its_letter_with_a_reason(client, official):
    case = recommended()
    decide(client, case, "accredit")
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Correct the decision to: not accredited" in page

    response = correct(client, case, "")
    assert response.context["correction_form"].errors["reason"] == [
        "Enter the reason for correcting the decision"
    ]
    response = correct(client, case, "The wrong case was selected.")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    decision = decision_of(case)
    assert (decision.outcome, decision.reasons, decision.corrected) == (
        "not_accredit",
        "The wrong case was selected.",
        True,
    )
    timeline = client.get(reverse("staff-case", args=[case.pk])).content.decode()
    assert "Decision corrected" in timeline
    assert "The wrong case was selected." in timeline


def test_a_correction_against_the_recommendation_gives_the_decisions_reasons_for_its_letter(
    client, official
):
    from feedback.queries import letters

    case = recommended()
    decide(client, case, "accredit")
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Reasons for the corrected decision" in page
    assert "The corrected decision goes against the recommendation" in page
    refused = correct(client, case, "The wrong case was selected.", decision_reasons="")
    assert refused.context["correction_form"].errors["decision_reasons"] == [
        "Enter the reasons for the corrected decision"
    ]
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    # Past the form (a page without the field), the workflow refuses it too.
    with pytest.raises(decisions.DecisionRefused) as excinfo:
        decisions.correct(case, official, reason="Wrong case.", to=Status.NOT_ACCREDITED)
    assert excinfo.value.field == "decision_reasons"
    assert str(excinfo.value) == (
        "Give the reasons for the corrected decision: it goes against the recommendation"
    )
    assert correct(client, case, "The wrong case was selected.").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    standing = decision_of(case)
    assert (standing.reasons, standing.letter_reasons) == (
        "The wrong case was selected.",
        CORRECTED_REASONS,
    )
    assert letters.decision_of(case).reasons == CORRECTED_REASONS
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert CORRECTED_REASONS in page and "Reason for the correction" in page
    # The applicant is told the decision by its letter: until it is issued
    # (and a correction possible) their page does not say it; then their
    # history has the decision the letter told, neither the one corrected
    # nor the department's reason for correcting it.
    from feedback.models import Letter, LetterPurpose
    from tests.factories import MembershipFactory

    client.force_login(MembershipFactory(organisation=case.organisation).user)
    status = client.get(reverse("proposal-status", args=[case.pk])).content.decode()
    assert '<strong class="govuk-tag govuk-tag--turquoise">Decision made</strong>' in status
    assert "A decision has been made on your proposal." in status
    for untold in ("Decision:", "Decision corrected", "accredited", "Applying again"):
        assert untold not in status
    Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
    status = client.get(reverse("proposal-status", args=[case.pk])).content.decode()
    assert status.count("Decision: not accredited") == 1
    assert "Decision: accredited" not in status and "Decision corrected" not in status
    assert "The wrong case was selected." not in status
    assert CORRECTED_REASONS in status  # the decision's own reasons, as its letter gives them
    assert '<strong class="govuk-tag govuk-tag--red">Not accredited</strong>' in status


def test_a_correction_back_to_the_recommendation_needs_no_reasons_for_the_decision(
    client, official
):
    case = recommended()
    decide(client, case, "not_accredit", reasons="The track record is too short.")
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Reasons for the corrected decision" not in page
    assert correct(client, case, "Wrong button.", decision_reasons="").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    assert decision_of(case).letter_reasons == ""


def test_a_correction_sent_from_a_page_opened_before_another_is_refused(client, official):
    """Two officials open the decided case (or one sends the form twice): the
    first correction stands, the second would have turned it back."""
    case = recommended()
    decide(client, case, "accredit")
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert 'name="to" value="not_accredited"' in page
    assert correct(client, case, "Wrong case.", to=Status.NOT_ACCREDITED).status_code == 302
    again = correct(client, case, "Wrong case.", to=Status.NOT_ACCREDITED)
    assert "already not accredited: it was corrected after you opened the page" in (
        client.get(again["Location"]).content.decode()
    )
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    assert CaseEvent.objects.filter(case_id=case.pk, action="correct_decision").count() == 1
    # Without the outcome it was offered, a correction is not made.
    bare = client.post(reverse("decision-correct", args=[case.pk]), {"reason": "Again."})
    assert "This page was out of date. Check the decision below" in bare.content.decode()
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED


def test_a_decision_cannot_be_corrected_once_its_letter_is_issued(client, official):
    case = recommended()
    decide(client, case, "accredit")
    LetterFactory(case=case, purpose="decision", issued_at=clock.now())
    # Deciding it again is refused without offering a correction.
    page = client.get(decide(client, case, "not_accredit")["Location"]).content.decode()
    assert "Its letter has been issued, so the decision stands." in page
    assert "an official with no part in the case can correct it" not in page
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "The letter telling the applicant of this decision has been issued" in page
    assert "can no longer be corrected" in page
    assert "Correct the decision to" not in page
    response = correct(client, case, "Too late.")
    assert "can no longer be corrected" in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    assert decisions_on(case).count() == 1


def test_an_undecided_case_has_no_standing_decision():
    assert decision_of(recommended()) is None


def test_another_official_corrects_a_decision_before_its_letter(client):
    """Any decision official with no conflict and no part in the case may
    correct it before the letter, not only the one who decided."""
    case = recommended()
    first = person_with("decision_official", full_name="Dana Decider")
    decisions.decide(case, first, outcome=Action.ACCREDIT, decision_date=clock.today(), reasons="")
    other = person_with("decision_official", full_name="Olu Other")
    sign_in_verified(client, other)
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Correct the decision to: not accredited" in page
    response = correct(client, case, "Dana recorded the outcome of another case.")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    assert decision_of(case).signatory == other
    # A third official opens the case's page while the decision can still be
    # corrected, and a fourth never does.
    third = person_with("decision_official")
    sign_in_verified(client, third)
    seen = client.get(reverse("decision-case", args=[case.pk])).context["seen"]
    # Once the letter is issued, the case is no longer any official's but
    # its deciders' to read.
    LetterFactory(case=case, purpose="feedback", issued_at=clock.now())
    assert client.get(reverse("decision-case", args=[case.pk])).status_code == 404
    # The form they had open is answered with what happened, what they wrote kept.
    url = reverse("decision-correct", args=[case.pk])
    response = client.post(url, {"reason": "Again.", "to": Status.ACCREDITED, "seen": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert f"{case.reference} has already been decided" in page
    assert "Olu Other corrected the decision at " in page
    assert ": not accredited. Its letter has been issued" in page
    assert "Nothing you sent was recorded" in page
    assert "Again." in page
    response = client.post(
        reverse("decision-case", args=[case.pk]),
        {"outcome": "accredit", "reasons": "Meets every criterion.", "seen": seen},
    )
    assert response.status_code == 409
    assert "Meets every criterion." in response.content.decode()
    # Without the page's note, or with another's, it stays a page not found:
    # nobody learns of a decided case they were not shown.
    assert correct(client, case, "Again.").status_code == 404
    fourth = person_with("decision_official")
    sign_in_verified(client, fourth)
    assert client.post(url, {"reason": "x", "to": "accredited", "seen": seen}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    sign_in_verified(client, other)
    assert client.get(reverse("decision-case", args=[case.pk])).status_code == 200


def test_a_batch_names_a_case_decided_meanwhile_by_another_once_its_letter_is_out(client):
    """Shown in the queue, then decided by another official and its letter
    issued: the batch names it and says the decision stands; a batch whose
    page did not show it says only "A case"."""
    case = recommended()
    official = person_with("decision_official", full_name="Tess Third")
    sign_in_verified(client, official)
    seen = client.get(reverse("decision-queue")).context["seen"]
    decisions.decide(
        case,
        person_with("decision_official", full_name="Olu Other"),
        outcome=Action.NOT_ACCREDIT,
        decision_date=clock.today(),
        reasons="Weak on 2B.",
    )
    LetterFactory(case=case, purpose="feedback", issued_at=clock.now())
    batch = {"cases": [case.pk], "outcome": "accredit", **date_fields(clock.today())}
    page = client.post(reverse("decision-queue"), {**batch, "seen": seen}).content.decode()
    assert (
        f"{case.reference} was not decided. Olu Other decided it: not accredited. Its letter "
        "has been issued, so the decision stands."
    ) in page
    assert reverse("decision-case", args=[case.pk]) not in page
    page = client.post(reverse("decision-queue"), batch).content.decode()
    assert case.reference not in page
    assert "A case was not decided" in page


def test_an_official_with_a_part_or_a_conflict_cannot_correct_another_officials_decision(
    client,
):
    assessor = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
    case = recommended(assessor=assessor)
    decisions.decide(
        case,
        person_with("decision_official"),
        outcome=Action.ACCREDIT,
        decision_date=clock.today(),
        reasons="",
    )
    sign_in_verified(client, assessor)
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "Correct the decision to" not in page
    assert "you had a part in it" in page
    correct(client, case, "I would rather it were not.")
    conflicted = person_with("decision_official")
    ConflictFactory(user=conflicted, organisation=case.organisation)
    sign_in_verified(client, conflicted)
    assert client.get(reverse("decision-case", args=[case.pk])).status_code == 404
    assert correct(client, case, "Conflicted.").status_code == 404
    case.refresh_from_db()
    assert case.status == Status.ACCREDITED
    assert decisions_on(case).count() == 1


def test_the_case_page_shows_both_assessors_scores_per_criterion(client, official):
    case = case_in_assessment(accreditation_type="asp")
    first = person_with("assessor", case, full_name="Fay First")
    second = person_with("second_assessor", case, full_name="Sid Second")
    score_all(case, first, 3)
    score_all(case, second, 4)
    move(
        case,
        Action.RECOMMEND,
        first,
        details={"recommendation": "accredit", "reasoning": "Strong leadership evidence."},
    )
    move(case, Action.REFER_TO_DECISION, None)
    response = client.get(reverse("decision-case", args=[case.pk]))
    summary = response.context["scores"]
    assert [a.assessor for a in summary.assessors] == [first, second]
    codes = [row.code for row in summary.rows]
    assert codes == [item.criterion.code for item in items_of(case)]
    assert all(row.scores == [3, 4] for row in summary.rows)
    page = response.content.decode()
    assert "Scores by criterion" in page
    assert "Fay First (first assessor)" in page and "Sid Second (second assessor)" in page


def test_the_decision_page_says_when_the_recommendation_departs_from_the_scores(client, official):
    from assessments.models import Recommendation

    case = recommended()
    assignment = case.assignments.get()
    Recommendation.objects.create(
        case=case,
        assignment=assignment,
        recommendation="accredit",
        suggested="not_accredit",
        reasoning="Strong leadership evidence.",
        departure_reason="The 2B score understates the trust's recent results.",
        outcome="completed",
        made_by=assignment.assessor,
    )
    page = client.get(reverse("decision-case", args=[case.pk])).content.decode()
    assert "The scores suggest</dt>" in page
    assert "Not to accredit<br>" in page and "The recommendation departs from them." in page
    assert "The 2B score understates the trust&#x27;s recent results." in page
