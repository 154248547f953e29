"""The e-mails telling contacts a letter was issued (a step of revocation's
says what the step means too) and about concerns, registered for the staff
preview with example data (unsaved instances)."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import AccreditationType
from accreditation.workflow import Status
from feedback.models import Concern, ConcernState, Letter, LetterPurpose
from proposals.emails import example_case
from register.models import RegisterEntry


def letter_issued_example():
    case = example_case(status=Status.ACCREDITED)
    return {
        "case": case,
        "letter": Letter(pk=1, case=case, purpose=LetterPurpose.DECISION),
        "link": f"https://apply-for-accreditation.example/proposals/{case.pk}/",
        "check_link": "https://apply-for-accreditation.example/letters/check/",
    }


emails.register(
    emails.EmailTemplate(
        name="feedback/letter_issued",
        title="A letter was issued (decision, feedback or screening)",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: your {{ letter.get_purpose_display|lower }}",
        example="feedback.emails.letter_issued_example",
    ),
)


EXAMPLE_REASON = "The trust no longer leads improvement in any school."


def revocation_example(purpose):
    """A step of revocation's e-mail: its letter's link with what the step
    means, as ``feedback.services.letters.revocation_context`` gives it."""
    context = letter_issued_example()
    case = context["case"]
    entry = RegisterEntry(
        pk=1, name=case.organisation.name, accreditation_type=AccreditationType.ASP, case=case
    )
    return {
        **context,
        "letter": Letter(pk=2, case=case, purpose=purpose),
        "entry": entry,
        "accreditation_type": entry.get_accreditation_type_display(),
        "reason": EXAMPLE_REASON,
        "respond_link": "https://apply-for-accreditation.example/accredited/",
        "step_date": date(2027, 1, 1),
        "response_due": clock.at(date(2027, 1, 29), time(17)),
    }


def revocation_notice_example():
    return revocation_example(LetterPurpose.REVOCATION_NOTICE)


def revocation_letter_example():
    return revocation_example(LetterPurpose.REVOCATION)


emails.register(
    emails.EmailTemplate(
        name="feedback/revocation_notice",
        title="Notice that an accreditation may be revoked, with its letter",
        audience="The provider's contacts",
        subject="Notice that your accreditation may be revoked",
        example="feedback.emails.revocation_notice_example",
    ),
    emails.EmailTemplate(
        name="feedback/revocation",
        title="An accreditation is revoked, with its letter",
        audience="The provider's contacts",
        subject="Your accreditation has been revoked",
        example="feedback.emails.revocation_letter_example",
    ),
)


def _concern(**fields):
    return Concern(
        pk=1,
        text="The assessor did not read the evidence we gave for criterion 2A.",
        raised_at=clock.at(date(2027, 2, 3), time(11, 20)),
        **fields,
    )


def concern_raised_example():
    return {
        "case": example_case(status=Status.NOT_ACCREDITED),
        "concern": _concern(state=ConcernState.OPEN),
        "link": "https://apply-for-accreditation.example/proposals/1/",
    }


def concern_upheld_example():
    return {
        "case": example_case(status=Status.IN_ASSESSMENT),
        "concern": _concern(
            state=ConcernState.UPHELD,
            response="The evidence for criterion 2A was in an appendix the assessor did not see.",
        ),
        "again": "assessed",
        "link": "https://apply-for-accreditation.example/proposals/1/",
    }


emails.register(
    emails.EmailTemplate(
        name="feedback/concern_raised",
        title="A concern has been received",
        audience="The organisation's contacts and whoever raised it",
        subject="{{ case.reference }}: we have received your concern",
        example="feedback.emails.concern_raised_example",
    ),
    emails.EmailTemplate(
        name="feedback/concern_upheld",
        title="A concern has been upheld",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: your concern has been upheld",
        example="feedback.emails.concern_upheld_example",
    ),
)
