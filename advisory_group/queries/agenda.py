"""What the Advisory Group has to look at, and the agenda of a meeting as a
person may see it."""

import hashlib
import json
from datetime import UTC, datetime

import rules
from django.apps import apps
from django.db.models import DateTimeField, Exists, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accreditation import clock
from accreditation.case_roles import CaseRole
from accreditation.models import CaseEvent, Membership, User
from accreditation.queries.conflicts import without_conflicts
from accreditation.roles import Role
from accreditation.workflow import Action, Status
from advisory_group.models import AgendaItem, FeedbackApproval, ItemPurpose, Meeting, MemberView
from assessments.queries.assignment import ASSESSABLE
from assessments.queries.scoring import FEEDBACK_STATUSES, with_feedback_unwritten

EPOCH = Value(datetime(1970, 1, 1, tzinfo=UTC), output_field=DateTimeField())
"""Before any concern was upheld."""

SEES_ITEMS = frozenset({CaseRole.CASEWORK_OFFICER, CaseRole.MEETING_CHAIR, CaseRole.MEETING_MEMBER})


def _cases():
    return apps.get_model("proposals", "Proposal").objects


def waiting(case_ids=None):
    """[(case, purpose)] the group has to look at and no open item holds:
    (a) every ASG case in Advisory Group review; (b) and (c) the draft
    feedback of every case whose completed recommendation is not to
    accredit, and of a case decided not accredited against a recommendation
    to accredit once its assessor has written the feedback from the
    official's reasons, until the group approves it (since the latest
    recommendation, and since any concern upheld). Feedback waiting for its
    assessor to write or revise it (``with_feedback_unwritten``: returned by
    the group, or decided against) waits off the agendas until they have."""
    from assessments.models import FeedbackRevision, Recommendation
    from assessments.models.scoring import RecommendationChoice, RecommendationOutcome

    cases = _cases()
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    open_items = AgendaItem.objects.filter(case=OuterRef("pk"), outcome="")
    advice = cases.filter(status=Status.ADVISORY_REVIEW, accreditation_type="asg").exclude(
        Exists(open_items.filter(purpose=ItemPurpose.ADVICE))
    )
    latest = Recommendation.objects.filter(
        case=OuterRef("pk"), outcome=RecommendationOutcome.COMPLETED
    ).order_by("-made_at", "-pk")
    # Feedback approved before a concern was upheld was for the earlier
    # decision: the case reassessed needs its new feedback approved.
    upheld = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.UPHOLD_CONCERN).order_by(
        "-sequence"
    )
    since = Coalesce(Subquery(upheld.values("created_at")[:1]), EPOCH)
    # An approval counts for the feedback of the case's latest
    # recommendation only: one referred back and recommended again has new
    # draft feedback for the group.
    approved = FeedbackApproval.objects.filter(
        case=OuterRef("pk"),
        approved_at__gt=OuterRef("since"),
        approved_at__gte=OuterRef("latest_at"),
    )
    written = FeedbackRevision.objects.filter(
        case=OuterRef("pk"), written_at__gte=OuterRef("latest_at")
    )
    feedback = (
        cases.filter(status__in=FEEDBACK_STATUSES)
        .annotate(
            latest=Subquery(latest.values("recommendation")[:1]),
            latest_at=Subquery(latest.values("made_at")[:1]),
            since=since,
        )
        .filter(Q(latest=RecommendationChoice.NOT_ACCREDIT) | Exists(written))
        .exclude(Exists(open_items.filter(purpose=ItemPurpose.FEEDBACK)))
        .exclude(Exists(approved))
        .exclude(pk__in=with_feedback_unwritten(cases).values("pk"))
    )
    return [(case, ItemPurpose.ADVICE) for case in advice.order_by("pk")] + [
        (case, ItemPurpose.FEEDBACK) for case in feedback.order_by("pk")
    ]


ASSESSED_AGAIN = {
    Action.REFER_BACK: (
        "The case was referred back and its assessors are assessing it again: the scores "
        "below are as they stand now, and may change until it is recommended again."
    ),
    Action.UPHOLD_CONCERN: (
        "A concern about the case was upheld and another assessor is assessing it again: "
        "the scores below are the earlier assessment's, joined by the new one's as they "
        "are made, until it is recommended again."
    ),
}


def assessed_again(case):
    """What to say of the scores of an item whose case is with assessors
    again (referred back, or a concern about it upheld), or "" if it is not."""
    if case.status not in ASSESSABLE:
        return ""
    why = (
        CaseEvent.objects.filter(case_id=case.pk, action__in=list(ASSESSED_AGAIN))
        .order_by("-sequence")
        .values_list("action", flat=True)
        .first()
    )
    return ASSESSED_AGAIN.get(why, "")


def next_meeting(after=None):
    """The first open meeting still to be held (after ``after``), or None."""
    meetings = Meeting.objects.filter(closed_at=None, held_at__gte=clock.now())
    if after is not None:
        meetings = meetings.filter(held_at__gt=after.held_at)
    return meetings.order_by("held_at", "pk").first()


def meetings_for(user):
    """The meetings ``user`` may open: every one for a casework officer, their
    own for a chair or member."""
    meetings = Meeting.objects.select_related("round", "chair")
    if not user.has_role(Role.CASEWORK_OFFICER):
        meetings = meetings.filter(pk__in=member_meeting_ids(user))
    return meetings.order_by("-held_at", "-pk")


def member_meeting_ids(user):
    return Meeting.objects.filter(Q(chair=user) | Q(members=user)).values("pk")


class Show:
    """Which of a meeting's items the agenda page lists."""

    ALL = ""
    WITHOUT_MY_VIEW = "without-my-view"
    AWAITING_ADVICE = "awaiting-advice"
    ASG_ADVICE = "asg-advice"
    FEEDBACK_REVIEW = "feedback-review"
    CHOICES = (
        (ALL, "Every item"),
        (WITHOUT_MY_VIEW, "Open items without your view"),
        (AWAITING_ADVICE, "Items awaiting the group's advice"),
        (ASG_ADVICE, "ASG cases awaiting the group's advice"),
        (FEEDBACK_REVIEW, "Draft feedback awaiting the group's review"),
    )
    OPEN = (WITHOUT_MY_VIEW, AWAITING_ADVICE, ASG_ADVICE, FEEDBACK_REVIEW)
    """The choices of open items only (no outcome recorded)."""
    PURPOSE = {ASG_ADVICE: ItemPurpose.ADVICE, FEEDBACK_REVIEW: ItemPurpose.FEEDBACK}
    """The choices of one kind of item."""


def visible_items(meeting, user, show=Show.ALL, advising=False):
    """The pks of the items of ``meeting`` that ``user`` may see, in agenda
    order, narrowed by ``show``: one query whatever the agenda's length.

    The rule ``advisory_group.view_item`` applies item by item through the
    case roles resolver, asked here of every item at once in SQL: a
    casework officer, or the chair or a member of the meeting while it is
    open (or while an open meeting of theirs holds the case), and nobody on
    a case they are in conflict with (``without_conflicts``: the rule the
    resolver applies case by case); a member not on a case they assessed.
    ``tests/test_advisory_group.py`` holds the two to the same answers."""
    items = meeting.items.order_by("added_at", "pk")
    officer = user.has_role(Role.CASEWORK_OFFICER)
    if not officer and not is_in_meeting(user, meeting):
        return []
    if not officer or advising or show == Show.WITHOUT_MY_VIEW:
        # What the person is to advise on (their pack, the views asked of
        # them), even a casework officer on the group: none they assessed.
        items = not_assessed_by(items, user)
    if not officer:
        if meeting.closed_at is not None:
            sits = Q(meeting__chair=user) | Q(meeting__members=user)
            still_open = AgendaItem.objects.filter(
                sits, case=OuterRef("case"), meeting__closed_at=None
            )
            items = items.filter(Exists(still_open))
    if show in Show.OPEN:
        items = items.filter(outcome="")
    if show in Show.PURPOSE:
        items = items.filter(purpose=Show.PURPOSE[show])
    if show == Show.WITHOUT_MY_VIEW:
        items = items.exclude(Exists(MemberView.objects.filter(item=OuterRef("pk"), member=user)))
    items = without_conflicts(items, user, prefix="case__organisation")
    return list(items.values_list("pk", flat=True))


def _other_parts(case, person):
    """Conditions (``Exists``) that ``person`` had another part in ``case``
    (each an expression or a value): assessed it, now or before, screened
    it, decided it, or decided a concern about it. Roles combine on one
    person, never on one case: such a person does not advise on it (the
    rule the resolver applies case by case, ``assessments.case_roles``)."""
    from accreditation.queries.decisions import DECISION_ACTIONS, SCREENING_ACTIONS
    from assessments.models import Assignment
    from feedback.models import Concern

    return [
        Exists(Assignment.objects.filter(case=case, assessor=person)),
        Exists(
            CaseEvent.objects.filter(
                case=case, actor=person, action__in=(*SCREENING_ACTIONS, *DECISION_ACTIONS)
            )
        ),
        Exists(Concern.objects.filter(case=case, decided_by=person)),
    ]


def not_assessed_by(items, user):
    """``items`` without those of a case ``user`` had another part in
    (``_other_parts``: assessed, screened or decided it, or decided a
    concern about it): they do not advise on it."""
    for part in _other_parts(OuterRef("case"), user):
        items = items.exclude(part)
    return items


def advisable_by(items, person):
    """Those of ``items`` whose case ``person`` may advise on: not one they
    assessed, now or before, nor one they are in conflict with."""
    return without_conflicts(not_assessed_by(items, person), person, prefix="case__organisation")


def chair_may_not_advise(meeting, viewer):
    """The open items of ``meeting`` whose case its chair may not advise on
    (``advisable_by``), with their case, of those ``viewer`` may see (none
    they are in conflict with): no advice can be recorded on them at this
    meeting."""
    items = meeting.items.filter(outcome="")
    barred = items.exclude(pk__in=advisable_by(items, meeting.chair).values("pk"))
    return list(
        without_conflicts(barred, viewer, prefix="case__organisation")
        .select_related("case__organisation")
        .order_by("added_at", "pk")
    )


def open_items(meeting, viewer):
    """(the open items of ``meeting`` ``viewer`` may see, with their case,
    in agenda order; how many others it has, about cases ``viewer`` is in
    conflict with): what must be advised on or moved before it closes."""
    items = meeting.items.filter(outcome="")
    seen = list(
        without_conflicts(items, viewer, prefix="case__organisation")
        .select_related("case__organisation")
        .order_by("added_at", "pk")
    )
    return seen, items.count() - len(seen)


def meetings_to_move_to(item):
    """The open meetings still to come that ``item`` can move to: not its
    own, nor one whose chair may not advise on its case (``may_advise``),
    each with its chair, soonest first. A meeting whose time has come has
    its agenda (the group cannot be said to have advised on an item added
    after)."""
    return (
        Meeting.objects.filter(closed_at=None, held_at__gt=clock.now())
        .exclude(pk=item.meeting_id)
        .filter(chair__in=may_advise(item.case, User.objects.all()).values("pk"))
        .select_related("chair")
        .order_by("held_at", "pk")
    )


def is_in_meeting(user, meeting):
    """The chair or a member of ``meeting``."""
    return meeting.chair_id == user.pk or meeting.members.filter(pk=user.pk).exists()


VIEW_LABELS = dict(MemberView._meta.get_field("view").choices)


def items_of(pks, user):
    """The items ``pks`` in that order, with their case and ``user``'s own
    view (``my_view``, its label ``my_view_label``; None without one): one
    query."""
    mine = MemberView.objects.filter(item=OuterRef("pk"), member=user).values("view")[:1]
    found = (
        AgendaItem.objects.filter(pk__in=pks)
        .select_related("case__organisation", "decided_by")
        .annotate(my_view=Subquery(mine))
    )
    by_pk = {item.pk: item for item in found}
    items = [by_pk[pk] for pk in pks if pk in by_pk]
    for item in items:
        item.my_view_label = VIEW_LABELS.get(item.my_view)
    return items


def agenda(meeting, user, advising=False):
    """Every item of ``meeting`` that ``user`` may see (``advising``: and
    advise on), with its case and ``user``'s own view, in a constant number
    of queries."""
    return items_of(visible_items(meeting, user, advising=advising), user)


def views_of(item):
    """The members' views on ``item``, each with ``set_aside``: why it no
    longer counts, if its member has since left the meeting or may no
    longer advise on the case (a conflict declared, another part taken),
    or ""."""
    views = list(item.views.select_related("member").order_by("member__full_name", "pk"))
    if not views:
        return views
    meeting = item.meeting
    on_meeting = set(meeting.members.values_list("pk", flat=True)) | {meeting.chair_id}
    people = User.objects.filter(pk__in=[view.member_id for view in views])
    may = set(may_advise(item.case, people).values_list("pk", flat=True))
    for view in views:
        if view.member_id not in on_meeting:
            view.set_aside = "no longer on this meeting"
        elif view.member_id not in may:
            view.set_aside = "may no longer advise on this case"
        else:
            view.set_aside = ""
    return views


def quorum_present(meeting):
    """The chair and the policy's number of members attended."""
    return quorate(meeting, meeting.attendees.only("pk"), meeting.members.only("pk"))


def quorate(meeting, attendees, members):
    """Whether the chair and the policy's number of members are among
    ``attendees``, of the meeting's ``members`` (people, as a page that
    lists them has read them)."""
    from accreditation import policy

    attended = {person.pk for person in attendees}
    present = attended & {person.pk for person in members} - {meeting.chair_id}
    return meeting.chair_id in attended and len(present) >= (
        policy.current().quorum_members_besides_chair
    )


def removal_seen_by(item_pk, user):
    """(the timeline event by which the item ``item_pk`` was taken off its
    meeting's agenda, the meeting), for ``user`` who sat on that meeting and
    may advise on its case (a page of theirs opened before); else None."""
    event = (
        CaseEvent.objects.filter(action="agenda_item_removed", details__item=item_pk)
        .select_related("case__organisation")
        .first()
    )
    if event is None:
        return None
    meeting = (
        Meeting.objects.filter(pk=event.details.get("meeting")).select_related("chair").first()
    )
    if (
        meeting is None
        or not is_in_meeting(user, meeting)
        or not may_advise(event.case, User.objects.filter(pk=user.pk)).exists()
    ):
        return None
    return event, meeting


def may_advise(case, people):
    """Those of ``people`` (a query of users) who may advise on ``case``,
    whether or not their account or roles have changed since: not in
    conflict with its organisation (nor its local authority, nor a member of
    it), nor with another part in it (``_other_parts``)."""
    organisation = case.organisation
    return _may_advise(people, case.pk, organisation.pk, organisation.local_authority_id)


def _may_advise(people, case, organisation, local_authority):
    """``may_advise``, of a case given by its id, its organisation's and its
    local authority's: values, or references to the row of the query outside
    ``people``'s (``OuterRef(OuterRef(...))``: each condition is a
    subquery of ``people``)."""
    from assessments.models import Conflict

    conflicts = Conflict.objects.active().filter(
        Q(organisation_id=organisation) | Q(local_authority_id=local_authority),
        user=OuterRef("pk"),
    )
    member = Membership.objects.filter(user=OuterRef("pk"), organisation_id=organisation)
    people = people.exclude(Exists(conflicts)).exclude(Exists(member))
    for part in _other_parts(case, OuterRef("pk")):
        people = people.exclude(part)
    return people


def short_of_quorum(meeting, attendees, members, viewer):
    """The open items of ``meeting`` whose quorum fails though the meeting's
    holds: too few of the members who attended may advise on their case
    (``quorate_for``, for every item in one query). Of the items ``viewer``
    may see, with their case and organisation, in agenda order; none before
    attendance makes the meeting quorate, nor those its chair may not advise
    on (``chair_may_not_advise`` names them)."""
    from accreditation import policy

    if not quorate(meeting, attendees, members):
        return []
    member_pks = {person.pk for person in members} - {meeting.chair_id}
    case = (
        OuterRef(OuterRef("case_id")),
        OuterRef(OuterRef("case__organisation_id")),
        OuterRef(OuterRef("case__organisation__local_authority_id")),
    )
    advisers = _may_advise(
        User.objects.filter(pk__in=[p.pk for p in attendees if p.pk in member_pks]), *case
    )
    chair = _may_advise(User.objects.filter(pk=meeting.chair_id), *case)
    items = meeting.items.filter(outcome="").annotate(
        advisers=Subquery(advisers.order_by().annotate(n=Func("pk", function="COUNT")).values("n"))
    )
    short = items.filter(Exists(chair), advisers__lt=policy.current().quorum_members_besides_chair)
    return list(
        without_conflicts(short, viewer, prefix="case__organisation")
        .select_related("case__organisation")
        .order_by("added_at", "pk")
    )


def advising_attendees(item, attendees=None):
    """Those who attended ``item``'s meeting (or ``attendees``, people) who
    may advise on its case (``may_advise``). One query. The quorum for an
    item is of them: someone who may not see the item took no part in its
    advice."""
    people = (
        item.meeting.attendees.all()
        if attendees is None
        else User.objects.filter(pk__in=[person.pk for person in attendees])
    )
    return list(may_advise(item.case, people).only("pk"))


def quorate_for(item, attendees=None):
    """Whether enough of those who attended (or ``attendees``) may advise on
    ``item``'s case."""
    meeting = item.meeting
    return quorate(meeting, advising_attendees(item, attendees), meeting.members.only("pk"))


def quorum_needed():
    """Who must attend for a meeting to be quorate, in words."""
    from accreditation import policy

    needed = policy.current().quorum_members_besides_chair
    if not needed:
        return "the chair"
    return f"the chair and at least {needed} member{'' if needed == 1 else 's'}"


def may_run_meetings(user):
    """Whether ``user`` may run meetings: the rule alone. It is no model
    permission and the service makes no superusers, so asking Django's
    model backend as well would only read the person's permissions to
    answer no."""
    return rules.has_perm("advisory_group.run_meetings", user)


def feedback_rows(case, draft=None):
    """The case's draft feedback as the group reviews and approves it (from
    ``draft``, its ``draft_feedback`` rows, when already read)."""
    from assessments.queries.scoring import draft_feedback

    return [
        {
            "criterion": row.criterion.code,
            "title": row.criterion.title,
            "party": row.party,
            "score": row.score,
            "text": row.text,
        }
        for row in (draft_feedback(case) if draft is None else draft)
    ]


def digest(rows):
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def approved_feedback(case, since=None):
    """The feedback the group approved for the case's letter, per criterion
    and party (dicts of criterion, title, party, score, text), as the latest
    approval kept it, or None when the group has approved none (``since``:
    none after that moment, as after an upheld concern)."""
    approvals = FeedbackApproval.objects.filter(case_id=case.pk)
    if since is not None:
        approvals = approvals.filter(approved_at__gt=since)
    approval = approvals.first()
    if approval is None:
        return None
    return approval.feedback


def last_return(case):
    """The group's latest return of the case's feedback to its assessor since
    the case's latest completed recommendation, or None: a return of the
    feedback of an earlier assessment (before a concern upheld and the case
    assessed again) is not about the feedback written now."""
    from assessments.queries.scoring import latest_completed_recommendation

    returns = AgendaItem.objects.filter(case_id=case.pk, outcome="returned")
    recommendation = latest_completed_recommendation(case)
    if recommendation is not None:
        # As the FeedbackState view bounds it: from the recommendation on.
        returns = returns.filter(decided_at__gte=recommendation.made_at)
    return returns.select_related("decided_by").order_by("-decided_at").first()
