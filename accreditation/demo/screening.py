"""Screening and conflicts of interest in the demo: submitted cases waiting
in the casework officer's screening queue (one claiming National Support
School status that the officer can reject, and whose URN another
organisation claims too; one whose profile changed after submission so it is
no longer eligible), and conflicts the service suggests to the demo
assessor. Built through the real services and workflow, and safe to run
again."""

from accreditation.demo.moves import Player
from accreditation.demo.organisations import OrgSpec
from accreditation.demo.people import DemoUser
from accreditation.models import (
    AccreditationType,
    ActivityEntry,
    Membership,
    Organisation,
    OrganisationKind,
    Phase,
)
from accreditation.models.organisations import PROFILE_FIELDS
from accreditation.roles import Role
from accreditation.services import activity
from accreditation.services.organisations import create_organisation, update_organisation

K, ASP, ASG = OrganisationKind, AccreditationType.ASP.value, AccreditationType.ASG.value

CONTACTS = (
    DemoUser("head@larkrise-primary.example.org", "Grace Holloway", (Role.APPLICANT,)),
    DemoUser("head@fernhill-primary.example.org", "Daniel Osei", (Role.APPLICANT,)),
)
SCREENING = (
    OrgSpec(
        "Larkrise Primary School",
        K.MAINTAINED_PRIMARY,
        "330",
        Phase.PRIMARY,
        urn="151204",
        nss=True,
        led=1,
        address="Larkrise Lane\nBirmingham\nB14 7QR",
        members=(("head@larkrise-primary.example.org", True),),
        history=((0, ASP, "submitted"),),
    ),
    OrgSpec(
        "Fernhill Primary School",
        K.MAINTAINED_PRIMARY,
        "380",
        Phase.PRIMARY,
        urn="151377",
        led=2,
        address="Fernhill Road\nBradford\nBD5 8LA",
        members=(("head@fernhill-primary.example.org", True),),
        history=((0, ASG, "submitted"),),
    ),
)
CHANGED_AFTER_SUBMISSION = "Fernhill Primary School"
"""Says, after submitting, that it now leads only one school: no longer
eligible for ASG, as the screening page shows."""

CONTESTED_URN_OF = "Larkrise Primary School"
CLAIMANT = DemoUser("office@larkrise-tutors.example.com", "Ray Tanner", (Role.APPLICANT,))
CLAIMANT_ORGANISATION = "Larkrise Lane Tutors"
"""Registered after Larkrise Primary School with its URN, saying the URN is
its own: screening Larkrise's case shows the contested claim, and the
officer decides which claim is genuine before finding it eligible."""

ASSESSOR = "assessor@example.org"
FORMER_MEMBER_OF = "Meadowbank Infant School"
"""The demo assessor left this organisation: the service suggests a conflict."""


def seed(seeder, rounds):
    """Called by the seeder once its histories are played."""
    for person in CONTACTS:
        seeder.users[person.email] = seeder.user(person)
    organisations = {spec.name: seeder.organisation(spec) for spec in SCREENING}
    plans = []
    for spec in SCREENING:
        organisation = organisations[spec.name]
        contact = seeder.users[next(email for email, contact in spec.members if contact)]
        plans += seeder.plans_for(organisation, spec, contact, rounds, f"demo-{spec.name}")
    if plans:
        Player(seeder).play(plans)
        changed = organisations[CHANGED_AFTER_SUBMISSION]
        values = {name: getattr(changed, name) for name in PROFILE_FIELDS}
        update_organisation(
            changed,
            {**values, "schools_led_count": 1},
            actor=seeder.users[changed.memberships.get(is_contact=True).user.email],
        )
    _contested_urn(seeder, organisations[CONTESTED_URN_OF])
    _former_membership(seeder)


def _contested_urn(seeder, school):
    """Through the registration service, as a person who says the URN is
    theirs registers, once."""
    if Organisation.objects.filter(name=CLAIMANT_ORGANISATION).exists():
        return
    seeder.users[CLAIMANT.email] = seeder.user(CLAIMANT)
    create_organisation(
        seeder.users[CLAIMANT.email],
        {
            "name": CLAIMANT_ORGANISATION,
            "kind": K.MAINTAINED_PRIMARY,
            "urn": school.urn,
            "local_authority": school.local_authority,
            "phase": Phase.PRIMARY,
            "address": "Unit 4, Larkrise Lane\nBirmingham\nB14 7QS",
            "contest_identifier": True,
        },
    )
    seeder.created["organisations"] += 1


def _former_membership(seeder):
    """Recorded as the service records a member's removal (the activity log),
    once."""
    organisation = Organisation.objects.filter(name=FORMER_MEMBER_OF).first()
    if organisation is None:
        return
    email = seeder.users[ASSESSOR].email
    removed = ActivityEntry.objects.filter(
        action="member_removed", object_id=str(organisation.pk), changes__member__0=email
    )
    if removed.exists():
        return
    contact = (
        Membership.objects.filter(organisation=organisation, is_contact=True)
        .select_related("user")
        .first()
    )
    activity.record(
        contact.user if contact else None,
        "member_removed",
        organisation,
        {"member": [email, None]},
    )
