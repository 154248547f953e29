"""The life of a case (SPEC: "The life of a case"): every status change goes
through one state machine that checks the transition, the actor's role and the
guards, and writes the status and a timeline event together, or nothing."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation import clock
from accreditation.models import AccreditationType, CaseEvent
from accreditation.roles import Role
from accreditation.timeline import new_event, verify
from accreditation.workflow import (
    ACTOR_ROLES,
    RULES,
    TRANSITIONS,
    Action,
    GuardFailed,
    RoleNotPermitted,
    Status,
    TransitionNotAllowed,
    WorkflowError,
    allowed_actions,
    check,
    move,
    move_many,
)
from proposals.models import Proposal
from tests.casework import give_part, person_with
from tests.factories import (
    CaseEventFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)

# --- The spec's diagram, written out by hand --------------------------------
#
# Deliberately literal strings, not the code's enums or table, so that a drift
# in accreditation/workflow.py makes these tests fail.

LITERAL_STATUSES = (
    "draft",
    "submitted",
    "closed_ineligible",
    "in_assessment",
    "information_requested",
    "assessed",
    "advisory_review",
    "awaiting_decision",
    "accredited",
    "not_accredited",
    "lapsed",
    "withdrawn",
)
LITERAL_ACTIONS = (
    "submit",
    "lapse",
    "withdraw",
    "screen_eligible",
    "screen_ineligible",
    "request_information",
    "respond_to_request",
    "recommend",
    "refer_to_advisory_group",
    "refer_to_decision",
    "advise",
    "refer_back",
    "accredit",
    "not_accredit",
    "correct_decision",
    "uphold_concern",
)
LITERAL_ROLES = (  # parts in a case, not global roles
    "applicant",
    "casework_officer",
    "assessor",
    "second_assessor",
    "meeting_chair",
    "meeting_member",
    "decision_official",
    "system",
)


@dataclass(frozen=True)
class Expected:
    target: str
    roles: frozenset
    needs_reason: bool = False


def _e(target, *roles, needs_reason=False):
    return Expected(target, frozenset(roles), needs_reason)


WITHDRAWABLE = (  # "withdraw (any time before decision)"
    "draft",
    "submitted",
    "in_assessment",
    "information_requested",
    "assessed",
    "advisory_review",
    "awaiting_decision",
)

DIAGRAM = {
    ("draft", "submit"): _e("submitted", "applicant"),
    ("draft", "lapse"): _e("lapsed", "system"),
    **{(s, "withdraw"): _e("withdrawn", "applicant", needs_reason=True) for s in WITHDRAWABLE},
    ("submitted", "screen_eligible"): _e("in_assessment", "casework_officer"),
    ("submitted", "screen_ineligible"): _e(
        "closed_ineligible", "casework_officer", needs_reason=True
    ),
    # Assessors ask for information; the casework officer does too when a
    # National Support School claim is not confirmed at screening.
    ("in_assessment", "request_information"): _e(
        "information_requested", "assessor", "casework_officer"
    ),
    ("information_requested", "respond_to_request"): _e("in_assessment", "applicant"),
    ("in_assessment", "recommend"): _e("assessed", "assessor"),
    # The service sends a completed assessment on at once.
    ("assessed", "refer_to_advisory_group"): _e("advisory_review", "casework_officer", "system"),
    ("assessed", "refer_to_decision"): _e("awaiting_decision", "casework_officer", "system"),
    # Only the chair of the meeting the case is on records the group's advice.
    ("advisory_review", "advise"): _e("awaiting_decision", "meeting_chair"),
    ("advisory_review", "refer_back"): _e("in_assessment", "meeting_chair", needs_reason=True),
    ("awaiting_decision", "accredit"): _e("accredited", "decision_official"),
    ("awaiting_decision", "not_accredit"): _e("not_accredited", "decision_official"),
    # A wrong decision is corrected, with a reason, before its letter is issued.
    ("accredited", "correct_decision"): _e(
        "not_accredited", "decision_official", needs_reason=True
    ),
    ("not_accredited", "correct_decision"): _e(
        "accredited", "decision_official", needs_reason=True
    ),
    # An upheld concern about the assessment is reassessed; about screening,
    # screened again.
    ("not_accredited", "uphold_concern"): _e(
        "in_assessment", "decision_official", needs_reason=True
    ),
    ("closed_ineligible", "uphold_concern"): _e(
        "submitted", "decision_official", needs_reason=True
    ),
}

COMBINATIONS = tuple(itertools.product(LITERAL_STATUSES, LITERAL_ACTIONS, LITERAL_ROLES))
"""Every (status, action, case role) the exhaustive test checks: 12 x 16 x 8 = 1,536."""


REASON = {
    "reason": "The organisation asked us to, in writing.",
    "recommendation": "accredit",
    "advice": "agree",
    "decision_reasons": "Its track record in 2B does not show sustained improvement.",
}


def submission_changes():
    return {"reference": "ASP-2026-9042", "submitted_at": clock.now()}


def status_of(case):
    return Proposal.objects.values_list("status", flat=True).get(pk=case.pk)


def events_of(case):
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("sequence"))


# What the apps' receivers record on a case's timeline after a move.
FOLLOW_UPS = {"withdraw": {"agenda_item_removed"}}


def assert_head_is_last_event(case):
    """The case row's chain head is its last event, and so is the caller's copy."""
    last = events_of(case)[-1]
    row = Proposal.objects.values_list("timeline_sequence", "timeline_hash").get(pk=case.pk)
    assert row == (last.sequence, last.hash) == (case.timeline_sequence, case.timeline_hash)


def applicant_of(case, **kwargs):
    return MembershipFactory(organisation=case.organisation, **kwargs).user


def walked(status, **fields):
    """A case walked to ``status`` by the factory: an ASG where only an ASG
    can be (in Advisory Group review), otherwise an ASP."""
    if status == "advisory_review":
        fields.setdefault("accreditation_type", AccreditationType.ASG)
    return ProposalFactory(status=status, **fields)


# --- The table is the diagram -----------------------------------------------


def test_code_has_the_statuses_actions_and_roles_of_the_spec():
    assert {s.value for s in Status} == set(LITERAL_STATUSES)
    assert {a.value for a in Action} == set(LITERAL_ACTIONS)
    assert set(ACTOR_ROLES) == set(LITERAL_ROLES)


def test_transition_table_is_exactly_the_diagram():
    table = {
        key: Expected(t.target, frozenset(t.roles), t.needs_reason)
        for key, t in TRANSITIONS.items()
    }
    assert set(table) - set(DIAGRAM) == set(), "the table has transitions the spec does not"
    assert set(DIAGRAM) - set(table) == set(), "the spec has transitions the table lacks"
    assert table == DIAGRAM
    # Every declared rule made it into the table (no source shadowed another).
    assert sum(len(rule.sources) for rule in RULES) == len(TRANSITIONS)


def test_no_transition_leaves_a_final_status_except_an_upheld_concern():
    finals = {"accredited", "lapsed", "withdrawn", "not_accredited", "closed_ineligible"}
    leaving = {(s, a) for (s, a) in TRANSITIONS if s in finals}
    assert leaving == {
        ("not_accredited", "uphold_concern"),
        ("closed_ineligible", "uphold_concern"),
        ("accredited", "correct_decision"),
        ("not_accredited", "correct_decision"),
    }


# --- Every (status, action, role) -------------------------------------------
#
# One set of cases and people is built per class (inside a transaction rolled
# back at the end), and each combination runs in the usual per-test savepoint,
# so 1,260 combinations cost seconds, not minutes.


@dataclass
class World:
    cases: dict
    actors: dict

    def case_for(self, status, action):
        """A case in ``status`` set up so that the guards of ``action`` pass."""
        if (status, action) == ("draft", "lapse"):
            key = "draft-past-deadline"
        elif (status, action) == ("assessed", "refer_to_advisory_group"):
            key = "assessed-asg"
        else:
            key = status
        return Proposal.objects.get(pk=self.cases[key])


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    from accreditation.defaults import ensure_defaults

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_defaults()
        now = timezone.now()
        closed_round = RoundFactory(
            opens_at=now - timedelta(days=60), deadline=now - timedelta(days=1)
        )
        cases = {s: walked(s) for s in LITERAL_STATUSES}
        cases["draft-past-deadline"] = ProposalFactory(round=closed_round)
        cases["assessed-asg"] = ProposalFactory(
            status="assessed", accreditation_type=AccreditationType.ASG
        )
        every_case = list(cases.values())
        actors = {role: person_with(role, *every_case) for role in LITERAL_ROLES}
        yield World(cases={k: c.pk for k, c in cases.items()}, actors=actors)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestEveryCombination:
    @pytest.fixture(autouse=True)
    def _defaults(self, world):
        """Replaces the suite's per-test reference data: the world loaded it once."""

    @pytest.mark.parametrize(
        ("status", "action", "role"), COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS]
    )
    def test_move(self, world, status, action, role):
        case = world.case_for(status, action)
        actor = world.actors[role]
        walk = events_of(case)  # the timeline that led the case to its status
        assert case.status == status and case.timeline_sequence == len(walk)
        expected = DIAGRAM.get((status, action))
        changes = submission_changes() if action == "submit" else None

        if expected is not None and role in expected.roles:
            event = move(case, action, actor, details=REASON, changes=changes)
            assert status_of(case) == expected.target == case.status
            # The move's event follows the walk; after it come only what the
            # apps' receivers record of it (a withdrawn case taken off the
            # Advisory Group's agendas).
            events = events_of(case)
            earlier, stored, following = (
                events[: len(walk)],
                events[len(walk)],
                events[len(walk) + 1 :],
            )
            assert earlier == walk
            assert stored.pk == event.pk
            assert {e.action for e in following} <= FOLLOW_UPS.get(action, set())
            assert (stored.sequence, stored.action, stored.actor_id) == (
                len(walk) + 1,
                action,
                actor.pk if actor else None,
            )
            assert (stored.from_status, stored.to_status) == (status, expected.target)
            assert stored.details == REASON
            assert list(verify([*walk, stored])) == []
            if action == "submit":
                case.refresh_from_db()
                assert case.reference == "ASP-2026-9042" and case.submitted_at
            return

        before = Proposal.objects.values().get(pk=case.pk)
        with pytest.raises(WorkflowError) as refusal:
            move(case, action, actor, details=REASON, changes=changes)
        message = str(refusal.value)
        if expected is None:
            assert isinstance(refusal.value, TransitionNotAllowed)
            assert Status(status).label.lower() in message
            assert Action(action).label.lower() in message
        else:
            assert isinstance(refusal.value, RoleNotPermitted)
            assert message == (
                f"You do not have a part in this case that can {Action(action).label.lower()}."
            )
        assert Proposal.objects.values().get(pk=case.pk) == before
        assert case.status == status
        assert events_of(case) == walk

    @pytest.mark.parametrize("role", LITERAL_ROLES)
    @pytest.mark.parametrize("status", LITERAL_STATUSES)
    def test_allowed_actions_match_the_diagram(self, world, status, role):
        case = world.case_for(status, None)
        # The plain case for each status is an ASP in an open round (an ASG in
        # Advisory Group review): lapsing (deadline not passed) and the
        # Advisory Group (ASG only) are guarded off.
        guarded_off = {("draft", "lapse"), ("assessed", "refer_to_advisory_group")}
        expected = {
            a
            for (s, a), e in DIAGRAM.items()
            if s == status and role in e.roles and (s, a) not in guarded_off
        }
        assert set(allowed_actions(case, world.actors[role])) == expected


# --- Guards -----------------------------------------------------------------


def assert_untouched(case, status="draft"):
    """Refused: the case is still in ``status`` and its timeline ends where it
    did when the test made it (``case``'s chain head): no event was added."""
    fresh = Proposal.objects.get(pk=case.pk)
    assert fresh.status == status
    if status == "draft":
        assert fresh.reference is None and fresh.submitted_at is None
    head = (case.timeline_sequence, case.timeline_hash)
    assert (fresh.timeline_sequence, fresh.timeline_hash) == head
    assert CaseEvent.objects.filter(case_id=case.pk).count() == case.timeline_sequence


@pytest.mark.django_db
class TestGuards:
    def test_submit_one_second_after_the_deadline_is_refused_and_the_draft_kept(self):
        case = ProposalFactory()
        applicant = applicant_of(case)
        with time_machine.travel(case.round.deadline + timedelta(seconds=1), tick=False):
            with pytest.raises(GuardFailed) as refusal:
                move(case, "submit", applicant, changes=submission_changes())
        message = str(refusal.value)
        assert "deadline" in message and "draft has been kept" in message
        local = clock.local(case.round.deadline)
        assert f"{local:%B} {local.year}" in message
        assert_untouched(case)

    def test_submit_exactly_at_the_deadline_is_refused(self):
        case = ProposalFactory()
        with time_machine.travel(case.round.deadline, tick=False):
            with pytest.raises(GuardFailed):
                move(case, "submit", applicant_of(case), changes=submission_changes())
        assert_untouched(case)

    def test_submit_one_second_before_the_deadline_goes_through(self):
        case = ProposalFactory()
        with time_machine.travel(case.round.deadline - timedelta(seconds=1), tick=False):
            move(case, "submit", applicant_of(case), changes=submission_changes())
        assert status_of(case) == "submitted"

    def test_the_deadline_is_checked_at_the_time_of_the_move_not_of_loading(self):
        case = ProposalFactory()
        applicant = applicant_of(case)
        loaded = Proposal.objects.get(pk=case.pk)
        with time_machine.travel(case.round.deadline + timedelta(seconds=1), tick=False):
            with pytest.raises(GuardFailed):
                move(loaded, "submit", applicant, changes=submission_changes())
        assert_untouched(case)

    def test_submit_before_the_round_opens_is_refused(self):
        now = timezone.now()
        future = RoundFactory(opens_at=now + timedelta(days=3), deadline=now + timedelta(days=20))
        case = ProposalFactory(round=future)
        with pytest.raises(GuardFailed) as refusal:
            move(case, "submit", applicant_of(case), changes=submission_changes())
        assert "opens at" in str(refusal.value) and "draft has been kept" in str(refusal.value)
        assert_untouched(case)

    def test_submit_to_a_round_that_does_not_take_the_type_is_refused(self):
        case = ProposalFactory(
            round=RoundFactory(accepts_asg=False), accreditation_type=AccreditationType.ASG
        )
        with pytest.raises(GuardFailed, match="does not take this type"):
            move(case, "submit", applicant_of(case), changes=submission_changes())
        assert_untouched(case)

    def test_submit_in_an_out_of_round_window_follows_the_windows_deadline(self):
        organisation = OrganisationFactory()
        window = WindowFactory(organisation=organisation)
        case = ProposalFactory(organisation=organisation, round=None, window=window)
        applicant = applicant_of(case)
        with time_machine.travel(window.deadline + timedelta(seconds=1), tick=False):
            with pytest.raises(GuardFailed, match="deadline"):
                move(case, "submit", applicant, changes=submission_changes())
        assert_untouched(case)
        move(case, "submit", applicant, changes=submission_changes())
        assert status_of(case) == "submitted"

    def test_lapse_before_the_deadline_is_refused(self):
        case = ProposalFactory()
        with time_machine.travel(case.round.deadline - timedelta(seconds=1), tick=False):
            with pytest.raises(GuardFailed, match="deadline has not passed"):
                move(case, "lapse", None)
        assert_untouched(case)
        with time_machine.travel(case.round.deadline + timedelta(seconds=1), tick=False):
            move(case, "lapse", None)
        assert status_of(case) == "lapsed"

    def test_refer_to_advisory_group_is_refused_for_an_asp(self):
        case = ProposalFactory(status="assessed", accreditation_type=AccreditationType.ASP)
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        with pytest.raises(GuardFailed, match="Only ASG proposals go to the Advisory Group"):
            move(case, "refer_to_advisory_group", officer)
        assert_untouched(case, "assessed")

    def test_refer_to_decision_is_refused_for_an_asg(self):
        case = ProposalFactory(status="assessed", accreditation_type=AccreditationType.ASG)
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        with pytest.raises(GuardFailed, match="must be reviewed by the Advisory Group"):
            move(case, "refer_to_decision", officer)
        assert_untouched(case, "assessed")
        assert allowed_actions(case, officer) == ["refer_to_advisory_group"]


NEEDS_REASON = [
    (status, action, role)
    for (status, action), e in DIAGRAM.items()
    if e.needs_reason
    for role in sorted(e.roles)[:1]
]


@pytest.mark.django_db
@pytest.mark.parametrize("details", [None, {}, {"reason": ""}, {"reason": "   \n"}, {"note": "x"}])
@pytest.mark.parametrize(("status", "action", "role"), NEEDS_REASON)
def test_a_move_that_needs_a_reason_is_refused_without_one(status, action, role, details):
    case = walked(status)
    actor = person_with(role, case)
    with pytest.raises(GuardFailed, match="^Give a reason.$"):
        move(case, action, actor, details=details)
    assert_untouched(case, status)


# --- Who counts as whom -----------------------------------------------------


@pytest.mark.django_db
class TestActors:
    def test_an_applicant_of_another_organisation_is_refused(self):
        case = ProposalFactory()
        outsider = MembershipFactory().user  # applicant group, other organisation
        assert outsider.has_role(Role.APPLICANT)
        with pytest.raises(RoleNotPermitted):
            move(case, "submit", outsider, changes=submission_changes())
        with pytest.raises(RoleNotPermitted):
            move(case, "withdraw", outsider, details=REASON)
        assert allowed_actions(case, outsider) == []
        assert_untouched(case)

    def test_a_member_without_the_applicant_role_is_refused(self):
        case = ProposalFactory()
        assessor = UserFactory(roles=[Role.ASSESSOR])
        MembershipFactory(user=assessor, organisation=case.organisation)
        with pytest.raises(RoleNotPermitted):
            move(case, "submit", assessor, changes=submission_changes())
        assert_untouched(case)

    def test_an_inactive_user_is_refused(self):
        case = ProposalFactory()
        applicant = applicant_of(case)
        applicant.is_active = False
        applicant.save()
        with pytest.raises(RoleNotPermitted):
            move(case, "submit", applicant, changes=submission_changes())
        assert_untouched(case)

        official = UserFactory(roles=[Role.DECISION_OFFICIAL], is_active=False)
        decided = ProposalFactory(status="awaiting_decision")
        with pytest.raises(RoleNotPermitted):
            move(decided, "accredit", official)
        assert_untouched(decided, "awaiting_decision")

    def test_combined_staff_roles_each_count(self):
        case = ProposalFactory(status="submitted")
        person = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.ASSESSOR])
        assert set(allowed_actions(case, person)) == {"screen_eligible", "screen_ineligible"}
        move(case, "screen_eligible", person)
        assert set(allowed_actions(case, person)) == {"request_information"}
        give_part(person, "assessor", [case])
        assert set(allowed_actions(case, person)) == {"request_information", "recommend"}

    def test_check_refuses_an_unknown_action_clearly(self):
        case = ProposalFactory()
        with pytest.raises(TransitionNotAllowed, match="cannot be moved by ‘teleport’"):
            check(case, "teleport", applicant_of(case))


# --- One transaction --------------------------------------------------------


@pytest.mark.django_db
class TestAtomicity:
    def test_status_and_event_are_written_together(self):
        case = ProposalFactory(status="submitted")
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        walk = events_of(case)
        event = move(case, "screen_eligible", officer)
        assert status_of(case) == "in_assessment"
        assert [e.pk for e in events_of(case)] == [*(e.pk for e in walk), event.pk]

    def test_status_is_not_changed_if_the_event_cannot_be_built(self):
        """The status update runs first; the event for it then fails (details
        that cannot be stored). The whole move is undone."""
        case = ProposalFactory()
        applicant = applicant_of(case)
        with pytest.raises(TypeError):
            move(case, "withdraw", applicant, details={"reason": "x", "attachment": object()})
        assert case.status == "draft"
        assert_untouched(case)

    def test_status_is_not_changed_if_the_database_refuses_the_event(self):
        """The event insert itself fails (its hash collides with a stored
        row's): the database refuses it and the status update is rolled back."""
        case = ProposalFactory(status="submitted")
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        when = timezone.now()
        doomed = new_event(
            case,
            sequence=case.timeline_sequence + 1,
            prev_hash=case.timeline_hash,
            action="screen_eligible",
            actor=officer,
            from_status="submitted",
            to_status="in_assessment",
            when=when,
        )
        blocker = new_event(
            ProposalFactory(), sequence=1, prev_hash=None, action="note", actor=None
        )
        blocker.hash = doomed.hash
        blocker.save(force_insert=True)

        with pytest.raises(IntegrityError):
            move(case, "screen_eligible", officer, when=when)
        assert_untouched(case, "submitted")
        # The connection is still usable and a later move goes through.
        move(case, "screen_eligible", officer)
        assert status_of(case) == "in_assessment"

    def test_moving_twice_gives_one_move(self):
        case = ProposalFactory()
        applicant = applicant_of(case)
        stale = Proposal.objects.get(pk=case.pk)
        move(case, "submit", applicant, changes=submission_changes())
        with pytest.raises(TransitionNotAllowed):
            move(stale, "submit", applicant, changes={"reference": "ASP-2026-9043"})
        case.refresh_from_db()
        assert case.reference == "ASP-2026-9042"
        assert len(events_of(case)) == 1

    def test_changes_cannot_set_the_status(self):
        case = ProposalFactory()
        with pytest.raises(ValueError, match="status"):
            move(
                case,
                "withdraw",
                applicant_of(case),
                details=REASON,
                changes={"status": "accredited"},
            )
        assert_untouched(case)

    def test_each_move_chains_onto_the_last_event(self):
        case = ProposalFactory()
        applicant = applicant_of(case)
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        CaseEventFactory(case=case, action="note")
        move(case, "submit", applicant, changes=submission_changes())
        move(case, "screen_eligible", officer)
        events = events_of(case)
        assert [e.sequence for e in events] == [1, 2, 3]
        assert [(e.from_status, e.to_status) for e in events[1:]] == [
            ("draft", "submitted"),
            ("submitted", "in_assessment"),
        ]
        assert list(verify(events)) == []
        assert_head_is_last_event(case)


# --- Many at once -----------------------------------------------------------


@pytest.mark.django_db
class TestMoveMany:
    def test_lapsing_a_mix_moves_the_due_and_reports_the_rest(self):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        due = [ProposalFactory(round=closed) for _ in range(4)]
        CaseEventFactory(case=due[0], action="note")  # one already has a timeline
        CaseEventFactory(case=due[0], action="note")
        still_open = [ProposalFactory() for _ in range(2)]
        submitted = ProposalFactory(round=closed, status="submitted")
        everything = due + still_open + [submitted]

        result = move_many(
            Proposal.objects.filter(pk__in=[c.pk for c in everything]), "lapse", None
        )

        assert sorted(result.moved) == sorted(c.pk for c in due)
        assert result.refused == {
            **{c.pk: "The deadline has not passed yet." for c in still_open},
            submitted.pk: "A case that is ‘submitted’ cannot be moved by ‘lapse at the deadline’.",
        }
        for case in due:
            assert status_of(case) == "lapsed"
            lapses = [e for e in events_of(case) if e.action == "lapse"]
            assert len(lapses) == 1
            assert (lapses[0].from_status, lapses[0].to_status, lapses[0].actor_id) == (
                "draft",
                "lapsed",
                None,
            )
        assert [e.sequence for e in events_of(due[0])] == [1, 2, 3]
        for case in still_open:
            assert_untouched(case)
        assert_untouched(submitted, "submitted")
        assert list(verify(CaseEvent.objects.order_by("case_id", "sequence"))) == []

    def test_an_actor_without_the_role_moves_nothing(self):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        cases = [ProposalFactory(round=closed) for _ in range(3)]
        officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
        result = move_many(Proposal.objects.filter(round=closed), "lapse", officer)
        assert result.moved == []
        assert set(result.refused) == {c.pk for c in cases}
        for case in cases:
            assert_untouched(case)

    def test_moving_again_moves_nothing_more(self):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        cases = [ProposalFactory(round=closed) for _ in range(3)]
        move_many(Proposal.objects.filter(round=closed), "lapse", None)
        again = move_many(Proposal.objects.filter(round=closed), "lapse", None)
        assert again.moved == [] and len(again.refused) == 3
        assert CaseEvent.objects.filter(case__in=cases).count() == 3

    @pytest.mark.parametrize("size", [5, 50])
    def test_queries_do_not_grow_with_the_number_of_cases(self, size, django_assert_num_queries):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        organisations = OrganisationFactory.create_batch(size)
        cases = [ProposalFactory(round=closed, organisation=o) for o in organisations]
        for case in cases[::2]:
            CaseEventFactory(case=case, action="note")
        with django_assert_num_queries(5):
            result = move_many(Proposal.objects.filter(round=closed), "lapse", None)
        assert len(result.moved) == size
        assert CaseEvent.objects.filter(action="lapse").count() == size
        assert list(verify(CaseEvent.objects.order_by("case_id", "sequence"))) == []

    def test_each_moved_case_keeps_its_chain_head(self):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        cases = [ProposalFactory(round=closed) for _ in range(3)]
        CaseEventFactory(case=cases[1], action="note")
        CaseEventFactory(case=cases[1], action="note")
        refused = ProposalFactory(round=closed, status="submitted")
        CaseEventFactory(case=refused, action="note")
        move_many(Proposal.objects.filter(round=closed), "lapse", None)
        for case in cases:
            case.refresh_from_db()
            assert_head_is_last_event(case)
        assert cases[1].timeline_sequence == 3
        refused.refresh_from_db()
        assert (refused.status, refused.timeline_sequence) == ("submitted", 2)  # submitted, noted
        assert_head_is_last_event(refused)
        again = move_many(Proposal.objects.filter(pk=cases[0].pk), "withdraw", None)
        assert again.moved == [] and Proposal.objects.get(pk=cases[0].pk).timeline_sequence == 1

    def test_changes_per_case_are_written_with_the_move_and_only_for_moved_cases(self):
        now = timezone.now()
        closed = RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(hours=1))
        organisation = OrganisationFactory()
        open_drafts = ProposalFactory.create_batch(2, organisation=organisation)
        late = ProposalFactory(organisation=organisation, round=closed)
        applicant = person_with("applicant", late)
        everything = [*open_drafts, late]
        changes = {
            case.pk: {"reference": f"ASP-2026-{n:04d}", "submitted_at": now}
            for n, case in enumerate(everything, start=1)
        }
        result = move_many(
            Proposal.objects.filter(pk__in=[c.pk for c in everything]),
            "submit",
            applicant,
            changes_by_case=changes,
            when=now,
        )
        assert sorted(result.moved) == sorted(c.pk for c in open_drafts)
        assert list(result.refused) == [late.pk]
        for case in open_drafts:
            row = Proposal.objects.get(pk=case.pk)
            assert (row.status, row.reference, row.submitted_at) == (
                "submitted",
                changes[case.pk]["reference"],
                now,
            )
        assert_untouched(late)

    def test_changes_per_case_may_not_set_the_status(self):
        case = ProposalFactory()
        with pytest.raises(ValueError):
            move_many(
                Proposal.objects.filter(pk=case.pk),
                "withdraw",
                person_with("applicant", case),
                details={"reason": "No longer needed."},
                changes_by_case={case.pk: {"status": "accredited"}},
            )
        assert_untouched(case)


@pytest.mark.django_db
class TestMoveManyAsEachCasesOwnPerson:
    """A history played back: each applicant moves their own case at their
    own time, many in one call, each checked as its own person."""

    def test_each_case_moves_as_its_own_actor_at_its_own_time(self):
        from accreditation.signals import cases_moved

        cases = [ProposalFactory(organisation=OrganisationFactory()) for _ in range(3)]
        for case in cases[1:]:
            case.round = cases[0].round
            case.save(update_fields=["round"])
        contacts = {case.pk: applicant_of(case) for case in cases}
        stranger = applicant_of(ProposalFactory())
        contacts[cases[2].pk] = stranger  # not a member of the third case's organisation
        now = clock.now()
        times = {case.pk: now - timedelta(minutes=10 * n) for n, case in enumerate(cases)}
        heard = []

        def receiver(sender, cases, actor, **kwargs):
            heard.append((actor.pk, sorted(case.pk for case in cases)))

        cases_moved.connect(receiver)
        try:
            result = move_many(
                Proposal.objects.filter(pk__in=[case.pk for case in cases]),
                Action.WITHDRAW,
                None,
                details={"reason": "Our head teacher leaves at Easter."},
                actor_by_case=contacts,
                when_by_case=times,
            )
        finally:
            cases_moved.disconnect(receiver)
        assert sorted(result.moved) == sorted(case.pk for case in cases[:2])
        assert set(result.refused) == {cases[2].pk}
        for case in cases[:2]:
            (event,) = [e for e in events_of(case) if e.action == Action.WITHDRAW]
            assert (event.actor_id, event.created_at) == (contacts[case.pk].pk, times[case.pk])
            case.refresh_from_db()
            assert (case.status, case.updated_at) == ("withdrawn", times[case.pk])
            assert_head_is_last_event(case)
        assert_untouched(cases[2])
        assert sorted(heard) == sorted((contacts[case.pk].pk, [case.pk]) for case in cases[:2])

    def test_a_case_is_judged_at_its_own_time(self):
        case = ProposalFactory()
        late = case.round.deadline + timedelta(minutes=1)
        result = move_many(
            Proposal.objects.filter(pk=case.pk),
            Action.SUBMIT,
            applicant_of(case),
            when_by_case={case.pk: late},
        )
        assert result.moved == [] and "deadline" in result.refused[case.pk]
        assert_untouched(case)


@pytest.mark.django_db
class TestCasesMoved:
    """Apps that stand on the spine learn of moves through one signal."""

    def test_move_and_move_many_tell_receivers_inside_the_transaction(self):
        from django.db import connection

        from accreditation.signals import cases_moved

        heard = []

        def receiver(sender, action, cases, events, actor, **kwargs):
            heard.append(
                (action, [case.pk for case in cases], len(events), connection.in_atomic_block)
            )

        cases_moved.connect(receiver)
        try:
            one = ProposalFactory()
            many = [ProposalFactory(round=one.round) for _ in range(2)]
            applicant = person_with("applicant", one)
            move(one, Action.WITHDRAW, applicant, details={"reason": "We changed our minds"})
            one.round.deadline = clock.now()
            one.round.save()
            result = move_many(
                Proposal.objects.filter(pk__in=[case.pk for case in many]), Action.LAPSE, None
            )
        finally:
            cases_moved.disconnect(receiver)
        assert heard == [
            (Action.WITHDRAW, [one.pk], 1, True),
            (Action.LAPSE, sorted(result.moved), 2, True),
        ]
