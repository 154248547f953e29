"""What the decision official reads: the cases waiting for them, the
recommendation and the Advisory Group's advice beside each (from the case's
timeline, as the workflow's guard reads them), and the standing decision of a
decided case for the letters that follow it."""

from dataclasses import dataclass, replace
from datetime import date

from django.apps import apps
from django.core import signing
from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery
from django.db.models.fields.json import KT

from accreditation import clock
from accreditation.models import CaseEvent
from accreditation.queries.cases import visible_to
from accreditation.queries.conflicts import without_conflicts
from accreditation.roles import Role
from accreditation.workflow import Action, Status

DECIDED = (Status.ACCREDITED, Status.NOT_ACCREDITED)
DECISION_ACTIONS = (Action.ACCREDIT, Action.NOT_ACCREDIT, Action.CORRECT_DECISION)
OUTCOME_OF_STATUS = {Status.ACCREDITED: Action.ACCREDIT, Status.NOT_ACCREDITED: Action.NOT_ACCREDIT}


def _model(label):
    return apps.get_model(*label.split("."))


SCREENING_ACTIONS = (Action.SCREEN_ELIGIBLE, Action.SCREEN_INELIGIBLE)
"""The moves that screen a case: their actor judged its eligibility."""


def screened_by(user):
    """The cases ``user`` screened (their timeline says so, whether or not
    the screening was also recorded apart), as their pks."""
    return CaseEvent.objects.filter(actor=user, action__in=SCREENING_ACTIONS).values("case_id")


def had_part_q(user):
    """A Q matching the cases ``user`` had a part in (an assessor, even a
    former one; who screened it; the chair or a member of a meeting with the
    case on its agenda, for an Advisory Group member), as
    ``accreditation.case_roles`` judges it: such a person may not decide the
    case."""
    assigned = _model("assessments.Assignment").objects.filter(assessor=user)
    parts = Q(pk__in=assigned.values("case_id")) | Q(pk__in=screened_by(user))
    if user.has_role(Role.ADVISORY_GROUP_MEMBER):
        items = _model("advisory_group.AgendaItem").objects.filter(
            Q(meeting__chair=user) | Q(meeting__members=user)
        )
        parts |= Q(pk__in=items.values("case_id"))
    return parts


def queue(user):
    """The cases awaiting decision that ``user`` may decide: none they are in
    conflict with or had a part in, oldest waiting first, with what a row of
    the queue shows (the case's reference, type and organisation's name)."""
    return (
        visible_to(user)
        .filter(status=Status.AWAITING_DECISION)
        .exclude(had_part_q(user))
        .select_related("organisation")
        .only("reference", "accreditation_type", "status", "updated_at", "organisation__name")
        .order_by("updated_at", "pk")
    )


def case_for_decision(pk):
    return (
        _model("proposals.Proposal")
        .objects.select_related("organisation__local_authority", "round", "window")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Advice:
    """The standing recommendation of a case and the group's advice on it."""

    recommendation: str | None = None
    reasoning: str = ""
    recommended_by: str = ""
    advice: str | None = None
    comment: str = ""

    @property
    def recommendation_label(self):
        return {
            Action.ACCREDIT: "Accredit",
            Action.NOT_ACCREDIT: "Do not accredit",
        }.get(self.recommendation, "None recorded")

    @property
    def advice_label(self):
        return {
            "agree": "Agrees with the recommendation",
            "disagree": "Disagrees with the recommendation",
        }.get(self.advice, "None recorded")


def advice_of_many(cases):
    """{case pk: Advice} for ``cases``, in one query: the latest
    recommendation, and the advice given after it. Only the keys shown are
    read out of each event's details, in the database: decoding every
    event's whole details cost the decision queue more than its rows."""
    found = {case.pk: Advice() for case in cases}
    events = (
        CaseEvent.objects.filter(
            case_id__in=list(found), action__in=(Action.RECOMMEND, Action.ADVISE)
        )
        .order_by("case_id", "sequence")
        .values_list(
            "case_id",
            "action",
            KT("details__recommendation"),
            KT("details__reasoning"),
            KT("details__advice"),
            KT("details__comment"),
            "actor__full_name",
        )
    )
    for case_id, action, recommendation, reasoning, advice, comment, actor in events:
        if action == Action.RECOMMEND:
            found[case_id] = Advice(
                recommendation=recommendation,
                reasoning=reasoning or "",
                recommended_by=actor or "",
            )
        else:
            found[case_id] = replace(found[case_id], advice=advice, comment=comment or "")
    return found


def advice_of(case):
    return advice_of_many([case])[case.pk]


@dataclass(frozen=True)
class Decision:
    """The decision that stands on a case, after any correction."""

    outcome: str
    """``accredit`` or ``not_accredit``."""
    date: date
    reasons: str
    """The decision's reasons; a correction's own reason, for a correction."""
    signatory: object
    """The official who signs for the Secretary of State (a User)."""
    signatory_name: str
    corrected: bool
    event: object
    decision_reasons: str = ""
    """A correction's reasons for the decision it turned to (given where it
    goes against the recommendation or the advice): its letter's."""

    @property
    def letter_reasons(self):
        """The reasons the decision letter gives: the decision's own, never
        why the record was corrected."""
        return self.decision_reasons if self.corrected else self.reasons

    @property
    def outcome_label(self):
        return "Accredited" if self.outcome == Action.ACCREDIT else "Not accredited"


SEEN_SALT = "decision-pages-seen"
SEEN_MAX_AGE = 7 * 24 * 3600
"""How long a decision page's note of the cases it showed is taken."""


def seen_note(user, cases):
    """What a decision page puts in its forms: that ``user`` was shown
    ``cases`` (signed, so it cannot be made up)."""
    return signing.dumps([user.pk, *(case.pk for case in cases)], salt=SEEN_SALT)


def shown(note, user):
    """The pks of the cases ``note`` (``seen_note``'s) says ``user`` was
    shown, or an empty set for a note missing, changed, too old or another's."""
    try:
        owner, *pks = signing.loads(note or "", salt=SEEN_SALT, max_age=SEEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return set()
    return set(pks) if owner == user.pk else set()


def decided_by_another(case, user, note):
    """The standing decision of ``case`` for a decision official who was
    shown it (``note``: the page's ``seen_note``) and may no longer see it
    only because another official decided it (or corrected the decision)
    and its letter has been issued: the form they sent is answered with
    what happened, not a page not found. None otherwise: a case they were
    never shown, or are in conflict with, stays a page not found."""
    if (
        case is None
        or case.pk not in shown(note, user)
        or case.status not in DECIDED
        or not user.has_perm("accreditation.use_decisions")
    ):
        return None
    if not without_conflicts(
        _model("proposals.Proposal").objects.filter(pk=case.pk), user
    ).exists():
        return None
    decision = decision_of(case)
    if decision is None or decision.signatory == user:
        return None
    return decision


def decision_of(case):
    """The standing decision of a decided case (the latest decision or
    correction), or None while it has none."""
    if case.status not in DECIDED:
        return None
    event = (
        CaseEvent.objects.filter(case_id=case.pk, action__in=DECISION_ACTIONS)
        .select_related("actor")
        .order_by("-sequence")
        .first()
    )
    if event is None:
        return None
    details = event.details
    decided_on = details.get("decision_date")
    return Decision(
        outcome=OUTCOME_OF_STATUS[event.to_status],
        date=date.fromisoformat(decided_on) if decided_on else clock.local_date(event.created_at),
        reasons=details.get("reason", ""),
        signatory=event.actor,
        signatory_name=details.get("signatory_name")
        or (event.actor.full_name if event.actor else ""),
        corrected=event.action == Action.CORRECT_DECISION,
        event=event,
        decision_reasons=details.get("decision_reasons", ""),
    )


@dataclass
class ScoreSummaryRow:
    """One criterion (per party) on the decision page: each current
    assessor's score, in the order of ``ScoreSummary.assessors``, and the
    agreed score where quality assurance recorded one."""

    code: str
    title: str
    party: str
    scores: list
    agreed: int | None = None


@dataclass
class ScoreSummary:
    assessors: list
    """The case's current assignments (first assessor, then second)."""
    rows: list


def scores_of(case):
    """The scores ``case``'s latest completed recommendation stood on, per
    criterion in the framework's order, with the agreed scores: its first
    assessor's (not those of one assigned since to write the feedback) and
    the current second assessor's. A fixed few queries."""
    Assignment = _model("assessments.Assignment")
    Score = _model("assessments.Score")
    AgreedScore = _model("assessments.AgreedScore")
    Recommendation = _model("assessments.Recommendation")
    recommended = (
        Recommendation.objects.filter(case_id=case.pk, outcome="completed")
        .order_by("-made_at", "-pk")
        .values("assignment_id")[:1]
    )
    found = list(
        Assignment.objects.filter(Q(ended_at=None) | Q(pk=Subquery(recommended)), case_id=case.pk)
        .annotate(
            recommended=ExpressionWrapper(Q(pk=Subquery(recommended)), output_field=BooleanField())
        )
        .select_related("assessor")
        .order_by("kind", "pk")
    )
    firsts = [a for a in found if a.kind == "first"]
    assignments = [
        *([a for a in firsts if a.recommended] or [a for a in firsts if a.ended_at is None])[:1],
        *(a for a in found if a.kind == "second" and a.ended_at is None),
    ]
    column = {a.pk: i for i, a in enumerate(assignments)}
    rows = {}
    scores = (
        Score.objects.filter(assignment_id__in=column)
        .select_related("criterion__part")
        .order_by("criterion__part__number", "criterion__position", "party")
    )
    for score in scores:
        key = (score.criterion_id, score.party)
        if key not in rows:
            rows[key] = ScoreSummaryRow(
                code=score.criterion.code,
                title=score.criterion.title,
                party=score.party,
                scores=[None] * len(assignments),
            )
        rows[key].scores[column[score.assignment_id]] = score.value
    agreed = AgreedScore.objects.filter(first_score__assignment_id__in=column).select_related(
        "first_score"
    )
    for row in agreed:
        key = (row.first_score.criterion_id, row.first_score.party)
        if key in rows:
            rows[key].agreed = row.value
    return ScoreSummary(assessors=assignments, rows=list(rows.values()))
