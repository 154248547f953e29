"""Forms of feedback."""
