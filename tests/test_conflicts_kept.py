"""The organisations each person is in conflict with, kept between requests
until a membership, a conflict or where an organisation is changes
(``conflicts.CONFLICTS``): a page asked again does not read them, every way
they change shows at once, and a request that changes something reads the
database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation import case_roles
from accreditation.models import Membership, Organisation
from accreditation.queries import conflicts as conflict_queries
from accreditation.roles import Role
from assessments.services import conflicts
from tests.casework import sign_in_verified
from tests.factories import (
    LocalAuthorityFactory,
    OrganisationFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("staff-cases")
REASON = "I was a governor of one of its schools until last year."


@pytest.fixture
def officer(client):
    person = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in_verified(client, person)
    return person


def listed(client, case):
    response = client.get(LIST)
    assert response.status_code == 200
    return case.reference in {row.reference for row in response.context["cases"]}


def reads_conflicts(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST)
    return any('"accreditation_membership"' in query["sql"] for query in captured)


def test_a_list_asked_again_does_not_read_the_conflicts(client, officer):
    client.get(LIST)
    conflict_queries.CONFLICTS.changed()
    assert reads_conflicts(client)
    assert not reads_conflicts(client)


def test_a_conflict_declared_and_ended_shows_at_once(client, officer):
    case = ProposalFactory(status="submitted")
    assert listed(client, case)
    conflict = conflicts.declare(officer, reason=REASON, organisation=case.organisation)
    assert not listed(client, case)
    conflicts.end(conflict, officer, "I left the board two years ago.")
    assert listed(client, case)


def test_a_conflict_with_a_local_authority_takes_in_organisations_that_join_it(client, officer):
    # The case first: its organisation's authority is one chosen at random,
    # which must not be the new one.
    case = ProposalFactory(status="submitted")
    authority = LocalAuthorityFactory()
    conflicts.declare(officer, reason=REASON, local_authority=authority)
    assert listed(client, case)
    case.organisation.local_authority = authority
    case.organisation.save(update_fields=["local_authority"])
    assert not listed(client, case)
    newcomer = ProposalFactory(
        status="submitted", organisation=OrganisationFactory(local_authority=authority)
    )
    assert not listed(client, newcomer)


def test_a_membership_made_and_removed_shows_at_once(client, officer):
    case = ProposalFactory(status="submitted")
    assert listed(client, case)
    membership = Membership.objects.create(user=officer, organisation=case.organisation)
    assert not listed(client, case)
    membership.delete()
    assert listed(client, case)


def test_an_organisation_saved_without_moving_keeps_the_token(officer):
    organisation = OrganisationFactory()
    token = conflict_queries.CONFLICTS.current()
    organisation.name = "Renamed Trust"
    organisation.save(update_fields=["name"])
    assert conflict_queries.CONFLICTS.current() == token
    organisation.save()  # fields not named: any may have changed
    assert conflict_queries.CONFLICTS.current() != token


def test_only_a_request_that_changes_nothing_reads_what_is_kept(officer):
    """A service judging whether someone may act reads the database, even
    if what is kept were wrong."""
    organisation = OrganisationFactory()
    conflict_queries.CONFLICTS.kept(
        f"person:{officer.pk}", lambda: frozenset({organisation.pk}), 60
    )
    assert not conflict_queries.is_conflicted(officer, organisation)
    with case_roles.remembering():
        assert conflict_queries.is_conflicted(officer, organisation)


def test_with_the_cache_unreachable_the_conflicts_are_read(client, officer, unreachable_cache):
    case = ProposalFactory(status="submitted")
    conflicts.declare(officer, reason=REASON, organisation=case.organisation)
    assert not listed(client, case)
    assert reads_conflicts(client)
    assert Organisation.objects.filter(pk=case.organisation.pk).exists()
