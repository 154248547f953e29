"""Read shapes of assessments for its lists and pages: one query each, with
select_related and annotations."""
