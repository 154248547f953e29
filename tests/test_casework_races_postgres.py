"""Two people at once in casework, on PostgreSQL's real row locks:

- an assessor declaring a conflict while a casework officer assigns them to
  a case of that organisation, while the Advisory Group refers one back, or
  while one is decided against their recommendation (its feedback theirs):
  whichever commits first, the assessor never ends up assessing a case they
  are in conflict with (the assignment is refused, or made and then stood
  down);
- a round's assignment applied while its assessor saves a score: no
  deadlock;
- two officers moving one Advisory Group item: the second waits, then moves
  it from where the first put it;
- two officers saving one Advisory Group meeting, or an assessor's two tabs
  saving the case's feedback, from the same version; two corrections of one
  decision to the same outcome: the second waits for the first's lock, then
  is refused (stale, or already made).
"""

import threading

import pytest
from django.db import connection, transaction

from accreditation.roles import Role
from assessments.models import Assignment
from assessments.services import assignment, conflicts
from tests.factories import OrganisationFactory, ProposalFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HELD = 0.5
"""How long the first transaction stays open once the second has started:
long enough for the second to reach the lock it must wait on."""


@pytest.fixture
def people():
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    assessor = UserFactory(roles=[Role.ASSESSOR])
    case = ProposalFactory(
        round=RoundFactory(), status="in_assessment", organisation=OrganisationFactory()
    )
    return officer, assessor, case


def in_thread(work, outcome):
    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def current(case, assessor):
    return Assignment.objects.filter(case=case, assessor=assessor, ended_at__isnull=True)


def declared_during(change, case, assessor):
    """``change`` made in a transaction held open while ``assessor``
    declares a conflict with the case's organisation, which must wait for
    it; the declared conflict."""
    declaring = {}
    with transaction.atomic():
        change()
        thread = in_thread(
            lambda: conflicts.declare(
                assessor, reason="My sister chairs it.", organisation=case.organisation
            ),
            declaring,
        )
        thread.join(HELD)
        assert thread.is_alive(), "the declaration waits for the change"
    thread.join(10)
    return declaring["result"]


def test_an_assignment_made_while_the_conflict_is_being_declared_is_refused(people):
    officer, assessor, case = people
    second = {}
    with transaction.atomic():
        conflicts.declare(assessor, reason="My sister chairs it.", organisation=case.organisation)
        thread = in_thread(lambda: assignment.assign(case, assessor, "first", officer), second)
        thread.join(HELD)
        assert thread.is_alive(), "the assignment waits for the declaration"
    thread.join(10)
    assert isinstance(second.get("error"), assignment.AssignmentRefused)
    assert "conflict of interest" in str(second["error"])
    assert not current(case, assessor).exists()


def test_a_conflict_declared_while_the_assignment_is_being_made_stands_it_down(people):
    officer, assessor, case = people
    declared = declared_during(
        lambda: assignment.assign(case, assessor, "first", officer), case, assessor
    )
    assert declared.stood_down == [case.reference]
    assert not current(case, assessor).exists()


def test_a_conflict_declared_while_the_case_is_being_referred_back_stands_the_assessor_down():
    """The case was with the Advisory Group when the declaration began (an
    assessment already made stays): the declaration waits for the referral
    to commit, then sees the case back in assessment."""
    from advisory_group.services import advice
    from tests.test_advisory_group import asg_case, hold, new_meeting

    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    meeting = new_meeting(UserFactory(roles=[Role.CASEWORK_OFFICER]), group)
    case = asg_case()
    item = case.agenda_items.get()
    hold(meeting, *group)
    assessor = Assignment.objects.get(case=case, kind="first", ended_at__isnull=True).assessor
    declared = declared_during(
        lambda: advice.record_advice(
            item, advice="refer_back", comment="Look at 2B.", actor=group[0]
        ),
        case,
        assessor,
    )
    assert declared.stood_down == [case.reference]
    assert not current(case, assessor).exists()


def test_a_conflict_declared_while_the_case_is_decided_against_stands_the_writer_down():
    """The case waited for a decision when the declaration began (nothing
    for its assessor to do then): the declaration waits for the decision
    against their recommendation to commit, then sees the feedback waiting
    for them, and stands them down from writing it."""
    from tests.test_feedback_after_decision import decided_not_accredited, recommended

    case, assessor = recommended("accredit")
    declared = declared_during(lambda: decided_not_accredited(case), case, assessor)
    assert declared.stood_down == [case.reference]
    assert not current(case, assessor).exists()


def test_a_round_applied_while_its_assessor_saves_a_score_does_not_deadlock(monkeypatch):
    """The apply locks its assessors' rows, then the round's cases; a score
    saved at that moment holds one of those cases, and its insert takes a
    key-share lock on the assessor's row at commit. The apply's lock must
    not exclude that one (``assignment._lock_people``)."""
    from accreditation.models import AccreditationType
    from assessments.queries.scoring import items_of
    from assessments.services import scoring
    from tests.scoring_helpers import case_in_assessment, score

    period = RoundFactory()
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    first, second = (UserFactory(roles=[Role.ASSESSOR]) for _ in range(2))
    asg = case_in_assessment(
        round=period, accreditation_type=AccreditationType.ASG, organisation__schools_led_count=3
    )
    other = case_in_assessment(round=period)
    assignment.assign(asg, first, "first", officer)
    applied = {}
    threads = []
    find_item = scoring.find_item

    def apply_while_the_score_holds_its_case(case, criterion, party):
        choices = {(other.pk, "first"): first.pk, (asg.pk, "second"): second.pk}
        threads.append(in_thread(lambda: assignment.apply(period, choices, officer), applied))
        threads[0].join(HELD)
        return find_item(case, criterion, party)

    monkeypatch.setattr(scoring, "find_item", apply_while_the_score_holds_its_case)
    score(asg, first, items_of(asg)[0], 3)
    threads[0].join(10)
    assert "error" not in applied, applied.get("error")
    assert current(other, first).exists() and current(asg, second).exists()


def test_two_officers_saving_one_meeting_at_once_save_it_once():
    """Both opened the meeting's form at one version: the second save waits
    for the first's lock, then is refused as stale, never written over it."""
    from datetime import time as time_of_day

    from accreditation import clock
    from accreditation.versions import StaleEdit
    from advisory_group.services import meetings
    from tests.test_advisory_group import new_meeting

    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    first, other = (UserFactory(roles=[Role.CASEWORK_OFFICER]) for _ in range(2))
    meeting = new_meeting(first, group)
    seen = meetings.meeting_version(meeting)
    day = clock.local_date(meeting.held_at)

    def save(officer, hour):
        data = {
            "round": None,
            "held_at": clock.at(day, time_of_day(hour)),
            "chair": group[0],
            "members": group[1:],
            "minutes": "",
        }
        return meetings.save_meeting(meeting, data=data, actor=officer, version=seen)

    second = {}
    with transaction.atomic():
        save(first, 11)
        thread = in_thread(lambda: save(other, 15), second)
        thread.join(HELD)
        assert thread.is_alive(), "the second save waits for the first"
    thread.join(10)
    assert isinstance(second.get("error"), StaleEdit)
    meeting.refresh_from_db()
    assert clock.local(meeting.held_at).hour == 11


def test_an_item_moved_twice_at_once_moves_once():
    """Two officers move one item to two meetings: the second waits for the
    first's lock on the item (its own transaction), then finds it on
    another agenda and moves it from there, never into both."""
    from advisory_group.services import meetings
    from tests.test_advisory_group import asg_case, new_meeting

    group = [UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER]) for _ in range(3)]
    first, other = (UserFactory(roles=[Role.CASEWORK_OFFICER]) for _ in range(2))
    meeting = new_meeting(first, group)
    case = asg_case()
    later, latest = new_meeting(first, group, days=30), new_meeting(first, group, days=60)
    item = case.agenda_items.get(meeting=meeting)

    second = {}
    with transaction.atomic():
        meetings.move_item(item, to=later, reason="The chair is away.", actor=first)
        thread = in_thread(
            lambda: meetings.move_item(item, to=latest, reason="Too full.", actor=other), second
        )
        thread.join(HELD)
        assert thread.is_alive(), "the second move waits for the first"
    thread.join(10)
    assert "error" not in second, second
    assert list(case.agenda_items.values_list("meeting", flat=True)) == [latest.pk]


def test_an_assessors_two_feedback_saves_at_once_keep_one():
    """Two tabs sent at once from one version of the draft: the second waits
    for the first's lock on the case, then is refused; one revision."""
    from accreditation.versions import StaleEdit
    from assessments.models import FeedbackRevision
    from assessments.queries.scoring import draft_feedback
    from assessments.services import feedback
    from tests.test_feedback_after_decision import decided_not_accredited, recommended

    case, assessor = recommended("accredit")
    decided_not_accredited(case)
    seen = feedback.draft_version(draft_feedback(case))

    def write(text):
        return feedback.write_feedback(case, texts={"1D-lead": text}, actor=assessor, version=seen)

    second = {}
    with transaction.atomic():
        write("First tab.")
        thread = in_thread(lambda: write("Second tab."), second)
        thread.join(HELD)
        assert thread.is_alive(), "the second save waits for the first"
    thread.join(10)
    assert isinstance(second.get("error"), StaleEdit)
    assert FeedbackRevision.objects.filter(case=case).count() == 1
    assert [row.text for row in draft_feedback(case)] == ["First tab."]


def test_two_corrections_of_one_decision_at_once_make_one():
    """Two officials (or one form sent twice) correcting to the same outcome:
    the second waits for the first's lock, then finds it made."""
    from accreditation.models import CaseEvent
    from accreditation.services import decisions
    from accreditation.workflow import Status
    from tests.casework import person_with
    from tests.test_feedback_after_decision import accredit, recommended

    case, _assessor = recommended("accredit")
    accredit(case)
    officials = [person_with("decision_official") for _ in range(2)]

    def correct(official):
        return decisions.correct(
            case,
            official,
            reason="The wrong case was decided.",
            to=Status.NOT_ACCREDITED,
            decision_reasons="Its track record does not show sustained improvement.",
        )

    second = {}
    with transaction.atomic():
        correct(officials[0])
        thread = in_thread(lambda: correct(officials[1]), second)
        thread.join(HELD)
        assert thread.is_alive(), "the second correction waits for the first"
    thread.join(10)
    assert isinstance(second.get("error"), decisions.DecisionRefused)
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCREDITED
    assert CaseEvent.objects.filter(case=case, action="correct_decision").count() == 1


def test_one_recommendation_sent_twice_at_once_is_saved_once():
    """Held for quality assurance, a recommendation sent twice at once from
    one page: the second waits for the first's lock on the case, then is
    refused; one recommendation, one event."""
    from accreditation.models import CaseEvent
    from assessments.models import Recommendation
    from assessments.services import recommendation
    from tests.casework import person_with
    from tests.scoring_helpers import case_in_assessment, score_all

    case = case_in_assessment()
    assessor = person_with("assessor", case)
    score_all(case, assessor, 3)

    def send():
        return recommendation.recommend(
            case,
            recommendation="not_accredit",
            reasoning="I have doubts.",
            departure_reason="Its capacity claims do not add up.",
            actor=assessor,
            after=0,
        )

    second = {}
    with transaction.atomic():
        send()
        thread = in_thread(send, second)
        thread.join(HELD)
        assert thread.is_alive(), "the second send waits for the first"
    thread.join(10)
    assert isinstance(second.get("error"), recommendation.StaleRecommendation)
    assert Recommendation.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="quality_assurance_needed").count() == 1


def test_one_profile_sent_twice_at_once_makes_one_organisation():
    """The same new profile sent twice at once (a double click on a slow
    line): the second waits for the first, then finds it made; neither is
    asked to contest the URN the other took."""
    from accreditation.models import LocalAuthority, Organisation, OrganisationKind
    from accreditation.services import organisations

    applicant = UserFactory(roles=[Role.APPLICANT])
    values = {
        "kind": OrganisationKind.MAINTAINED_PRIMARY,
        "name": "Oak Tree Primary",
        "urn": "808080",
        "local_authority": LocalAuthority.objects.order_by("name").first(),
        "phase": "primary",
        "claims_national_support_school": False,
        "address": "1 Oak Lane",
        "schools_led_count": 1,
        "primary_governance_count": 0,
    }

    second = {}
    with transaction.atomic():
        made = organisations.create_organisation(applicant, values)
        thread = in_thread(lambda: organisations.create_organisation(applicant, values), second)
        thread.join(HELD)
        assert thread.is_alive(), "the second waits for the first"
    thread.join(10)
    assert isinstance(second.get("error"), organisations.AlreadyCreated), second
    assert second["error"].organisation == made
    assert list(Organisation.objects.all()) == [made]
