"""Who may do what in feedback: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.rules import does_casework, is_staff_user

PREVIEWERS = frozenset(
    {
        CaseRole.ASSESSOR,
        CaseRole.SECOND_ASSESSOR,
        CaseRole.CASEWORK_OFFICER,
        CaseRole.DECISION_OFFICIAL,
    }
)
"""The parts whose holders read a letter before it is issued: the assessors
who write its feedback, the casework officer, and the official who decides."""


@rules.predicate
def may_preview_letters(user, case):
    return case is not None and bool(PREVIEWERS & resolve(case, user))


rules.add_perm("feedback.preview_letter", is_staff_user & may_preview_letters)
# The letters register: staff who do casework, over the cases they may see.
rules.add_perm("feedback.view_letters_register", does_casework)
