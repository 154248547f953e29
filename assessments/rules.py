"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves. Added with the pages
that use them."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.roles import Role
from accreditation.rules import can_see_case, does_casework, is_casework_officer, is_staff_user
from accreditation.workflow import Action, Status


@rules.predicate
def owns_conflict(user, conflict):
    return conflict is not None and conflict.user_id == user.pk


@rules.predicate
def is_casework_officer_on_case(user, case):
    """Holds the casework officer's part in this case: the role, and no
    conflict with the case's organisation or its local authority."""
    return case is not None and CaseRole.CASEWORK_OFFICER in resolve(case, user)


# Conflicts: any staff member declares their own and ends only their own.
rules.add_perm("assessments.declare_conflict", is_staff_user)
rules.add_perm("assessments.end_conflict", is_staff_user & owns_conflict)


@rules.predicate
def screened_it_before(user, case):
    """A submitted case ``user`` screened out before: a concern about that
    was upheld, so someone else screens it again."""
    from accreditation.models import CaseEvent

    return (
        case is not None
        and case.status == Status.SUBMITTED
        and CaseEvent.objects.filter(
            case_id=case.pk, actor=user, action=Action.SCREEN_INELIGIBLE
        ).exists()
    )


# Screening: casework officers, on the cases they are free to act on.
rules.add_perm("assessments.screen_cases", is_casework_officer)
# The screening page: the officer who screened a case out before sees it,
# told that another officer must screen it again.
rules.add_perm("assessments.see_screening", is_casework_officer & is_casework_officer_on_case)
rules.add_perm(
    "assessments.screen_case",
    is_casework_officer & is_casework_officer_on_case & ~screened_it_before,
)


@rules.predicate
def is_open_suggestion(user, suggestion):
    """``suggestion`` is one the service made to ``user`` (views look it up
    for the person who asks, so anything else is None)."""
    return suggestion is not None


rules.add_perm("assessments.settle_suggestion", is_staff_user & is_open_suggestion)


@rules.predicate
def is_assessor(user):
    return user.is_authenticated and user.has_role(Role.ASSESSOR)


# Assigning assessors, a round at once (and setting capacities) or one case.
rules.add_perm("assessments.assign_assessors", is_casework_officer)
rules.add_perm("assessments.assign_case_assessors", is_casework_officer_on_case)
# An assessor's own queue of cases.
rules.add_perm("assessments.use_queue", is_assessor)


def _holds(*case_roles):
    @rules.predicate
    def holds(user, case):
        return case is not None and bool(set(case_roles) & resolve(case, user))

    return holds


is_assessor_of = _holds(CaseRole.ASSESSOR)
is_either_assessor_of = _holds(CaseRole.ASSESSOR, CaseRole.SECOND_ASSESSOR)

# Only the case's current assessors score it; the first assessor recommends;
# both settle the differences quality assurance finds.
rules.add_perm("assessments.score_case", is_staff_user & is_either_assessor_of)
rules.add_perm("assessments.recommend_case", is_staff_user & is_assessor_of)
rules.add_perm("assessments.quality_assure_case", is_staff_user & is_either_assessor_of)
# The first assessor writes the applicant's feedback after the assessment
# (a decision against their recommendation, or feedback the group returned).
rules.add_perm("assessments.write_feedback", is_staff_user & is_assessor_of)

# Information requests: the assigned assessor or a casework officer asks and
# extends the due date; the applicant answers; both sides read the documents.
asks_for_information = _holds(CaseRole.ASSESSOR, CaseRole.CASEWORK_OFFICER)
is_case_applicant = _holds(CaseRole.APPLICANT)
rules.add_perm("assessments.ask_for_information", asks_for_information)
rules.add_perm("assessments.answer_request", is_case_applicant)
rules.add_perm(
    "assessments.read_request_documents",
    is_case_applicant | (does_casework & can_see_case),
)
