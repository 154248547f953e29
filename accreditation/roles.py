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
