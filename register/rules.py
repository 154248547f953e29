"""Who may do what with the register. Anyone may read the public register;
a decision official with no conflict with the provider revokes; a member of
an accredited provider keeps its details current and proposes a co-partner;
a casework officer with no conflict with the provider decides whether a
proposed co-partner meets the track record criteria."""

import rules

from accreditation.roles import Role
from accreditation.rules import is_applicant, is_casework_officer, is_member_of
from register.models import EntryState


@rules.predicate
def is_decision_official(user):
    return user.is_authenticated and user.has_role(Role.DECISION_OFFICIAL)


@rules.predicate
def is_free_of_conflict(user, entry):
    from accreditation.queries.conflicts import is_conflicted

    return entry is not None and not is_conflicted(user, entry.organisation)


@rules.predicate
def is_member_of_provider(user, obj):
    """A member of the organisation an entry (or a co-partner change) is of."""
    return user.is_authenticated and obj is not None and is_member_of(user, obj.organisation_id)


@rules.predicate
def is_accredited(user, entry):
    """The entry is on the public register: accredited, and not revoked."""
    return entry is not None and entry.is_public


@rules.predicate
def is_under_notice(user, entry):
    return entry is not None and entry.state == EntryState.NOTICE_GIVEN


@rules.predicate
def is_draft_of_accredited(user, change):
    return change is not None and change.state == "draft" and change.entry.is_public


# A provider someone has a conflict with is not theirs to know of in the
# staff area: its pages answer 404 (the public register is for everyone).
rules.add_perm("register.see_entry", is_free_of_conflict)
rules.add_perm("register.revoke_entry", is_decision_official & is_free_of_conflict)
rules.add_perm("register.keep_entry", is_applicant & is_member_of_provider & is_accredited)
rules.add_perm("register.respond_to_notice", is_applicant & is_member_of_provider & is_under_notice)
rules.add_perm("register.view_co_partner_change", is_applicant & is_member_of_provider)
rules.add_perm(
    "register.change_co_partner",
    is_applicant & is_member_of_provider & is_draft_of_accredited,
)
rules.add_perm("register.review_co_partners", is_casework_officer)
rules.add_perm("register.review_co_partner_change", is_casework_officer & is_free_of_conflict)
