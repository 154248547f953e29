"""Forms of advisory_group and their validation messages (crispy-forms-gds)."""
