"""The e-mail telling contacts a letter was issued, registered for the
staff preview with example data (unsaved instances)."""

from accreditation import emails
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from proposals.emails import example_case


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
