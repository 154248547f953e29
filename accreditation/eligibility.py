"""Who may seek which type of accreditation: the prospectus's eligibility
table, held once here and used by the code and the published guidance alike.

The table turns on the organisation's kind and two numbers it gives up front:
schools it leads improvement in through a formal partnership now, and primary
schools whose governance it is accountable for.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import ngettext

from accreditation import policy
from accreditation.models import AccreditationType, OrganisationKind
from accreditation.models.organisations import (
    COLLEGE_KINDS,
    FAITH_KINDS,
    INDEPENDENT_SCHOOL_KINDS,
    MAINTAINED_PRIMARY_KINDS,
    NON_EDUCATIONAL_KINDS,
    OTHER_EDUCATIONAL_KINDS,
    TRUST_KINDS,
)

K = OrganisationKind

LEADS_SCHOOLS = "schools_led_count"
GOVERNS_PRIMARIES = "primary_governance_count"


def measure_wording(measure, minimum):
    """What an ASG must do on this measure, for any minimum."""
    if measure == LEADS_SCHOOLS:
        wording = ngettext(
            "leads improvement in at least %(n)d school through a formal partnership",
            "leads improvement in at least %(n)d schools through a formal partnership",
            minimum,
        )
    else:
        wording = ngettext(
            "is accountable for governance in at least %(n)d primary school",
            "is accountable for governance in at least %(n)d primary schools",
            minimum,
        )
    return wording % {"n": minimum}


def measure_told(measure, count, teller="You told us"):
    """What the organisation's profile says, in a sentence that reads right
    for any count ("1 primary school", "0 primary schools"): "You told us"
    to its members, "Its profile says" to staff."""
    if measure == LEADS_SCHOOLS:
        told = ngettext(
            "%(teller)s it leads improvement in %(count)d school through a formal partnership now.",
            "%(teller)s it leads improvement in %(count)d schools through a formal "
            "partnership now.",
            count,
        )
    else:
        told = ngettext(
            "%(teller)s it is accountable for governance in %(count)d primary school.",
            "%(teller)s it is accountable for governance in %(count)d primary schools.",
            count,
        )
    return told % {"count": count, "teller": teller}


@dataclass(frozen=True)
class Row:
    """One row of the table: the kinds it covers and what they may seek."""

    label: str
    kinds: frozenset
    asp_note: str
    asg_measure: str | None

    def asg_wording(self):
        if self.asg_measure is None:
            return "No"
        minimum = policy.current().asg_minimum_schools
        return "If it " + measure_wording(self.asg_measure, minimum)


TABLE = (
    Row(
        "Maintained infant, junior, primary or middle school",
        MAINTAINED_PRIMARY_KINDS,
        "Yes",
        LEADS_SCHOOLS,
    ),
    Row(
        "Maintained secondary school", frozenset({K.MAINTAINED_SECONDARY}), "Yes", GOVERNS_PRIMARIES
    ),
    Row(
        "Independent primary or secondary school",
        INDEPENDENT_SCHOOL_KINDS,
        "Yes",
        GOVERNS_PRIMARIES,
    ),
    Row(
        "Further education or sixth-form college, university",
        COLLEGE_KINDS,
        "Yes",
        GOVERNS_PRIMARIES,
    ),
    Row(
        "Academy trust, maintained school trust, federation",
        TRUST_KINDS,
        "Yes",
        GOVERNS_PRIMARIES,
    ),
    Row(
        "Church of England or Roman Catholic diocese, other faith group",
        FAITH_KINDS,
        "Yes",
        GOVERNS_PRIMARIES,
    ),
    Row(
        "Educational consultancy, charity or other educational organisation",
        OTHER_EDUCATIONAL_KINDS,
        "Yes",
        GOVERNS_PRIMARIES,
    ),
    Row(
        "Private or third sector organisation (non-educational)",
        NON_EDUCATIONAL_KINDS,
        "Yes: in its own right, as a consortium lead, or with an educational co-partner",
        None,
    ),
)

ROW_FOR_KIND = {kind: row for row in TABLE for kind in row.kinds}


def asg_basis(organisation):
    """The measure on which the organisation may be an ASG (``LEADS_SCHOOLS``
    or ``GOVERNS_PRIMARIES``), or None if it never may."""
    return ROW_FOR_KIND[organisation.kind].asg_measure


@dataclass(frozen=True)
class Verdict:
    accreditation_type: str
    eligible: bool
    reason: str = ""

    @property
    def label(self):
        return AccreditationType(self.accreditation_type).label


def assess(organisation, accreditation_type, teller="You told us"):
    """May this organisation seek this type? With the reason, in plain words,
    when it may not (to staff: ``teller="Its profile says"``)."""
    row = ROW_FOR_KIND[organisation.kind]
    if organisation.identifier_cleared:
        label = "URN" if organisation.identifier_field == "urn" else "UKPRN"
        return Verdict(
            accreditation_type,
            False,
            f"The organisation's profile has no {label}: the accreditation team found another "
            f"organisation's claim to it genuine and removed it. Enter the right {label} in "
            "the profile.",
        )
    if accreditation_type == AccreditationType.ASP:
        return Verdict(accreditation_type, True)
    if row.asg_measure is None:
        return Verdict(
            accreditation_type,
            False,
            "A non-educational organisation cannot become an Accredited Schools Group. "
            "It can seek accreditation as an Accredited School Provider.",
        )
    count = getattr(organisation, row.asg_measure)
    minimum = policy.current().asg_minimum_schools
    if count >= minimum:
        return Verdict(accreditation_type, True)
    return Verdict(
        accreditation_type,
        False,
        f"An Accredited Schools Group must be an organisation that "
        f"{measure_wording(row.asg_measure, minimum)}. "
        + measure_told(row.asg_measure, count, teller),
    )


@dataclass(frozen=True)
class Standing:
    """What the organisation holds and has under way: the type it is
    accredited as while it is on the register (notice of revocation given
    or not), and its cases submitted and not yet decided, by type (the
    earliest's reference)."""

    held: str | None
    undecided: dict


def standing_of(organisation):
    """The organisation's ``Standing``, in two queries: its register entry,
    and its cases that may still be undecided. A case decided not
    accredited whose letter is not yet issued counts as undecided: until
    then the decision can be corrected, and its applicant is not told it
    (``feedback.queries.letters.decision_untold``). (As one query, each
    type's earliest case a subquery of the organisation, it took longer to
    build than to run: 4.6 ms a dashboard, where these two take 2.5.)"""
    from accreditation.queries.reports import UNDECIDED
    from accreditation.workflow import Status
    from feedback.queries.letters import with_decision_told

    if organisation.pk is None:  # not saved yet: on no register, no cases
        return Standing(None, {})
    held = (
        apps.get_model("register", "RegisterEntry")
        .objects.filter(organisation=organisation, state__in=("current", "notice_given"))
        .values_list("accreditation_type", flat=True)
        .first()
    )
    cases = with_decision_told(
        apps.get_model("proposals", "Proposal").objects.filter(
            organisation=organisation, status__in=(*UNDECIDED, Status.NOT_ACCREDITED)
        )
    ).order_by("submitted_at", "pk")
    undecided = {}
    for kind, reference, status, told in cases.values_list(
        "accreditation_type", "reference", "status", "decision_told"
    ):
        if status in UNDECIDED or not told:
            undecided.setdefault(kind, reference)
    return Standing(held, undecided)


def standing_refusal(organisation, accreditation_type, standing):
    """Why the organisation need not, or may not yet, seek
    ``accreditation_type`` given its ``standing``, or None. The type it is
    accredited as, or any while it is an ASG (an ASG leads what an ASP
    leads, and more: an accredited ASP may still seek to become an ASG); a
    type it has a case of still being decided, whose decision comes first."""
    held = standing.held
    if held == accreditation_type or held == AccreditationType.ASG:
        return (
            f"{organisation.name} is already accredited as an {AccreditationType(held).label} "
            "and on the register: it does not need to apply for "
            f"{'it again' if held == accreditation_type else 'ASP accreditation'}."
        )
    if accreditation_type in standing.undecided:
        return (
            f"{organisation.name}'s {accreditation_type.upper()} proposal "
            f"{standing.undecided[accreditation_type]} has not been decided yet: you can apply "
            "again once it has, if it is not accredited."
        )
    return None


def verdicts(organisation, period=None, standing=None):
    """A verdict for each type. With a round, types it does not take are
    refused too; a type the organisation may never seek is refused for that
    reason first, since another round would not change it; then one its
    ``standing`` (read here unless given) refuses (``standing_refusal``)."""
    standing = standing or standing_of(organisation)
    results = []
    for accreditation_type in AccreditationType:
        verdict = assess(organisation, accreditation_type)
        if verdict.eligible and (
            refusal := standing_refusal(organisation, accreditation_type, standing)
        ):
            verdict = Verdict(accreditation_type, False, refusal)
        if (
            verdict.eligible
            and period is not None
            and not period_accepts(period, accreditation_type)
        ):
            verdict = Verdict(
                accreditation_type, False, f"The {period} round does not take this type."
            )
        results.append(verdict)
    return results


def period_accepts(period, accreditation_type):
    """Out-of-round windows take either type; rounds say which they take."""
    accepts = getattr(period, "accepts", None)
    return accepts(accreditation_type) if accepts else True
