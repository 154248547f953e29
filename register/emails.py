"""The e-mails about revoking a register entry and about a co-partner the
provider proposed, registered for the staff preview with example data
(unsaved instances)."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import AccreditationType
from register.models import CoPartnerChange, RegisterEntry


def entry_example():
    entry = RegisterEntry(
        pk=1,
        name="Oakfield Learning Trust",
        accreditation_type=AccreditationType.ASP,
        revocation_reason="The trust no longer leads improvement in any school.",
        response_due=clock.at(date(2027, 1, 29), time(17)),
    )
    return {"entry": entry}


def change_example():
    entry = RegisterEntry(
        pk=1,
        name="Oakfield Services Ltd",
        accreditation_type=AccreditationType.ASP,
        co_partner_name="Hill Primary School",
    )
    change = CoPartnerChange(
        pk=1,
        entry=entry,
        name="Riverside Teaching School",
        reason="The answer to 2B gives no evidence of pupils' progress in the schools supported.",
    )
    return {"entry": entry, "change": change}


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
    emails.EmailTemplate(
        name="register/co_partner_met",
        title="A proposed co-partner meets the track record criteria",
        audience="The provider's contacts",
        subject="Your co-partner meets the track record criteria – {{ service_name }}",
        example="register.emails.change_example",
    ),
    emails.EmailTemplate(
        name="register/co_partner_not_met",
        title="A proposed co-partner does not meet the track record criteria",
        audience="The provider's contacts",
        subject="Your proposed co-partner does not meet the track record criteria – "
        "{{ service_name }}",
        example="register.emails.change_example",
    ),
)
