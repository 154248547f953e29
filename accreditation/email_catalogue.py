"""The spine's e-mails (accounts, invitations, decisions past their target),
registered for the staff preview with example data: unsaved instances, never
a query."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import Invitation, Organisation, User

SERVICE_URL = "https://apply-for-accreditation.example"


def registered_example():
    return {
        "sign_in": f"{SERVICE_URL}/account/sign-in/",
        "reset": f"{SERVICE_URL}/account/password-reset/",
    }


def staff_invitation_example():
    invitation = Invitation(
        pk=1,
        email="sam.assessor@example.org",
        full_name="Sam Assessor",
        expires_at=clock.at(date(2026, 12, 9), time(9)),
    )
    return {"invitation": invitation, "link": f"{SERVICE_URL}/invitation/example-token/"}


def organisation_invitation_example():
    organisation = Organisation(pk=1, name="Oakfield Learning Trust")
    invitation = Invitation(
        pk=1,
        email="new.member@example.org",
        organisation=organisation,
        expires_at=clock.at(date(2026, 12, 9), time(9)),
    )
    return {
        "invitation": invitation,
        "organisation": organisation,
        "invited_by": User(pk=1, email="head@example.org", full_name="Jo Head"),
        "link": f"{SERVICE_URL}/organisation/join/example-token/",
    }


def password_reset_example():
    return {
        "protocol": "https",
        "domain": SERVICE_URL.removeprefix("https://"),
        "uid": "MQ",
        "token": "example-token",
        "user": User(pk=1, email="head@example.org", full_name="Jo Head"),
    }


def decision_overdue_example():
    from proposals.emails import example_case

    case = example_case(status="awaiting_decision")
    return {"case": case, "target": case.round.decision_target}


emails.register(
    emails.EmailTemplate(
        name="accounts/registered",
        title="An applicant's account is ready",
        audience="The person who registered",
        subject="Your account for {{ service_name }} is ready",
        example="accreditation.email_catalogue.registered_example",
    ),
    emails.EmailTemplate(
        name="accounts/already_registered",
        title="Someone tried to register an address that has an account",
        audience="The account's owner",
        subject="You already have an account for {{ service_name }}",
        example="accreditation.email_catalogue.registered_example",
    ),
    emails.EmailTemplate(
        name="accounts/staff_invitation",
        title="An invitation to join the staff",
        audience="The person invited",
        subject="You have been invited to {{ service_name }}",
        example="accreditation.email_catalogue.staff_invitation_example",
    ),
    emails.EmailTemplate(
        name="accounts/password_reset",
        title="A link to reset a password",
        audience="The person who asked",
        subject="Reset your password for {{ service_name }}",
        example="accreditation.email_catalogue.password_reset_example",
    ),
    emails.EmailTemplate(
        name="organisation/invitation",
        title="An invitation to join an organisation",
        audience="The person invited",
        subject="Join {{ organisation.name }} on {{ service_name }}",
        example="accreditation.email_catalogue.organisation_invitation_example",
    ),
    emails.EmailTemplate(
        name="accreditation/decision_overdue",
        title="A case is past its round's decision target",
        audience="Decision officials who may decide it",
        subject="{{ case.reference }}: the decision was due by {{ target|date:'j F Y' }}",
        example="accreditation.email_catalogue.decision_overdue_example",
    ),
)
