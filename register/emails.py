"""The e-mails about revoking a register entry, registered for the staff
preview with example data (unsaved instances)."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import AccreditationType
from register.models import RegisterEntry


def entry_example():
    entry = RegisterEntry(
        pk=1,
        name="Oakfield Learning Trust",
        accreditation_type=AccreditationType.ASP,
        revocation_reason="The trust no longer leads improvement in any school.",
        response_due=clock.at(date(2027, 1, 29), time(17)),
    )
    return {"entry": entry}


emails.register(
    emails.EmailTemplate(
        name="register/notice",
        title="Notice that an accreditation may be revoked",
        audience="The provider's contacts",
        subject="Notice that your accreditation may be revoked – {{ service_name }}",
        example="register.emails.entry_example",
    ),
    emails.EmailTemplate(
        name="register/notice_withdrawn",
        title="A notice of revocation is withdrawn",
        audience="The provider's contacts",
        subject="Your accreditation will not be revoked – {{ service_name }}",
        example="register.emails.entry_example",
    ),
    emails.EmailTemplate(
        name="register/revoked",
        title="An accreditation is revoked",
        audience="The provider's contacts",
        subject="Your accreditation has been revoked – {{ service_name }}",
        example="register.emails.entry_example",
    ),
)
