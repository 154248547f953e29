from accreditation.models.activity import ActivityEntry
from accreditation.models.framework import (
    Circumstance,
    Criterion,
    CriterionGuidance,
    Framework,
    Part,
    Sector,
)
from accreditation.models.organisations import (
    IdentifierClaim,
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    OrganisationKind,
    Phase,
    Region,
)
from accreditation.models.outbox import OutboxMessage
from accreditation.models.rounds import (
    AccreditationType,
    Round,
    RoundStatus,
    Term,
    TermCalendar,
    Window,
)
from accreditation.models.schedule import ScheduledAction, ScheduledKind, TaskRun
from accreditation.models.timeline import CaseEvent, TimelineAnchor
from accreditation.models.users import User

__all__ = [
    "AccreditationType",
    "ActivityEntry",
    "CaseEvent",
    "Circumstance",
    "Criterion",
    "CriterionGuidance",
    "Framework",
    "IdentifierClaim",
    "Invitation",
    "LocalAuthority",
    "Membership",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Part",
    "Phase",
    "Region",
    "Round",
    "RoundStatus",
    "ScheduledAction",
    "ScheduledKind",
    "Sector",
    "TaskRun",
    "Term",
    "TermCalendar",
    "TimelineAnchor",
    "User",
    "Window",
]
