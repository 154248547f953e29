"""The e-mail asking Advisory Group members for their views before a
meeting, registered for the staff preview with example data."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import AccreditationType, User
from accreditation.workflow import Status
from advisory_group.models import AgendaItem, ItemPurpose, Meeting
from proposals.emails import example_case


def views_wanted_example():
    person = User(pk=1, email="alex.member@example.org", full_name="Alex Member")
    meeting = Meeting(pk=1, held_at=clock.at(date(2027, 1, 13), time(10)), chair=person)
    first = example_case(status=Status.ADVISORY_REVIEW, accreditation_type=AccreditationType.ASG)
    first.reference = "ASG-2026-0007"
    second = example_case(status=Status.ADVISORY_REVIEW)
    items = [
        AgendaItem(pk=1, meeting=meeting, case=first, purpose=ItemPurpose.ADVICE),
        AgendaItem(pk=2, meeting=meeting, case=second, purpose=ItemPurpose.FEEDBACK),
    ]
    return {"meeting": meeting, "person": person, "items": items}


emails.register(
    emails.EmailTemplate(
        name="advisory_group/views_wanted",
        title="Views wanted before an Advisory Group meeting",
        audience="Members (and the chair) without a view on an open item",
        subject="Your views are needed before the Advisory Group meeting on "
        "{{ meeting.held_at|date:'j F Y' }}",
        example="advisory_group.emails.views_wanted_example",
    ),
)
