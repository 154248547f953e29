"""Assessors' capacities and second assessors in the demo, made as a casework
officer makes them, through ``assessments.services.assignment``.

In the round with the most cases being assessed, the demo's assessors get
capacities of their own, and the first half of the proposed assignment is
applied (second assessors for ASG cases), so the round's assignment page
shows cases assigned and some still waiting, with capacities set. Run again,
it changes nothing: capacities already set stay, and a round that has any
second assessor is left alone.
"""

from django.apps import apps
from django.db.models import Count, Q

from accreditation.models import Round, User

CAPACITIES = {"assessor@example.org": 24, "assessor2@example.org": 20}


def assign(officer):
    from assessments.queries.assignment import ASSESSABLE
    from assessments.services import assignment as services

    Assignment = apps.get_model("assessments", "Assignment")
    period = (
        Round.objects.annotate(
            being_assessed=Count("proposals", filter=Q(proposals__status__in=ASSESSABLE))
        )
        .filter(being_assessed__gt=0)
        .order_by("-being_assessed", "-opens_at")
        .first()
    )
    if period is None:
        return
    people = User.objects.filter(email__in=CAPACITIES)
    services.set_capacities(
        period, {person.pk: CAPACITIES[person.email] for person in people}, officer
    )
    if Assignment.objects.filter(case__round=period, kind="second").exists():
        return
    lines = services.propose(period, officer).lines
    half = {line.key: line.proposed for line in lines[: len(lines) // 2]}
    services.apply(period, half, officer)
