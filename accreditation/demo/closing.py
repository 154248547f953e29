"""Out-of-round windows that close a few minutes after the demo is seeded,
so `make run` shows the scheduler at work: beat fires the closing task, the
windows' drafts lapse, their contacts are emailed, and the schedule page
says so.

Windows, not a round: the SPEC holds one round a term and no two rounds
open at once for a type, and the demo's current round is open for both
types for weeks yet. An out-of-round window is granted to one organisation
for a draft of its own, at any time, and the scheduler closes it at its
deadline as it closes a round. Three organisations that applied for ASP
before, and have no window and no live case, were granted one a week ago,
and each started a draft in it. Made once: a later run finds them and adds
nothing.
"""

from datetime import UTC, timedelta

from accreditation import clock, timeline
from accreditation.demo.moves import proposal_model
from accreditation.demo.organisations import FEATURED
from accreditation.models import AccreditationType, Membership, Window
from accreditation.workflow import Status

CLOSING_MINUTES = 5
DRAFTS = 3
GRANTED_DAYS_AGO = 7
LIVE = (Status.LAPSED, Status.WITHDRAWN, Status.ACCREDITED, Status.NOT_ACCREDITED)
"""Outcomes after which an organisation may apply again (others are live)."""


def organisations():
    """Contacts of three organisations that sought ASP before, with no
    window and no live case, by name."""
    Proposal = proposal_model()
    applied = Proposal.objects.filter(accreditation_type=AccreditationType.ASP).values(
        "organisation_id"
    )
    live = Proposal.objects.exclude(status__in=LIVE).values("organisation_id")
    contacts = (
        Membership.objects.filter(is_contact=True, organisation_id__in=applied)
        .exclude(organisation_id__in=live)
        .exclude(organisation__windows__isnull=False)
        .select_related("organisation", "user")
        .order_by("organisation__name")
    )
    picked = {}
    for membership in contacts:
        picked.setdefault(membership.organisation_id, membership)
        if len(picked) == DRAFTS:
            break
    return list(picked.values())


def closing_windows(framework, granted_by):
    """Grant the windows and start their drafts, unless a run before did
    (any window but the featured histories' own); returns the windows."""
    if Window.objects.exclude(organisation__name__in=featured_window_holders()).exists():
        return []
    Proposal = proposal_model()
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    # A whole minute, as every deadline set through the service is.
    deadline = now.replace(second=0) + timedelta(minutes=CLOSING_MINUTES)
    granted = now - timedelta(days=GRANTED_DAYS_AGO)
    windows = []
    for membership in organisations():
        window = Window.objects.create(
            organisation=membership.organisation,
            framework=framework,
            opens_at=granted,
            deadline=deadline,
            granted_by=granted_by,
        )
        Window.objects.filter(pk=window.pk).update(granted_at=granted)
        draft = Proposal.objects.create(
            organisation=membership.organisation,
            window=window,
            framework=framework,
            accreditation_type=AccreditationType.ASP,
            created_by=membership.user,
        )
        started = granted + timedelta(days=1)
        Proposal.objects.filter(pk=draft.pk).update(created_at=started, updated_at=started)
        timeline.append(draft, action="created", actor=membership.user, when=started)
        windows.append(window)
    return windows


def featured_window_holders():
    """The featured organisations whose history has a window of its own."""
    return [spec.name for spec in FEATURED if any(back == "window" for back, *_ in spec.history)]
