"""``--scale``: more organisations, each with its own contact, and their
cases, in bulk. The people, organisations and memberships are inserted in
bulk; the cases are played through the workflow like the base set's
(``moves.Player``), with their staff's steps taken in daily batches
(``timing.staff_batches``) so that many cases move in each call."""

import random

from accreditation.demo.histories import build_steps
from accreditation.demo.moves import Plan, Player
from accreditation.demo.organisations import (
    ORGS_PER_UNIT,
    SCALE_CONTACT,
    SCALE_PREFIX,
    scale_spec,
)
from accreditation.demo.timing import schedule, staff_batches, utc
from accreditation.models import Membership, Organisation, User
from accreditation.roles import Role

STAFF_PER_UNIT = (Role.ASSESSOR, Role.ASSESSOR, None)
"""Staff each unit of scale adds: two assessors and one of ``ROTATING``."""
ROTATING = (
    Role.CASEWORK_OFFICER,
    Role.DECISION_OFFICIAL,
    Role.ASSESSOR,
    Role.CASEWORK_OFFICER,
    Role.ADVISORY_GROUP_MEMBER,
)
SCALE_STAFF = "scale-staff-{:04d}@example.org"


def staff(seeder, units):
    """About three staff per unit (300 at scale 100): mostly assessors, who
    share the scale cases' assessments with the demo's own, and casework
    officers, decision officials and Advisory Group members. Returns the
    assessors, the demo's first."""
    roles = {}
    for unit in range(units):
        for index, role in enumerate(STAFF_PER_UNIT):
            number = unit * len(STAFF_PER_UNIT) + index + 1
            roles[SCALE_STAFF.format(number)] = role or ROTATING[unit % len(ROTATING)]
    existing = set(User.objects.filter(email__in=roles).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(
                email=email,
                full_name=f"Scale {Role(role).label.lower()} {email[12:16]}",
                password=seeder.password_hash,
            )
            for email, role in roles.items()
            if email not in existing
        ],
        batch_size=1000,
    )
    seeder.created["users"] += len(roles) - len(existing)
    people = {u.email: u for u in User.objects.filter(email__in=roles)}
    Through = User.groups.through
    Through.objects.bulk_create(
        [
            Through(user_id=people[email].pk, group_id=seeder.groups[Role(role).value].pk)
            for email, role in roles.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return seeder.assessors + [
        people[email] for email, role in roles.items() if role == Role.ASSESSOR
    ]


def scale(seeder, units, rounds):
    """Add ``units`` times the base set's organisations, each with its own
    contact, and their cases, in bulk, and about three staff per unit.
    Idempotent by organisation name and e-mail address."""
    total = units * ORGS_PER_UNIT
    if total <= 0:
        return
    assessors = staff(seeder, units)
    specs = {n: scale_spec(n, seeder.la_list) for n in range(1, total + 1)}
    emails = {n: SCALE_CONTACT.format(n) for n in specs}
    existing_users = {u.email: u for u in User.objects.filter(email__startswith="scale-contact-")}
    new_users = [
        User(email=email, full_name=f"Scale contact {n:05d}", password=seeder.password_hash)
        for n, email in emails.items()
        if email not in existing_users
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    seeder.created["users"] += len(new_users)
    users = {u.email: u for u in User.objects.filter(email__startswith="scale-contact-")}
    applicant = seeder.groups[Role.APPLICANT.value]
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=users[email].pk, group_id=applicant.pk) for email in emails.values()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    existing_orgs = {o.name: o for o in Organisation.objects.filter(name__startswith=SCALE_PREFIX)}
    new_orgs = [
        Organisation(
            name=spec.name,
            kind=spec.kind,
            urn=spec.urn,
            ukprn=spec.ukprn,
            local_authority=seeder.las[spec.la_code],
            phase=spec.phase,
            claims_national_support_school=spec.nss,
            faith_designation=spec.faith,
            address=spec.address,
            schools_led_count=spec.led,
            primary_governance_count=spec.governance,
        )
        for spec in specs.values()
        if spec.name not in existing_orgs
    ]
    Organisation.objects.bulk_create(new_orgs, batch_size=1000)
    seeder.created["organisations"] += len(new_orgs)
    orgs = {o.name: o for o in Organisation.objects.filter(name__startswith=SCALE_PREFIX)}
    Membership.objects.bulk_create(
        [
            Membership(user=users[emails[n]], organisation=orgs[spec.name], is_contact=True)
            for n, spec in specs.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    with_cases = set(
        seeder.Proposal.objects.filter(organisation__name__startswith=SCALE_PREFIX)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    plans = []
    for n, spec in specs.items():
        organisation = orgs[spec.name]
        if organisation.pk in with_cases:
            continue
        rng = random.Random(f"scale-cases-{n}")
        for back, acc_type, outcome in spec.history:
            steps = build_steps(outcome, acc_type, rng, claims_nss=spec.nss)
            when = schedule(rounds[back], steps, outcome, rng, seeder.now)
            if when is None:
                continue
            when = utc(when[0]), staff_batches(steps, [utc(t) for t in when[1]])
            plans.append(
                Plan(
                    organisation,
                    rounds[back],
                    acc_type,
                    outcome,
                    steps,
                    *when,
                    users[emails[n]],
                    tuple(rng.sample(assessors, 2)),
                )
            )
    Player(seeder).play(plans)
