"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.rules import is_staff_user


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
