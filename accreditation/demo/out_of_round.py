"""The demo's out-of-round requests: two waiting for a casework officer's
decision (one urgent, one from the main demo applicant's school), one
granted a window and one refused, each from a featured organisation's
contact. Asked and decided through the service, as people would."""

from datetime import time, timedelta

from django.conf import settings

from accreditation import clock
from accreditation.models import Membership, Organisation, User
from proposals.models import OutOfRoundRequest, Urgency
from proposals.services import out_of_round

OFFICER = "caseworker@example.org"
REQUESTS = (
    (
        "Hollybank Primary School",
        "Ashgrove Primary School",
        "131902",
        Urgency.THIS_TERM,
        "Ashgrove Primary School's governors have asked us to lead a federation with it from "
        "the summer term, after its last inspection. The next round's decision comes too late "
        "for the partnership to start in September.",
        None,
    ),
    (
        "Northern Lights Academy Trust",
        "Fell Side Primary School",
        "118845",
        Urgency.URGENT,
        "The local authority has asked us to take Fell Side Primary School into our trust: its "
        "head teacher has left and the school needs a partner within weeks.",
        None,
    ),
    (
        "Meadowbank Infant School",
        "Brook Lane Junior School",
        "124417",
        Urgency.NEXT_TERM,
        "Brook Lane Junior School, which our pupils go on to, wants to federate with us before "
        "its new head starts in January.",
        "grant",
    ),
    (
        "Thornfield Middle School",
        "Riverside Primary School",
        "109833",
        Urgency.THIS_TERM,
        "We would like to support Riverside Primary School, which is near us.",
        "We refuse this request: it does not say why Riverside Primary School cannot wait for "
        "the next round, which opens in a few weeks. Apply in that round.",
    ),
)


def seed(seeder):
    """The requests, once: a demo that has any is left as it is."""
    if OutOfRoundRequest.objects.exists():
        return
    officer = User.objects.get(email__iexact=OFFICER)
    organisations = {
        o.name: o
        for o in Organisation.objects.filter(name__in=[r[0] for r in REQUESTS]).select_related(
            "local_authority"
        )
    }
    for name, school, urn, urgency, reason, decision in REQUESTS:
        organisation = organisations.get(name)
        if organisation is None:
            continue
        contact = (
            Membership.objects.filter(organisation=organisation, is_contact=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        made = out_of_round.request_consideration(
            organisation=organisation,
            requested_by=contact.user,
            local_authority=organisation.local_authority,
            school_name=school,
            school_urn=urn,
            urgency=urgency,
            reason=reason,
        )
        if decision == "grant":
            deadline = clock.at(clock.today() + timedelta(weeks=6), time(17))
            out_of_round.grant(made, officer, deadline, base_url=settings.SERVICE_URL)
        elif decision:
            out_of_round.refuse(made, officer, decision, base_url=settings.SERVICE_URL)
        seeder.created["out-of-round requests"] += 1
