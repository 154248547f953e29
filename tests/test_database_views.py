"""The database view behind ``FeedbackState``: gone while migrations run, so
a migration may change a table it reads, back afterwards as this code
defines it, and never written to."""

import copy

import pytest
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection

from assessments.database_views import FEEDBACK_STATE, _literal
from assessments.models import FeedbackState, Recommendation
from assessments.models.scoring import ReadOnlyError
from proposals.models import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def views():
    with connection.cursor() as cursor:
        return {
            info.name
            for info in connection.introspection.get_table_list(cursor)
            if info.type == "v"
        }


def test_a_migration_meets_no_view_and_the_view_comes_back_after_it():
    ProposalFactory.create_batch(2)
    assert FEEDBACK_STATE in views()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    assert FEEDBACK_STATE not in views()
    # A change to a column the view reads: PostgreSQL refuses it while the
    # view exists (SQLite refuses any rebuild of the table).
    field = Recommendation._meta.get_field("recommendation")
    wider = copy.deepcopy(field)
    wider.max_length = 30
    with connection.schema_editor() as editor:
        editor.alter_field(Recommendation, field, wider)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert FEEDBACK_STATE in views()
    assert FeedbackState.objects.count() == Proposal.objects.count() == 2


def test_the_view_is_never_written_to():
    case = ProposalFactory()
    state = FeedbackState.objects.get(case=case)
    for write in (
        state.save,
        state.delete,
        lambda: FeedbackState.objects.filter(case=case).update(recommended_at=None),
        lambda: FeedbackState.objects.filter(case=case).delete(),
    ):
        with pytest.raises(ReadOnlyError):
            write()
    assert Proposal.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize("value", ["completed", "not_accredited"])
def test_a_constant_becomes_a_literal(value):
    assert _literal(value) == f"'{value}'"


@pytest.mark.parametrize("value", ["it's", "a b", "x'; DROP TABLE y; --", ""])
def test_anything_but_a_plain_constant_is_refused(value):
    with pytest.raises(ValueError, match="Not a plain constant"):
        _literal(value)
