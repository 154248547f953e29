"""The people of the demo: staff in every role and the named applicants,
all with one password, printed by ``seed_demo``."""

from dataclasses import dataclass

from accreditation.roles import Role

PASSWORD = "Accredit-demo-2026"


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
    DemoUser(
        "caseworker2@example.org",
        "Priya Shah",
        (Role.CASEWORK_OFFICER,),
        "screens again a case screened out by another officer after an upheld concern",
    ),
    DemoUser("assessor@example.org", "Marcus Bell", (Role.ASSESSOR,), "scores and recommends"),
    DemoUser("assessor2@example.org", "Nadia Karim", (Role.ASSESSOR,), "second assessor"),
    DemoUser(
        "assessor3@example.org",
        "Owen Price",
        (Role.ASSESSOR,),
        "second assessor where the others may not (a case reassessed after an upheld concern)",
    ),
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
