"""The concerns section of the staff case page."""

from django import template

from feedback.models import Concern

register = template.Library()


@register.inclusion_tag("feedback/includes/case_concerns.html", takes_context=True)
def case_concerns(context, case):
    """The case's concerns, linked to their pages for those who may read them."""
    user = context["request"].user
    if not user.has_perm("feedback.view_concerns"):
        return {"concerns": ()}
    return {
        "concerns": Concern.objects.filter(case=case).order_by("raised_at"),
        "may_decide": user.has_perm("feedback.decide_concern", case),
    }
