"""A framework's criteria, kept between changes to a framework
(``journey.FRAMEWORKS``): the journey's and the assessment's pages do not
read them again, and a change while a framework is drafted shows at once."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext

from accreditation.models import Criterion
from proposals.queries.journey import FRAMEWORKS, criteria_of
from tests.factories import CriterionFactory, FrameworkFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    framework = FrameworkFactory(published_at=None)
    part = PartFactory(framework=framework, number=1, title="Vision")
    CriterionFactory(part=part, code="1A", title="First", position=1)
    CriterionFactory(part=part, code="1B", title="Second", position=2)
    return framework


def titles(framework):
    case = SimpleNamespace(framework_id=framework.pk)
    return [(c.part.title, c.code, c.title) for c in criteria_of(case)]


def test_criteria_asked_again_are_not_read_again(framework):
    assert titles(framework) == [("Vision", "1A", "First"), ("Vision", "1B", "Second")]
    with CaptureQueriesContext(connection) as captured:
        assert titles(framework) == [("Vision", "1A", "First"), ("Vision", "1B", "Second")]
    assert not any("accreditation_criterion" in query["sql"] for query in captured)


def test_a_criterion_and_a_part_changed_show_at_once(framework):
    titles(framework)
    criterion = framework.parts.get().criteria.get(code="1B")
    criterion.title = "Second, reworded"
    criterion.save()
    assert titles(framework)[1] == ("Vision", "1B", "Second, reworded")
    part = framework.parts.get()
    part.title = "Vision and capacity"
    part.save()
    assert titles(framework)[0] == ("Vision and capacity", "1A", "First")
    CriterionFactory(part=part, code="1C", title="Third", position=3)
    assert [code for _, code, _ in titles(framework)] == ["1A", "1B", "1C"]
    criterion.delete()
    assert [code for _, code, _ in titles(framework)] == ["1A", "1C"]


def test_each_framework_keeps_its_own(framework):
    other = FrameworkFactory(published_at=None)
    CriterionFactory(part=PartFactory(framework=other, number=1), code="9Z", title="Other")
    assert [code for _, code, _ in titles(framework)] == ["1A", "1B"]
    assert [code for _, code, _ in titles(other)] == ["9Z"]
    token = FRAMEWORKS.current()
    assert titles(framework) and FRAMEWORKS.current() == token


def test_a_data_migrations_change_is_seen_once_migrate_ends(framework):
    titles(framework)
    # As a data migration changes it: no signal.
    Criterion.objects.filter(part__framework=framework, code="1B").update(title="Migrated")
    assert titles(framework)[1][2] == "Second"
    config = apps.get_app_config("accreditation")
    post_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default"
    )
    assert titles(framework)[1][2] == "Migrated"
