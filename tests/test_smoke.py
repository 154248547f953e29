import pytest

from tests.factories import MembershipFactory, ProposalFactory, UserFactory


@pytest.mark.django_db
def test_pages_answer(client):
    for url in ["/", "/cookies/", "/accessibility/", "/privacy/", "/account/sign-in/", "/account/register/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_factories_make_valid_rows():
    MembershipFactory()
    ProposalFactory()
    UserFactory(roles=["assessor"])
