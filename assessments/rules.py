"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves. Added with the pages
that use them."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.rules import can_see_case, does_casework


def holds_case_role(*roles):
    """A predicate: the person holds one of ``roles`` in the case."""

    @rules.predicate(name=f"holds_{'_or_'.join(roles)}")
    def predicate(user, case):
        return user.is_authenticated and case is not None and bool(resolve(case, user) & set(roles))

    return predicate


asks_for_information = holds_case_role(CaseRole.ASSESSOR, CaseRole.CASEWORK_OFFICER)
is_case_applicant = holds_case_role(CaseRole.APPLICANT)

# Information requests: the assigned assessor or a casework officer asks and
# extends the due date; the applicant answers; both sides read the documents.
rules.add_perm("assessments.ask_for_information", asks_for_information)
rules.add_perm("assessments.answer_request", is_case_applicant)
rules.add_perm(
    "assessments.read_request_documents",
    is_case_applicant | (does_casework & can_see_case),
)
