"""Everything a case's staff page shows, read in a fixed number of queries
whatever the number of events, answers, scores, requests or letters: the
proposal, screening, assessors and their scores, information requests,
Advisory Group items, the decision, letters, the organisation's earlier
cases, and the timeline with each event's chain check.

What a viewer may see of the scores follows quality assurance's blind
scoring: an assessor of the case sees their own scores; the other current
assessor's only once both have finished (as the quality assurance page
shows them); and a replaced assessor's only when the casework officer let
them (``Assignment.may_see_earlier_scores``). Everyone else who may see the
case (casework officers, the Advisory Group, decision officials) sees them
all.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery

from accreditation import clock, events, timeline
from accreditation.case_roles import CaseRole
from accreditation.models import CaseEvent, Criterion
from accreditation.models.timeline import GENESIS_HASH
from accreditation.queries.cases import visible_to
from accreditation.queries.decisions import DECIDED, DECISION_ACTIONS, OUTCOME_OF_STATUS
from accreditation.workflow import Action, Status
from advisory_group.models import Advice, AgendaItem, FeedbackView, ItemPurpose
from assessments.models import (
    AgreedScore,
    Assignment,
    AssignmentKind,
    NssOutcome,
    RecommendationChoice,
    Score,
    ScoreSheet,
    Screening,
)
from assessments.queries.requests import requests_for_case
from feedback.models import Letter, LetterPurpose
from feedback.queries.letters import decision_round_of
from proposals.models import Answer, Evidence, Party, Proposal, SchoolLed
from proposals.queries.journey import questions

ASSESSING = frozenset({CaseRole.ASSESSOR, CaseRole.SECOND_ASSESSOR})
URN = re.compile(r"^[0-9]{6}$")
BLIND_KEYS = frozenset({"score", "recommendation"})
DRAFT_DOCUMENT_ACTIONS = frozenset({"request_document_uploaded", "request_document_deleted"})
"""The applicant's work on answers not yet sent: staff see that it happened,
not what the document is (the answers page promises nothing reaches the
assessor until it is sent; what was sent is listed with its requests)."""
REPLACING_ACTIONS = frozenset({"assessor_reassigned", "second_assessor_reassigned"})
"""Events whose reason (why an officer replaced an assessor) is for casework
officers: not for the assessor who takes the case on, nor the others on it."""
AGENDA_ACTIONS = frozenset({"agenda_item_added", "agenda_item_removed", "agenda_item_moved"})
"""Events whose ``purpose`` is an agenda item's (``ItemPurpose``); any
other event's is a letter's."""

# What of an event's details the timeline shows, in this order, with its
# label ("": the value alone, a document's or letter's name).
DETAIL_LABELS = (
    ("reference", "Reference"),
    ("criterion", "Criterion"),
    ("party", "For"),
    ("score", "Score"),
    ("recommendation", "Recommendation"),
    ("advice", "Advice"),
    ("view", "View"),
    ("by_correspondence", "Recorded"),
    ("meeting_name", "Meeting"),
    ("decision_date", "Decision date"),
    ("from_meeting_name", "Moved from"),
    ("to_meeting_name", "Moved to"),
    ("name", ""),
    ("purpose", ""),
    ("reason", "Reason"),
    ("decision_reasons", "Reasons for the corrected decision"),
    ("comment", "Comment"),
)


@dataclass
class TimelineEntry:
    event: object
    label: str
    details: list
    problems: list

    @property
    def verified(self):
        return not self.problems


@dataclass
class Item:
    """A criterion the case is assessed on, for one party, with the text of
    the applicant's answer ("" if none)."""

    criterion: object
    party: str
    answer: str

    @property
    def key(self):
        return (self.criterion.pk, self.party)

    @property
    def party_label(self):
        return Party(self.party).label


@dataclass
class AssessorSet:
    """One assignment's scores, if the viewer may see them."""

    assignment: object
    finished: bool
    visible: bool
    scores: dict = field(default_factory=dict)


@dataclass
class Agreed:
    """The score both assessors agreed in quality assurance."""

    value: int
    reason: str
    by: str


@dataclass
class ScoreRow:
    item: Item
    cells: list
    """One score (or None) per visible set, in ``CasePage.score_sets`` order."""
    agreed: object = None


@dataclass
class SchoolRecords:
    name: str
    urn: str
    links: list


@dataclass
class CasePage:
    case: object
    roles: frozenset
    timeline: list
    chain_problems: list
    items: list
    documents: list
    schools: list
    school_records: list
    screenings: list
    screen_events: list
    """The screening moves on the timeline, for a case screened with no
    screening record (before screening was recorded apart)."""
    assignments: list
    sets: list
    score_rows: list
    scores_hidden: list
    recommendations: list
    requests: list
    agenda_items: list
    views_withheld: bool
    """The members' views are not shown: the viewer assessed the case (now
    or before), and the group's members advise on their recommendation
    without them (a casework officer, who runs the meetings, sees them)."""
    decision: object
    earlier_cases: list
    earlier_letters: list
    letters: list
    """The case's own issued letters, oldest first."""
    concerns: list
    """The case's concerns, oldest first."""
    decision_round: int

    @property
    def score_sets(self):
        return [s for s in self.sets if s.visible]

    @property
    def scoring_blind(self):
        """Another assessor scores the case beside the person, blind, so its
        recommendation (and their scores) wait until both have finished; a
        replaced assessor's scores hidden from them hold nothing back."""
        return any(s.assignment.ended_at is None for s in self.scores_hidden)

    @property
    def chain_intact(self):
        return not self.chain_problems and all(entry.verified for entry in self.timeline)


def school_links(urn):
    return [(label, url.format(urn=urn)) for label, url in settings.SCHOOL_RECORD_URLS.items()]


def _chain(case, ordered):
    """Per event sequence, what is wrong with its link; and what is wrong
    with the case's record of its chain head. One pass, no query."""
    problems = {}
    for found in timeline.verify(ordered):
        problems.setdefault(found.sequence, []).append(found.problem)
    last = ordered[-1] if ordered else None
    head = []
    if (last.sequence if last else 0) != case.timeline_sequence:
        head.append(
            f"The case records event {case.timeline_sequence} as its last, "
            f"but its timeline ends at event {last.sequence if last else 0}."
        )
    elif (last.hash if last else GENESIS_HASH) != case.timeline_hash:
        head.append("The case's record of its last event does not match that event's hash.")
    return problems, head


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _staff_label(event):
    """What the staff timeline calls ``event``: a correction says the
    decision it made."""
    label = events.get(event.action).staff_label
    if event.action == Action.CORRECT_DECISION and event.to_status in OUTCOME_OF_STATUS:
        return f"{label} to {Status(event.to_status).label.lower()}"
    return label


def _details(event, blind, officer):
    """What the timeline shows of an event's details; ``blind``: without the
    scores and recommendations, for an assessor not yet shown them all;
    ``officer``: the viewer is the case's casework officer."""
    shown = []
    for key, label in DETAIL_LABELS:
        value = event.details.get(key)
        if value in (None, "", []):
            continue
        if blind and key in BLIND_KEYS:
            continue
        if key == "reason" and event.action in REPLACING_ACTIONS and not officer:
            continue
        if key == "name" and event.action in DRAFT_DOCUMENT_ACTIONS:
            continue
        if key == "decision_date" and _date(value):
            value = f"{_date(value):%-d %B %Y}"
        if key == "party":
            value = Party(value).label if value in Party.values else value
        if key == "view":
            views = {**dict(Advice.choices), **dict(FeedbackView.choices)}
            value = views.get(value, value)
        if key == "by_correspondence":
            value = "By correspondence, between meetings" if value else "At the meeting"
        if key == "advice":
            value = Advice(value).label if value in Advice.values else value
        if key == "recommendation":
            value = (
                RecommendationChoice(value).label if value in RecommendationChoice.values else value
            )
        if key == "comment" and value == event.details.get("reason"):
            continue  # shown as the reason already
        if key == "purpose":
            if event.details.get("name"):
                continue  # the letter is named already
            purposes = ItemPurpose if event.action in AGENDA_ACTIONS else LetterPurpose
            value = purposes(value).label if value in purposes.values else value
        shown.append((label, value))
    genuine = event.details.get("genuine")
    if genuine:
        cleared = ", ".join(event.details.get("cleared") or ()) or "no other organisation"
        shown.insert(
            0,
            (
                "",
                f"{event.details.get('identifier')} {event.details.get('value')}: the claim of "
                f"{genuine} is genuine. Cleared from {cleared}.",
            ),
        )
    assessor = event.details.get("assessor_name")
    if assessor:
        replaced = event.details.get("replaced_name")
        shown.insert(0, ("Assessor", f"{assessor} replaces {replaced}" if replaced else assessor))
    return shown


def _visible_sets(assignments, finished, roles, user):
    """Each assignment's set, marked visible or not for ``user``."""
    mine = {a.kind: a for a in assignments if a.assessor_id == user.pk and a.ended_at is None}
    current = {a.kind: a for a in assignments if a.ended_at is None}
    both_finished = all(
        current.get(kind) and current[kind].pk in finished for kind in AssignmentKind
    )
    replaced = {}
    for kind, own in mine.items():
        if own.may_see_earlier_scores:
            earlier = [a for a in assignments if a.kind == kind and a.ended_at is not None]
            if earlier:
                replaced[kind] = max(earlier, key=lambda a: a.ended_at).pk
    sets = []
    for assignment in assignments:
        if not (ASSESSING & roles) or assignment.assessor_id == user.pk:
            visible = True
        elif assignment.ended_at is None:
            visible = both_finished
        else:
            visible = replaced.get(assignment.kind) == assignment.pk
        sets.append(AssessorSet(assignment, assignment.pk in finished, visible))
    return sets


def _regrouped(rows, joined):
    """The distinct parents of ``rows`` (a query LEFT JOINed to a reverse
    relation through the ``FilteredRelation`` ``joined``, a row per related
    object), in the query's order, and {parent pk: [related object, ...]}."""
    parents = {}
    related = {}
    for row in rows:
        parents.setdefault(row.pk, row)
        # Django sets no attribute when the row joined nothing.
        joined_object = getattr(row, joined, None)
        if joined_object is not None:
            related.setdefault(row.pk, []).append(joined_object)
    return list(parents.values()), related


def _latest_refer_back(ordered):
    return max(
        (event.created_at for event in ordered if event.action == Action.REFER_BACK), default=None
    )


def _decision(case, ordered):
    if case.status not in DECIDED:
        return None
    event = next((e for e in reversed(ordered) if e.action in DECISION_ACTIONS), None)
    if event is None:
        return None
    return {
        "outcome": (
            "Accredited"
            if OUTCOME_OF_STATUS[event.to_status] == Action.ACCREDIT
            else "Not accredited"
        ),
        "date": _date(event.details.get("decision_date")) or clock.local_date(event.created_at),
        "reasons": event.details.get("reason", ""),
        "decision_reasons": event.details.get("decision_reasons", ""),
        "by": event.details.get("signatory_name") or (event.actor.full_name if event.actor else ""),
        "corrected": event.action == Action.CORRECT_DECISION,
    }


def case_page(case, user, roles):
    """Load the ``CasePage`` of ``case`` for ``user``, who holds ``roles`` on it."""
    ordered = list(
        CaseEvent.objects.filter(case_id=case.pk).select_related("actor").order_by("sequence")
    )
    problems, head_problems = _chain(case, ordered)

    screenings = list(
        Screening.objects.filter(case_id=case.pk).select_related("officer").order_by("-pk")
    )
    latest_screening = screenings[0] if screenings else None
    nss = case.applicant_profile.claims_national_support_school and (
        latest_screening is None or latest_screening.nss_claim != NssOutcome.REJECTED
    )
    # Each criterion read with the text of each party's answer to it.
    answer = Answer.objects.filter(proposal_id=case.pk, criterion=OuterRef("pk")).order_by()
    criteria = list(
        Criterion.objects.filter(part__framework_id=case.framework_id)
        .select_related("part")
        .annotate(
            **{
                f"answer_{party}": Subquery(answer.filter(party=party).values("text")[:1])
                for party in Party.values
            }
        )
        .order_by("part__number", "position")
    )
    items = [
        Item(q.criterion, q.party, getattr(q.criterion, f"answer_{q.party}") or "")
        for q in questions(case, criteria, national_support_school=nss)
    ]

    # A set finished before the Advisory Group last referred the case back
    # is open again (as ``assessments.queries.scoring.finished_assignments``).
    sheets = ScoreSheet.objects.filter(assignment=OuterRef("pk"))
    referred_back = _latest_refer_back(ordered)
    if referred_back is not None:
        sheets = sheets.filter(finished_at__gt=referred_back)
    # Each assignment read with its recommendations (a LEFT JOIN: a row per
    # recommendation, or one with none).
    assignments, made = _regrouped(
        Assignment.objects.filter(case_id=case.pk)
        .annotate(
            finished=Exists(sheets),
            joined_recommendation=FilteredRelation(
                "recommendations", condition=Q(recommendations__case_id=case.pk)
            ),
        )
        .select_related("assessor", "assigned_by", "joined_recommendation__made_by")
        .order_by("kind", "assigned_at", "pk"),
        "joined_recommendation",
    )
    finished = {a.pk for a in assignments if a.finished}
    sets = _visible_sets(assignments, finished, roles, user)
    shown_ids = [s.assignment.pk for s in sets if s.visible]
    by_assignment = {s.assignment.pk: s for s in sets}
    scores = Score.objects.filter(assignment_id__in=shown_ids).select_related("updated_by")
    current_shown = [s for s in sets if s.visible and s.assignment.ended_at is None]
    if len(current_shown) == 2:
        # With both current sets shown, each first score is read with the
        # score its assessors agreed for it, if any.
        agreement = AgreedScore.objects.filter(
            first_score=OuterRef("pk"), second_score__assignment_id__in=shown_ids
        ).order_by("-pk")
        scores = scores.annotate(
            agreed_value=Subquery(agreement.values("value")[:1]),
            agreed_reason=Subquery(agreement.values("reason")[:1]),
            agreed_by=Subquery(agreement.values("agreed_by__full_name")[:1]),
        )
    agreed = {}
    for score in scores:
        key = (score.criterion_id, score.party)
        by_assignment[score.assignment_id].scores[key] = score
        if getattr(score, "agreed_value", None) is not None:
            agreed[key] = Agreed(score.agreed_value, score.agreed_reason, score.agreed_by)
    visible_sets = [s for s in sets if s.visible]
    score_rows = [
        ScoreRow(item, [s.scores.get(item.key) for s in visible_sets], agreed.get(item.key))
        for item in items
    ]
    hidden = [s for s in sets if not s.visible]

    # A recommendation carries its assessor's view of the scores: shown with
    # the scores it was made under.
    recommendations = sorted(
        (recommendation for pk in shown_ids for recommendation in made.get(pk, ())),
        key=lambda recommendation: (recommendation.made_at, recommendation.pk),
        reverse=True,
    )

    # Each item read with its members' views (a LEFT JOIN, as above).
    agenda_items, views = _regrouped(
        AgendaItem.objects.filter(case_id=case.pk)
        .annotate(member_view=FilteredRelation("views"))
        .select_related("meeting__chair", "decided_by", "member_view__member")
        .order_by("added_at", "pk", "member_view__pk"),
        "member_view",
    )
    for item in agenda_items:
        item.member_views = views.get(item.pk, [])

    schools = list(SchoolLed.objects.filter(proposal_id=case.pk).select_related("local_authority"))
    records = []
    organisation = case.organisation
    if URN.match(organisation.urn or ""):
        records.append(
            SchoolRecords(organisation.name, organisation.urn, school_links(organisation.urn))
        )
    records += [
        SchoolRecords(school.name, school.urn, school_links(school.urn))
        for school in schools
        if URN.match(school.urn)
    ]

    earlier = list(
        Proposal.objects.filter(organisation_id=case.organisation_id, submitted_at__isnull=False)
        .exclude(pk=case.pk)
        .select_related("round", "window")
        .annotate(visible=Exists(visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("-submitted_at", "-pk")
    )
    visible_earlier = {p.pk for p in earlier if p.visible}
    # The organisation's issued letters, this case's and its other cases',
    # each of this case's read with the concern about it if there is one (at
    # most one per letter, and a concern is raised only about an issued letter).
    issued = list(
        Letter.objects.filter(case__organisation_id=case.organisation_id, issued_at__isnull=False)
        .annotate(
            joined_concern=FilteredRelation("concerns", condition=Q(concerns__case_id=case.pk))
        )
        .select_related("case", "joined_concern")
        .defer("pdf")
        .order_by("-issued_at", "-pk")
    )
    own_letters = [letter for letter in reversed(issued) if letter.case_id == case.pk]
    letters = [letter for letter in issued if letter.case_id != case.pk]
    for letter in letters:
        letter.visible = letter.case_id in visible_earlier
    concerns = sorted(
        (
            letter.joined_concern
            for letter in own_letters
            if getattr(letter, "joined_concern", None) is not None
        ),
        key=lambda concern: (concern.raised_at, concern.pk),
    )

    entries = [
        TimelineEntry(
            event,
            _staff_label(event),
            _details(
                event,
                blind=bool(hidden),
                # An officer assessing the case reads it as its assessor.
                officer=CaseRole.CASEWORK_OFFICER in roles and not ASSESSING & roles,
            ),
            problems.get(event.sequence, []),
        )
        for event in reversed(ordered)
    ]
    return CasePage(
        case=case,
        roles=roles,
        timeline=entries,
        chain_problems=head_problems,
        items=items,
        documents=list(
            Evidence.objects.filter(proposal_id=case.pk)
            .select_related("uploaded_by")
            .order_by("uploaded_at", "pk")
        ),
        schools=schools,
        school_records=records,
        screenings=screenings,
        screen_events=[
            entry
            for entry in entries
            if entry.event.action in (Action.SCREEN_ELIGIBLE, Action.SCREEN_INELIGIBLE)
        ],
        assignments=assignments,
        sets=sets,
        score_rows=score_rows,
        scores_hidden=hidden,
        recommendations=recommendations,
        requests=requests_for_case(case),
        agenda_items=agenda_items,
        views_withheld=CaseRole.CASEWORK_OFFICER not in roles
        and any(assignment.assessor_id == user.pk for assignment in assignments),
        decision=_decision(case, ordered),
        earlier_cases=earlier,
        earlier_letters=letters,
        letters=own_letters,
        concerns=concerns,
        decision_round=decision_round_of(ordered),
    )
