"""The counts of the staff homes (``accreditation.homes.NEEDS``): each the
count of the list it links to, as the person may see it, in one query (two
for the Advisory Group's, which first finds the person's next meeting)."""

from datetime import time

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from accreditation import clock
from accreditation.models import Framework, Invitation, LocalAuthority, Region, User
from accreditation.queries import decisions
from accreditation.queries.cases import visible_to
from accreditation.queries.conflicts import without_conflicts
from accreditation.roles import STAFF_ROLES
from accreditation.services import outbox
from advisory_group.models import AgendaItem, ItemPurpose, Meeting, MemberView
from advisory_group.queries.agenda import Show, not_assessed_by
from assessments.models import Assignment, AssignmentKind
from assessments.queries import assignment, scoring, screening
from assessments.queries.scoring import with_quality_assurance_to_resolve
from assessments.services.assignment import second_assessor_rule
from feedback.models import Concern, ConcernState
from feedback.queries.concerns import decidable_by
from proposals.models import Proposal
from proposals.queries import out_of_round
from register.queries.co_partners import waiting as co_partners_waiting
from register.queries.notices import due as notices_due


def to_screen(user):
    return screening.queue(user).count()


def out_of_round_to_decide(user):
    return out_of_round.pending(user).count()


def concerns_waiting(user):
    """Concerns not yet decided, of the cases the person may see (the
    concerns list's default view)."""
    return Concern.objects.filter(state=ConcernState.OPEN, case__in=visible_to(user)).count()


def concerns_to_decide(user):
    """Those of ``concerns_waiting`` about a case the person had no part in
    the outcome of: theirs to decide (the concerns list, "Only those you can
    decide")."""
    return decidable_by(
        Concern.objects.filter(state=ConcernState.OPEN, case__in=visible_to(user)), user
    ).count()


def waiting_for_a_second_assessor(user):
    """Cases of a round being assessed that get a second assessor and have
    none now: the lines for one on the rounds' assignment pages, which the
    count links to, of the cases the person may see."""
    second = Assignment.objects.filter(
        case=OuterRef("pk"), kind=AssignmentKind.SECOND, ended_at__isnull=True
    )
    cases = Proposal.objects.filter(
        status__in=assignment.ASSESSABLE, round__isnull=False, round__cancelled_at__isnull=True
    )
    return visible_to(user, cases).filter(second_assessor_rule()).exclude(Exists(second)).count()


def co_partners_to_decide(user):
    return co_partners_waiting(user).count()


def failed_emails(user):
    return outbox.failed_messages().count()


def assessments_to_do(user):
    return assignment.queue(user).count()


def assessments_overdue(user):
    return assignment.overdue(assignment.queue(user), clock.today()).count()


def quality_assurance_to_resolve(user):
    return with_quality_assurance_to_resolve(assignment.queue(user)).count()


def feedback_to_write(user):
    return scoring.feedback_to_write(user).count()


def feedback_to_write_address(user):
    return reverse("assessor-queue") + "#feedback"


def _items_to_record(user):
    """Open items of the open meetings ``user`` chairs, leaving out those
    they may not see (a conflict with the organisation, a case they assessed)."""
    return without_conflicts(
        not_assessed_by(
            AgendaItem.objects.filter(
                meeting__chair=user, meeting__closed_at__isnull=True, outcome=""
            ),
            user,
        ),
        user,
        prefix="case__organisation",
    )


def _first_chaired(user, purpose):
    """The open items of ``purpose`` at the first open meeting ``user``
    chairs that has any: what the chair's home count counts and links to,
    so the two agree (a later meeting's come up once these are recorded)."""
    items = _items_to_record(user).filter(purpose=purpose)
    first = items.order_by("meeting__held_at", "meeting_id").values("meeting_id")[:1]
    return items.filter(meeting_id=Subquery(first))


def advice_to_record(user):
    return _first_chaired(user, ItemPurpose.ADVICE).count()


def feedback_reviews_to_record(user):
    return _first_chaired(user, ItemPurpose.FEEDBACK).count()


def _chaired_meeting_address(user, show):
    """That meeting narrowed to those items, or the meetings list."""
    item = _first_chaired(user, Show.PURPOSE[show]).first()
    if item is None:
        return reverse("advisory-meetings")
    return reverse("advisory-meeting", args=[item.meeting_id]) + f"?show={show}"


def advice_to_record_address(user):
    return _chaired_meeting_address(user, Show.ASG_ADVICE)


def feedback_reviews_to_record_address(user):
    return _chaired_meeting_address(user, Show.FEEDBACK_REVIEW)


def _meetings_to_come(user):
    """The open meetings, of today or later, that ``user`` chairs or sits
    on, soonest first: one under way today is still one to give views for."""
    today = clock.at(clock.today(), time.min)
    return Meeting.objects.filter(
        Q(chair=user) | Q(members=user), closed_at__isnull=True, held_at__gte=today
    ).order_by("held_at", "pk")


def _views_waiting(user, meetings):
    """Open items of ``meetings`` that hold no view of ``user``'s, leaving
    out those they may not see (a conflict with the organisation)."""
    items = AgendaItem.objects.filter(meeting__in=meetings, outcome="").exclude(
        Exists(MemberView.objects.filter(item=OuterRef("pk"), member=user))
    )
    return not_assessed_by(without_conflicts(items, user, prefix="case__organisation"), user)


def next_meeting(user):
    """The person's next meeting to give views for: the first of their
    meetings to come with an item waiting for their view (not an empty one
    set up for today ahead of one with items), else the first of them."""
    meetings = _meetings_to_come(user)
    waiting = (
        _views_waiting(user, meetings.values("pk"))
        .order_by("meeting__held_at", "meeting_id")
        .values_list("meeting_id", flat=True)
        .first()
    )
    if waiting is not None:
        return Meeting.objects.get(pk=waiting)
    return meetings.first()


def views_to_record(user):
    """Open items of the person's next meeting that hold no view of theirs,
    leaving out those they may not see (a conflict with the organisation)."""
    meeting = next_meeting(user)
    if meeting is None:
        return 0
    return _views_waiting(user, [meeting.pk]).count()


def next_meeting_address(user):
    """The agenda of the person's next meeting, its open items without their
    view, or the meetings list."""
    meeting = next_meeting(user)
    if meeting is None:
        return reverse("advisory-meetings")
    return reverse("advisory-meeting", args=[meeting.pk]) + f"?show={Show.WITHOUT_MY_VIEW}"


def awaiting_decision(user):
    return decisions.queue(user).count()


def revocations_due(user):
    return notices_due(user).count()


def staff_users(user):
    """Everyone the staff users page lists."""
    return User.objects.filter(groups__name__in=[r.value for r in STAFF_ROLES]).distinct().count()


def invitations_waiting(user):
    return Invitation.objects.filter(
        organisation__isnull=True,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=clock.now(),
    ).count()


def frameworks_not_in_use(user):
    return Framework.objects.exclude(
        pk__in=Framework.objects.frozen(clock.now()).values("pk")
    ).count()


def local_authorities(user):
    return LocalAuthority.objects.count()


def regions(user):
    return Region.objects.count()
