"""The e-mail about withdrawing a notice of revocation, registered for the
staff preview with example data (an unsaved instance). The notice and the
revocation are told in their letters' e-mails (``feedback.emails``)."""

from accreditation import emails
from accreditation.models import AccreditationType
from register.models import RegisterEntry


def entry_example():
    entry = RegisterEntry(
        pk=1,
        name="Oakfield Learning Trust",
        accreditation_type=AccreditationType.ASP,
    )
    return {"entry": entry}


emails.register(
    emails.EmailTemplate(
        name="register/notice_withdrawn",
        title="A notice of revocation is withdrawn",
        audience="The provider's contacts",
        subject="Your accreditation will not be revoked – {{ service_name }}",
        example="register.emails.entry_example",
    ),
)
