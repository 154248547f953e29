"""The letters section of the staff case page."""

from django import template

from feedback.models import Letter
from feedback.services.letters import PREVIEWABLE

register = template.Library()


@register.inclusion_tag("feedback/includes/case_letters.html", takes_context=True)
def case_letters(context, case):
    """The case's issued letters (to download) and, for those who may, the
    letters it can be sent (to preview before issue)."""
    user = context["request"].user
    return {
        "case": case,
        "letters": Letter.objects.filter(case=case, issued_at__isnull=False)
        .defer("pdf")
        .order_by("issued_at"),
        "previews": PREVIEWABLE if user.has_perm("feedback.preview_letter", case) else (),
    }
