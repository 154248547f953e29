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


def migrate(change):
    """``change`` the schema as a migration would, between the signals."""
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    assert FEEDBACK_STATE not in views()
    with connection.schema_editor() as editor:
        change(editor)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


# Outside a transaction: SQLite changes a table only with its foreign key
# checks off, which it cannot turn off inside one.
@pytest.mark.django_db(transaction=True)
def test_a_migration_meets_no_view_and_the_view_comes_back_after_it():
    ProposalFactory.create_batch(2)
    assert FEEDBACK_STATE in views()
    # A change to a column the view reads: PostgreSQL refuses it while the
    # view exists (SQLite refuses any rebuild of the table).
    field = Recommendation._meta.get_field("recommendation")
    wider = copy.deepcopy(field)
    wider.max_length = 30
    migrate(lambda editor: editor.alter_field(Recommendation, field, wider))
    try:
        assert FEEDBACK_STATE in views()
        assert FeedbackState.objects.count() == Proposal.objects.count() == 2
    finally:
        # Committed: the column goes back as it was for the tests after.
        migrate(lambda editor: editor.alter_field(Recommendation, wider, field))
    assert FEEDBACK_STATE in views()


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


@pytest.mark.postgres
def test_postgresqls_view_gives_the_rows_of_the_portable_one():
    """PostgreSQL's view (``LATERAL`` joins) and the one SQLite runs
    (correlated subqueries), created side by side, agree on every case:
    none recommended; recommended once, twice at the same moment (the later
    row wins) or again later, beside a row sent to quality assurance (which
    does not count); approved before, at or after the latest
    recommendation; returned before, at or after it; approved and returned
    but never recommended; decided not accredited."""
    from datetime import timedelta

    from accreditation import clock
    from accreditation.workflow import Status
    from advisory_group.models import FeedbackApproval
    from assessments.database_views import feedback_state_sql
    from tests.factories import AgendaItemFactory, AssignmentFactory

    now = clock.now()
    hour = timedelta(hours=1)

    def recommend(assignment, at, choice="not_accredit", outcome="completed"):
        return Recommendation.objects.create(
            case=assignment.case,
            assignment=assignment,
            recommendation=choice,
            suggested=choice,
            reasoning="Shown.",
            outcome=outcome,
            made_by=assignment.assessor,
            made_at=at,
        )

    def item(case, at, outcome):
        return AgendaItemFactory(
            case=case, purpose="feedback", outcome=outcome, decided_at=at, decided_by=None
        )

    def approve(case, at):
        FeedbackApproval.objects.create(
            case=case,
            item=item(case, at, "approved"),
            feedback={},
            digest="0" * 64,
            approved_by=assessments[0].assessor,
            approved_at=at,
        )

    ProposalFactory()
    assessments = [AssignmentFactory() for _ in range(6)]
    for number, assignment in enumerate(assessments):
        recommend(assignment, now - 5 * hour, choice="accredit")
        recommend(assignment, now - 5 * hour, outcome="quality_assurance")
        if number in (0, 2):
            recommend(assignment, now - 5 * hour, choice="not_accredit")
        if number % 2:
            recommend(assignment, now - 2 * hour, choice="not_accredit")
    cases = [assignment.case for assignment in assessments]
    approve(cases[0], now - 6 * hour)
    approve(cases[1], now - 1 * hour)
    approve(cases[2], now - 5 * hour)  # at the moment of the recommendation
    item(cases[3], now - 3 * hour, "returned")
    item(cases[4], now - 5 * hour, "returned")  # at the moment of the recommendation
    for hours in (4, 1.5, 1):
        item(cases[5], now - hours * hour, "returned")
    # Approved and returned, but never recommended.
    bare = ProposalFactory()
    approve(bare, now - hour)
    item(bare, now - hour, "returned")
    decided = ProposalFactory(status=Status.NOT_ACCREDITED)

    columns = "case_id, recommended_at, recommended, feedback_approved, returned_at, decided_at"
    with connection.cursor() as cursor:
        cursor.execute(feedback_state_sql("sqlite", name="feedback_state_portable"))
        cursor.execute(f"SELECT {columns} FROM feedback_state_portable ORDER BY case_id")  # noqa: S608
        portable = cursor.fetchall()
        cursor.execute(f"SELECT {columns} FROM {FEEDBACK_STATE} ORDER BY case_id")  # noqa: S608
        lateral = cursor.fetchall()
    assert lateral == portable
    assert len(lateral) == Proposal.objects.count() == 9
    rows = {row[0]: row[1:] for row in lateral}
    # (recommended_at, recommended, feedback_approved, returned_at, decided_at)
    assert rows[cases[0].pk] == (now - 5 * hour, "not_accredit", False, None, None)
    assert rows[cases[1].pk] == (now - 2 * hour, "not_accredit", True, None, None)
    assert rows[cases[2].pk][1:3] == ("not_accredit", True)
    assert rows[cases[3].pk][1:4] == ("not_accredit", False, None)
    assert rows[cases[4].pk][1:4] == ("accredit", False, now - 5 * hour)
    assert rows[cases[5].pk][3] == now - hour
    assert rows[bare.pk] == (None, None, False, None, None)
    assert rows[decided.pk][4] is not None
    # The rows differ from case to case: the comparison covers each column.
    for column in range(1, 6):
        assert len({row[column] for row in lateral}) > 1, columns.split(", ")[column]
