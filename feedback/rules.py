"""Who may do what in feedback: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves."""

import rules

from accreditation.case_roles import CaseRole, resolve
from accreditation.rules import (
    can_see_case,
    does_casework,
    is_applicant,
    is_casework_officer,
    is_decision_official,
    is_staff_user,
)
from feedback.models import ConcernState

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


# --- Concerns ---------------------------------------------------------------------


@rules.predicate
def acts_for_the_case(user, case):
    """A member of the case's organisation, acting for it as an applicant."""
    return case is not None and CaseRole.APPLICANT in resolve(case, user)


@rules.predicate
def may_decide_concerns_about(user, case):
    """A decision official with no part in the case (not its assessor, not
    on its Advisory Group meeting, not in conflict: ``case_roles`` takes the
    official's part away then) who did not screen it out, recommend or
    decide it."""
    from feedback.guards import had_part_in_the_outcome

    return (
        case is not None
        and CaseRole.DECISION_OFFICIAL in resolve(case, user)
        and not had_part_in_the_outcome(case.pk, user)
    )


@rules.predicate
def may_see_concern(user, concern):
    return concern is not None and can_see_case(user, concern.case)


ASSESSING = frozenset({CaseRole.ASSESSOR, CaseRole.SECOND_ASSESSOR})


@rules.predicate
def reassesses_after_it(user, concern):
    """An assessor (first or second) of the case now, the concern upheld:
    the case came back to be assessed again by someone new (its earlier
    assessors were taken off it and cannot return), who needs to read what
    the organisation said. Never a concern still open or not upheld: that
    is for the casework officers and whoever decides it."""
    return (
        concern is not None
        and concern.state == ConcernState.UPHELD
        and bool(ASSESSING & resolve(concern.case, user))
    )


@rules.predicate
def decided_and_not_conflicted(user, concern):
    """A concern decided, of an organisation ``user`` has no conflict with:
    the record of a decision officials make, which the official who made it
    (or who was deciding it at the same moment) reads afterwards, though an
    upheld concern sends the case back where they do not follow it."""
    from accreditation.queries.conflicts import is_conflicted

    return (
        concern is not None
        and concern.state != ConcernState.OPEN
        and not is_conflicted(user, concern.case.organisation)
    )


reads_concern = (
    ((is_casework_officer | is_decision_official) & may_see_concern)
    | (is_staff_user & reassesses_after_it)
    | (is_decision_official & decided_and_not_conflicted)
)
"""Staff who may read a concern and its documents: casework officers (who
run the casework) and decision officials (who decide concerns), over the
cases they may see, and decision officials any decided concern they have no
conflict with; and the assessors reassessing a case after a concern about
it was upheld, that concern."""

rules.add_perm("feedback.raise_concern", is_applicant & acts_for_the_case)
# The list of concerns: casework officers and decision officials.
rules.add_perm("feedback.view_concerns", is_casework_officer | is_decision_official)
rules.add_perm("feedback.view_concern", reads_concern)
rules.add_perm("feedback.decide_concern", is_staff_user & may_decide_concerns_about)


@rules.predicate
def raised_for_their_organisation(user, concern):
    return concern is not None and acts_for_the_case(user, concern.case)


# The documents sent with a concern: the organisation that sent them, and
# the staff who may read the concern.
rules.add_perm(
    "feedback.download_concern_document",
    (is_applicant & raised_for_their_organisation) | reads_concern,
)
