"""The letters section of the staff case page."""

from django import template

from feedback.models import Letter
from feedback.queries.letters import decision_round
from feedback.services.letters import previewable

register = template.Library()


@register.inclusion_tag("feedback/includes/case_letters.html", takes_context=True)
def case_letters(context, case):
    """The case's issued letters (to download) and, for those who may, the
    letters its status can still lead to (to preview before issue)."""
    user = context["request"].user
    issued = list(
        Letter.objects.filter(case=case, issued_at__isnull=False).defer("pdf").order_by("issued_at")
    )
    previews = ()
    if user.has_perm("feedback.preview_letter", case):
        current = decision_round(case.pk)
        previews = previewable(
            case, {letter.purpose for letter in issued if letter.decision_round == current}
        )
    return {"case": case, "letters": issued, "previews": previews}
