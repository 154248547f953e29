"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves. Added with the pages
that use them."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.rules import is_casework_officer, is_staff_user


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

# Screening: casework officers, on the cases they are free to act on.
rules.add_perm("assessments.screen_cases", is_casework_officer)
rules.add_perm("assessments.screen_case", is_casework_officer & is_casework_officer_on_case)


@rules.predicate
def is_open_suggestion(user, suggestion):
    """``suggestion`` is one the service made to ``user`` (views look it up
    for the person who asks, so anything else is None)."""
    return suggestion is not None


rules.add_perm("assessments.settle_suggestion", is_staff_user & is_open_suggestion)
