"""Roles resolved per case (SPEC: "Who uses it"): staff roles can be combined
on one person, never on the same case, and nobody with a conflict acts on it."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction

from accreditation import case_roles, checks, clock, workflow
from accreditation.case_roles import (
    CaseRole,
    _compiled,
    keep,
    remember,
    remembered,
    remembering,
    resolve,
    resolve_many,
    with_roles,
)
from accreditation.middleware import current_organisation
from accreditation.models import AccreditationType, CaseEvent
from accreditation.roles import Role
from accreditation.rules import is_member
from accreditation.workflow import (
    GuardFailed,
    RoleNotPermitted,
    Rule,
    Status,
    WorkflowError,
    allowed_actions,
    allowed_actions_many,
    move,
    move_many,
)
from proposals.models import Proposal
from tests.casework import give_part, person_with
from tests.factories import (
    AgendaItemFactory,
    AssignmentFactory,
    ConflictFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)
from tests.test_journey_postgres import run_together

REASON = {"reason": "Recorded in the minutes of 3 March."}


def untouched(case, status):
    """Still in ``status``, its timeline ending where it did when the test
    made the case (``case``'s chain head, the end of its walk): no event added."""
    fresh = Proposal.objects.get(pk=case.pk)
    head = (case.timeline_sequence, case.timeline_hash)
    return (
        fresh.status == status
        and (fresh.timeline_sequence, fresh.timeline_hash) == head
        and CaseEvent.objects.filter(case_id=case.pk).count() == case.timeline_sequence
    )


# --- Each staff role: allowed on its own case, refused on another -----------

STAFF_MOVES = [
    # (case role, status, action, details)
    ("casework_officer", "submitted", "screen_eligible", {}),
    ("assessor", "in_assessment", "recommend", {"recommendation": "accredit"}),
    ("meeting_chair", "advisory_review", "advise", {"advice": "agree"}),
    ("decision_official", "awaiting_decision", "accredit", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case_role", "status", "action", "details"), STAFF_MOVES)
class TestEachStaffRole:
    def test_allowed_on_the_case_it_holds_a_part_in(self, case_role, status, action, details):
        case = ProposalFactory(status=status, accreditation_type=AccreditationType.ASG)
        actor = person_with(case_role, case)
        assert case_role in resolve(case, actor)
        move(case, action, actor, details=details)
        assert Proposal.objects.get(pk=case.pk).status != status

    def test_refused_on_a_case_it_has_no_part_in(self, case_role, status, action, details):
        own = ProposalFactory(status=status, accreditation_type=AccreditationType.ASG)
        other = ProposalFactory(status=status, accreditation_type=AccreditationType.ASG)
        actor = person_with(case_role, own)
        if case_role in ("casework_officer", "decision_official"):
            # Global by nature: refused only where a conflict stands.
            ConflictFactory(user=actor, organisation=other.organisation)
        with pytest.raises(RoleNotPermitted):
            move(other, action, actor, details=details)
        assert untouched(other, status)

    def test_refused_with_a_declared_conflict(self, case_role, status, action, details):
        case = ProposalFactory(status=status, accreditation_type=AccreditationType.ASG)
        actor = person_with(case_role, case)
        ConflictFactory(user=actor, organisation=case.organisation)
        with pytest.raises(RoleNotPermitted):
            move(case, action, actor, details=details)
        assert untouched(case, status)
        assert allowed_actions(case, actor) == []

    def test_refused_as_a_member_of_the_organisation(self, case_role, status, action, details):
        """Membership of the applicant organisation is a standing conflict."""
        case = ProposalFactory(status=status, accreditation_type=AccreditationType.ASG)
        actor = person_with(case_role, case)
        MembershipFactory(user=actor, organisation=case.organisation)
        with pytest.raises(RoleNotPermitted):
            move(case, action, actor, details=details)
        assert untouched(case, status)


@pytest.mark.django_db
class TestConflictsAndParts:
    def test_a_conflict_with_the_local_authority_covers_its_organisations(self):
        case = ProposalFactory(status="submitted")
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        ConflictFactory(
            user=officer, organisation=None, local_authority=case.organisation.local_authority
        )
        assert resolve(case, officer) == frozenset()
        with pytest.raises(RoleNotPermitted):
            move(case, "screen_eligible", officer)
        assert untouched(case, "submitted")

    def test_an_ended_conflict_no_longer_stands(self):
        case = ProposalFactory(status="submitted")
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        ConflictFactory(user=officer, organisation=case.organisation, ended_at=clock.now())
        move(case, "screen_eligible", officer)
        assert Proposal.objects.get(pk=case.pk).status == Status.IN_ASSESSMENT

    def test_the_cases_assessor_cannot_decide_it(self):
        case = ProposalFactory(status="awaiting_decision")
        person = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
        give_part(person, "assessor", [case])
        assert resolve(case, person) == {CaseRole.ASSESSOR}
        with pytest.raises(RoleNotPermitted):
            move(case, "accredit", person)
        assert untouched(case, "awaiting_decision")

    def test_a_former_assessor_cannot_decide_it_either(self):
        case = ProposalFactory(status="awaiting_decision")
        person = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
        AssignmentFactory(case=case, assessor=person, ended_at=clock.now())
        assert resolve(case, person) == frozenset()
        with pytest.raises(RoleNotPermitted):
            move(case, "not_accredit", person)

    def test_a_member_of_the_cases_meeting_cannot_decide_it(self):
        case = ProposalFactory(status="awaiting_decision", accreditation_type=AccreditationType.ASG)
        person = UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER, Role.DECISION_OFFICIAL])
        give_part(person, "meeting_member", [case])
        with pytest.raises(RoleNotPermitted):
            move(case, "accredit", person)

    def test_the_assessor_of_another_case_decides_this_one(self):
        case = ProposalFactory(status="awaiting_decision")
        person = UserFactory(roles=[Role.ASSESSOR, Role.DECISION_OFFICIAL])
        give_part(person, "assessor", [ProposalFactory(status="in_assessment")])
        move(case, "accredit", person)
        assert Proposal.objects.get(pk=case.pk).status == Status.ACCREDITED

    def test_a_meeting_member_who_is_not_chair_cannot_record_the_advice(self):
        case = ProposalFactory(status="advisory_review", accreditation_type=AccreditationType.ASG)
        member = person_with("meeting_member", case)
        with pytest.raises(RoleNotPermitted):
            move(case, "advise", member, details={"advice": "agree"})
        assert untouched(case, "advisory_review")

    def test_an_assessor_who_lost_the_role_keeps_no_part(self):
        case = ProposalFactory(status="in_assessment")
        assessor = person_with("assessor", case)
        assessor.groups.clear()
        assessor = type(assessor).objects.get(pk=assessor.pk)
        assert resolve(case, assessor) == frozenset()

    def test_the_second_assessor_cannot_recommend(self):
        case = ProposalFactory(status="in_assessment")
        second = person_with("second_assessor", case)
        with pytest.raises(RoleNotPermitted):
            move(case, "recommend", second, details={"recommendation": "accredit"})


# --- Guards read the move's details -----------------------------------------


def _recommended(recommendation, advice=None):
    """A case awaiting decision, recommended (and advised) through the workflow."""
    case = ProposalFactory(
        status="in_assessment",
        accreditation_type=AccreditationType.ASG if advice else AccreditationType.ASP,
    )
    move(
        case, "recommend", person_with("assessor", case), details={"recommendation": recommendation}
    )
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    if advice:
        move(case, "refer_to_advisory_group", officer)
        move(case, "advise", person_with("meeting_chair", case), details={"advice": advice})
    else:
        move(case, "refer_to_decision", officer)
    return case


@pytest.mark.django_db
class TestDetailGuards:
    def test_deciding_with_the_recommendation_needs_no_reason(self):
        case = _recommended("accredit")
        move(case, "accredit", person_with("decision_official", case))
        assert Proposal.objects.get(pk=case.pk).status == Status.ACCREDITED

    def test_deciding_against_the_recommendation_needs_a_reason(self):
        case = _recommended("accredit")
        official = person_with("decision_official", case)
        with pytest.raises(GuardFailed, match="against the recommendation"):
            move(case, "not_accredit", official)
        assert Proposal.objects.get(pk=case.pk).status == Status.AWAITING_DECISION
        move(case, "not_accredit", official, details=REASON)
        assert Proposal.objects.get(pk=case.pk).status == Status.NOT_ACCREDITED

    def test_deciding_against_the_groups_advice_needs_a_reason(self):
        """The group disagreed with a recommendation to accredit: following the
        recommendation goes against the advice."""
        case = _recommended("accredit", advice="disagree")
        official = person_with("decision_official", case)
        with pytest.raises(GuardFailed, match="against the Advisory Group's advice"):
            move(case, "accredit", official)
        move(case, "accredit", official, details=REASON)
        assert Proposal.objects.get(pk=case.pk).status == Status.ACCREDITED

    def test_deciding_with_agreed_advice_needs_no_reason(self):
        case = _recommended("not_accredit", advice="agree")
        move(case, "not_accredit", person_with("decision_official", case))
        assert Proposal.objects.get(pk=case.pk).status == Status.NOT_ACCREDITED

    @pytest.mark.parametrize("details", [{}, {"recommendation": "maybe"}])
    def test_a_recommendation_must_say_which(self, details):
        case = ProposalFactory(status="in_assessment")
        with pytest.raises(GuardFailed, match="Choose whether to recommend"):
            move(case, "recommend", person_with("assessor", case), details=details)
        assert untouched(case, "in_assessment")

    def test_advice_must_say_which(self):
        case = ProposalFactory(status="advisory_review", accreditation_type=AccreditationType.ASG)
        with pytest.raises(GuardFailed, match="Choose whether the group agrees"):
            move(case, "advise", person_with("meeting_chair", case), details={"advice": "?"})

    def test_batch_decisions_carry_a_reason_each_and_are_checked_each(self):
        cases = [_recommended("accredit") for _ in range(3)]
        official = UserFactory(roles=[Role.DECISION_OFFICIAL])
        give_part(official, "second_assessor", [cases[2]])  # a part in it: refused
        result = move_many(
            Proposal.objects.filter(pk__in=[c.pk for c in cases]),
            "not_accredit",
            official,
            details_by_case={cases[0].pk: {"reason": "Part Two evidence was thin."}},
        )
        assert result.moved == [cases[0].pk]
        assert "against the recommendation" in result.refused[cases[1].pk]
        assert "part in this case" in result.refused[cases[2].pk]
        event = CaseEvent.objects.get(case=cases[0], action="not_accredit")
        assert event.details == {"reason": "Part Two evidence was thin."}


@pytest.mark.django_db
class TestCorrectionsAndConcerns:
    def test_a_decision_is_corrected_with_a_reason_before_its_letter(self):
        case = _recommended("accredit")
        official = person_with("decision_official", case)
        move(case, "accredit", official)
        with pytest.raises(GuardFailed, match="Give a reason"):
            move(case, "correct_decision", official)
        # Against the recommendation to accredit: with the decision's reasons too.
        with pytest.raises(GuardFailed, match="Give the reasons for the corrected decision"):
            move(case, "correct_decision", official, details=REASON)
        move(
            case,
            "correct_decision",
            official,
            details={**REASON, "decision_reasons": "Part Two evidence was thin."},
        )
        assert Proposal.objects.get(pk=case.pk).status == Status.NOT_ACCREDITED

    def test_no_correction_once_the_decision_letter_is_issued(self):
        case = _recommended("not_accredit")
        official = person_with("decision_official", case)
        move(case, "not_accredit", official)
        LetterFactory(case=case, issued_at=clock.now())
        with pytest.raises(
            GuardFailed, match="decision has been issued, so the decision can no longer"
        ):
            move(case, "correct_decision", official, details=REASON)
        assert Proposal.objects.get(pk=case.pk).status == Status.NOT_ACCREDITED
        # A concern about it is decided by an official who did not decide it.
        assert allowed_actions(case, official) == []
        assert allowed_actions(case, person_with("decision_official", case)) == ["uphold_concern"]
        with pytest.raises(GuardFailed, match="someone else must decide"):
            move(case, "uphold_concern", official, details=REASON)

    def test_an_upheld_concern_about_screening_returns_the_case_to_screening(self):
        case = ProposalFactory(status="submitted")
        move(case, "screen_ineligible", person_with("casework_officer", case), details=REASON)
        move(case, "uphold_concern", person_with("decision_official", case), details=REASON)
        assert Proposal.objects.get(pk=case.pk).status == Status.SUBMITTED


# --- Many cases at once -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_allowed_actions_for_many_cases_costs_the_same_queries(size, django_assert_num_queries):
    assessor = UserFactory(roles=[Role.ASSESSOR, Role.CASEWORK_OFFICER, Role.DECISION_OFFICIAL])
    statuses = ["submitted", "in_assessment", "awaiting_decision", "accredited", "advisory_review"]
    cases = []
    for index in range(size):
        case = ProposalFactory(
            status=statuses[index % len(statuses)],
            organisation=OrganisationFactory(),
            accreditation_type=AccreditationType.ASG,
        )
        cases.append(case)
    give_part(assessor, "assessor", cases[1::5])
    give_part(assessor, "second_assessor", [cases[2]])
    AgendaItemFactory(case=cases[4])
    ConflictFactory(user=assessor, organisation=cases[0].organisation)
    loaded = list(
        Proposal.objects.filter(pk__in=[c.pk for c in cases]).select_related("round", "window")
    )
    assessor = type(assessor).objects.get(pk=assessor.pk)
    assessor.role_names  # noqa: B018 - read once per request, as the middleware does
    with django_assert_num_queries(3):
        allowed = allowed_actions_many(loaded, assessor)
    assert allowed[cases[0].pk] == []  # conflicted
    assert set(allowed[cases[1].pk]) == {"request_information", "recommend"}
    assert allowed[cases[2].pk] == []  # its second assessor may not decide it
    assert allowed[cases[3].pk] == ["correct_decision"]
    assert allowed[cases[4].pk] == []  # the chair of its meeting is someone else
    for case in cases[5:]:
        if case.status == "awaiting_decision":
            assert allowed[case.pk] == ["accredit", "not_accredit"]


@pytest.mark.django_db
def test_a_case_read_with_roles_is_judged_with_no_query_as_resolve_judges_it(
    django_assert_num_queries,
):
    case = ProposalFactory(status="in_assessment")
    assessor = person_with("assessor", case)
    officer = person_with("casework_officer")
    ConflictFactory(user=officer, organisation=case.organisation)
    for person in (assessor, officer):
        person.role_names  # noqa: B018 - read once per request, as the middleware does
    loaded = with_roles(Proposal.objects.all(), assessor).get(pk=case.pk)
    with django_assert_num_queries(0):
        roles = remember(loaded, assessor)
        assert resolve(loaded, assessor) == roles
    assert roles == resolve(Proposal.objects.get(pk=case.pk), assessor) == {CaseRole.ASSESSOR}
    # What was read and remembered for one person is never another's.
    assert resolve(loaded, officer) == frozenset()
    assert remember(loaded, officer) == frozenset()


@pytest.mark.django_db
def test_a_request_that_reads_remembers_each_persons_roles_once_and_only_for_them(
    django_assert_num_queries,
):
    case = ProposalFactory(status="submitted")
    officer = person_with("casework_officer")
    other = person_with("casework_officer")
    ConflictFactory(user=other, organisation=case.organisation)
    for person in (officer, other):
        person.role_names  # noqa: B018 - read once per request, as the middleware does
    with remembering():
        assert resolve(case, officer) == {CaseRole.CASEWORK_OFFICER}
        with django_assert_num_queries(0):
            assert resolve(Proposal(pk=case.pk), officer) == {CaseRole.CASEWORK_OFFICER}
        assert resolve(case, other) == frozenset()
    # Outside the block (a POST, the next request) nothing is remembered.
    ConflictFactory(user=officer, organisation=case.organisation)
    assert resolve(case, officer) == frozenset()


def test_what_a_request_keeps_is_remembered_inside_it_only():
    def read():
        return "read"

    keep(("kept",), "kept")
    assert remembered(("kept",), read) == "read"
    with remembering():
        keep(("kept",), "kept")
        assert remembered(("kept",), read) == "kept"
        assert remembered(("other",), read) == "read"
    assert remembered(("kept",), read) == "read"


@pytest.mark.django_db
def test_the_organisation_a_page_chose_through_the_membership_is_not_asked_again(
    rf, django_assert_num_queries
):
    membership = MembershipFactory()
    other = OrganisationFactory()
    request = rf.get("/")
    request.user, request.session = membership.user, SessionStore()
    with remembering():
        with django_assert_num_queries(1):
            assert current_organisation(request) == membership.organisation
            assert is_member(membership.user, membership.organisation)
        with django_assert_num_queries(1):
            assert not is_member(membership.user, other)


@pytest.mark.django_db
def test_a_move_judges_the_parts_held_when_it_locks_the_case_not_those_remembered():
    case = ProposalFactory(status="submitted")
    officer = person_with("casework_officer")
    with remembering():
        assert resolve(case, officer) == {CaseRole.CASEWORK_OFFICER}
        ConflictFactory(user=officer, organisation=case.organisation)
        with pytest.raises(RoleNotPermitted):
            move(case, "screen_eligible", officer)
        result = move_many(Proposal.objects.filter(pk=case.pk), "screen_eligible", officer)
        assert result.moved == []
    assert untouched(case, "submitted")


@pytest.mark.django_db
def test_what_resolving_keeps_between_moves_is_the_question_never_the_answer(monkeypatch):
    """Each process keeps a person's questions and their compiled SQL (by
    the person and their roles), so the next move asks the database again
    without building the query: parts given or taken away since are seen."""
    first, second, third = ProposalFactory.create_batch(3, status="in_assessment")
    person = person_with("assessor", first)
    compiled = []

    def compile_counted(model, actor, *args):
        compiled.extend([actor.pk] if actor.pk == person.pk else [])
        return _compiled(model, actor, *args)

    monkeypatch.setattr(case_roles, "_kept", {})
    monkeypatch.setattr(case_roles, "_compiled", compile_counted)
    assert resolve(first, person) == {CaseRole.ASSESSOR}
    assert resolve(second, person) == frozenset()
    assert len(compiled) == 1
    give_part(person, "assessor", [second])
    ConflictFactory(user=person, organisation=first.organisation)
    assert resolve(first, person) == frozenset()
    assert resolve(second, person) == {CaseRole.ASSESSOR}
    assert resolve_many([third, second], person) == {
        third.pk: frozenset(),
        second.pk: {CaseRole.ASSESSOR},
    }
    assert len(compiled) == 2  # one case, then two
    # A case named twice is asked about once, and answered.
    assert resolve_many([second, second], person) == {second.pk: {CaseRole.ASSESSOR}}
    # A role given since is another question: the same person, asked afresh.
    person.groups.add(Group.objects.get(name=Role.CASEWORK_OFFICER.value))
    person = type(person).objects.get(pk=person.pk)
    assert resolve(second, person) == {CaseRole.ASSESSOR, CaseRole.CASEWORK_OFFICER}
    assert resolve(third, person) == {CaseRole.CASEWORK_OFFICER}
    assert len(compiled) == 3


@pytest.mark.django_db
def test_resolve_many_gives_system_to_scheduled_work():
    cases = ProposalFactory.create_batch(2)
    assert resolve_many(cases, None) == {c.pk: {CaseRole.SYSTEM} for c in cases}


# --- The guard paths are checked at start-up --------------------------------


def test_the_system_check_passes_on_the_real_table():
    assert checks.workflow_guards(None) == []


@pytest.mark.parametrize("path", ["accreditation.guards.no_such_guard", "nowhere.guards.x"])
def test_the_system_check_fails_on_a_guard_path_that_does_not_import(monkeypatch, path):
    bad = Rule(("draft",), "submit", "submitted", ("applicant",), (path,))
    table = dict(workflow.TRANSITIONS)
    table[("draft", "submit")] = workflow.Transition(
        "draft", "submit", "submitted", frozenset({"applicant"}), bad.guards
    )
    monkeypatch.setattr(workflow, "TRANSITIONS", table)
    errors = checks.workflow_guards(None)
    assert [e.id for e in errors] == ["accreditation.E001"]
    assert path in errors[0].msg
    with pytest.raises(SystemCheckError, match="does not import"):
        call_command("check")


# --- The clock is read after the row lock (PostgreSQL) ----------------------


def _hold_lock(case, seconds, held):
    def hold():
        with transaction.atomic():
            Proposal.objects.select_for_update().get(pk=case.pk)
            held.set()
            time.sleep(seconds)

    return hold


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_move_waiting_for_the_lock_across_the_deadline_is_refused():
    case = ProposalFactory(round=RoundFactory(deadline=clock.now() + timedelta(seconds=1)))
    applicant = person_with("applicant", case)
    held = threading.Event()

    def submit():
        held.wait(5)
        return move(
            case,
            "submit",
            applicant,
            changes={"reference": "ASP-2026-0001", "submitted_at": clock.now()},
        )

    results = run_together(_hold_lock(case, 2, held), submit)
    assert isinstance(results[1], WorkflowError), results
    assert "deadline" in str(results[1])
    assert untouched(case, "draft")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lapsing_that_waits_for_the_lock_past_the_deadline_lapses():
    case = ProposalFactory(round=RoundFactory(deadline=clock.now() + timedelta(seconds=1)))
    held = threading.Event()

    def lapse():
        held.wait(5)
        return move_many(Proposal.objects.filter(pk=case.pk), "lapse", None)

    results = run_together(_hold_lock(case, 2, held), lapse)
    assert results[1].moved == [case.pk], results
    assert Proposal.objects.get(pk=case.pk).status == Status.LAPSED
