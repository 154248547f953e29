"""Assigning assessors (SPEC "Assessment", "Conflicts"): one case at a time or
a round at once from a proposed assignment, every line checked again on the
server, everything on the case's timeline; and the assessor's queue."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock, timeline
from accreditation.models import CaseEvent, LocalAuthority, OutboxMessage
from accreditation.roles import Role
from accreditation.services import outbox
from accreditation.workflow import move
from assessments.models import AssessorCapacity, Assignment
from assessments.services import assignment as services
from assessments.services import conflicts
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    ConflictFactory,
    LetterFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Olive Officer")


@pytest.fixture
def period():
    return RoundFactory()


@pytest.fixture
def assessors():
    return [
        UserFactory(roles=[Role.ASSESSOR], full_name=name)
        for name in ("Asha Assessor", "Ben Assessor", "Cara Assessor")
    ]


def case_in(period, accreditation_type="asp", **fields):
    return ProposalFactory(
        round=period,
        status="in_assessment",
        accreditation_type=accreditation_type,
        organisation=OrganisationFactory(**fields),
    )


def current(case, kind="first"):
    return Assignment.objects.filter(case=case, kind=kind, ended_at__isnull=True).first()


def delivered():
    outbox.deliver()
    return list(mail.outbox)


def sent_so_far():
    """Deliver what is queued (the assessors' emails of their assignments,
    say) and start counting afresh."""
    delivered()
    mail.outbox.clear()


def chain_is_intact(case):
    events = CaseEvent.objects.filter(case=case).order_by("case", "sequence")
    case.refresh_from_db()
    return not list(timeline.verify(events)) and case.timeline_sequence == events.count()


class TestProposal:
    def test_a_round_is_proposed_whole_without_breaking_any_rule(self, officer, period, assessors):
        asha, ben, cara = assessors
        asp = case_in(period)
        asg = case_in(period, "asg")
        conflicted = case_in(period)
        ConflictFactory(user=asha, organisation=conflicted.organisation)
        MembershipFactory(user=ben, organisation=conflicted.organisation)
        AssessorCapacity.objects.create(round=period, assessor=cara, capacity=1)

        proposal = services.propose(period, officer)
        lines = {line.key: line.proposed for line in proposal.lines}
        assert set(lines) == {
            (asp.pk, "first"),
            (asg.pk, "first"),
            (asg.pk, "second"),
            (conflicted.pk, "first"),
        }
        assert lines[(conflicted.pk, "first")] == cara.pk  # the only one free of conflict
        assert lines[(asg.pk, "first")] != lines[(asg.pk, "second")]
        loads = proposal.resulting_loads()
        assert loads[cara.pk] == 1
        assert max(loads.values()) == proposal.solution.largest == 2

    def test_existing_assignments_stay_and_count(self, officer, period, assessors):
        asha, ben, cara = assessors
        asg = case_in(period, "asg")
        services.assign(asg, asha, "first", officer)
        proposal = services.propose(period, officer)
        assert [(line.key, line.proposed in (ben.pk, cara.pk)) for line in proposal.lines] == [
            ((asg.pk, "second"), True)
        ]
        assert proposal.loads == {asha.pk: 1}

    def test_applied_whole_with_every_assignment_on_the_timeline(self, officer, period, assessors):
        asp, asg = case_in(period), case_in(period, "asg")
        proposal = services.propose(period, officer)
        made = services.apply(period, {line.key: line.proposed for line in proposal.lines}, officer)
        assert len(made) == 3
        assert current(asp) and current(asg) and current(asg, "second")
        assert current(asg).assessor != current(asg, "second").assessor
        actions = list(
            CaseEvent.objects.filter(case=asg).order_by("sequence").values_list("action", flat=True)
        )
        assert actions[-2:] == ["assessor_assigned", "second_assessor_assigned"]
        assert chain_is_intact(asg) and chain_is_intact(asp)
        assert services.propose(period, officer).lines == []

    def test_each_assessor_is_emailed_their_new_cases_once(self, officer, period, assessors):
        """One email each however many cases a round's assignment gives
        them: which, as which assessor, when due, and where to score it (two
        testers found assessors were told nothing)."""
        asha, ben, _ = assessors
        first, other, group = case_in(period), case_in(period), case_in(period, "asg")
        services.apply(
            period,
            {
                (first.pk, "first"): asha.pk,
                (other.pk, "first"): asha.pk,
                (group.pk, "first"): ben.pk,
                (group.pk, "second"): asha.pk,
            },
            officer,
        )
        sent = {m.to: m for m in OutboxMessage.objects.filter(key__startswith="assigned:")}
        assert set(sent) == {asha.email, ben.email}
        assert sent[asha.email].subject == "3 cases assigned to you to assess"
        for case in (first, other, group):
            assert case.reference in sent[asha.email].body
            assert reverse("case-scores", args=[case.pk]) in sent[asha.email].body
        assert sent[asha.email].body.count("as its second assessor") == 1
        assert f"Due by {period.assessment_due:%-d %B %Y}" in sent[asha.email].body
        assert sent[ben.email].subject == f"{group.reference}: assigned to you to assess"
        late = case_in(period)
        services.assign(late, ben, "first", officer)
        [told] = OutboxMessage.objects.filter(key__startswith="assigned:", to=ben.email).exclude(
            pk=sent[ben.email].pk
        )
        assert told.subject == f"{late.reference}: assigned to you to assess"

    def test_a_changed_line_that_breaks_a_rule_refuses_the_whole_and_says_why(
        self, officer, period, assessors
    ):
        asha, ben, cara = assessors
        asp, asg = case_in(period, name="Oak Trust"), case_in(period, "asg")
        ConflictFactory(user=asha, organisation=asp.organisation)
        AssessorCapacity.objects.create(round=period, assessor=cara, capacity=0)
        choices = {
            (asp.pk, "first"): asha.pk,  # in conflict
            (asg.pk, "first"): ben.pk,
            (asg.pk, "second"): ben.pk,  # the same person twice
        }
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, choices, officer)
        problems = refused.value.problems
        assert problems[(asp.pk, "first")] == (
            "Asha Assessor has a conflict of interest with Oak Trust"
        )
        assert "must be someone other than the assessor" in problems[(asg.pk, "second")]
        assert not Assignment.objects.exists()
        assert not CaseEvent.objects.filter(action__contains="assigned").exists()

        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(asg.pk, "first"): cara.pk}, officer)
        assert refused.value.problems == {
            (asg.pk, "first"): "Cara Assessor would have 1 case in this round, more than "
            "their capacity of 0: choose someone else or raise their capacity"
        }

    def test_a_line_assigned_since_the_page_was_loaded_is_refused(self, officer, period, assessors):
        asha, ben, _ = assessors
        asp = case_in(period)
        services.assign(asp, asha, "first", officer)
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(asp.pk, "first"): ben.pk}, officer)
        assert refused.value.problems[(asp.pk, "first")] == (
            f"{asp.reference} ({asp.organisation.name}) has been given an assessor since the "
            "page was loaded: the lines below are proposed again without it"
        )
        assert current(asp).assessor == asha

    def test_an_asp_needs_no_second_assessor(self, officer, period, assessors):
        asp = case_in(period)
        assert not services.needs_second_assessor(asp)
        assert services.needs_second_assessor(case_in(period, "asg"))
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(asp.pk, "second"): assessors[0].pk}, officer)
        assert refused.value.problems[(asp.pk, "second")] == (
            "This case does not need a second assessor"
        )

    def test_only_a_casework_officer_applies_or_sets_capacities(self, period, assessors):
        assessor = assessors[0]
        with pytest.raises(PermissionDenied):
            services.apply(period, {}, assessor)
        with pytest.raises(PermissionDenied):
            services.set_capacities(period, {assessor.pk: 3}, assessor)

    def test_capacities_default_from_policy_and_are_set_per_round(
        self, officer, period, assessors, settings
    ):
        settings.POLICY = {"assessor_round_capacity": 7}
        asha = assessors[0]
        services.set_capacities(period, {asha.pk: 2}, officer)
        proposal = services.propose(period, officer)
        assert proposal.capacities[asha.pk] == 2
        assert proposal.capacities[assessors[1].pk] == 7
        assert services.propose(RoundFactory(), officer).capacities[asha.pk] == 7


class TestOneCase:
    def test_a_conflicted_person_is_refused_saying_with_what_not_their_reason(
        self, officer, period, assessors
    ):
        asha, ben, _ = assessors
        case = case_in(period, name="Oak Trust")
        ConflictFactory(user=asha, organisation=case.organisation, reason="My sister is head.")
        MembershipFactory(user=ben, organisation=case.organisation)
        with pytest.raises(services.AssignmentRefused) as refused:
            services.assign(case, asha, "first", officer)
        assert str(refused.value) == (
            "Asha Assessor has declared a conflict of interest with Oak Trust, "
            "so they cannot assess this case"
        )
        with pytest.raises(services.AssignmentRefused, match="Ben Assessor is a member of Oak"):
            services.assign(case, ben, "first", officer)
        assert not Assignment.objects.exists()

    def test_an_open_suggested_conflict_is_noted_beside_the_person(
        self, client, officer, period, assessors
    ):
        """The officer is told before choosing; a suggestion is not a
        declared conflict, so the assignment is not refused."""
        asha, ben, cara = assessors
        for person, email in ((asha, "asha@oak.org.uk"), (ben, "ben@oak.org.uk")):
            person.email = email
            person.save(update_fields=["email"])
        case = case_in(period, name="Oak Trust")
        MembershipFactory(organisation=case.organisation, user__email="head@oak.org.uk")
        conflicts.dismiss(ben, case.organisation, "A different Oak")
        sign_in_verified(client, officer)
        page = client.get(reverse("case-assessors", args=[case.pk])).text
        assert (
            "Asha Assessor (possible conflict of interest, not yet confirmed or dismissed; "
            "0 of 12 cases this round)"
        ) in page
        assert "Ben Assessor (0 of 12 cases this round)" in page
        assert "Cara Assessor (0 of 12 cases this round)" in page
        services.assign(case, asha, "first", officer)

    def test_the_same_assessor_twice_is_refused(self, officer, period, assessors):
        asha = assessors[0]
        case = case_in(period, "asg")
        services.assign(case, asha, "first", officer)
        with pytest.raises(services.AssignmentRefused, match="already the assessor"):
            services.assign(case, asha, "first", officer, reason="Again")
        with pytest.raises(services.AssignmentRefused, match="must be different people"):
            services.assign(case, asha, "second", officer)

    def test_a_reassignment_needs_a_reason_and_is_on_the_timeline(self, officer, period, assessors):
        asha, ben, _ = assessors
        case = case_in(period)
        first = services.assign(case, asha, "first", officer)
        assert not first.may_see_earlier_scores
        with pytest.raises(services.AssignmentRefused, match="Enter why") as refused:
            services.assign(case, ben, "first", officer)
        assert refused.value.field == "reason"
        second = services.assign(
            case, ben, "first", officer, reason="Asha is on leave.", may_see_earlier_scores=True
        )
        first.refresh_from_db()
        assert first.ended_at is not None
        assert second.may_see_earlier_scores
        event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
        assert event.action == "assessor_reassigned"
        assert event.details["reason"] == "Asha is on leave."
        assert event.details["replaced_name"] == "Asha Assessor"
        assert chain_is_intact(case)

    def test_the_replaced_assessor_is_told_without_the_reason(self, officer, period, assessors):
        asha, ben, cara = assessors
        case = case_in(period, "asg")
        services.assign(case, asha, "first", officer)
        services.assign(case, ben, "second", officer)
        services.assign(case, cara, "first", officer, reason="Asha is overloaded.")
        told = OutboxMessage.objects.filter(key__startswith="assessor-replaced:")
        [message] = told
        assert message.to == asha.email
        assert message.subject == (
            f"{case.reference}: another assessor has been assigned in your place"
        )
        assert (
            f"{officer.full_name} has assigned another assessor to {case.reference} "
            f"({case.organisation.name}) in your place, so you no longer assess it."
        ) in message.body
        assert "overloaded" not in message.body + message.html_body
        assert reverse("assessor-queue") in message.body
        # The one who takes it over is told of one case, in the singular.
        assigned = OutboxMessage.objects.get(to=cara.email, key__startswith="assigned:").body
        assert "If you have a conflict of interest with its organisation, declare it" in assigned
        assert assigned.rstrip().endswith("to see it.")
        # A second assessor replaced is told which part; one whose account is
        # off is not told at all.
        services.assign(case, asha, "second", officer, reason="Ben is away.")
        assert told.get(to=ben.email).body.count("as its second assessor (quality assurance)")
        asha.is_active = False
        asha.save(update_fields=["is_active"])
        services.assign(case, ben, "second", officer, reason="Asha left.")
        assert told.filter(to=asha.email).count() == 1

    def test_only_casework_officers_read_why_an_assessor_was_replaced(
        self, client, officer, period, assessors
    ):
        asha, ben, _ = assessors
        case = case_in(period)
        services.assign(case, asha, "first", officer)
        services.assign(case, ben, "first", officer, reason="Asha's work was poor.")
        page = reverse("staff-case", args=[case.pk])
        reason = "Reason: " + escape("Asha's work was poor.")
        officer_sees = sign_in_verified(client, officer).get(page)
        assert "replaces Asha Assessor" in officer_sees.text
        assert reason in officer_sees.text
        new_assessor_sees = sign_in_verified(Client(), ben).get(page)
        assert new_assessor_sees.status_code == 200
        assert "replaces Asha Assessor" in new_assessor_sees.text
        assert "poor" not in new_assessor_sees.text
        # An officer who is also an assessor, and takes the case on, reads it
        # as its assessor.
        dana = UserFactory(roles=[Role.ASSESSOR, Role.CASEWORK_OFFICER], full_name="Dana Dual")
        services.assign(case, dana, "first", officer, reason="Ben's work was poor too.")
        dual_sees = sign_in_verified(Client(), dana).get(page)
        assert dual_sees.status_code == 200
        assert "Dana Dual replaces" in dual_sees.text
        assert "poor" not in dual_sees.text

    def test_after_an_upheld_concern_someone_else_reassesses(self, officer, period, assessors):
        case = ProposalFactory(round=period, status="not_accredited")
        earlier = current(case).assessor
        official = person_with("decision_official")
        move(case, "uphold_concern", official, details={"reason": "The scores were wrong."})
        Assignment.objects.filter(case=case).update(ended_at=clock.now())
        proposal = services.propose(period, officer)
        assert [line.key for line in proposal.lines] == [(case.pk, "first")]
        assert earlier.pk not in proposal.lines[0].allowed
        with pytest.raises(services.AssignmentRefused, match="before a concern about it was"):
            services.assign(case, earlier, "first", officer)
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(case.pk, "first"): earlier.pk}, officer)
        assert (
            "assessed this case before a concern about it was upheld"
            in (refused.value.problems[(case.pk, "first")])
        )
        services.assign(case, assessors[0], "first", officer)

    def test_who_screened_a_case_does_not_assess_it(self, client, officer, period, assessors):
        """Roles combine on one person, never on one case: an officer who is
        an assessor too is not proposed, offered or assigned for a case they
        screened."""
        from assessments.models import Screening

        asha, ben, _ = assessors
        asha.groups.add(*officer.groups.all())
        case = case_in(period)
        Screening.objects.create(case=case, officer=asha, decision="eligible")
        proposal = services.propose(period, officer)
        [line] = proposal.lines
        assert asha.pk not in line.allowed and ben.pk in line.allowed
        with pytest.raises(services.AssignmentRefused, match="Asha Assessor screened this case"):
            services.assign(case, asha, "first", officer)
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(case.pk, "first"): asha.pk}, officer)
        assert refused.value.problems[(case.pk, "first")] == (
            "Asha Assessor screened this case: someone else must assess it"
        )
        sign_in_verified(client, officer)
        page = client.get(reverse("case-assessors", args=[case.pk])).text
        assert "Asha Assessor (screened it)" in page
        services.assign(case, ben, "first", officer)

    def test_a_screening_on_the_timeline_only_bars_its_officer_too(
        self, officer, period, assessors
    ):
        """A case screened before screenings were recorded apart has its
        screening on its timeline alone: its officer is barred all the same."""
        asha, ben, _ = assessors
        asha.groups.add(*officer.groups.all())
        case = ProposalFactory(round=period, status="submitted")
        move(case, "screen_eligible", asha)
        [line] = services.propose(period, officer).lines
        assert asha.pk not in line.allowed and ben.pk in line.allowed
        with pytest.raises(services.AssignmentRefused, match="Asha Assessor screened this case"):
            services.assign(case, asha, "first", officer)

    def test_who_decided_or_advised_on_a_case_does_not_reassess_it(
        self, client, officer, period, assessors
    ):
        """After an upheld concern, nobody who decided the case or the
        concern, nor anyone who advised on it in the Advisory Group, is
        proposed, offered or assigned to reassess it: a different assessor."""
        from django.contrib.auth.models import Group

        from advisory_group.models import AgendaItem, FeedbackView, ItemPurpose, MemberView
        from feedback.models import Concern

        case = ProposalFactory(round=period, status="not_accredited")
        Assignment.objects.filter(case=case).update(ended_at=clock.now())
        decider = CaseEvent.objects.get(case=case, action="not_accredit").actor
        concern_decider, member, chair, sitter, adviser = (
            UserFactory(roles=[Role.DECISION_OFFICIAL], full_name="Dee Decider"),
            UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Mo Member"),
            UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Cy Chair"),
            UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Si Sitter"),
            UserFactory(roles=[Role.ADVISORY_GROUP_MEMBER], full_name="Al Adviser"),
        )
        assessing = Group.objects.get(name=Role.ASSESSOR.value)
        for person in (decider, concern_decider, member, chair, sitter, adviser):
            person.groups.add(assessing)
        # Advice recorded on the timeline alone (before the service held it).
        timeline.record(case, "advise", adviser, details={"advice": "agree"})
        item = AgendaItem.objects.create(
            meeting=MeetingFactory(chair=chair, members=[member, sitter]),
            case=case,
            purpose=ItemPurpose.FEEDBACK,
            outcome="approved",
            decided_by=chair,
            decided_at=clock.now(),
        )
        MemberView.objects.create(item=item, member=member, view=FeedbackView.APPROVE)
        Concern.objects.create(
            case=case,
            letter=LetterFactory(case=case),
            text="The scores were wrong.",
            raised_by=case.created_by,
            state="upheld",
            decided_by=concern_decider,
            decided_at=clock.now(),
            response="They were.",
        )
        move(case, "uphold_concern", concern_decider, details={"reason": "They were."})

        [line] = services.propose(period, officer).lines
        barred = {
            decider: "decided this case or a concern about it",
            concern_decider: "decided this case or a concern about it",
            member: "advised on this case in the Advisory Group",
            chair: "advised on this case in the Advisory Group",
            sitter: "advised on this case in the Advisory Group",
            adviser: "advised on this case in the Advisory Group",
        }
        sign_in_verified(client, officer)
        page = client.get(reverse("case-assessors", args=[case.pk])).text
        for person, why in barred.items():
            assert person.pk not in line.allowed
            with pytest.raises(services.AssignmentRefused, match=f"{person.full_name} {why}"):
                services.assign(case, person, "first", officer)
            with pytest.raises(services.ProposalRefused) as refused:
                services.apply(period, {(case.pk, "first"): person.pk}, officer)
            assert refused.value.problems[(case.pk, "first")] == (
                f"{person.full_name} {why}: someone else must assess it"
            )
            note = (
                "decided it or a concern about it"
                if why.startswith("decided")
                else "advised on it in the Advisory Group"
            )
            assert escape(f"{person.full_name} ({note})") in page
        assert assessors[0].pk in line.allowed
        services.assign(case, assessors[0], "first", officer)

    def test_capacity_holds_for_hand_assignment(self, officer, period, assessors):
        asha = assessors[0]
        services.set_capacities(period, {asha.pk: 1}, officer)
        services.assign(case_in(period), asha, "first", officer)
        with pytest.raises(services.AssignmentRefused) as refused:
            services.assign(case_in(period), asha, "first", officer)
        assert str(refused.value) == (
            f"{asha.full_name}'s capacity in {period} is 1 case and they already have 1: choose "
            "someone else, or raise their capacity on the round's assignment page"
        )

    def test_only_while_being_assessed(self, officer, period, assessors):
        submitted = ProposalFactory(round=period, status="submitted")
        with pytest.raises(services.AssignmentRefused, match="only while a case is being"):
            services.assign(submitted, assessors[0], "first", officer)

    def test_an_officer_who_is_an_assessor_too_never_assigns_themselves(self, period, assessors):
        """Staff hold more than one role, never on the same case: not by
        hand, not proposed for a round, not applied from a round's page."""
        both = UserFactory(roles=[Role.CASEWORK_OFFICER, Role.ASSESSOR], full_name="Priya Both")
        case = case_in(period)
        with pytest.raises(services.AssignmentRefused, match="You cannot assign yourself"):
            services.assign(case, both, "first", both)
        page = sign_in_verified(Client(), both).get(reverse("case-assessors", args=[case.pk]))
        assert "Priya Both (you: another casework officer assigns you)" in page.text
        assert not Assignment.objects.filter(case=case).exists()
        proposal = services.propose(period, both)
        assert all(line.proposed != both.pk for line in proposal.lines)
        assert all(both.pk not in line.allowed for line in proposal.lines)
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(case.pk, "first"): both.pk}, both)
        assert "You cannot assign yourself" in refused.value.problems[(case.pk, "first")]
        services.assign(case, both, "first", person_with("casework_officer"))
        # Its assessor now, they assign nobody to it: not its second assessor,
        # who checks their work, and not one to replace them.
        case.accreditation_type = "asg"
        case.save(update_fields=["accreditation_type"])
        with pytest.raises(services.AssignmentRefused, match="You are an assessor of this case"):
            services.assign(case, assessors[0], "second", both)
        with pytest.raises(services.ProposalRefused) as refused:
            services.apply(period, {(case.pk, "second"): assessors[0].pk}, both)
        assert "You are an assessor of this case" in refused.value.problems[(case.pk, "second")]
        # Nor is it proposed to them: the lines they may apply are.
        other = case_in(period)
        lines = services.propose(period, both).lines
        assert {line.case.pk for line in lines} == {other.pk}

    def test_an_officer_in_conflict_may_not_assign(self, officer, period, assessors):
        case = case_in(period)
        ConflictFactory(user=officer, organisation=case.organisation)
        with pytest.raises(PermissionDenied):
            services.assign(case, assessors[0], "first", officer)


class TestSwitchedOff:
    """An assessor switched off, or no longer an assessor, holds no case:
    each goes back to its officers, who are told, as after a conflict."""

    @pytest.mark.parametrize(
        ("roles", "active"), [([Role.ASSESSOR], False), ([Role.CASEWORK_OFFICER], True)]
    )
    def test_their_cases_go_back_to_the_officers(self, officer, assessors, roles, active):
        from accreditation.services import accounts

        asha = assessors[0]
        case, other = case_in(RoundFactory()), case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        services.assign(other, asha, "first", officer)
        sent_so_far()
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        accounts.set_staff_roles(asha, roles=roles, is_active=active, by=admin)
        assert current(case) is None and current(other) is None
        event = CaseEvent.objects.filter(case=case).latest("sequence")
        # Done by the administrator, the assessor named in it.
        assert event.action == "assessor_released" and event.actor == admin
        assert event.details["assessor_name"] == asha.full_name
        sent = delivered()
        assert sorted(m.to[0] for m in sent) == [officer.email, officer.email]
        assert "their account was switched off, or they no longer have the assessor role" in (
            sent[0].body
        )

    @pytest.mark.parametrize(
        ("roles", "active", "said"),
        [
            ([Role.ASSESSOR], False, "Asha Assessor’s account has been switched off"),
            ([Role.CASEWORK_OFFICER], True, "Asha Assessor does not have the assessor role"),
        ],
    )
    def test_one_chosen_from_a_page_opened_before_is_refused_saying_why(
        self, client, officer, assessors, roles, active, said
    ):
        from accreditation.services import accounts

        asha = assessors[0]
        case = case_in(RoundFactory())
        accounts.set_staff_roles(
            asha, roles=roles, is_active=active, by=UserFactory(roles=[Role.ADMINISTRATOR])
        )
        sign_in_verified(client, officer)
        response = client.post(
            reverse("case-assessors", args=[case.pk]), {"kind": "first", "assessor": asha.pk}
        )
        assert f"{said}: choose another assessor" in response.text
        assert current(case) is None
        # Anyone else's id reads as a choice not on the list, naming nobody.
        applicant = UserFactory(roles=[Role.APPLICANT], full_name="Private Person")
        response = client.post(
            reverse("case-assessors", args=[case.pk]), {"kind": "first", "assessor": applicant.pk}
        )
        assert "Choose an assessor from the list" in response.text
        assert "Private Person" not in response.text

    def test_the_staff_users_page_says_which_cases_they_are_taken_off_before_it_saves(
        self, client, officer, assessors
    ):
        from accreditation.services import accounts

        asha = assessors[0]
        case, other = case_in(RoundFactory()), case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        services.assign(other, asha, "first", officer)
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        sign_in_verified(client, admin)
        url = reverse("staff-user", args=[asha.pk])
        change = {
            "roles": [Role.CASEWORK_OFFICER],
            "is_active": "yes",
            "version": accounts.staff_version(asha),
        }
        check = client.post(url, change)
        assert check.status_code == 200
        references = ", ".join(sorted([case.reference, other.reference]))
        assert f"is assessing, or writing the feedback of, 2 cases: {references}." in check.text
        named = ",".join(sorted([case.reference, other.reference]))
        assert f'name="release" value="{named}"' in check.text
        # The choice made is kept on the page.
        assert re.search(r'value="casework_officer"\s+checked', check.text)
        assert current(case).assessor == asha and asha.has_role(Role.ASSESSOR)
        # Given another case since: named again, with it, before anything is done.
        third = case_in(RoundFactory())
        services.assign(third, asha, "first", officer)
        again = client.post(url, {**change, "release": named})
        assert again.status_code == 200
        assert "3 cases" in again.text and third.reference in again.text
        assert current(third).assessor == asha
        named = ",".join(sorted([case.reference, other.reference, third.reference]))
        done = client.post(url, {**change, "release": named}, follow=True)
        assert "taken off 3 cases" in done.text
        assert current(case) is None and current(other) is None and current(third) is None
        # Nothing to take them off: saved at once.
        change = {**change, "roles": [Role.ASSESSOR], "version": accounts.staff_version(asha)}
        assert client.post(url, change).status_code == 302
        change = {**change, "is_active": "no", "version": accounts.staff_version(asha)}
        assert client.post(url, change).status_code == 302

    def test_a_change_that_keeps_them_an_assessor_leaves_their_cases(self, officer, assessors):
        from accreditation.services import accounts

        asha = assessors[0]
        case = case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        roles = [Role.ASSESSOR, Role.DECISION_OFFICIAL]
        accounts.set_staff_roles(asha, roles=roles, is_active=True, by=admin)
        assert current(case).assessor == asha


class TestStandDown:
    """An assessor who declares a conflict covering a case they are assessing
    is stood down from it: the case waits for another assessor in the
    officers' list, and the officer who assigned them is told."""

    def test_declaring_a_conflict_stands_the_assessor_down_and_tells_the_officer(
        self, officer, assessors
    ):
        asha, ben = assessors[:2]
        case, other = case_in(RoundFactory()), case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        services.assign(other, asha, "first", officer)
        sent_so_far()

        conflict = conflicts.declare(
            asha, reason="My sister chairs it.", organisation=case.organisation
        )

        assert conflict.stood_down == [case.reference]
        assert current(case) is None and current(other).assessor == asha
        event = CaseEvent.objects.filter(case=case).latest("sequence")
        assert event.action == "assessor_stood_down" and event.actor == asha
        assert event.details["assessor_name"] == "Asha Assessor"
        assert "My sister" not in str(event.details)
        assert chain_is_intact(case)
        sent = delivered()
        assert [m.to for m in sent] == [[officer.email]]
        assert case.reference in sent[0].subject and "Asha Assessor" in sent[0].body
        assert "My sister" not in sent[0].body
        # The case is the officer's to assign again, without a reason to give.
        services.assign(case, ben, "first", officer)
        assert current(case).assessor == ben

    def test_a_local_authority_conflict_stands_down_both_kinds_in_it(self, officer, assessors):
        asha, ben, cara = assessors
        asg = case_in(RoundFactory(), "asg")
        services.assign(asg, ben, "first", officer)
        services.assign(asg, asha, "second", officer)
        elsewhere = LocalAuthority.objects.exclude(pk=asg.organisation.local_authority_id)
        outside = case_in(RoundFactory(), local_authority=elsewhere.first())
        services.assign(outside, asha, "first", officer)
        sent_so_far()
        conflict = conflicts.declare(
            asha, reason="I was its councillor.", local_authority=asg.organisation.local_authority
        )
        assert conflict.stood_down == [asg.reference]
        assert current(asg, "second") is None and current(asg).assessor == ben
        assert current(outside).assessor == asha
        assert CaseEvent.objects.filter(case=asg).latest("sequence").action == (
            "second_assessor_stood_down"
        )
        assert "second assessor" in delivered()[0].body

    def test_a_finished_assessment_is_left_as_it_was_made(self):
        """Until the Advisory Group refers the case back (``test_advisory_group``)."""
        case = ProposalFactory(status="advisory_review", accreditation_type="asg")
        assessor = current(case).assessor
        conflict = conflicts.declare(assessor, reason="A new post.", organisation=case.organisation)
        assert conflict.stood_down == [] and current(case).assessor == assessor

    def test_with_the_assigning_officer_gone_every_officer_who_may_see_it_is_told(
        self, officer, assessors
    ):
        asha = assessors[0]
        case = case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        officer.is_active = False
        officer.save(update_fields=["is_active"])
        others = [UserFactory(roles=[Role.CASEWORK_OFFICER]) for _ in range(2)]
        ConflictFactory(user=others[1], organisation=case.organisation)
        conflicts.declare(asha, reason="A new post.", organisation=case.organisation)
        told = {address for message in delivered() for address in message.to}
        assert others[0].email in told
        assert not told & {officer.email, others[1].email}

    def test_the_declaring_page_says_which_cases_were_handed_back(self, client, officer, assessors):
        asha = assessors[0]
        case = case_in(RoundFactory())
        services.assign(case, asha, "first", officer)
        client = sign_in_verified(client, asha)
        page = client.get(reverse("conflict-declare")).text
        assert (
            "If you are assessing one of them now, or are to write the feedback to the applicant "
            "on one, you are stood down from it" in page
        )
        response = client.post(
            reverse("conflict-declare"),
            {"organisation": case.organisation.pk, "reason": "My sister chairs it."},
            follow=True,
        )
        assert f"You are stood down from {case.reference}" in response.text
        assert "the casework officer who assigned you has been told" in response.text
        officer_client = sign_in_verified(Client(), officer)
        listed = officer_client.get(
            reverse("staff-cases"), {"status": "in_assessment", "assessor": "none"}
        )
        assert case.reference in listed.text


class TestPages:
    def test_the_officer_assigns_from_the_case_page(self, client, officer, period, assessors):
        case = case_in(period, "asg")
        client = sign_in_verified(client, officer)
        page = client.get(reverse("staff-case", args=[case.pk]))
        url = reverse("case-assessors", args=[case.pk])
        assert url in page.text
        page = client.get(url)
        assert "Second assessor (quality assurance)" in page.text
        response = client.post(url, {"kind": "first", "assessor": assessors[1].pk}, follow=True)
        assert "Ben Assessor is now the assessor of" in response.text
        assert "Assessor assigned" in response.text
        response = client.post(url, {"kind": "first", "assessor": assessors[0].pk})
        assert response.status_code == 200
        assert "Error: " in response.text
        assert (
            "Ben Assessor is the assessor of this case now. Enter why the assessor is being changed"
            in response.text
        )

    def test_the_officer_changes_a_line_and_applies_a_round(
        self, client, officer, period, assessors
    ):
        asha, ben, cara = assessors
        first, second = case_in(period), case_in(period)
        client = sign_in_verified(client, officer)
        url = reverse("assignment-round", args=[period.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert f'name="line-{first.pk}-first"' in page.text
        response = client.post(
            url,
            {f"line-{first.pk}-first": cara.pk, f"line-{second.pk}-first": "", "apply": "1"},
            follow=True,
        )
        assert "1 assignment made" in response.text
        assert current(first).assessor == cara
        assert current(second) is None
        # Every line left without an assessor: nothing made, and said so.
        response = client.post(url, {f"line-{second.pk}-first": "", "apply": "1"}, follow=True)
        assert "No assignment was made: every line was left without an assessor" in response.text
        assert "0 assignments made" not in response.text

    def test_applying_a_round_says_which_assessors_have_a_possible_conflict_unsettled(
        self, client, officer, period, assessors
    ):
        """As the case's assessors page notes it: a suggestion (here a
        member's email domain) nobody has confirmed or dismissed."""
        cara = assessors[2]
        cara.email = "cara@hillside-trust.example"
        cara.save(update_fields=["email"])
        case = case_in(period)
        MembershipFactory(organisation=case.organisation, user__email="head@hillside-trust.example")
        client = sign_in_verified(client, officer)
        url = reverse("assignment-round", args=[period.pk])
        response = client.post(url, {f"line-{case.pk}-first": cara.pk, "apply": "1"}, follow=True)
        assert "1 assignment made" in response.text
        assert "possible conflict of interest, not yet confirmed or dismissed, for " in (
            response.text
        )
        assert escape(f"{cara.full_name} with {case.organisation.name} ({case.reference})") in (
            response.text
        )

    def test_a_refused_round_shows_each_lines_reason(self, client, officer, period, assessors):
        asha = assessors[0]
        case = case_in(period, name="Oak Trust")
        ConflictFactory(user=asha, organisation=case.organisation)
        client = sign_in_verified(client, officer)
        response = client.post(
            reverse("assignment-round", args=[period.pk]),
            {f"line-{case.pk}-first": asha.pk, "apply": "1"},
        )
        assert response.status_code == 200
        assert "Error: " in response.text
        assert "Asha Assessor has a conflict of interest with Oak Trust" in response.text
        assert f'href="#line-{case.pk}-first"' in response.text
        assert not Assignment.objects.exists()

    def test_a_line_assigned_meanwhile_is_named_without_a_link_to_a_line_gone(
        self, client, officer, period, assessors
    ):
        asha, ben, _ = assessors
        case = case_in(period, name="Oak Trust")
        services.assign(case, asha, "first", officer)
        client = sign_in_verified(client, officer)
        response = client.post(
            reverse("assignment-round", args=[period.pk]),
            {f"line-{case.pk}-first": ben.pk, "apply": "1"},
        )
        assert "has been given an assessor since the page was loaded" in response.text
        assert "the lines below are proposed again without it" in response.text
        assert f'href="#line-{case.pk}-first"' not in response.text
        assert f'name="line-{case.pk}-first"' not in response.text
        assert current(case).assessor == asha

    def test_a_case_the_officer_is_in_conflict_with_is_neither_shown_nor_assigned(
        self, client, officer, period, assessors
    ):
        """The round's page and its count leave out a case of an organisation
        the officer declared a conflict with (as its case page does, with a
        404), and a line for it posted all the same is refused, whole."""
        cara = assessors[2]
        theirs, other = case_in(period, name="Oak Trust"), case_in(period, name="Elm Trust")
        ConflictFactory(user=officer, organisation=theirs.organisation)
        client = sign_in_verified(client, officer)
        rounds = client.get(reverse("assignment-rounds"))
        assert [(r.pk, r.awaiting) for r in rounds.context["rounds"]] == [(period.pk, 1)]
        url = reverse("assignment-round", args=[period.pk])
        page = client.get(url).text
        assert f'name="line-{other.pk}-first"' in page
        assert f'name="line-{theirs.pk}-first"' not in page and "Oak Trust" not in page
        gone = case_in(period, name="Ash Trust")
        gone.status = "withdrawn"
        gone.save(update_fields=["status"])
        response = client.post(
            url,
            {
                f"line-{theirs.pk}-first": cara.pk,
                f"line-{gone.pk}-first": cara.pk,
                f"line-{other.pk}-first": cara.pk,
                "apply": "1",
            },
        )
        assert response.status_code == 200
        # Said once for the two cases, neither named.
        assert response.text.count("A case on the page you sent is no longer waiting") == 1
        assert "Oak Trust" not in response.text
        assert not Assignment.objects.exists()

    def test_the_rounds_list_counts_cases_waiting_for_a_second_assessor_too(
        self, client, officer, period, assessors
    ):
        asha, ben, _ = assessors
        group, provider = case_in(period, "asg"), case_in(period, "asp")
        for case in (group, provider):
            services.assign(case, asha, "first", officer)
        client = sign_in_verified(client, officer)

        def waiting():
            rounds = client.get(reverse("assignment-rounds")).context["rounds"]
            return [(r.pk, r.awaiting, r.awaiting_second) for r in rounds]

        case_in(period, "asp")  # waiting for its assessor
        # Counted apart, the second as the staff home counts it.
        assert waiting() == [(period.pk, 1, 1)]  # the ASG's quality assurance
        home = client.get(reverse("staff-home")).text
        assert '"app-needs__count">1</span> Case waiting for a second assessor' in home
        page = client.get(reverse("assignment-round", args=[period.pk])).text
        assert f'name="line-{group.pk}-second"' in page
        services.assign(group, ben, "second", officer)
        assert waiting() == [(period.pk, 1, 0)]

    def test_the_page_says_when_no_line_or_only_some_can_be_given_an_assessor(
        self, client, officer, period, assessors
    ):
        case_in(period)
        for person in assessors:
            AssessorCapacity.objects.create(round=period, assessor=person, capacity=0)
        client = sign_in_verified(client, officer)
        url = reverse("assignment-round", args=[period.pk])
        assert (
            "No line can be given an assessor. For 1 line, nobody who may take it has room: "
            "raise some capacities."
        ) in client.get(url).text
        case_in(period)
        AssessorCapacity.objects.filter(assessor=assessors[0]).update(capacity=1)
        assert "Only 1 of 2 lines can be given an assessor. For 1 line, nobody" in (
            client.get(url).text
        )
        # A line nobody may take is told as that, not as a lack of room.
        barred = case_in(period, name="Oak Trust")
        for person in assessors:
            ConflictFactory(user=person, organisation=barred.organisation)
        page = client.get(url).text
        assert (
            "Only 1 of 3 lines can be given an assessor. 1 line has nobody who may take it: "
            "every assessor has a conflict of interest"
        ) in page
        assert "For 1 line, nobody who may take it has room" in page

    def test_the_officer_sets_capacities(self, client, officer, period, assessors):
        client = sign_in_verified(client, officer)
        url = reverse("assignment-round", args=[period.pk])
        data = {f"capacity-{person.pk}": 4 for person in assessors}
        data[f"capacity-{assessors[0].pk}"] = "lots"
        response = client.post(url, {**data, "save_capacities": "1"})
        assert "Enter the capacity of Asha Assessor as a whole number" in response.text
        data[f"capacity-{assessors[0].pk}"] = 2
        client.post(url, {**data, "save_capacities": "1"})
        assert dict(AssessorCapacity.objects.values_list("assessor_id", "capacity")) == {
            assessors[0].pk: 2,
            assessors[1].pk: 4,
            assessors[2].pk: 4,
        }

    @pytest.mark.parametrize("size", [2, 12])
    def test_the_rounds_list_costs_the_same_queries_at_any_size(
        self, client, officer, size, django_assert_num_queries
    ):
        for _ in range(size):
            RoundFactory()
        client = sign_in_verified(client, officer)
        client.get(reverse("assignment-rounds"))
        with django_assert_num_queries(6):
            response = client.get(reverse("assignment-rounds"))
        assert response.status_code == 200

    @pytest.mark.parametrize("size", [2, 8])
    def test_the_round_proposal_costs_the_same_queries_at_any_size(
        self, client, officer, period, assessors, size, django_assert_num_queries
    ):
        for n in range(size):
            case = case_in(period, "asg" if n % 2 else "asp")
            ConflictFactory(user=assessors[n % 3], organisation=case.organisation)
        client = sign_in_verified(client, officer)
        url = reverse("assignment-round", args=[period.pk])
        client.get(url)
        with django_assert_num_queries(13):
            response = client.get(url)
        assert len(response.context["lines"]) == size + size // 2


class TestQueue:
    def test_the_queue_shows_due_dates_soonest_first(self, client, officer, assessors):
        asha = assessors[0]
        later = RoundFactory(assessment_due=clock.today() + timedelta(days=60))
        overdue = RoundFactory(
            assessment_due=clock.today() + timedelta(days=1),
            advisory_group_meeting=clock.today() + timedelta(days=20),
            decision_target=clock.today() + timedelta(days=30),
        )
        window = WindowFactory()
        out_of_round = ProposalFactory(round=None, window=window, status="in_assessment")
        for case in (case_in(later), case_in(overdue), out_of_round):
            services.assign(case, asha, "first", officer)
        services.assign(case_in(overdue), assessors[1], "first", officer)
        expected = clock.working_days_after(clock.today(), 20)
        assert current(out_of_round).due_on == expected
        # The round's date passes.
        overdue.assessment_due -= timedelta(days=2)
        overdue.save(update_fields=["assessment_due"])

        client = sign_in_verified(client, asha)
        response = client.get(reverse("assessor-queue"))
        dues = [a.due for a in response.context["assignments"]]
        assert dues == sorted(dues) and len(dues) == 3
        assert dues[0] == overdue.assessment_due
        assert response.text.count(">Overdue<") == 1

        response = client.get(reverse("assessor-queue"), {"overdue": "true"})
        assert [a.due for a in response.context["assignments"]] == [overdue.assessment_due]
        response = client.get(reverse("assessor-queue"), {"due_before": "1/1/2000"})
        assert list(response.context["assignments"]) == []

        response = client.get(reverse("assessor-queue"), {"type": "asg"})
        assert list(response.context["assignments"]) == []
        response = client.get(reverse("assessor-queue"), {"due_before": "not a date"})
        assert "Error: " in response.text

    def test_one_assigned_after_the_rounds_date_has_passed_is_given_time(
        self, client, officer, assessors
    ):
        """A replacement (or a late assignment) is due the policy's working
        days after the day it is made, not at once overdue and chased."""
        from assessments.services.chasers import overdue_assignments

        asha, ben = assessors[:2]
        period = RoundFactory(
            assessment_due=clock.today() - timedelta(days=3),
            advisory_group_meeting=clock.today() + timedelta(days=20),
            decision_target=clock.today() + timedelta(days=30),
        )
        case = case_in(period)
        services.assign(case, asha, "first", officer)
        services.assign(case, ben, "first", officer, reason="Asha is on leave.")
        expected = clock.working_days_after(clock.today(), 20)
        assert current(case).due_on == expected
        assert case.pk not in {a.case_id for a in overdue_assignments(clock.today())}
        client = sign_in_verified(client, ben)
        response = client.get(reverse("assessor-queue"))
        assert [a.due for a in response.context["assignments"]] == [expected]
        assert ">Overdue<" not in response.text

    def test_a_case_whose_organisation_moves_into_a_conflict_leaves_the_queue(
        self, client, officer, assessors
    ):
        """A declared conflict stands its assessments down (``TestStandDown``);
        one that comes to cover a case later (its organisation moves into a
        local authority the assessor is in conflict with) takes the case out
        of their queue and home count, as it takes it out of their sight."""
        asha = assessors[0]
        kept, moving = (case_in(RoundFactory()) for _ in range(2))
        for case in (kept, moving):
            services.assign(case, asha, "first", officer)
        elsewhere = LocalAuthority.objects.exclude(
            pk__in=[case.organisation.local_authority_id for case in (kept, moving)]
        ).first()
        conflict = conflicts.declare(asha, reason="I was its director.", local_authority=elsewhere)
        assert conflict.stood_down == []
        client = sign_in_verified(client, asha)

        def queued():
            response = client.get(reverse("assessor-queue"))
            return {a.case_id for a in response.context["assignments"]}

        def to_do():
            home = client.get(reverse("staff-home")).context["sections"][0]["needs"]
            return next(n["count"] for n in home if n["label"] == "Your assessments to do")

        assert queued() == {kept.pk, moving.pk} and to_do() == 2
        moving.organisation.local_authority = elsewhere
        moving.organisation.save()
        assert queued() == {kept.pk} and to_do() == 1
        assert client.get(reverse("case-scores", args=[moving.pk])).status_code == 404
        conflicts.end(conflict, asha, "I left three years ago.")
        assert queued() == {kept.pk, moving.pk} and to_do() == 2

    def test_the_queue_offers_each_sort_once_in_words(self, client):
        client = sign_in_verified(client, person_with("assessor"))
        response = client.get(reverse("assessor-queue"))
        labels = [label for _, label in response.context["filter"].form.fields["sort"].choices]
        assert labels == [
            "Due date, soonest first",
            "Due date, latest first",
            "Reference",
            "Date assigned, newest first",
            "Date assigned, oldest first",
        ]

    @pytest.mark.parametrize(
        "query, message",
        [
            ({"due_before": "31/02/2026"}, "Enter the due date as a real date, like 27/3/2026"),
            ({"due_before": "soon"}, "Enter the due date as a real date, like 27/3/2026"),
            ({"sort": "case__organisation__name"}, "Select how to sort from the list"),
            ({"type": "xyz"}, "Select a type from the list"),
            ({"status": "decided"}, "Select a status from the list"),
            ({"round": "999999"}, "Select a round from the list"),
        ],
    )
    def test_a_filter_that_does_not_parse_says_how_to_fix_it(self, client, query, message):
        client = sign_in_verified(client, person_with("assessor"))
        response = client.get(reverse("assessor-queue"), query)
        assert response.status_code == 200
        assert response.text.count(message) == 2  # the error summary and the field
        assert "Enter a valid date" not in response.text
        assert "Select a valid choice" not in response.text

    # A queue that fits on its first page is counted from its rows; a longer
    # one adds the count, and no more however long.
    @pytest.mark.parametrize("size, queries", [(2, 6), (25, 6), (26, 7), (60, 7)])
    def test_the_queue_costs_the_same_queries_at_any_size(
        self, client, officer, size, queries, django_assert_num_queries, settings
    ):
        settings.POLICY = {"assessor_round_capacity": 100}
        assessor = person_with("assessor")
        period = RoundFactory()
        window = WindowFactory()
        for n in range(size):
            case = (
                case_in(period)
                if n % 2
                else ProposalFactory(
                    round=None,
                    window=window,
                    status="in_assessment",
                    organisation=OrganisationFactory(),
                )
            )
            services.assign(case, assessor, "first", officer)
        client = sign_in_verified(client, assessor)
        client.get(reverse("assessor-queue"))  # and its rounds kept
        with django_assert_num_queries(queries):
            response = client.get(reverse("assessor-queue"), {"sort": "-due"})
        assert response.status_code == 200
        assert response.context["paginator"].count == size


def test_a_case_referred_back_after_its_rounds_date_gives_its_assessors_time(officer, assessors):
    """Referred back once the round's assessment date has passed, the case
    is not overdue the moment it returns: its assessors have the policy's
    working days from the referral, as a late assignment has."""
    from accreditation import policy

    period = RoundFactory(assessment_due=clock.today() - timedelta(days=3))
    case = ProposalFactory(round=period, status="advisory_review", accreditation_type="asg")
    chair = person_with("meeting_chair", case)
    move(case, "refer_back", chair, details={"reason": "Look again at 2B."})
    due = clock.working_days_after(clock.today(), policy.current().assessment_working_days)
    assert [a.due_on for a in case.assignments.filter(ended_at__isnull=True)] == [due]
    [message] = OutboxMessage.objects.filter(key__startswith=f"referred_back:{case.pk}:")
    assert f"It is due by {due.day} {due:%B %Y}." in message.body


def test_a_case_referred_back_before_its_rounds_date_keeps_it(officer, assessors):
    due = clock.today() + timedelta(days=20)
    period = RoundFactory(assessment_due=due)
    case = ProposalFactory(round=period, status="advisory_review", accreditation_type="asg")
    chair = person_with("meeting_chair", case)
    move(case, "refer_back", chair, details={"reason": "Look again at 2B."})
    assert [a.due_on for a in case.assignments.filter(ended_at__isnull=True)] == [None]
    [message] = OutboxMessage.objects.filter(key__startswith=f"referred_back:{case.pk}:")
    assert f"It is due by {due.day} {due:%B %Y}." in message.body
