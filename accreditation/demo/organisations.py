"""The demo's organisations: twenty featured ones with hand-written
histories, eighty generated ones of every kind, and the numbered scale
organisations that ``--scale`` adds."""

import random
import re
from dataclasses import dataclass

from accreditation.demo.histories import ASG, ASP, random_history
from accreditation.demo.people import DemoUser
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

ORGS_PER_UNIT = 100
"""Organisations in the base set; ``--scale N`` adds (N - 1) times this."""
SCALE_PREFIX = "Scale org "
SCALE_CONTACT = "scale-contact-{:05d}@example.org"

K = OrganisationKind

# A history is a list of (round, type, outcome): ``round`` counts back from the
# current round (0 is the current round, 1 last term's, ...) or is "window" for
# an out-of-round window open now. Outcomes are the names in
# ``histories.build_steps``.


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
        history=((1, ASP, "recommended"),),
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
        history=((1, ASP, "recommended"),),
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
