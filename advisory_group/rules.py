"""Who may do what in advisory_group: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves."""

import rules

from accreditation.case_roles import ADVISING, CaseRole, resolve
from accreditation.roles import Role
from accreditation.rules import is_casework_officer, is_staff_user
from advisory_group.queries.agenda import SEES_ITEMS
from advisory_group.queries.agenda import is_in_meeting as in_meeting


@rules.predicate
def is_in_meeting(user, meeting):
    """The chair or a member of ``meeting``."""
    return meeting is not None and in_meeting(user, meeting)


@rules.predicate
def sees_item(user, item):
    """A casework officer, or the chair or a member of the item's meeting,
    with no conflict with its case."""
    if item is None:
        return False
    roles = resolve(item.case, user)
    if CaseRole.CASEWORK_OFFICER in roles:
        return True
    return bool(roles & SEES_ITEMS) and is_in_meeting(user, item.meeting)


@rules.predicate
def chairs_item(user, item):
    return (
        item is not None
        and item.meeting.chair_id == user.pk
        and CaseRole.MEETING_CHAIR in resolve(item.case, user)
    )


@rules.predicate
def in_item_meeting(user, item):
    return item is not None and is_in_meeting(user, item.meeting)


@rules.predicate
def advises_on_item(user, item):
    """The chair or a member of the item's meeting with a part in advising
    on its case: not in conflict with it, nor its assessor now or before
    (seeing the item as a casework officer is no part in advising)."""
    return item is not None and bool(resolve(item.case, user) & ADVISING)


# Casework officers run the meetings; the chair and members open their own.
rules.add_perm("advisory_group.run_meetings", is_casework_officer)
rules.add_perm("advisory_group.view_meeting", is_staff_user & (is_casework_officer | is_in_meeting))
rules.add_perm("advisory_group.view_item", is_staff_user & sees_item)
rules.add_perm(
    "advisory_group.record_view",
    is_staff_user & sees_item & in_item_meeting & advises_on_item,
)
rules.add_perm("advisory_group.record_advice", is_staff_user & chairs_item)
rules.add_perm("advisory_group.move_item", is_casework_officer & sees_item)


@rules.predicate
def is_group_member(user):
    return user.is_authenticated and user.has_role(Role.ADVISORY_GROUP_MEMBER)


rules.add_perm("advisory_group.use_meetings", is_casework_officer | is_group_member)
