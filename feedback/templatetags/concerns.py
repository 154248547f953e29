"""The concerns section of the staff case page."""

from django import template

register = template.Library()


@register.inclusion_tag("feedback/includes/case_concerns.html", takes_context=True)
def case_concerns(context, case, concerns):
    """The case's ``concerns`` (oldest first, read with the case page) that
    the person may read (``feedback.view_concern``: the assessors
    reassessing the case read the one upheld), each linked to its page."""
    user = context["request"].user
    for concern in concerns:
        # The page's own case: the roles resolved for it are read again.
        concern.case = case
    return {
        "concerns": [c for c in concerns if user.has_perm("feedback.view_concern", c)],
        "may_decide": user.has_perm("feedback.decide_concern", case),
    }
