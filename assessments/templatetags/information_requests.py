"""``{% information_requests proposal %}``: the applicant's part of a
proposal's information requests, for their status page."""

from django import template

from accreditation.workflow import Status
from assessments.queries.requests import requests_for_case

register = template.Library()


@register.inclusion_tag("proposals/includes/information_requests.html")
def information_requests(proposal):
    return {
        "proposal": proposal,
        "requests": requests_for_case(proposal),
        "waiting": awaits_answers(proposal),
    }


@register.filter
def awaits_answers(proposal):
    """``{% if proposal|awaits_answers %}``: the case waits on the applicant."""
    return proposal.status == Status.INFORMATION_REQUESTED
