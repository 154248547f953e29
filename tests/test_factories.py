"""Every model has a factory that makes a row the database accepts."""

import pytest

from tests import factories

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
