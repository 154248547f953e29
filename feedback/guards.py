"""Workflow guards that need letters."""

from feedback.models import DECISION_PURPOSES, Letter


def decision_letter_not_issued(move):
    issued = getattr(move.case, "_decision_letter_issued", None)
    if issued is None:
        issued = Letter.objects.filter(
            case_id=move.case.pk, purpose__in=DECISION_PURPOSES, issued_at__isnull=False
        ).exists()
    if issued:
        return "The decision letter has been issued, so the decision can no longer be corrected."
    return None


def _prefetch(cases):
    issued = set(
        Letter.objects.filter(
            case_id__in=[case.pk for case in cases],
            purpose__in=DECISION_PURPOSES,
            issued_at__isnull=False,
        ).values_list("case_id", flat=True)
    )
    for case in cases:
        case._decision_letter_issued = case.pk in issued


decision_letter_not_issued.prefetch = _prefetch
