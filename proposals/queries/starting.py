"""What an organisation may start in a round or an out-of-round window: one
proposal of each type it may seek there, withdrawn ones not counted."""

from accreditation import eligibility
from accreditation.models import Round
from accreditation.workflow import Status
from proposals.models import Proposal


def in_period(period):
    """The filter of a proposal in ``period``, a round or a window."""
    return {"round": period} if isinstance(period, Round) else {"window": period}


def live_proposals_in(organisation, period):
    """The organisation's proposals in this round or window, withdrawn ones
    left out: it may have one of each type."""
    return list(
        Proposal.objects.filter(organisation=organisation, **in_period(period))
        .exclude(status=Status.WITHDRAWN)
        .select_related("round", "window")
        .order_by("accreditation_type")
    )


def start_options(organisation, period):
    """What the organisation may start here: the eligibility verdicts, with
    types it already has a live proposal for refused too."""
    existing = {p.accreditation_type for p in live_proposals_in(organisation, period)}
    return [
        eligibility.Verdict(
            v.accreditation_type,
            False,
            f"Your organisation already has an {v.accreditation_type.upper()} proposal here: "
            "find it in your proposals.",
        )
        if v.eligible and v.accreditation_type in existing
        else v
        for v in eligibility.verdicts(organisation, period)
    ]
