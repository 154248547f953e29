"""Forms of feedback and their validation messages (crispy-forms-gds)."""
