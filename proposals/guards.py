"""Workflow guards that need the proposal's own data."""

from accreditation import clock


def window_open(move):
    case, when = move.case, move.when
    period = case.period
    if getattr(period, "cancelled_at", None) is not None:
        return (
            f"The {period} round was cancelled. Your draft has been kept: move it to a round "
            "that is open to submit it."
        )
    if when < period.opens_at:
        return (
            f"This round opens at {clock.describe(period.opens_at)} (UK time). "
            "Your draft has been kept."
        )
    if not period.is_open(when):
        return (
            f"The deadline for this proposal was {clock.describe_deadline(period.deadline)} "
            "(UK time). It can no longer be submitted; your draft has been kept."
        )
    if case.round_id and not case.round.accepts(case.accreditation_type):
        return "This round does not take this type of proposal."
    return None
