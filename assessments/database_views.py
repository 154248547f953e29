"""The database view the app reads through an unmanaged model
(``FeedbackState``), and how it is kept: dropped before every ``migrate`` and
created again after it (``AssessmentsConfig.ready`` connects ``drop`` and
``create`` to ``pre_migrate`` and ``post_migrate``).

So a migration that changes a table the view reads meets no view: SQLite
rebuilds a table to change it and refuses while a view names it, and
PostgreSQL refuses to change or drop a column a view uses. And the view is
always the one this code defines, on every database ``migrate`` has run on
(the tests' too: a flush sends ``post_migrate`` as well).

PostgreSQL reads each case's latest completed recommendation, and each
column, once per row (``LATERAL`` joins); SQLite (the demo), which has no
``LATERAL``, reads them in correlated subqueries. Both give the same rows
(``tests/test_database_views.py`` compares them on PostgreSQL; a
recommendation's ``made_at`` is never null, so the two databases' orders of
nulls never differ)."""

from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate

FEEDBACK_STATE = "assessments_feedbackstate"
READS = (
    "proposals_proposal",
    "assessments_recommendation",
    "advisory_group_feedbackapproval",
    "advisory_group_agendaitem",
    "accreditation_caseevent",
)


def _literal(value):
    """A code constant as an SQL string literal (a view's definition takes
    no parameters); never anything a person typed."""
    text = str(value)
    if not text.replace("_", "").isalnum():
        raise ValueError(f"Not a plain constant: {text!r}")
    return f"'{text}'"


def feedback_state_sql(vendor, name=FEEDBACK_STATE):
    """One row per case: its latest completed recommendation (when, and
    which), whether the Advisory Group approved feedback since, when the
    group last returned its feedback since, and when the case was last
    decided not accredited. ``vendor``: the database's (``connection.vendor``)."""
    from accreditation.workflow import Status
    from advisory_group.models import FeedbackOutcome
    from assessments.models import RecommendationOutcome

    completed = _literal(RecommendationOutcome.COMPLETED)
    returned = _literal(FeedbackOutcome.RETURNED)
    not_accredited = _literal(Status.NOT_ACCREDITED)
    latest = (
        "FROM assessments_recommendation r"
        f" WHERE r.case_id = p.id AND r.outcome = {completed}"
        " ORDER BY r.made_at DESC, r.id DESC LIMIT 1"
    )
    if vendor == "postgresql":
        # Each column is a join's, so a query that names a column in
        # several conditions reads it once per row, and the planner has a
        # tenth of the subqueries to plan (the assessor's feedback
        # worklist: from about 7.5 ms to 4 ms, planning and running).
        return f"""
CREATE VIEW {name} AS
SELECT
    p.id AS case_id,
    latest.made_at AS recommended_at,
    latest.recommendation AS recommended,
    approval.found IS NOT NULL AS feedback_approved,
    returned.decided_at AS returned_at,
    decided.created_at AS decided_at
FROM proposals_proposal p
LEFT JOIN LATERAL (SELECT r.made_at, r.recommendation {latest}) latest ON true
LEFT JOIN LATERAL (
    SELECT 1 AS found FROM advisory_group_feedbackapproval a
    WHERE a.case_id = p.id AND a.approved_at >= latest.made_at LIMIT 1
) approval ON true
LEFT JOIN LATERAL (
    SELECT i.decided_at FROM advisory_group_agendaitem i
    WHERE i.case_id = p.id AND i.outcome = {returned} AND i.decided_at >= latest.made_at
    ORDER BY i.decided_at DESC LIMIT 1
) returned ON true
LEFT JOIN LATERAL (
    SELECT e.created_at FROM accreditation_caseevent e
    WHERE e.case_id = p.id AND e.to_status = {not_accredited}
    ORDER BY e.sequence DESC LIMIT 1
) decided ON true
"""  # noqa: S608 - built from code constants alone (``_literal``)
    made_at = f"SELECT r.made_at {latest}"
    return f"""
CREATE VIEW {name} AS
SELECT
    p.id AS case_id,
    ({made_at}) AS recommended_at,
    (SELECT r.recommendation {latest}) AS recommended,
    EXISTS (
        SELECT 1 FROM advisory_group_feedbackapproval a
        WHERE a.case_id = p.id AND a.approved_at >= ({made_at})
    ) AS feedback_approved,
    (
        SELECT i.decided_at FROM advisory_group_agendaitem i
        WHERE i.case_id = p.id AND i.outcome = {returned}
            AND i.decided_at >= ({made_at})
        ORDER BY i.decided_at DESC LIMIT 1
    ) AS returned_at,
    (
        SELECT e.created_at FROM accreditation_caseevent e
        WHERE e.case_id = p.id AND e.to_status = {not_accredited}
        ORDER BY e.sequence DESC LIMIT 1
    ) AS decided_at
FROM proposals_proposal p
"""  # noqa: S608 - built from code constants alone (``_literal``)


def drop(using="default", **kwargs):
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {FEEDBACK_STATE}")


def create(using="default", **kwargs):
    """The view, afresh; nothing while a table it reads is missing (a
    migrate run to an earlier migration)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if not set(READS) <= set(connection.introspection.table_names(cursor)):
            return
    drop(using)
    with connection.cursor() as cursor:
        cursor.execute(feedback_state_sql(connection.vendor))


def connect(app_config):
    pre_migrate.connect(drop, sender=app_config, dispatch_uid="assessments-drop-views")
    post_migrate.connect(create, sender=app_config, dispatch_uid="assessments-create-views")
