"""People who hold a given part in a case, made the way the service makes
them: a membership, a global role, an assignment, a place on a meeting."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation.roles import Role
from assessments.models import AssignmentKind
from tests.factories import (
    AgendaItemFactory,
    AssignmentFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

GLOBAL_ROLE = {
    "applicant": Role.APPLICANT,
    "casework_officer": Role.CASEWORK_OFFICER,
    "assessor": Role.ASSESSOR,
    "second_assessor": Role.ASSESSOR,
    "meeting_chair": Role.ADVISORY_GROUP_MEMBER,
    "meeting_member": Role.ADVISORY_GROUP_MEMBER,
    "decision_official": Role.DECISION_OFFICIAL,
}


def give_part(person, case_role, cases):
    """Give ``person`` the case role ``case_role`` on each of ``cases``."""
    if case_role == "applicant":
        for organisation in {case.organisation for case in cases}:
            MembershipFactory(user=person, organisation=organisation)
    elif case_role in ("assessor", "second_assessor"):
        kind = AssignmentKind.FIRST if case_role == "assessor" else AssignmentKind.SECOND
        for case in cases:
            AssignmentFactory(case=case, assessor=person, kind=kind)
    elif case_role in ("meeting_chair", "meeting_member"):
        meeting = (
            MeetingFactory(chair=person)
            if case_role == "meeting_chair"
            else MeetingFactory(members=[person])
        )
        for case in cases:
            AgendaItemFactory(meeting=meeting, case=case)
    return person


def person_with(case_role, *cases, **user_fields):
    """A new person holding ``case_role`` on ``cases`` (``"system"``: None)."""
    if case_role == "system":
        return None
    person = UserFactory(roles=[GLOBAL_ROLE[case_role]], **user_fields)
    return give_part(person, case_role, cases)


def sign_in_verified(client, user):
    """Signed in, past the staff second factor."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
