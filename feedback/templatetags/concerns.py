"""The concerns section of the staff case page."""

from django import template

register = template.Library()


@register.inclusion_tag("feedback/includes/case_concerns.html", takes_context=True)
def case_concerns(context, case, concerns):
    """The case's ``concerns`` (oldest first, read with the case page),
    linked to their pages for those who may read them."""
    user = context["request"].user
    if not user.has_perm("feedback.view_concerns"):
        return {"concerns": ()}
    return {"concerns": concerns, "may_decide": user.has_perm("feedback.decide_concern", case)}
