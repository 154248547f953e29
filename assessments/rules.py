"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves. Added with the pages
that use them."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.roles import Role
from accreditation.rules import is_casework_officer


@rules.predicate
def is_assessor(user):
    return user.is_authenticated and user.has_role(Role.ASSESSOR)


@rules.predicate
def acts_as_casework_officer_on(user, case):
    """Holds the casework officer's part in this case: the role, and no
    conflict with its organisation (the case roles resolver's answer)."""
    return case is not None and CaseRole.CASEWORK_OFFICER in resolve(case, user)


# Assigning assessors, a round at once (and setting capacities) or one case.
rules.add_perm("assessments.assign_assessors", is_casework_officer)
rules.add_perm("assessments.assign_case_assessors", acts_as_casework_officer_on)
# An assessor's own queue of cases.
rules.add_perm("assessments.use_queue", is_assessor)
