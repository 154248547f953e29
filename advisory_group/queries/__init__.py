"""Read shapes of advisory_group for its lists and pages: one query each, with
select_related and annotations. ``approved_feedback(case)`` is the letters'
source of a feedback letter's text."""

from advisory_group.queries.agenda import approved_feedback

__all__ = ["approved_feedback"]
