"""The demo data set behind ``manage.py seed_demo``.

Everything is keyed on natural keys (e-mail addresses, organisation names,
round term and year), so running the seed again adds nothing:

- users are looked up by e-mail and created with ``create_user`` only if
  missing; every one of them has the password ``PASSWORD``;
- organisations are looked up by name; an organisation's cases are created
  only while it has none, so a rerun on another day does not add a second
  history to it;
- rounds are derived from today's date (term and year from the submission
  deadline) and reused when a round for that term and year exists.

The base set (100 organisations, over 200 cases in 12 rounds) walks the
real workflow with ``move()`` as the role that would make each move, at a
time inside the round, so every timeline is genuine. ``scale > 1`` adds
``scale - 1`` times as many organisations ("Scale org 00042") and cases
again with bulk inserts, each case with a hash-chained timeline built by
``timeline.new_event`` so ``verify_timeline`` still passes.
"""

import calendar
import random
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accreditation import clock, eligibility, policy
from accreditation.defaults import ensure_defaults
from accreditation.models import (
    AccreditationType,
    CaseEvent,
    Framework,
    LocalAuthority,
    Membership,
    Organisation,
    Round,
    Term,
    User,
    Window,
)
from accreditation.models.organisations import (
    MAINTAINED_PRIMARY_KINDS,
    NON_EDUCATIONAL_KINDS,
    UKPRN_KINDS,
    URN_KINDS,
    FaithDesignation,
    OrganisationKind,
    Phase,
)
from accreditation.roles import Role
from accreditation.timeline import new_event
from accreditation.workflow import TRANSITIONS, Action, Status, WorkflowError, move, move_many

PASSWORD = "Accredit-demo-2026"
ORGS_PER_UNIT = 100
"""Organisations in the base set; ``--scale N`` adds (N - 1) times this."""
PAST_ROUNDS = 10
"""Past rounds: with the current and next round, 12 rounds in all."""
SCALE_PREFIX = "Scale org "
SCALE_CONTACT = "scale-contact-{:05d}@example.org"

K = OrganisationKind
ASP, ASG = AccreditationType.ASP.value, AccreditationType.ASG.value
A = Action


def proposal_model():
    """``Proposal`` belongs to the proposals app; the spine never imports it."""
    return apps.get_model("proposals", "Proposal")


class DemoError(Exception):
    """The demo could not be built as planned (a workflow move was refused)."""


# --- People ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    roles: tuple
    note: str = ""


STAFF = (
    DemoUser(
        "caseworker@example.org",
        "Chloe Whitfield",
        (Role.CASEWORK_OFFICER,),
        "runs rounds, screens, assigns",
    ),
    DemoUser("assessor@example.org", "Marcus Bell", (Role.ASSESSOR,), "scores and recommends"),
    DemoUser("assessor2@example.org", "Nadia Karim", (Role.ASSESSOR,), "second assessor"),
    DemoUser(
        "advisory@example.org",
        "Dr Helen Ashworth",
        (Role.ADVISORY_GROUP_MEMBER,),
        "chairs the Advisory Group",
    ),
    DemoUser(
        "advisory2@example.org",
        "Rajesh Patel",
        (Role.ADVISORY_GROUP_MEMBER,),
        "Advisory Group member",
    ),
    DemoUser(
        "advisory3@example.org",
        "Fiona MacLeod",
        (Role.ADVISORY_GROUP_MEMBER,),
        "Advisory Group member",
    ),
    DemoUser("decision@example.org", "Jonathan Reeve", (Role.DECISION_OFFICIAL,), "decides cases"),
    DemoUser(
        "decision2@example.org", "Sarah Lindqvist", (Role.DECISION_OFFICIAL,), "decides concerns"
    ),
    DemoUser(
        "admin@example.org",
        "Imran Qureshi",
        (Role.ADMINISTRATOR,),
        "users, roles and reference data",
    ),
)
APPLICANTS = (
    DemoUser(
        "applicant@example.org",
        "Sam Okafor",
        (Role.APPLICANT,),
        "contact for three organisations (switch between them)",
    ),
    DemoUser("applicant2@example.org", "Grace Mensah", (Role.APPLICANT,), "three schools"),
    DemoUser("applicant3@example.org", "Tom Brennan", (Role.APPLICANT,), "three schools"),
    DemoUser(
        "applicant4@example.org", "Aisha Rahman", (Role.APPLICANT,), "colleges and a university"
    ),
    DemoUser(
        "applicant5@example.org",
        "Daniel Hughes",
        (Role.APPLICANT,),
        "trusts, a federation and faith bodies",
    ),
    DemoUser(
        "applicant6@example.org",
        "Olivia Clarke",
        (Role.APPLICANT,),
        "a consultancy, a charity and a partnership",
    ),
    DemoUser(
        "applicant7@example.org",
        "Ben Carter",
        (Role.APPLICANT,),
        "member, not a contact, of Northern Lights Academy Trust",
    ),
)
DEMO_USERS = APPLICANTS[:1] + STAFF + APPLICANTS[1:]


# --- Organisations and their histories ----------------------------------------
#
# A history is a list of (round, type, outcome): ``round`` counts back from the
# current round (0 is the current round, 1 last term's, ...) or is "window" for
# an out-of-round window open now. Outcomes are the names in ``build_steps``.


@dataclass
class OrgSpec:
    name: str
    kind: str
    la_code: str
    phase: str = Phase.NOT_APPLICABLE
    urn: str = ""
    ukprn: str = ""
    faith: str = FaithDesignation.NONE
    nss: bool = False
    led: int = 0
    governance: int = 0
    address: str = ""
    members: tuple = ()  # (e-mail, is_contact)
    history: tuple = ()


FEATURED = (
    OrgSpec(
        "Hollybank Primary School",
        K.MAINTAINED_PRIMARY,
        "373",
        Phase.PRIMARY,
        urn="107120",
        nss=True,
        led=2,
        governance=1,
        address="Hollybank Road\nSheffield\nS12 2EE",
        members=(("applicant@example.org", True),),
        history=((3, ASP, "accredited"), (1, ASG, "information_requested")),
    ),
    OrgSpec(
        "Northern Lights Academy Trust",
        K.ACADEMY_TRUST,
        "352",
        Phase.ALL_THROUGH,
        led=5,
        governance=4,
        address="1 Oxford Court\nManchester\nM2 3WQ",
        members=(("applicant@example.org", True), ("applicant7@example.org", False)),
        history=((5, ASP, "accredited"), (2, ASG, "not_accredited"), (0, ASG, "draft")),
    ),
    OrgSpec(
        "Brightpath Learning Ltd",
        K.PRIVATE_OR_THIRD_SECTOR,
        "330",
        address="14 Colmore Row\nBirmingham\nB3 2BH",
        members=(("applicant@example.org", True),),
        history=((1, ASP, "lapsed"), (0, ASP, "submitted")),
    ),
    OrgSpec(
        "Meadowbank Infant School",
        K.MAINTAINED_INFANT,
        "383",
        Phase.PRIMARY,
        urn="107991",
        address="Meadowbank Lane\nLeeds\nLS11 5QT",
        members=(("applicant2@example.org", True),),
        history=((1, ASP, "withdrawn"), (0, ASP, "draft")),
    ),
    OrgSpec(
        "St Aidan's CofE Junior School",
        K.MAINTAINED_JUNIOR,
        "391",
        Phase.PRIMARY,
        urn="108478",
        faith=FaithDesignation.CHURCH_OF_ENGLAND,
        nss=True,
        led=1,
        address="Church Walk\nNewcastle upon Tyne\nNE6 1TX",
        members=(("applicant2@example.org", True),),
        history=((1, ASP, "awaiting_decision"),),
    ),
    OrgSpec(
        "Thornfield Middle School",
        K.MAINTAINED_MIDDLE,
        "929",
        Phase.PRIMARY,
        urn="122307",
        led=1,
        address="Thornfield Road\nHexham\nNE46 3PQ",
        members=(("applicant2@example.org", True),),
        history=((1, ASP, "assessed"),),
    ),
    OrgSpec(
        "Kingsway High School",
        K.MAINTAINED_SECONDARY,
        "801",
        Phase.SECONDARY,
        urn="109316",
        led=1,
        governance=2,
        address="Kingsway\nBristol\nBS5 8NU",
        members=(("applicant3@example.org", True),),
        history=((1, ASP, "answered"),),
    ),
    OrgSpec(
        "Oakhurst Preparatory School",
        K.INDEPENDENT_PRIMARY,
        "936",
        Phase.PRIMARY,
        urn="125362",
        address="Oakhurst Park\nGuildford\nGU1 2SX",
        members=(("applicant3@example.org", True),),
        history=((1, ASG, "closed_ineligible"),),
    ),
    OrgSpec(
        "Whitcombe School",
        K.INDEPENDENT_SECONDARY,
        "886",
        Phase.SECONDARY,
        urn="118964",
        governance=1,
        address="Whitcombe Hill\nCanterbury\nCT2 7AL",
        members=(("applicant3@example.org", True),),
        history=((2, ASP, "accredited"),),
    ),
    OrgSpec(
        "Eastfield College",
        K.FE_COLLEGE,
        "892",
        ukprn="10002214",
        governance=1,
        address="Eastfield Way\nNottingham\nNG3 6EF",
        members=(("applicant4@example.org", True),),
        history=((1, ASP, "accredited"),),
    ),
    OrgSpec(
        "Derwent Sixth Form College",
        K.SIXTH_FORM_COLLEGE,
        "831",
        ukprn="10001957",
        address="Derwent Street\nDerby\nDE1 2EQ",
        members=(("applicant4@example.org", True),),
        history=((1, ASP, "not_accredited"),),
    ),
    OrgSpec(
        "University of Wessex",
        K.UNIVERSITY,
        "852",
        ukprn="10007158",
        governance=2,
        led=2,
        address="Highfield Campus\nSouthampton\nSO17 1ZZ",
        members=(("applicant4@example.org", True),),
        history=((0, ASP, "in_assessment"),),
    ),
    OrgSpec(
        "Cornerstone Schools Trust",
        K.MAINTAINED_SCHOOL_TRUST,
        "888",
        Phase.PRIMARY,
        led=3,
        governance=3,
        address="Cornerstone House\nPreston\nPR1 2HE",
        members=(("applicant5@example.org", True),),
        history=((1, ASG, "awaiting_decision"),),
    ),
    OrgSpec(
        "Tamar Valley Federation",
        K.FEDERATION,
        "908",
        Phase.PRIMARY,
        led=3,
        governance=3,
        address="Station Road\nGunnislake\nPL18 9DU",
        members=(("applicant5@example.org", True),),
        history=((1, ASG, "referred_back"),),
    ),
    OrgSpec(
        "Diocese of Wexbridge Board of Education",
        K.COFE_DIOCESE,
        "878",
        Phase.ALL_THROUGH,
        faith=FaithDesignation.CHURCH_OF_ENGLAND,
        led=4,
        governance=24,
        address="The Old Deanery\nExeter\nEX1 1HS",
        members=(("applicant5@example.org", True),),
        history=((2, ASG, "accredited"),),
    ),
    OrgSpec(
        "Catholic Diocese of Hallamford Education Service",
        K.RC_DIOCESE,
        "856",
        Phase.ALL_THROUGH,
        faith=FaithDesignation.ROMAN_CATHOLIC,
        led=3,
        governance=18,
        address="St Mary's Presbytery\nLeicester\nLE1 5PH",
        members=(("applicant5@example.org", True),),
        history=((1, ASG, "advisory_review"),),
    ),
    OrgSpec(
        "Harmony Faith Schools Network",
        K.OTHER_FAITH_GROUP,
        "302",
        Phase.PRIMARY,
        faith=FaithDesignation.OTHER,
        led=2,
        governance=2,
        address="22 Station Parade\nLondon\nN14 5BH",
        members=(("applicant5@example.org", True),),
        history=((2, ASP, "concern_upheld"),),
    ),
    OrgSpec(
        "Clearview Education Consultants Ltd",
        K.EDUCATIONAL_CONSULTANCY,
        "870",
        address="4 Forbury Square\nReading\nRG1 3EB",
        members=(("applicant6@example.org", True),),
        history=((0, ASP, "withdrawn"),),
    ),
    OrgSpec(
        "Lighthouse Learning Foundation",
        K.EDUCATIONAL_CHARITY,
        "810",
        led=1,
        address="Humber Quays\nHull\nHU1 2BN",
        members=(("applicant6@example.org", True),),
        history=(("window", ASP, "submitted"),),
    ),
    OrgSpec(
        "Fenland Learning Partnership",
        K.OTHER_EDUCATIONAL,
        "873",
        address="Market Place\nMarch\nPE15 9JF",
        members=(("applicant6@example.org", True),),
        history=((1, ASP, "assessed"),),
    ),
)

PLACE_STEMS = (
    "Ash",
    "Beech",
    "Birch",
    "Elm",
    "Hazel",
    "Holly",
    "Oak",
    "Rowan",
    "Willow",
    "Maple",
    "Alder",
    "Cedar",
    "Hawthorn",
    "Larch",
    "Linden",
    "Poplar",
)
PLACE_ENDS = ("field", "wood", "brook", "bank", "ford", "ley", "mead", "croft", "dale", "hurst")
SAINTS = (
    "Mary",
    "John",
    "Peter",
    "Michael",
    "Margaret",
    "Hilda",
    "Chad",
    "Cuthbert",
    "Anne",
    "Luke",
    "Bede",
    "Oswald",
)
FIRST_NAMES = (
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Harry",
    "Zara",
    "Kwame",
    "Priya",
    "Tomasz",
    "Siobhan",
    "Yusuf",
    "Hannah",
    "Declan",
    "Mei",
    "Callum",
    "Farah",
    "Rhys",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Patel",
    "Williams",
    "Brown",
    "Khan",
    "Taylor",
    "Davies",
    "Evans",
    "Wilson",
    "Nowak",
    "O'Neill",
    "Begum",
    "Roberts",
    "Wright",
    "Walker",
    "Ahmed",
    "Thompson",
    "Robinson",
    "Hughes",
)
STREETS = (
    "School Lane",
    "Church Road",
    "Station Road",
    "High Street",
    "Park Avenue",
    "Mill Lane",
    "Green Lane",
    "Victoria Road",
    "Queens Road",
    "The Crescent",
)

# The kinds of the 80 generated base organisations, primary-heavy as the
# scheme is; every kind appears. Scale organisations cycle through the same.
KIND_MIX = (
    [K.MAINTAINED_PRIMARY] * 16
    + [K.MAINTAINED_INFANT] * 5
    + [K.MAINTAINED_JUNIOR] * 5
    + [K.MAINTAINED_MIDDLE] * 2
    + [K.MAINTAINED_SECONDARY] * 10
    + [K.INDEPENDENT_PRIMARY] * 3
    + [K.INDEPENDENT_SECONDARY] * 3
    + [K.FE_COLLEGE] * 3
    + [K.SIXTH_FORM_COLLEGE] * 2
    + [K.UNIVERSITY] * 2
    + [K.ACADEMY_TRUST] * 10
    + [K.MAINTAINED_SCHOOL_TRUST] * 3
    + [K.FEDERATION] * 4
    + [K.COFE_DIOCESE] * 2
    + [K.RC_DIOCESE] * 2
    + [K.OTHER_FAITH_GROUP] * 1
    + [K.EDUCATIONAL_CONSULTANCY] * 2
    + [K.EDUCATIONAL_CHARITY] * 2
    + [K.OTHER_EDUCATIONAL] * 1
    + [K.PRIVATE_OR_THIRD_SECTOR] * 2
)
assert len(KIND_MIX) == ORGS_PER_UNIT - len(FEATURED)
random.Random(2026).shuffle(KIND_MIX)


def _name_for(kind, place, rng):
    """A plausible name, faith designation and phase for a generated organisation."""
    F = FaithDesignation
    if kind == K.MAINTAINED_PRIMARY and rng.random() < 0.3:
        if rng.random() < 0.6:
            return f"St {rng.choice(SAINTS)}'s CofE Primary School, {place}", F.CHURCH_OF_ENGLAND
        return f"St {rng.choice(SAINTS)}'s Catholic Primary School, {place}", F.ROMAN_CATHOLIC
    names = {
        K.MAINTAINED_INFANT: ("{} Infant School", F.NONE),
        K.MAINTAINED_JUNIOR: ("{} Junior School", F.NONE),
        K.MAINTAINED_PRIMARY: ("{} Primary School", F.NONE),
        K.MAINTAINED_MIDDLE: ("{} Middle School", F.NONE),
        K.MAINTAINED_SECONDARY: (rng.choice(("{} High School", "{} Community School")), F.NONE),
        K.INDEPENDENT_PRIMARY: ("{} Preparatory School", F.NONE),
        K.INDEPENDENT_SECONDARY: (rng.choice(("{} School", "{} Grammar School")), F.NONE),
        K.FE_COLLEGE: ("{} College", F.NONE),
        K.SIXTH_FORM_COLLEGE: ("{} Sixth Form College", F.NONE),
        K.UNIVERSITY: ("University of {}", F.NONE),
        K.ACADEMY_TRUST: (rng.choice(("{} Academy Trust", "{} Learning Trust")), F.NONE),
        K.MAINTAINED_SCHOOL_TRUST: ("{} Schools Trust", F.NONE),
        K.FEDERATION: ("{} Schools Federation", F.NONE),
        K.COFE_DIOCESE: ("Diocese of {} Board of Education", F.CHURCH_OF_ENGLAND),
        K.RC_DIOCESE: ("Catholic Diocese of {} Education Service", F.ROMAN_CATHOLIC),
        K.OTHER_FAITH_GROUP: ("{} Faith Schools Network", F.OTHER),
        K.EDUCATIONAL_CONSULTANCY: ("{} Education Consultancy Ltd", F.NONE),
        K.EDUCATIONAL_CHARITY: ("{} Education Foundation", F.NONE),
        K.OTHER_EDUCATIONAL: ("{} Learning Partnership", F.NONE),
        K.PRIVATE_OR_THIRD_SECTOR: (
            rng.choice(("{} Community Services CIC", "{} Enterprises Ltd")),
            F.NONE,
        ),
    }
    template, faith = names[kind]
    return template.format(place), faith


def _profile(kind, rng):
    """Phase, National Support School claim and the two eligibility counts."""
    if kind in MAINTAINED_PRIMARY_KINDS:
        return Phase.PRIMARY, rng.random() < 0.15, rng.choice((0, 0, 1, 1, 2, 3)), 0
    if kind == K.MAINTAINED_SECONDARY:
        return Phase.SECONDARY, False, rng.choice((0, 1, 1, 2)), rng.choice((0, 0, 1, 2))
    if kind == K.INDEPENDENT_PRIMARY:
        return Phase.PRIMARY, False, rng.choice((0, 1)), rng.choice((0, 0, 2))
    if kind == K.INDEPENDENT_SECONDARY:
        return (
            rng.choice((Phase.SECONDARY, Phase.ALL_THROUGH)),
            False,
            rng.choice((0, 1)),
            rng.choice((0, 1, 2)),
        )
    if kind in UKPRN_KINDS:
        return Phase.NOT_APPLICABLE, False, rng.choice((0, 1, 2)), rng.choice((0, 0, 1, 2))
    if kind in (K.ACADEMY_TRUST, K.MAINTAINED_SCHOOL_TRUST):
        led = rng.randint(2, 9)
        return (rng.choice((Phase.PRIMARY, Phase.ALL_THROUGH)), False, led, rng.randint(1, led))
    if kind == K.FEDERATION:
        n = rng.randint(2, 4)
        return Phase.PRIMARY, False, n, n
    if kind in (K.COFE_DIOCESE, K.RC_DIOCESE):
        return Phase.ALL_THROUGH, False, rng.randint(0, 5), rng.randint(8, 60)
    if kind == K.OTHER_FAITH_GROUP:
        return Phase.ALL_THROUGH, False, rng.randint(0, 3), rng.randint(0, 4)
    if kind in NON_EDUCATIONAL_KINDS:
        return Phase.NOT_APPLICABLE, False, 0, 0
    return Phase.NOT_APPLICABLE, False, rng.randint(0, 2), rng.choice((0, 0, 1, 2))


def _identifiers(kind, number):
    urn = f"{number:06d}" if kind in URN_KINDS else ""
    ukprn = f"1{number:07d}" if kind in UKPRN_KINDS else ""
    return urn, ukprn


def generated_specs(local_authorities):
    """The 80 generated organisations of the base set, each with its own
    contact and a history drawn from ``random_history``."""
    used = {spec.name for spec in FEATURED}
    places = [stem + end for end in PLACE_ENDS for stem in PLACE_STEMS]
    random.Random(17).shuffle(places)
    specs = []
    for index, kind in enumerate(KIND_MIX):
        rng = random.Random(f"demo-org-{index}")
        place = places[index]
        name, faith = _name_for(kind, place, rng)
        while name in used:
            place = rng.choice(places)
            name, faith = _name_for(kind, place, rng)
        used.add(name)
        phase, nss, led, governance = _profile(kind, rng)
        if faith != FaithDesignation.NONE and kind in MAINTAINED_PRIMARY_KINDS:
            nss = False
        la = local_authorities[(index * 37) % len(local_authorities)]
        urn, ukprn = _identifiers(kind, 200000 + index)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        email = f"{first}.{last}".lower().replace("'", "") + f"@{slug}.example.org"
        specs.append(
            (
                OrgSpec(
                    name,
                    kind,
                    la.code,
                    phase,
                    urn=urn,
                    ukprn=ukprn,
                    faith=faith,
                    nss=nss,
                    led=led,
                    governance=governance,
                    address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}\n{la.name}",
                    members=((email, True),),
                    history=tuple(random_history(rng, kind, led, governance)),
                ),
                DemoUser(email, f"{first} {last}", (Role.APPLICANT,)),
            )
        )
    return specs


LIVE_OUTCOMES = {
    "draft",
    "submitted",
    "in_assessment",
    "information_requested",
    "answered",
    "assessed",
    "advisory_review",
    "awaiting_decision",
    "referred_back",
    "concern_upheld",
}
ASG_ONLY = {"advisory_review", "referred_back"}
CURRENT_MIX = (
    ("draft", 52),
    ("submitted", 30),
    ("withdrawn", 5),
    ("in_assessment", 8),
    ("information_requested", 5),
)
LAST_TERM_MIX = (
    ("accredited", 14),
    ("not_accredited", 8),
    ("lapsed", 8),
    ("withdrawn", 4),
    ("closed_ineligible", 3),
    ("in_assessment", 10),
    ("information_requested", 8),
    ("answered", 5),
    ("assessed", 10),
    ("advisory_review", 8),
    ("awaiting_decision", 10),
    ("referred_back", 3),
    ("concern_upheld", 2),
)
HISTORIC_MIX = (
    ("accredited", 30),
    ("not_accredited", 26),
    ("lapsed", 20),
    ("withdrawn", 10),
    ("closed_ineligible", 6),
    ("concern_then_accredited", 3),
)
APPLY_CHANCE = {0: 0.85, 1: 0.75}
APPLY_CHANCE_HISTORIC = 0.7


def _pick(rng, mix, acc_type):
    choices = [(name, weight) for name, weight in mix if acc_type == ASG or name not in ASG_ONLY]
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights)[0]


def random_history(rng, kind, led, governance):
    """A plausible history over the rounds: the organisation joins the scheme
    in some round and applies in most rounds after: first as an ASP (or an ASG
    if eligible), as an ASG once accredited as an ASP (if eligible), again
    after a failure, and not again while a proposal is live. About 2.5
    cases per organisation, spread fairly evenly over the rounds."""
    eligible = eligibility.assess(
        Organisation(kind=kind, schools_led_count=led, primary_governance_count=governance),
        AccreditationType.ASG,
    ).eligible
    asp_done = asg_done = False
    history = []
    rounds = range(PAST_ROUNDS, -1, -1)
    start = rng.choice(rounds)
    for back in rounds:
        if back > start:
            continue
        chance = 1 if back == start else APPLY_CHANCE.get(back, APPLY_CHANCE_HISTORIC)
        if rng.random() >= chance:
            continue
        if asg_done or (asp_done and not eligible):
            break
        acc_type = ASG if asp_done or (eligible and rng.random() < 0.3) else ASP
        if back and not eligible and kind not in NON_EDUCATIONAL_KINDS and rng.random() < 0.05:
            history.append((back, ASG, "closed_ineligible"))
            continue
        mix = CURRENT_MIX if back == 0 else LAST_TERM_MIX if back == 1 else HISTORIC_MIX
        outcome = _pick(rng, mix, acc_type)
        if back == 2 and outcome == "concern_then_accredited" and rng.random() < 0.5:
            outcome = "concern_upheld"
        history.append((back, acc_type, outcome))
        if outcome in LIVE_OUTCOMES:
            break
        if outcome in ("accredited", "concern_then_accredited"):
            asp_done = True
            asg_done = asg_done or acc_type == ASG
    return history


FAITH_OF_KIND = {
    K.COFE_DIOCESE: FaithDesignation.CHURCH_OF_ENGLAND,
    K.RC_DIOCESE: FaithDesignation.ROMAN_CATHOLIC,
    K.OTHER_FAITH_GROUP: FaithDesignation.OTHER,
}


def scale_spec(number, local_authorities):
    """Scale organisation ``number`` (1-based): kind, LA, identifiers and history."""
    kind = KIND_MIX[number % len(KIND_MIX)]
    rng = random.Random(f"scale-org-{number}")
    phase, nss, led, governance = _profile(kind, rng)
    urn, ukprn = _identifiers(kind, 500000 + number)
    la = local_authorities[(number * 7) % len(local_authorities)]
    history = random_history(rng, kind, led, governance)
    return OrgSpec(
        f"{SCALE_PREFIX}{number:05d}",
        kind,
        la.code,
        phase,
        urn=urn,
        ukprn=ukprn,
        nss=nss,
        faith=FAITH_OF_KIND.get(kind, FaithDesignation.NONE),
        led=led,
        governance=governance,
        address=f"{number} Scale Street\n{la.name}",
        members=((SCALE_CONTACT.format(number), True),),
        history=tuple(history),
    )


# --- Steps of each outcome ----------------------------------------------------------


@dataclass
class Step:
    action: str
    actor: str | None  # applicant, caseworker, assessor, advisory, decision, concerns, None
    details: dict = field(default_factory=dict)
    internal: bool = False


WITHDRAW_REASONS = (
    "Our headteacher leaves at the end of term; we will apply again when the new head is in post.",
    "The trust board has decided to concentrate on its existing schools this year.",
    "Our partner school's governors have not yet agreed to the partnership; we will reapply.",
)
INELIGIBLE_ASG = (
    "An Accredited Schools Group must already lead improvement in two or more schools through "
    "a formal partnership, or be accountable for the governance of two or more primary "
    "schools. The proposal shows fewer, so it cannot be considered for ASG accreditation. You "
    "may apply as an Accredited School Provider."
)
INELIGIBLE_OTHER = (
    "The proposal does not name a formal partnership or show the primary school improvement "
    "experience the prospectus asks of every applicant."
)
QUESTIONS = (
    "Please send the latest inspection outcomes of the schools you lead, with their dates.",
    "Tell us how your governing body will hold the new trust to account, and who will sit on "
    "its board.",
    "Please explain how you will secure Early Years Foundation Stage expertise in the first year.",
    "Give the key stage 2 results of your partner school for the last three years.",
)
ADVICE = (
    "The group agrees with the assessor: the evidence of impact across the partnership is strong.",
    "Agreed. The group notes the trust's capacity plan and would like it reviewed in a year.",
)
REFER_BACK = (
    "The group asks the assessor to look again at 2C: the evidence of impact covers one "
    "school only.",
    "Please reconsider 1D: the five-year commitment is not reflected in the financial plan.",
)
CONCERNS = (
    "The assessment of 2B did not take account of the validated results supplied with the "
    "proposal; the case is to be reassessed by a different assessor.",
    "The feedback relied on an out-of-date inspection report; reassessment by a different "
    "assessor.",
)


def build_steps(outcome, acc_type, rng, claims_nss=False):
    """The workflow moves that take a new draft to ``outcome``."""
    steps = []
    asg = acc_type == ASG

    def submit():
        steps.append(Step(A.SUBMIT, "applicant"))

    def screen():
        details = {"national_support_school": "confirmed"} if claims_nss else {}
        steps.append(Step(A.SCREEN_ELIGIBLE, "caseworker", details))

    def ask(answered=True):
        steps.append(Step(A.REQUEST_INFORMATION, "assessor", {"questions": rng.choice(QUESTIONS)}))
        if answered:
            steps.append(Step(A.RESPOND_TO_REQUEST, "applicant"))

    def recommend(recommendation):
        steps.append(
            Step(A.RECOMMEND, "assessor", {"recommendation": recommendation}, internal=True)
        )

    def route():
        if asg:
            steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
            steps.append(
                Step(
                    A.ADVISE,
                    "advisory",
                    {"advice": "agree", "comment": rng.choice(ADVICE)},
                    internal=True,
                )
            )
        else:
            steps.append(Step(A.REFER_TO_DECISION, "caseworker"))

    def assess(recommendation):
        submit()
        screen()
        if rng.random() < 0.3:
            ask()
        recommend(recommendation)

    def decided(accredit):
        assess("accredit" if accredit else "not_accredit")
        route()
        steps.append(Step(A.ACCREDIT if accredit else A.NOT_ACCREDIT, "decision"))

    def uphold():
        steps.append(Step(A.UPHOLD_CONCERN, "concerns", {"reason": rng.choice(CONCERNS)}))

    some_recommendation = "accredit" if rng.random() < 0.7 else "not_accredit"
    if outcome == "draft":
        pass
    elif outcome == "lapsed":
        steps.append(Step(A.LAPSE, None))
    elif outcome == "submitted":
        submit()
    elif outcome == "withdrawn":
        if rng.random() < 0.6:
            submit()
            if rng.random() < 0.5:
                screen()
        steps.append(Step(A.WITHDRAW, "applicant", {"reason": rng.choice(WITHDRAW_REASONS)}))
    elif outcome == "closed_ineligible":
        submit()
        reason = INELIGIBLE_ASG if asg else INELIGIBLE_OTHER
        steps.append(Step(A.SCREEN_INELIGIBLE, "caseworker", {"reason": reason}))
    elif outcome == "in_assessment":
        submit()
        screen()
    elif outcome == "information_requested":
        submit()
        screen()
        ask(answered=False)
    elif outcome == "answered":
        submit()
        screen()
        ask()
    elif outcome == "assessed":
        assess(some_recommendation)
    elif outcome == "advisory_review":
        assess(some_recommendation)
        steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
    elif outcome == "referred_back":
        assess(some_recommendation)
        steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
        steps.append(
            Step(A.REFER_BACK, "advisory", {"reason": rng.choice(REFER_BACK)}, internal=True)
        )
    elif outcome == "awaiting_decision":
        assess(some_recommendation)
        route()
    elif outcome == "accredited":
        decided(True)
    elif outcome == "not_accredited":
        decided(False)
    elif outcome == "concern_upheld":
        decided(False)
        uphold()
    elif outcome == "concern_then_accredited":
        decided(False)
        uphold()
        recommend("accredit")
        route()
        steps.append(Step(A.ACCREDIT, "decision"))
    else:
        raise ValueError(f"Unknown outcome {outcome!r}")
    return steps


FINAL_OUTCOMES = {
    "accredited",
    "not_accredited",
    "withdrawn",
    "closed_ineligible",
    "lapsed",
    "concern_then_accredited",
}


# --- Time --------------------------------------------------------------------------


def london(day, hour=9, minute=0):
    """A wall-clock time in Europe/London, held in UTC as the database gives
    times back (so a timeline event's time reads back exactly as hashed)."""
    local = timezone.make_aware(
        datetime.combine(day, time(hour, minute)), timezone.get_default_timezone()
    )
    return local.astimezone(UTC)


def add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_of(day):
    """The term a date falls in: spring January to April, summer May to
    August, autumn September to December (so dates four calendar months
    apart always fall in consecutive terms)."""
    if day.month <= 4:
        return Term.SPRING
    if day.month <= 8:
        return Term.SUMMER
    return Term.AUTUMN


def schedule(period, steps, outcome, rng, now):
    """When the draft was started and when each step happened (see
    ``_spread``), moved into office hours on weekdays wherever that keeps
    every time in order and inside its bounds."""
    spread = _spread(period, steps, outcome, rng, now)
    if spread is None:
        return None
    created, times = spread
    raw = [created, *times]
    writable_until = min(period.deadline, now)
    chosen = []
    previous = period.opens_at
    for index, moment in enumerate(raw):
        following = raw[index + 1] if index + 1 < len(raw) else None
        upper = writable_until if index <= 1 else now
        if following is not None:
            upper = min(upper, following - timedelta(seconds=1))
        candidate = _office_hours(moment, rng)
        keep = (index == 1 and steps[0].action == A.LAPSE) or not (previous < candidate <= upper)
        if index <= 1 and candidate >= writable_until:
            keep = True
        chosen.append(moment if keep else candidate)
        previous = chosen[-1]
    return chosen[0], chosen[1:]


def _office_hours(moment, rng):
    """The same working day (work on a weekend or bank holiday lands on the
    working day before), between 09:00 and 17:30."""
    day = clock.local_date(moment)
    while not clock.is_working_day(day):
        day -= timedelta(days=1)
    return london(day, 9) + timedelta(minutes=rng.uniform(0, 510))


def _spread(period, steps, outcome, rng, now):
    """When the draft was started and when each step happened: submission
    inside the window; casework after the deadline for a closed round (decided
    around the round's decision date), or since submission for an open one;
    never in the future. None if the period has not opened yet."""
    opens, deadline = period.opens_at, period.deadline
    writable_until = min(deadline, now)
    span = writable_until - opens
    if span <= timedelta(minutes=10):
        return None
    created = opens + span * rng.uniform(0.02, 0.5)
    if not steps:
        return created, []
    if steps[0].action == A.LAPSE:
        return created, [deadline]
    submitted = created + (writable_until - created) * rng.uniform(0.3, 0.95)
    if steps[0].action == A.WITHDRAW or len(steps) == 1:
        return created, [submitted]
    rest = len(steps) - 1
    if deadline <= now:
        start = deadline + timedelta(days=rng.uniform(1, 7))
        target = getattr(period, "decision_target", None)
        target = london(target, 11) if target else deadline + timedelta(days=60)
        if outcome not in FINAL_OUTCOMES:
            end = now - timedelta(hours=rng.uniform(1, 240))
        else:
            end = target + timedelta(days=rng.uniform(0, 14) + 21 * max(0, rest - 7))
        end = min(end, now - timedelta(hours=1))
    else:
        start = submitted + timedelta(hours=rng.uniform(2, 48))
        end = now - timedelta(minutes=rng.uniform(10, 600))
    if end <= start:
        start, end = submitted + (now - submitted) * 0.1, now - (now - submitted) * 0.05
    slot = (end - start) / rest
    times = [start + slot * (i + rng.uniform(0, 0.6)) for i in range(rest)]
    return created, [submitted, *times]


def utc(value):
    return value.astimezone(UTC)


# --- Building --------------------------------------------------------------------


class References:
    """Hands out ``ASP-2026-0042`` references without gaps per type and year,
    after the highest number already given (in the proposals app's counter
    rows, or on a case), and moves the counters on with ``save()`` so the
    service's own submissions carry on from the demo's numbers."""

    def __init__(self, model):
        self.model = model
        self.last = {}
        try:
            self.counters = apps.get_model("proposals", "ReferenceCounter")
        except LookupError:
            self.counters = None

    def next(self, acc_type, when):
        key = (acc_type, clock.local(when).year)
        if key not in self.last:
            prefix = f"{acc_type.upper()}-{key[1]}-"
            numbers = [
                int(ref[len(prefix) :])
                for ref in self.model.objects.filter(reference__startswith=prefix).values_list(
                    "reference", flat=True
                )
                if ref[len(prefix) :].isdigit()
            ]
            if self.counters is not None:
                numbers += self.counters.objects.filter(
                    accreditation_type=acc_type, year=key[1]
                ).values_list("last_number", flat=True)
            self.last[key] = max(numbers, default=0)
        self.last[key] += 1
        return f"{acc_type.upper()}-{key[1]}-{self.last[key]:04d}"

    def save(self):
        """Move each counter on to the highest number given, by this run or
        an earlier one (so a rerun also mends counters behind the cases)."""
        if self.counters is None:
            return
        highest = dict(self.last)
        pattern = re.compile(r"^(ASP|ASG)-(\d{4})-(\d+)$")
        for reference in self.model.objects.exclude(reference=None).values_list(
            "reference", flat=True
        ):
            match = pattern.match(reference)
            if match:
                key = (match[1].lower(), int(match[2]))
                highest[key] = max(highest.get(key, 0), int(match[3]))
        for (acc_type, year), last in highest.items():
            counter, _ = self.counters.objects.select_for_update().get_or_create(
                accreditation_type=acc_type, year=year
            )
            if counter.last_number < last:
                counter.last_number = last
                counter.save(update_fields=["last_number"])


@contextmanager
def explicit_timestamps(model, *names):
    """Let ``created_at``/``updated_at`` be set to the demo's own times."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Plan:
    organisation: Organisation
    period: object  # Round or Window
    acc_type: str
    outcome: str
    steps: list
    created: datetime
    times: list
    contact: User
    assessors: tuple  # (first assessor, the one after an upheld concern)

    @property
    def sort_key(self):
        return (self.times[0] if self.times else self.created, self.organisation.pk)


class Seeder:
    def __init__(self, now=None):
        self.now = now or clock.now()
        self.Proposal = proposal_model()
        self.password_hash = make_password(PASSWORD)
        self.references = References(self.Proposal)
        self.created = Counter()

    # People -------------------------------------------------------------------------

    def user(self, spec):
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                email=spec.email, password=None, full_name=spec.full_name
            )
            user.password = self.password_hash
            user.save(update_fields=["password"])
            self.created["users"] += 1
        groups = [self.groups[Role(role).value] for role in spec.roles]
        user.groups.add(*groups)
        return user

    # Rounds -------------------------------------------------------------------------

    def rounds(self, framework):
        """Rounds by how many terms back they are (0 current, -1 next)."""
        today = clock.local_date(self.now)
        opens0, deadline0 = today - timedelta(days=30), today + timedelta(days=21)
        rounds = {}
        for back in range(PAST_ROUNDS, -2, -1):
            opens = add_months(opens0, -4 * back)
            deadline = add_months(deadline0, -4 * back)
            term, year = term_of(deadline), deadline.year
            existing = Round.objects.filter(term=term, year=year).first()
            if existing:
                rounds[back] = existing
                continue
            due = deadline + timedelta(days=42)
            rounds[back] = Round.objects.create(
                term=term,
                year=year,
                framework=framework,
                opens_at=london(opens, 9),
                deadline=london(deadline, 17),
                assessment_due=due,
                advisory_group_meeting=due + timedelta(days=14),
                decision_target=due + timedelta(days=28),
            )
            self.created["rounds"] += 1
        return rounds

    # Organisations ------------------------------------------------------------------

    def organisation(self, spec):
        organisation = Organisation.objects.filter(name=spec.name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec.name,
                kind=spec.kind,
                urn=spec.urn,
                ukprn=spec.ukprn,
                local_authority=self.las[spec.la_code],
                phase=spec.phase,
                claims_national_support_school=spec.nss,
                faith_designation=spec.faith,
                address=spec.address,
                schools_led_count=spec.led,
                primary_governance_count=spec.governance,
            )
            self.created["organisations"] += 1
        for email, is_contact in spec.members:
            Membership.objects.get_or_create(
                user=self.users[email],
                organisation=organisation,
                defaults={"is_contact": is_contact},
            )
        return organisation

    def plans_for(self, organisation, spec, contact, rounds, seed):
        """Plans for an organisation's history, unless it has cases already."""
        if self.Proposal.objects.filter(organisation=organisation).exists():
            return []
        rng = random.Random(seed)
        plans = []
        for back, acc_type, outcome in spec.history:
            if back == "window":
                period = self.window(organisation)
            else:
                period = rounds[back]
            steps = build_steps(outcome, acc_type, rng, claims_nss=spec.nss)
            when = schedule(period, steps, outcome, rng, self.now)
            if when is None:
                continue
            when = utc(when[0]), [utc(t) for t in when[1]]
            assessors = tuple(rng.sample(self.assessors, 2))
            plans.append(
                Plan(organisation, period, acc_type, outcome, steps, *when, contact, assessors)
            )
        return plans

    def window(self, organisation):
        window = organisation.windows.first()
        if window is None:
            window = Window.objects.create(
                organisation=organisation,
                framework=Framework.current(),
                opens_at=self.now - timedelta(days=12),
                deadline=self.now + timedelta(days=16),
                granted_by=self.users["caseworker@example.org"],
            )
        return window

    def actors(self, plan):
        return {
            "applicant": plan.contact,
            "caseworker": self.users["caseworker@example.org"],
            "advisory": self.users["advisory@example.org"],
            "decision": self.users["decision@example.org"],
            "concerns": self.users["decision2@example.org"],
            None: None,
        }

    def _new_case(self, plan, **fields):
        is_round = isinstance(plan.period, Round)
        return self.Proposal(
            organisation=plan.organisation,
            round=plan.period if is_round else None,
            window=None if is_round else plan.period,
            framework=plan.period.framework,
            accreditation_type=plan.acc_type,
            created_by=plan.contact,
            created_at=plan.created,
            updated_at=plan.created,
            **fields,
        )

    @staticmethod
    def _details(step, when):
        if step.action == A.REQUEST_INFORMATION:
            due = clock.working_days_after(
                clock.local_date(when), policy.current().information_request_working_days
            )
            return {**step.details, "due": due.isoformat()}
        return dict(step.details)

    def walk(self, plans):
        """Create each case as a draft and walk it through the real workflow."""
        lapse = defaultdict(list)
        for plan in sorted(plans, key=lambda p: p.sort_key):
            with explicit_timestamps(self.Proposal, "created_at", "updated_at"):
                case = self._new_case(plan)
                case.save(force_insert=True)
            actors = self.actors(plan)
            assessor = plan.assessors[0]
            for step, when in zip(plan.steps, plan.times, strict=True):
                if step.action == A.LAPSE:
                    lapse[plan.period].append(case.pk)
                    continue
                if step.action == A.UPHOLD_CONCERN:
                    assessor = plan.assessors[1]
                actor = assessor if step.actor == "assessor" else actors[step.actor]
                changes = None
                if step.action == A.SUBMIT:
                    changes = {
                        "reference": self.references.next(plan.acc_type, when),
                        "submitted_at": when,
                    }
                details = self._details(step, when)
                if changes:
                    details["reference"] = changes["reference"]
                try:
                    move(
                        case,
                        step.action,
                        actor,
                        details=details,
                        changes=changes,
                        internal=step.internal,
                        when=when,
                    )
                except WorkflowError as refusal:
                    raise DemoError(
                        f"{plan.organisation} ({plan.acc_type}, {plan.outcome}): "
                        f"{step.action} as {actor} refused: {refusal}"
                    ) from refusal
                self.give_parts(case, step.action, plan, actors, assessor, when)
            self.created["cases"] += 1
        for period, pks in lapse.items():
            result = move_many(
                self.Proposal.objects.filter(pk__in=pks, status=Status.DRAFT),
                A.LAPSE,
                None,
                when=utc(period.deadline),
            )
            if result.refused:
                raise DemoError(f"Lapsing drafts of {period} refused: {result.refused}")

    def give_parts(self, case, action, plan, actors, assessor, when):
        """What the casework around a move sets up for the next one: the
        assessor assigned once the case is screened (a new one after an upheld
        concern), and the Advisory Group meeting an ASG case goes to."""
        Assignment = apps.get_model("assessments", "Assignment")
        if action in (A.SCREEN_ELIGIBLE, A.UPHOLD_CONCERN):
            Assignment.objects.filter(case=case, ended_at=None).update(ended_at=when)
            Assignment.objects.create(
                case=case,
                assessor=assessor,
                kind="first",
                assigned_by=actors["caseworker"],
                assigned_at=when,
            )
        elif action == A.REFER_TO_ADVISORY_GROUP:
            apps.get_model("advisory_group", "AgendaItem").objects.get_or_create(
                meeting=self.meeting(plan.period, actors["advisory"]),
                case=case,
                purpose="advice",
                defaults={"added_at": when},
            )

    def meeting(self, period, chair):
        """The Advisory Group meeting of a round (out-of-round cases: one ad hoc
        meeting), on its meeting date."""
        Meeting = apps.get_model("advisory_group", "Meeting")
        is_round = isinstance(period, Round)
        meeting = Meeting.objects.filter(round=period if is_round else None).first()
        if meeting is None:
            held_at = (
                timezone.make_aware(datetime.combine(period.advisory_group_meeting, time(10)))
                if is_round
                else self.now + timedelta(days=21)
            )
            meeting = Meeting.objects.create(
                round=period if is_round else None, held_at=held_at, chair=chair
            )
            meeting.members.add(*User.objects.filter(groups__name=Role.ADVISORY_GROUP_MEMBER))
        return meeting

    def bulk(self, plans, chunk=2000):
        """Insert cases in their final status with a valid timeline, in bulk."""
        plans = sorted(plans, key=lambda p: p.sort_key)
        for start in range(0, len(plans), chunk):
            batch = plans[start : start + chunk]
            cases, chains = [], []
            for plan in batch:
                actors = self.actors(plan)
                assessor = plan.assessors[0]
                status = Status.DRAFT
                fields = {}
                chain = []
                for step, when in zip(plan.steps, plan.times, strict=True):
                    transition = TRANSITIONS[(status, step.action)]
                    if step.action == A.UPHOLD_CONCERN:
                        assessor = plan.assessors[1]
                    actor = assessor if step.actor == "assessor" else actors[step.actor]
                    details = self._details(step, when)
                    if step.action == A.SUBMIT:
                        fields["reference"] = self.references.next(plan.acc_type, when)
                        fields["submitted_at"] = when
                        details["reference"] = fields["reference"]
                    chain.append((transition, actor, details, step.internal, when))
                    status = transition.target
                case = self._new_case(plan, status=status, **fields)
                if plan.times:
                    case.updated_at = plan.times[-1]
                cases.append(case)
                chains.append(chain)
            with explicit_timestamps(self.Proposal, "created_at", "updated_at"):
                self.Proposal.objects.bulk_create(cases)
            events = []
            for case, chain in zip(cases, chains, strict=True):
                prev = None
                for sequence, (transition, actor, details, internal, when) in enumerate(
                    chain, start=1
                ):
                    event = new_event(
                        case,
                        sequence=sequence,
                        prev_hash=prev,
                        action=transition.action,
                        actor=actor,
                        from_status=transition.source,
                        to_status=transition.target,
                        details=details,
                        internal=internal,
                        when=when,
                    )
                    prev = event.hash
                    events.append(event)
                    case.timeline_sequence, case.timeline_hash = sequence, event.hash
            CaseEvent.objects.bulk_create(events, batch_size=1000)
            self.Proposal.objects.bulk_update(
                cases, ["timeline_sequence", "timeline_hash"], batch_size=1000
            )
            self.created["cases"] += len(cases)

    # Scale ----------------------------------------------------------------------------

    def scale(self, units, rounds):
        """Add ``units`` times the base set's organisations, each with its own
        contact, and their cases, in bulk. Idempotent by organisation name."""
        total = units * ORGS_PER_UNIT
        if total <= 0:
            return
        specs = {n: scale_spec(n, self.la_list) for n in range(1, total + 1)}
        emails = {n: SCALE_CONTACT.format(n) for n in specs}
        existing_users = {
            u.email: u for u in User.objects.filter(email__startswith="scale-contact-")
        }
        new_users = [
            User(email=email, full_name=f"Scale contact {n:05d}", password=self.password_hash)
            for n, email in emails.items()
            if email not in existing_users
        ]
        User.objects.bulk_create(new_users, batch_size=1000)
        self.created["users"] += len(new_users)
        users = {u.email: u for u in User.objects.filter(email__startswith="scale-contact-")}
        applicant = self.groups[Role.APPLICANT.value]
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=users[email].pk, group_id=applicant.pk) for email in emails.values()],
            batch_size=1000,
            ignore_conflicts=True,
        )
        existing_orgs = {
            o.name: o for o in Organisation.objects.filter(name__startswith=SCALE_PREFIX)
        }
        new_orgs = [
            Organisation(
                name=spec.name,
                kind=spec.kind,
                urn=spec.urn,
                ukprn=spec.ukprn,
                local_authority=self.las[spec.la_code],
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
        self.created["organisations"] += len(new_orgs)
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
            self.Proposal.objects.filter(organisation__name__startswith=SCALE_PREFIX)
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
                when = schedule(rounds[back], steps, outcome, rng, self.now)
                if when is None:
                    continue
                when = utc(when[0]), [utc(t) for t in when[1]]
                plans.append(
                    Plan(
                        organisation,
                        rounds[back],
                        acc_type,
                        outcome,
                        steps,
                        *when,
                        users[emails[n]],
                        tuple(rng.sample(self.assessors, 2)),
                    )
                )
        self.bulk(plans)

    # All of it -----------------------------------------------------------------------

    def run(self, scale=1):
        ensure_defaults()
        self.groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        framework = Framework.objects.get(version=1)
        self.la_list = list(LocalAuthority.objects.order_by("code"))
        self.las = {la.code: la for la in self.la_list}
        with transaction.atomic():
            self.users = {spec.email: self.user(spec) for spec in DEMO_USERS}
            self.assessors = [
                self.users["assessor@example.org"],
                self.users["assessor2@example.org"],
            ]
            rounds = self.rounds(framework)
            plans = []
            for spec in FEATURED:
                organisation = self.organisation(spec)
                contact = self.users[next(email for email, contact in spec.members if contact)]
                plans += self.plans_for(organisation, spec, contact, rounds, f"demo-{spec.name}")
            for spec, person in generated_specs(self.la_list):
                self.users[person.email] = self.user(person)
                organisation = self.organisation(spec)
                plans += self.plans_for(
                    organisation, spec, self.users[person.email], rounds, f"demo-{spec.name}"
                )
            self.walk(plans)
            self.references.save()
        if scale > 1:
            with transaction.atomic():
                self.scale(scale - 1, rounds)
                self.references.save()
        return rounds


def seed(scale=1, now=None):
    """Build (or top up) the demo data set. Returns what was created."""
    seeder = Seeder(now=now)
    seeder.run(scale=scale)
    return seeder.created


def summary():
    """Counts for the closing report: organisations, and cases by status."""
    Proposal = proposal_model()
    by_status = dict(
        Proposal.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "organisations": Organisation.objects.count(),
        "cases": sum(by_status.values()),
        "by_status": [(status, by_status.get(status.value, 0)) for status in Status],
        "rounds": list(Round.objects.order_by("opens_at")),
        "events": CaseEvent.objects.count(),
    }
