"""Every model has a factory that makes a row the database accepts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accreditation.case_roles import CaseRole, resolve
from accreditation.models import AccreditationType, CaseEvent
from accreditation.timeline import case_mismatches, verify
from accreditation.workflow import Status
from assessments.models import Assignment
from proposals.models import Proposal
from tests import factories
from tests.casework import person_with

pytestmark = pytest.mark.django_db

FACTORIES = [
    factories.UserFactory,
    factories.RegionFactory,
    factories.LocalAuthorityFactory,
    factories.OrganisationFactory,
    factories.MembershipFactory,
    factories.InvitationFactory,
    factories.FrameworkFactory,
    factories.PartFactory,
    factories.CriterionFactory,
    factories.CriterionGuidanceFactory,
    factories.RoundFactory,
    factories.WindowFactory,
    factories.ProposalFactory,
    factories.CaseEventFactory,
    factories.AnswerFactory,
    factories.SchoolLedFactory,
    factories.CoPartnerFactory,
    factories.ReferenceCounterFactory,
    factories.OutOfRoundRequestFactory,
    factories.ConflictFactory,
    factories.AssignmentFactory,
    factories.MeetingFactory,
    factories.AgendaItemFactory,
    factories.LetterFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_valid_row(factory):
    instance = factory()
    instance.full_clean(validate_unique=False, validate_constraints=True)
    assert type(instance).objects.filter(pk=instance.pk).exists()


def test_evidence_factory_stores_its_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = factories.EvidenceFactory()
    assert evidence.file.read().startswith(b"%PDF")
    assert str(tmp_path) in evidence.file.path


# --- A case in a status has the timeline that leads there -------------------

REACHABLE = [
    (status, kind)
    for status in Status
    for kind in AccreditationType
    if not (status == Status.ADVISORY_REVIEW and kind == AccreditationType.ASP)
]


def status_moves(case):
    return list(
        CaseEvent.objects.filter(case_id=case.pk).exclude(to_status="").order_by("sequence")
    )


def assert_walked(case):
    """The case's status is the one its intact timeline last moved it to,
    by moves that follow on from each other from a draft."""
    events = CaseEvent.objects.filter(case_id=case.pk).order_by("sequence")
    assert list(verify(events)) == []
    assert list(case_mismatches(Proposal.objects.filter(pk=case.pk))) == []
    moves = status_moves(case)
    reached = ["draft", *[e.to_status for e in moves]]
    assert [e.from_status for e in moves] == reached[:-1]
    assert reached[-1] == case.status
    assert Proposal.objects.get(pk=case.pk).status == case.status


@pytest.mark.parametrize(("status", "kind"), REACHABLE, ids=[f"{s}-{k}" for s, k in REACHABLE])
def test_a_factory_case_in_a_status_was_walked_there(status, kind):
    case = factories.ProposalFactory(status=status, accreditation_type=kind)
    assert case.status == status
    assert_walked(case)
    if status not in (Status.DRAFT, Status.LAPSED, Status.WITHDRAWN):
        # The real reference allocation: the first of its type in its round's year.
        assert case.reference == f"{kind.upper()}-{case.round.year}-0001"
        assert case.submitted_profile["name"] == case.organisation.name


def test_an_asp_cannot_be_made_in_advisory_review():
    with pytest.raises(ValueError, match="ASP case cannot be walked"):
        factories.ProposalFactory(status=Status.ADVISORY_REVIEW)
    assert not Proposal.objects.exclude(status=Status.DRAFT).exists()


@pytest.mark.parametrize(
    ("kind", "route"),
    [
        (AccreditationType.ASP, ["refer_to_decision"]),
        (AccreditationType.ASG, ["refer_to_advisory_group", "advise"]),
    ],
)
def test_a_walk_follows_the_cases_type_to_decision(kind, route):
    case = factories.ProposalFactory(status=Status.NOT_ACCREDITED, accreditation_type=kind)
    assert [e.action for e in status_moves(case)] == [
        "submit",
        "screen_eligible",
        "recommend",
        *route,
        "not_accredit",
    ]
    recommendation = CaseEvent.objects.get(case=case, action="recommend").details
    assert recommendation == {"recommendation": "not_accredit"}


@pytest.mark.parametrize(
    "factory",
    [factories.AssignmentFactory, factories.AgendaItemFactory, factories.LetterFactory],
    ids=lambda f: f.__name__,
)
def test_the_factories_that_make_a_case_walk_it(factory):
    assert_walked(factory().case)


def test_a_case_in_a_closed_round_was_submitted_before_its_deadline():
    now = timezone.now()
    closed = factories.RoundFactory(
        opens_at=now - timedelta(days=60), deadline=now - timedelta(days=1)
    )
    case = factories.ProposalFactory(round=closed, status=Status.SUBMITTED)
    assert case.submitted_at < closed.deadline
    assert_walked(case)


def test_the_draft_is_submitted_by_the_member_who_started_it():
    member = factories.MembershipFactory()
    case = factories.ProposalFactory(
        organisation=member.organisation, created_by=member.user, status=Status.SUBMITTED
    )
    assert CaseEvent.objects.get(case=case, action="submit").actor == member.user
    assert member.user.memberships.count() == 1


def test_giving_the_assessor_part_on_a_walked_case_reassigns_it():
    case = factories.ProposalFactory(status=Status.ASSESSED)
    walked = Assignment.objects.get(case=case)
    newcomer = person_with("assessor", case)
    walked.refresh_from_db()
    assert walked.ended_at is not None
    assert resolve(case, walked.assessor) == frozenset()
    assert resolve(case, newcomer) == {CaseRole.ASSESSOR}
