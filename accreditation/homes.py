"""What needs each staff member now: the staff home's sections, one per
staff role the person holds, each a list of counts that link to the
(filtered) list where the work is.

One entry per count, in ``NEEDS``: to add one (concerns waiting, say), add
a ``Need`` here with the function that counts it. A count is one query (or
a fixed few) whatever the data's size, and counts only what the person may
see. Counts of the case list are the case list itself, filtered by the
entry's query (``count`` left empty), so the number and the list it links
to never disagree.

The counting functions are named by dotted path, as the workflow's guards
are, so this list imports none of the apps whose work it counts; a system
check imports every one at start-up.

A person's counts are kept (``COUNTS_KEPT``) until anything is written to
the database but to the few tables no count reads (``WRITES_IGNORED``), or
the day changes: then counted again. A count that changes with the time
of day (an invitation expiring) is marked ``live`` and counted each time."""

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.module_loading import import_string

from accreditation import clock
from accreditation.kept import Version
from accreditation.queries import case_list
from accreditation.roles import Role

COUNTS = "accreditation.queries.homes."

COUNTS_KEPT = Version("staff-home-counts")
KEPT_SECONDS = 600
WRITES_IGNORED = ("django_session", "axes_", "otp_", "django_celery_beat_")
"""The tables whose writes leave the counts kept: a person's session (read
pages refresh it), their sign-in attempts, their second factor's use, and
the scheduler's record of when each periodic task last ran (written every
few minutes). No count reads them."""


@dataclass(frozen=True)
class Need:
    role: str
    label: str
    url_name: str
    query: tuple = ()
    """The linked list's filters, as (name, value) pairs."""
    count: str = ""
    """Dotted path of ``f(user) -> int``; empty: count the case list at ``query``."""
    url: str = ""
    """Dotted path of ``f(user) -> address``, for a link that depends on the data."""
    one: str = ""
    """The label when the count is 1 (``label`` is the plural)."""
    hint: str = ""
    live: bool = False
    """Counted on every visit, never kept: what it counts changes with the
    time of day, not only with the data (a date is enough for the rest)."""

    def querydict(self):
        params = QueryDict(mutable=True)
        for name, value in self.query:
            params.appendlist(name, value)
        return params

    def href(self, user):
        if self.url:
            return import_string(self.url)(user)
        query = self.querydict().urlencode()
        return reverse(self.url_name) + (f"?{query}" if query else "")

    def number(self, user):
        if self.count:
            return import_string(self.count)(user)
        return case_list.count(user, self.querydict())


CASEWORK = Role.CASEWORK_OFFICER
NEEDS = (
    Need(
        CASEWORK,
        "Cases to screen",
        "screening-queue",
        count=COUNTS + "to_screen",
        one="Case to screen",
    ),
    Need(
        CASEWORK,
        "Cases waiting for an assessor",
        "staff-cases",
        one="Case waiting for an assessor",
        query=(
            ("status", "in_assessment"),
            ("status", "information_requested"),
            ("status", "advisory_review"),
            ("status", "awaiting_decision"),
            ("status", "not_accredited"),
            ("assessor", "none"),
        ),
        hint="Being assessed, or with feedback to the applicant to write, and no assessor: "
        "not yet assigned, or theirs stood down.",
    ),
    Need(
        CASEWORK,
        "Cases waiting for a second assessor",
        "assignment-rounds",
        one="Case waiting for a second assessor",
        count=COUNTS + "waiting_for_a_second_assessor",
        hint="In a round and being assessed, with quality assurance to come (a case whose "
        "recommendation departed from its scores, and an ASG where the policy says every "
        "ASG has it), and no second assessor now: assign one on the round's assignment page.",
    ),
    Need(
        CASEWORK,
        "Out-of-round cases waiting for a second assessor",
        "staff-cases",
        one="Out-of-round case waiting for a second assessor",
        query=(("round", "out-of-round"), ("second_wanted", "on")),
        hint="Being assessed, with quality assurance to come, and no second assessor now: "
        "assign one on the case's page.",
    ),
    Need(
        CASEWORK,
        "Cases past their target date",
        "staff-cases",
        query=(("overdue", "on"),),
        one="Case past its target date",
    ),
    Need(
        CASEWORK,
        "Cases waiting for information from the applicant",
        "staff-cases",
        one="Case waiting for information from the applicant",
        query=(("status", "information_requested"),),
    ),
    Need(
        CASEWORK,
        "Out-of-round requests to decide",
        "out-of-round-staff-list",
        one="Out-of-round request to decide",
        count=COUNTS + "out_of_round_to_decide",
    ),
    Need(
        CASEWORK,
        "Concerns waiting",
        "staff-concerns",
        count=COUNTS + "concerns_waiting",
        one="Concern waiting",
    ),
    Need(
        CASEWORK,
        "Co-partners of accredited providers to decide",
        "staff-co-partner-changes",
        one="Co-partner of an accredited provider to decide",
        count=COUNTS + "co_partners_to_decide",
    ),
    Need(
        CASEWORK,
        "Emails that could not be sent",
        "staff-failed-emails",
        one="Email that could not be sent",
        count=COUNTS + "failed_emails",
    ),
    Need(
        Role.ASSESSOR,
        "Your assessments to do",
        "assessor-queue",
        one="Your assessment to do",
        count=COUNTS + "assessments_to_do",
    ),
    Need(
        Role.ASSESSOR,
        "Overdue assessments",
        "assessor-queue",
        one="Overdue assessment",
        query=(("overdue", "true"),),
        count=COUNTS + "assessments_overdue",
    ),
    Need(
        Role.ASSESSOR,
        "Cases with scores to agree in quality assurance",
        "assessor-queue",
        one="Case with scores to agree in quality assurance",
        query=(("quality_assurance", "true"),),
        count=COUNTS + "quality_assurance_to_resolve",
    ),
    Need(
        Role.ASSESSOR,
        "Feedback to the applicant to write or revise",
        "assessor-queue",
        count=COUNTS + "feedback_to_write",
        url=COUNTS + "feedback_to_write_address",
        hint="Returned by the Advisory Group, or decided against the recommendation (yours, "
        "or that of the assessor you replace).",
    ),
    Need(
        Role.ADVISORY_GROUP_MEMBER,
        "Items on your next meeting's agenda without your view",
        "advisory-meetings",
        one="Item on your next meeting's agenda without your view",
        count=COUNTS + "views_to_record",
        url=COUNTS + "next_meeting_address",
        live=True,
    ),
    Need(
        Role.ADVISORY_GROUP_MEMBER,
        "ASG cases whose advice you are to record as chair",
        "advisory-meetings",
        one="ASG case whose advice you are to record as chair",
        count=COUNTS + "advice_to_record",
        url=COUNTS + "advice_to_record_address",
        hint="At the first open meeting you chair that has them.",
    ),
    Need(
        Role.ADVISORY_GROUP_MEMBER,
        "Draft feedback whose review you are to record as chair",
        "advisory-meetings",
        count=COUNTS + "feedback_reviews_to_record",
        url=COUNTS + "feedback_reviews_to_record_address",
        hint="At the first open meeting you chair that has them.",
    ),
    Need(
        Role.DECISION_OFFICIAL,
        "Cases awaiting your decision",
        "decision-queue",
        one="Case awaiting your decision",
        count=COUNTS + "awaiting_decision",
    ),
    Need(
        Role.DECISION_OFFICIAL,
        "Concerns for you to decide (you had no part in the case)",
        "staff-concerns",
        one="Concern for you to decide (you had no part in the case)",
        query=(("decide", "me"),),
        count=COUNTS + "concerns_to_decide",
    ),
    Need(
        Role.DECISION_OFFICIAL,
        "Accreditations whose response period has ended",
        "staff-register-notices",
        one="Accreditation whose response period has ended",
        query=(("ended", "on"),),
        count=COUNTS + "revocations_due",
        hint="Notice of revocation was given: revoke, or withdraw the notice.",
        live=True,
    ),
    Need(
        Role.ADMINISTRATOR,
        "Staff users",
        "staff-users",
        count=COUNTS + "staff_users",
        one="Staff user",
    ),
    Need(
        Role.ADMINISTRATOR,
        "Staff invitations waiting to be accepted",
        "staff-users",
        one="Staff invitation waiting to be accepted",
        count=COUNTS + "invitations_waiting",
        live=True,
    ),
    Need(
        Role.ADMINISTRATOR,
        "Criteria framework versions not yet in use",
        "admin:accreditation_framework_changelist",
        query=(("in_use", "no"),),
        one="Criteria framework version not yet in use",
        count=COUNTS + "frameworks_not_in_use",
        live=True,
    ),
    Need(
        Role.ADMINISTRATOR,
        "Local authorities",
        "admin:accreditation_localauthority_changelist",
        one="Local authority",
        count=COUNTS + "local_authorities",
    ),
    Need(
        Role.ADMINISTRATOR,
        "Regions",
        "admin:accreditation_region_changelist",
        one="Region",
        count=COUNTS + "regions",
    ),
)


def sections(user):
    """[{role, needs: [{label, text, count, href, hint}]}] for each staff
    role ``user`` holds, in the roles' order: ``text`` is the label as the
    count reads it (singular for 1)."""
    held = [need for need in NEEDS if user.has_role(need.role)]
    kept = COUNTS_KEPT.kept(
        f"{user.pk}:{clock.today().isoformat()}",
        lambda: {need.label: need.number(user) for need in held if not need.live},
        KEPT_SECONDS,
    )
    found = []
    for role in Role:
        needs = [
            {
                "label": need.label,
                "text": need.one if count == 1 and need.one else need.label,
                "count": count,
                "href": need.href(user),
                "hint": need.hint,
            }
            for need in held
            if need.role == role
            for count in [kept[need.label] if need.label in kept else need.number(user)]
        ]
        if needs:
            found.append({"role": role.label, "needs": needs})
    return found


def dotted_paths():
    """Every function ``NEEDS`` names, for the start-up check."""
    return [path for need in NEEDS for path in (need.count, need.url) if path]
