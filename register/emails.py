"""The e-mails about withdrawing a notice of revocation and about a
co-partner the provider proposed, registered for the staff preview with
example data (unsaved instances). The notice and the revocation are told in
their letters' e-mails (``feedback.emails``)."""

from accreditation import emails
from accreditation.models import AccreditationType
from register.models import CoPartnerChange, RegisterEntry


def entry_example():
    entry = RegisterEntry(
        pk=1,
        name="Oakfield Learning Trust",
        accreditation_type=AccreditationType.ASP,
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
        name="register/notice_withdrawn",
        title="A notice of revocation is withdrawn",
        audience="The provider's contacts",
        subject="Your accreditation will not be revoked",
        example="register.emails.entry_example",
    ),
    emails.EmailTemplate(
        name="register/co_partner_met",
        title="A proposed co-partner meets the track record criteria",
        audience="The provider's contacts",
        subject="Your co-partner meets the track record criteria",
        example="register.emails.change_example",
    ),
    emails.EmailTemplate(
        name="register/co_partner_not_met",
        title="A proposed co-partner does not meet the track record criteria",
        audience="The provider's contacts",
        subject="Your proposed co-partner does not meet the track record criteria",
        example="register.emails.change_example",
    ),
)
