"""Forms of assessments and their validation messages (crispy-forms-gds)."""
