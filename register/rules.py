"""Who may do what with the register. Anyone may read the public register;
a decision official with no conflict with the provider revokes."""

import rules

from accreditation.roles import Role


@rules.predicate
def is_decision_official(user):
    return user.is_authenticated and user.has_role(Role.DECISION_OFFICIAL)


@rules.predicate
def is_free_of_conflict(user, entry):
    from accreditation.queries.conflicts import is_conflicted

    return entry is not None and not is_conflicted(user, entry.organisation)


rules.add_perm("register.revoke_entry", is_decision_official & is_free_of_conflict)
