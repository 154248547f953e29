"""The six roles of the service, held as auth groups.

Staff roles can be combined on one person; the rules that stop one person
holding two parts in the same case live with the casework that assigns them.
"""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    CASEWORK_OFFICER = "casework_officer", "Casework officer"
    ASSESSOR = "assessor", "Assessor"
    ADVISORY_GROUP_MEMBER = "advisory_group_member", "Advisory Group member"
    DECISION_OFFICIAL = "decision_official", "Decision official"
    ADMINISTRATOR = "administrator", "Administrator"


STAFF_ROLES = frozenset(
    {
        Role.CASEWORK_OFFICER,
        Role.ASSESSOR,
        Role.ADVISORY_GROUP_MEMBER,
        Role.DECISION_OFFICIAL,
        Role.ADMINISTRATOR,
    }
)


CASEWORK_ROLES = frozenset(STAFF_ROLES - {Role.ADMINISTRATOR})
"""The staff roles that work on cases (administrators do no casework)."""


def own_roles_refusal(gained):
    """Why an administrator may not give themselves ``gained`` (role names):
    another administrator does, so no one person both grants a role and
    uses it."""
    named = [
        label if label.startswith("Advisory Group") else label.lower()
        for value, label in Role.choices
        if value in gained
    ]
    it = "it" if len(named) == 1 else "them"
    return (
        f"You cannot give yourself a role ({', '.join(named)}): ask another administrator to "
        f"give {it} to you"
    )
