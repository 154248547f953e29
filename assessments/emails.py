"""The e-mails chasing overdue assessments and information requests,
registered for the staff preview with example data (unsaved instances)."""

from datetime import date, time

from accreditation import clock, emails
from accreditation.models import Organisation, User
from accreditation.workflow import Status
from assessments.models import (
    Assignment,
    AssignmentKind,
    InformationRequest,
    RequestQuestion,
    Screening,
)
from proposals.emails import example_case

DUE = date(2026, 12, 11)
CHASED_AT = clock.at(date(2026, 12, 14), time(9))


def _assignment():
    case = example_case(status=Status.IN_ASSESSMENT)
    assessor = User(pk=1, email="sam.assessor@example.org", full_name="Sam Assessor")
    return Assignment(pk=1, case=case, assessor=assessor, kind=AssignmentKind.FIRST, due_on=DUE)


def assessment_overdue_example():
    assignment = _assignment()
    return {"case": assignment.case, "assignment": assignment, "due": DUE}


def assessment_overdue_officers_example():
    return {**assessment_overdue_example(), "chased_at": CHASED_AT}


def request_overdue_example():
    case = example_case(status=Status.INFORMATION_REQUESTED)
    return {"case": case, "request": InformationRequest(pk=1, case=case, due=DUE)}


def request_overdue_assessor_example():
    return {**request_overdue_example(), "chased_at": CHASED_AT}


emails.register(
    emails.EmailTemplate(
        name="assessments/assessment_overdue",
        title="An assessment is past its due date",
        audience="The case's assessor",
        subject="{{ case.reference }}: the assessment was due on {{ due|date:'j F Y' }}",
        example="assessments.emails.assessment_overdue_example",
    ),
    emails.EmailTemplate(
        name="assessments/assessment_overdue_officers",
        title="An assessment is still overdue after its assessor was reminded",
        audience="Casework officers",
        subject="{{ case.reference }}: the assessment is still overdue",
        example="assessments.emails.assessment_overdue_officers_example",
    ),
    emails.EmailTemplate(
        name="assessments/request_overdue",
        title="Answers to an information request are overdue",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: we are still waiting for your answers",
        example="assessments.emails.request_overdue_example",
    ),
    emails.EmailTemplate(
        name="assessments/request_overdue_assessor",
        title="Answers are still overdue after the applicant was reminded",
        audience="The assessor who asked",
        subject="{{ case.reference }}: the applicant's answers are overdue",
        example="assessments.emails.request_overdue_assessor_example",
    ),
)


def information_requested_example():
    context = request_overdue_example()
    questions = [
        RequestQuestion(position=1, text="Tell us more about the schools you lead."),
        RequestQuestion(position=2, text="Send the latest inspection report of each school."),
    ]
    link = "https://apply.example/proposals/1/information-request/"
    return {**context, "questions": questions, "link": link}


def information_answered_example():
    context = request_overdue_example()
    case = context["case"]
    site = "https://apply-for-accreditation.example"
    return {**context, "link": f"{site}/staff/cases/{case.pk}/#requests"}


def not_eligible_example():
    case = example_case(status=Status.CLOSED_INELIGIBLE)
    reason = "The organisation does not lead improvement in any school."
    return {"case": case, "screening": Screening(pk=1, case=case, reason=reason)}


def identifier_cleared_example():
    return {
        "organisation": Organisation(pk=1, name="Oakfield Learning Trust"),
        "label": "URN",
        "value": "123456",
        "reason": "The school's records name the other organisation as its trust.",
        "profile_url": "https://apply-for-accreditation.example/organisation/",
    }


emails.register(
    emails.EmailTemplate(
        name="assessments/information_requested",
        title="More information is needed about a proposal",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: we need more information about your proposal",
        example="assessments.emails.information_requested_example",
    ),
    emails.EmailTemplate(
        name="assessments/information_extended",
        title="More time to answer an information request",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: more time to answer our questions",
        example="assessments.emails.request_overdue_example",
    ),
    emails.EmailTemplate(
        name="assessments/information_answered",
        title="The applicant has answered an information request",
        audience="The assessor who asked and the case's assessors",
        subject="{{ case.reference }}: the applicant has answered your questions",
        example="assessments.emails.information_answered_example",
    ),
    emails.EmailTemplate(
        name="assessments/not_eligible",
        title="A proposal is not eligible (screened out)",
        audience="The organisation's contacts",
        subject="{{ case.reference }}: your proposal is not eligible",
        example="assessments.emails.not_eligible_example",
    ),
    emails.EmailTemplate(
        name="assessments/identifier_cleared",
        title="A contested URN or UKPRN was removed from a profile",
        audience="The organisation's contacts",
        subject="Enter {{ organisation.name }}'s {{ label }}: {{ value }} belongs to another "
        "organisation",
        example="assessments.emails.identifier_cleared_example",
    ),
)


def feedback_needed_example():
    case = example_case(status=Status.NOT_ACCREDITED)
    return {
        "case": case,
        "decided_against": True,
        "replacing": False,
        "link": f"https://apply-for-accreditation.example/staff/cases/{case.pk}/feedback/",
    }


def referred_back_example():
    case = example_case(status=Status.IN_ASSESSMENT)
    return {
        "case": case,
        "comment": "The score for 2B does not reflect the trust's results since 2024. "
        "Look again at the evidence in its answer.",
        "due": DUE,
        "link": f"https://apply-for-accreditation.example/staff/cases/{case.pk}/scores/",
    }


def assigned_example():
    first = _assignment()
    second = example_case(status=Status.IN_ASSESSMENT, accreditation_type="asg")
    second.pk, second.reference = 2, "ASG-2026-0007"
    site = "https://apply-for-accreditation.example"
    return {
        "assignments": [
            {
                "case": first.case,
                "second": False,
                "due": DUE,
                "link": f"{site}/staff/cases/{first.case.pk}/scores/",
            },
            {
                "case": second,
                "second": True,
                "due": DUE,
                "link": f"{site}/staff/cases/{second.pk}/scores/",
            },
        ],
        "queue_link": f"{site}/staff/assessments/",
        "conflicts_link": f"{site}/staff/conflicts/",
    }


def assessor_stood_down_example():
    assignment = _assignment()
    return {
        "case": assignment.case,
        "assignment": assignment,
        "writing_feedback": False,
        "link": f"https://apply-for-accreditation.example/staff/cases/{assignment.case.pk}/",
    }


def replaced_example():
    assignment = _assignment()
    return {
        "case": assignment.case,
        "kind": "first",
        "writing_feedback": False,
        "officer_name": "Alex Officer",
        "queue_link": "https://apply-for-accreditation.example/staff/assessments/",
    }


emails.register(
    emails.EmailTemplate(
        name="assessments/assigned",
        title="Cases assigned to an assessor",
        audience="An assessor, when a casework officer assigns them to cases being assessed "
        "(one email for a round's assignment)",
        subject="{% if assignments|length == 1 %}{{ assignments.0.case.reference }}: assigned "
        "to you to assess{% else %}{{ assignments|length }} cases assigned to you to "
        "assess{% endif %}",
        example="assessments.emails.assigned_example",
    ),
    emails.EmailTemplate(
        name="assessments/assessor_stood_down",
        title="An assessor was taken off a case they were assessing (a conflict of interest, "
        "or they can no longer assess)",
        audience="The casework officer who assigned them (or every casework officer)",
        subject="{{ case.reference }}: assign another assessor",
        example="assessments.emails.assessor_stood_down_example",
    ),
    emails.EmailTemplate(
        name="assessments/replaced",
        title="A casework officer assigned another assessor in an assessor's place",
        audience="The assessor replaced (while their account is active)",
        subject="{{ case.reference }}: another assessor has been assigned in your place",
        example="assessments.emails.replaced_example",
    ),
    emails.EmailTemplate(
        name="assessments/referred_back",
        title="The Advisory Group referred a case back to its assessors",
        audience="The case's assessors (first and second) when the Advisory Group refers it "
        "back, with the group's comment",
        subject="{{ case.reference }}: referred back to you by the Advisory Group",
        example="assessments.emails.referred_back_example",
    ),
    emails.EmailTemplate(
        name="assessments/feedback_needed",
        title="A case's feedback to the applicant waits for its assessor to write it",
        audience="The case's assessor: after a decision against their recommendation, when "
        "the Advisory Group returns the feedback, or when assigned in place of one who stood "
        "down",
        subject="{{ case.reference }}: {% if decided_against %}write{% else %}revise{% endif %} "
        "the feedback for the applicant",
        example="assessments.emails.feedback_needed_example",
    ),
)
