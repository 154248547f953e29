"""Workflow guards that need the proposal's own data."""

from accreditation import clock


def window_open(case, actor, *, when):
    period = case.period
    if when < period.opens_at:
        opens = clock.local(period.opens_at)
        return f"This round opens on {opens:%-d %B %Y}. Your draft has been kept."
    if not period.is_open(when):
        deadline = clock.local(period.deadline)
        return (
            (
                f"The deadline for this proposal was {deadline:%-I:%M%p on %-d %B %Y}. "
                "It can no longer be submitted; your draft has been kept."
            )
            .replace("AM", "am")
            .replace("PM", "pm")
        )
    if case.round_id and not case.round.accepts(case.accreditation_type):
        return "This round does not take this type of proposal."
    return None
