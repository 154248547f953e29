"""The e-mails about drafts and deadlines, registered for the staff preview
with example data (unsaved instances: a preview reads nothing)."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import AccreditationType, Organisation, Round, Term
from accreditation.workflow import Status
from proposals.models import Proposal


def example_round(term=Term.AUTUMN, year=2026):
    return Round(
        pk=1,
        term=term,
        year=year,
        opens_at=clock.at(date(year, 9, 7), time(9)),
        deadline=clock.at(date(year, 10, 30), time(17)),
        assessment_due=date(year, 12, 11),
        advisory_group_meeting=date(year + 1, 1, 13),
        decision_target=date(year + 1, 1, 29),
    )


def example_proposal(**fields):
    return Proposal(
        pk=1,
        organisation=Organisation(pk=1, name="Oakfield Learning Trust"),
        round=example_round(),
        **{"accreditation_type": AccreditationType.ASP, "status": Status.DRAFT, **fields},
    )


def example_case(**fields):
    """A submitted case, for the e-mails about cases."""
    return example_proposal(
        reference="ASP-2026-0042", submitted_at=clock.at(date(2026, 10, 28), time(14, 5)), **fields
    )


def deadline_moved_example():
    proposal = example_proposal()
    before = proposal.round.deadline
    proposal.round.deadline = clock.at(date(2026, 11, 6), time(17))
    return {
        "proposal": proposal,
        "before": before,
        "link": "https://apply-for-accreditation.example/proposals/1/",
    }


def reminder_example():
    return {
        "proposal": example_proposal(),
        "days": 7,
        "link": "https://apply-for-accreditation.example/proposals/1/",
    }


def lapsed_example():
    next_round = example_round(Term.SPRING, 2027)
    next_round.opens_at = clock.at(date(2027, 1, 11), time(9))
    next_round.deadline = clock.at(date(2027, 2, 26), time(17))
    return {
        "proposal": example_proposal(),
        "next_round": next_round,
        "next_round_open": False,
        "link": "https://apply-for-accreditation.example/proposals/",
    }


emails.register(
    emails.EmailTemplate(
        name="proposals/reminder",
        title="Reminder of a draft's deadline (14, 7 and 1 days before)",
        audience="The organisation's contacts",
        subject="{{ proposal.draft_name }}: the deadline is {% if days == 0 %}today"
        "{% elif days == 1 %}tomorrow{% else %}in {{ days }} days{% endif %}",
        example="proposals.emails.reminder_example",
    ),
    emails.EmailTemplate(
        name="proposals/lapsed",
        title="A draft was not submitted by its deadline",
        audience="The organisation's contacts",
        subject="Your {{ proposal.draft_in_words }} was not submitted by the deadline",
        example="proposals.emails.lapsed_example",
    ),
    emails.EmailTemplate(
        name="proposals/deadline_moved",
        title="The deadline of a round with drafts in it moves",
        audience="The organisation's contacts",
        subject="{% load service %}The {{ proposal.round }} round's deadline has moved to "
        "{{ proposal.round.deadline|govuk_deadline }}",
        example="proposals.emails.deadline_moved_example",
    ),
)


def submitted_example():
    return {
        "proposal": example_case(status=Status.SUBMITTED),
        "link": "https://apply-for-accreditation.example/proposals/1/status/",
    }


def withdrawn_example():
    return {
        "proposal": example_case(status=Status.WITHDRAWN),
        "withdrawn_by": "Jo Head",
        "withdrawn_at": clock.at(date(2026, 11, 3), time(11, 20)),
        "reason": "We are joining another trust's proposal instead.",
        "link": "https://apply-for-accreditation.example/proposals/1/status/",
    }


def _out_of_round_request(outcome, **fields):
    from proposals.models import OutOfRoundRequest

    return OutOfRoundRequest(
        pk=1,
        organisation=Organisation(pk=1, name="Oakfield Learning Trust"),
        school_name="Riverside Primary School",
        outcome=outcome,
        **fields,
    )


def out_of_round_granted_example():
    from accreditation.models import Window

    window = Window(pk=1, deadline=clock.at(date(2026, 12, 18), time(17)))
    return {
        "request_obj": _out_of_round_request("granted", window=window),
        "link": "https://apply-for-accreditation.example/out-of-round/",
    }


def out_of_round_refused_example():
    reason = "The school's local authority has already chosen a trust to lead it."
    return {
        "request_obj": _out_of_round_request("refused", refusal_reason=reason),
        "link": "https://apply-for-accreditation.example/out-of-round/",
    }


emails.register(
    emails.EmailTemplate(
        name="proposals/submitted",
        title="A proposal has been submitted",
        audience="The organisation's contacts",
        subject="{{ proposal.reference }}: your proposal has been submitted",
        example="proposals.emails.submitted_example",
    ),
    emails.EmailTemplate(
        name="proposals/withdrawn",
        title="A proposal is withdrawn",
        audience="The organisation's contacts",
        subject="{% if proposal.reference %}{{ proposal.reference }}{% else %}Your "
        "{{ proposal.draft_in_words }}{% endif %} has been withdrawn",
        example="proposals.emails.withdrawn_example",
    ),
    emails.EmailTemplate(
        name="proposals/out_of_round_granted",
        title="An out-of-round request is granted",
        audience="The organisation's contacts",
        subject="Out-of-round request granted: you can now send a proposal",
        example="proposals.emails.out_of_round_granted_example",
    ),
    emails.EmailTemplate(
        name="proposals/out_of_round_refused",
        title="An out-of-round request is refused",
        audience="The organisation's contacts",
        subject="Out-of-round request refused",
        example="proposals.emails.out_of_round_refused_example",
    ),
)


def _cancelled_round():
    cancelled = example_round()
    cancelled.cancelled_at = clock.at(date(2026, 9, 20), time(10))
    cancelled.cancellation_reason = "The criteria are being revised after a change in the law."
    return cancelled


def round_cancelled_example():
    return {"proposal": example_proposal(), "round": _cancelled_round()}


def moved_example():
    return {
        "proposal": example_proposal(),
        "source": _cancelled_round(),
        "target": example_round(Term.SPRING, 2027),
    }


emails.register(
    emails.EmailTemplate(
        name="proposals/round_cancelled",
        title="A round with drafts in it is cancelled",
        audience="The organisation's contacts",
        subject="The {{ round }} round has been cancelled: your draft is kept",
        example="proposals.emails.round_cancelled_example",
    ),
    emails.EmailTemplate(
        name="proposals/moved",
        title="A draft is moved from a cancelled round to another round",
        audience="The organisation's contacts",
        subject="Your draft has been moved to the {{ target }} round",
        example="proposals.emails.moved_example",
    ),
)
