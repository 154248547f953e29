"""Who may see and change a proposal. Views call these; a proposal the user
may not see answers 404, never 403, so its existence does not leak."""

import rules

from accreditation.rules import (
    is_applicant,
    is_casework_officer,
    is_free_of_conflict,
    is_member_of,
)


@rules.predicate
def is_member_of_proposals_organisation(user, proposal):
    if not user.is_authenticated or proposal is None:
        return False
    return is_member_of(user, proposal.organisation_id)


@rules.predicate
def is_draft(user, proposal):
    return proposal is not None and proposal.is_editable


rules.add_perm("proposals.view_proposal", is_applicant & is_member_of_proposals_organisation)
rules.add_perm(
    "proposals.change_proposal", is_applicant & is_member_of_proposals_organisation & is_draft
)
rules.add_perm("proposals.decide_out_of_round", is_casework_officer)
rules.add_perm("proposals.decide_out_of_round_request", is_casework_officer & is_free_of_conflict)
rules.add_perm("proposals.create_organisation", is_applicant)
