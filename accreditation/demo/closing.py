"""A short round that closes a few minutes after the demo is seeded, so
`make run` shows the scheduler at work: beat fires the closing task, its
drafts lapse, their contacts are emailed, and the schedule page says so.

It is named for the term after next (a term and year no other demo round
takes) and holds a draft of each of three organisations that applied for
ASP before. It is made once: a later run finds its drafts and adds nothing.
"""

from datetime import UTC, timedelta

from accreditation import clock
from accreditation.demo.moves import proposal_model
from accreditation.models import AccreditationType, Membership, Round, Term

CLOSING_MINUTES = 5
DRAFTS = 3


def organisations():
    """Three organisations with a contact that sought ASP before, by name."""
    Proposal = proposal_model()
    applied = Proposal.objects.filter(accreditation_type=AccreditationType.ASP).values(
        "organisation_id"
    )
    contacts = Membership.objects.filter(is_contact=True, organisation_id__in=applied)
    chosen = contacts.select_related("organisation", "user").order_by("organisation__name")
    picked = {}
    for membership in chosen:
        picked.setdefault(membership.organisation_id, membership)
        if len(picked) == DRAFTS:
            break
    return list(picked.values())


def closing_round(rounds):
    """Make the round and its drafts (unless a run before made them); returns
    the round or None."""
    Proposal = proposal_model()
    contacts = organisations()
    known = [round_.pk for round_ in rounds.values()]
    made_before = Proposal.objects.filter(
        organisation__in=[m.organisation_id for m in contacts], round__isnull=False
    ).exclude(round__in=known)
    if made_before.exists():
        return None
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    # A whole minute, as every deadline set through the service is.
    deadline = now.replace(second=0) + timedelta(minutes=CLOSING_MINUTES)
    day = Term.later(clock.local_date(now), 2)
    if Round.objects.filter(term=Term.of(day), year=day.year).exists():
        return None
    round_ = Round.objects.create(
        term=Term.of(day),
        year=day.year,
        accepts_asg=False,
        framework=rounds[0].framework,
        opens_at=now - timedelta(days=7),
        deadline=deadline,
        **Round.dates_after_deadline(clock.local_date(deadline)),
    )
    for membership in contacts:
        Proposal.objects.create(
            organisation=membership.organisation,
            round=round_,
            framework=round_.framework,
            accreditation_type=AccreditationType.ASP,
            created_by=membership.user,
        )
    return round_
