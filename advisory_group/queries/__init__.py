"""Read shapes of advisory_group for its lists and pages: one query each, with
select_related and annotations."""
