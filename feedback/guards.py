"""Workflow guards that need letters and concerns."""

from django.db.models import Exists, OuterRef

from accreditation.models import CaseEvent
from feedback.models import DECISION_PURPOSES, Letter
from feedback.queries.letters import decision_round, decision_round_of_outer_case

DECIDERS = ("screen_ineligible", "accredit", "not_accredit", "correct_decision", "recommend")
"""Moves whose actor made the outcome a concern is about: none of them may
decide a concern about the case (nor uphold it)."""


def decision_letter_not_issued(move):
    issued = getattr(move.case, "_decision_letter_issued", None)
    if issued is None:
        issued = Letter.objects.filter(
            case_id=move.case.pk,
            purpose__in=DECISION_PURPOSES,
            issued_at__isnull=False,
            decision_round=decision_round(move.case.pk),
        ).exists()
    if issued:
        return (
            "The letter telling the applicant of this decision has been issued, so the "
            "decision can no longer be corrected."
        )
    return None


def _prefetch(cases):
    Proposal = type(cases[0]) if cases else None
    if Proposal is None:
        return
    this_round = Letter.objects.filter(
        case_id=OuterRef("pk"),
        purpose__in=DECISION_PURPOSES,
        issued_at__isnull=False,
        decision_round=OuterRef("decision_round"),
    )
    issued = set(
        Proposal.objects.filter(pk__in=[case.pk for case in cases])
        .annotate(decision_round=decision_round_of_outer_case())
        .filter(Exists(this_round))
        .values_list("pk", flat=True)
    )
    for case in cases:
        case._decision_letter_issued = case.pk in issued


decision_letter_not_issued.prefetch = _prefetch


def cases_with_part(person):
    """The ids of the cases ``person`` screened out, recommended or decided,
    as a subquery: no concern about them is theirs to decide."""
    return CaseEvent.objects.filter(actor=person, action__in=DECIDERS).values("case_id")


def had_part_in_the_outcome(case_id, person):
    """Did ``person`` screen the case out, recommend or decide it?"""
    return CaseEvent.objects.filter(case_id=case_id, actor=person, action__in=DECIDERS).exists()


def no_part_in_the_outcome(move):
    """A concern is decided (and upheld) by someone who had no part in what
    it is about: not who screened the case out, recommended or decided it."""
    if move.actor is not None and had_part_in_the_outcome(move.case.pk, move.actor):
        return (
            "You screened, recommended or decided this case, so someone else must decide "
            "a concern about it."
        )
    return None
