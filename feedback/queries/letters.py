"""What a letter says, read from the case: the standing decision and who
made it, the feedback the applicant is sent, and the screening reason.

Two rules live here and nowhere else, so the apps that own them can take
them over by changing one function each:

- ``decision_of(case)``: the standing decision (outcome, date, reasons,
  signatory), from ``accreditation.queries.decisions``.
- ``letter_feedback(case)``: the feedback a not-accredited case's letter is
  built from: as the Advisory Group approved it
  (``advisory_group.queries.agenda.approved_feedback``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db.models import Exists, Func, IntegerField, OuterRef, Subquery

from accreditation import policy
from accreditation.models import CaseEvent
from accreditation.queries import decisions
from accreditation.workflow import Action, Status
from feedback.models import DECISION_PURPOSES, LetterPurpose

PURPOSE_BY_STATUS = {
    Status.CLOSED_INELIGIBLE: LetterPurpose.SCREENING,
    Status.ACCREDITED: LetterPurpose.DECISION,
    Status.NOT_ACCREDITED: LetterPurpose.FEEDBACK,
}
"""The letter a case in each status is owed: the standing outcome decides
which letter is issued, so a decision corrected before issue gets only the
corrected letter."""


def decision_round(case_id):
    """How many concerns about the case have been upheld: 0 while its first
    decision stands, 1 once it was decided again after an upheld concern. A
    decision or screening letter belongs to the round it was issued in."""
    return CaseEvent.objects.filter(case_id=case_id, action=Action.UPHOLD_CONCERN).count()


DECIDED = (Status.ACCREDITED, Status.NOT_ACCREDITED)


def _telling_letters():
    return apps.get_model("feedback", "Letter").objects.filter(
        purpose__in=DECISION_PURPOSES, issued_at__isnull=False
    )


def with_decision_told(cases):
    """``cases`` with ``decision_told``: whether the letter telling the
    standing decision (a decision or feedback letter of its decision round)
    has been issued. Until then the applicant is not shown the decision, as
    it can still be corrected (``decision_untold``)."""
    return cases.annotate(decision_round_now=decision_round_of_outer_case()).annotate(
        decision_told=Exists(
            _telling_letters().filter(
                case=OuterRef("pk"), decision_round=OuterRef("decision_round_now")
            )
        )
    )


def decision_untold(case):
    """Whether ``case`` is decided and its applicant not yet told the
    decision: its letter is still to be issued. Read from ``decision_told``
    where ``with_decision_told`` gave it."""
    if case.status not in DECIDED:
        return False
    told = getattr(case, "decision_told", None)
    if told is None:
        told = _telling_letters().filter(case=case, decision_round=decision_round(case.pk)).exists()
    return not told


def told_decisions(events, letters):
    """The pks of those of a case's timeline ``events`` (in order) that
    are decisions its applicant has been told: a decision, or a correction,
    that was the last before a decision or feedback letter of ``letters``
    was issued. One corrected before its letter was never told."""
    decided = [event for event in events if event.action in decisions.DECISION_ACTIONS]
    telling = [
        letter.issued_at
        for letter in letters
        if letter.purpose in DECISION_PURPOSES and letter.issued_at is not None
    ]
    return {
        event.pk
        for index, event in enumerate(decided)
        for until in [decided[index + 1].created_at if index + 1 < len(decided) else None]
        if any(
            event.created_at <= issued and (until is None or issued < until) for issued in telling
        )
    }


def decision_round_of(events):
    """``decision_round`` counted from the case's timeline ``events``, read
    already."""
    return sum(1 for event in events if event.action == Action.UPHOLD_CONCERN)


def decision_round_of_outer_case(field="pk"):
    """``decision_round`` of the case ``OuterRef(field)``, as a subquery: a
    count with no grouping, so one row, 0 when none was upheld (grouped by
    case, with none it gave no row to coalesce, and took longer to build)."""
    upheld = (
        CaseEvent.objects.filter(case_id=OuterRef(field), action=Action.UPHOLD_CONCERN)
        .order_by()
        .annotate(count=Func("pk", function="COUNT", output_field=IntegerField()))
        .values("count")
    )
    return Subquery(upheld)


@dataclass(frozen=True)
class Decision:
    outcome: str
    """``accredited`` or ``not_accredited``."""
    decided_on: date
    reasons: str
    signatory: object


def decision_of(case):
    """The case's standing decision as its letter tells it, or None before
    one is made. A correction's reason says why the record was wrong, not
    why the organisation was (or was not) accredited: the letter does not
    carry it, but the reasons a correction gave for the decision itself."""
    standing = decisions.decision_of(case)
    if standing is None:
        return None
    return Decision(
        outcome=case.status,
        decided_on=standing.date,
        reasons=standing.letter_reasons,
        signatory=standing.signatory,
    )


@dataclass(frozen=True)
class ScreeningOutcome:
    reason: str
    signatory: object


def screening_of(case):
    """Why the case was screened out, and by whom: the latest screening
    record, else the timeline's screening event."""
    Screening = apps.get_model("assessments", "Screening")
    screening = (
        Screening.objects.filter(case_id=case.pk, decision="ineligible")
        .select_related("officer")
        .first()
    )
    if screening is not None:
        return ScreeningOutcome(screening.reason, screening.officer)
    event = (
        CaseEvent.objects.filter(case_id=case.pk, action=Action.SCREEN_INELIGIBLE)
        .select_related("actor")
        .order_by("-sequence")
        .first()
    )
    if event is None:
        return None
    return ScreeningOutcome(str((event.details or {}).get("reason", "")), event.actor)


@dataclass(frozen=True)
class CriterionHeading:
    code: str
    title: str


@dataclass
class FeedbackItem:
    """One criterion's feedback to one party, as the group approved it."""

    criterion: CriterionHeading
    party: str
    score: int
    text: str


def letter_feedback(case):
    """The feedback a not-accredited case's letter carries, one item per
    criterion per party: the feedback as the Advisory Group approved it.
    Until the group has approved some, the feedback letter waits: it is
    never issued empty nor from a draft. Only an approval since the case's
    latest recommendation counts (a case referred back and recommended
    again has new feedback), and since any concern upheld: the new
    decision's letter is not the old one's."""
    from advisory_group.queries.agenda import approved_feedback
    from assessments.models.scoring import RecommendationOutcome

    upheld = (
        CaseEvent.objects.filter(case_id=case.pk, action=Action.UPHOLD_CONCERN)
        .order_by("-sequence")
        .values_list("created_at", flat=True)
        .first()
    )
    recommended = (
        apps.get_model("assessments", "Recommendation")
        .objects.filter(case_id=case.pk, outcome=RecommendationOutcome.COMPLETED)
        .order_by("-made_at", "-pk")
        .values_list("made_at", flat=True)
        .first()
    )
    since = max((moment for moment in (upheld, recommended) if moment), default=None)
    return [
        FeedbackItem(
            CriterionHeading(row["criterion"], row["title"]),
            row["party"],
            row["score"],
            row["text"],
        )
        for row in approved_feedback(case, since=since) or ()
    ]


@dataclass
class PartyFeedback:
    name: str
    label: str
    items: list = field(default_factory=list)


def feedback_by_party(case, items):
    """The letter's feedback grouped by party (the lead, then a consortium's
    co-partner), each item with its score's label."""
    labels = dict(policy.current().score_labels)
    CoPartner = apps.get_model("proposals", "CoPartner")
    co_partner = CoPartner.objects.filter(proposal_id=case.pk).first()
    parties = {}
    for item in items:
        if item.party not in parties:
            if item.party == "co_partner":
                name = co_partner.name if co_partner else "Your co-partner"
                parties[item.party] = PartyFeedback(name, "Co-partner")
            else:
                parties[item.party] = PartyFeedback(case.organisation.name, "Lead organisation")
        item.score_label = labels.get(item.score, "")
        parties[item.party].items.append(item)
    order = {"lead": 0, "co_partner": 1}
    return [parties[key] for key in sorted(parties, key=lambda key: order.get(key, 9))]
