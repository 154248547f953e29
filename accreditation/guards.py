"""Workflow guards that need only the spine's data. Each takes the case, the
actor and the time, and returns None when the move may go ahead or a message
saying why not."""

from accreditation.models import AccreditationType


def deadline_passed(case, actor, *, when):
    period = case.period
    if getattr(period, "cancelled_at", None) is not None:
        return "The round was cancelled: its drafts are kept to be moved to another round."
    if when < period.deadline:
        return "The deadline has not passed yet."
    return None


def is_asg(case, actor, *, when):
    if case.accreditation_type != AccreditationType.ASG:
        return "Only ASG proposals go to the Advisory Group before a decision."
    return None


def is_asp(case, actor, *, when):
    if case.accreditation_type != AccreditationType.ASP:
        return "An ASG proposal must be reviewed by the Advisory Group before a decision."
    return None
