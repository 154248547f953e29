"""The demo's register: every accredited case's provider on it (the
workflow's decisions put them there; a database seeded before the register
existed is brought up to date the same way), one provider given notice of
revocation, with its letter, and one whose time to respond to its notice has
ended."""

from datetime import timedelta

from django.db.models import Max

from accreditation import policy
from accreditation.models import CaseEvent, User
from accreditation.workflow import Action, Status
from feedback.services.letters import issue_revocation_letter
from register.models import EntryState, EventKind, RegisterEntry
from register.services.entries import record_decisions
from register.services.revocation import give_notice

NOTICE_REASON = (
    "The trust told us it no longer has the capacity to lead improvement in another school. "
    "Tell us within the response period if that has changed."
)


def seed(seeder):
    missing = list(
        seeder.Proposal.objects.filter(status=Status.ACCREDITED)
        .exclude(organisation__register_entry__isnull=False)
        .select_related("organisation")
        .order_by("pk")
    )
    if missing:
        last = dict(
            CaseEvent.objects.filter(case__in=missing, to_status=Status.ACCREDITED)
            .values("case")
            .annotate(last=Max("sequence"))
            .values_list("case", "last")
        )
        events = {
            event.case_id: event
            for event in CaseEvent.objects.filter(
                case__in=missing, to_status=Status.ACCREDITED, sequence__in=set(last.values())
            )
            if last[event.case_id] == event.sequence
        }
        cases = [case for case in missing if case.pk in events]
        record_decisions(Action.ACCREDIT, cases, [events[case.pk] for case in cases])
        seeder.created["register entries"] += len(cases)
    official = User.objects.get(email__iexact="decision@example.org")
    current = RegisterEntry.objects.filter(state=EntryState.CURRENT).order_by("name")
    if not RegisterEntry.objects.exclude(state=EntryState.CURRENT).exists():
        entry = current.first()
        if entry is not None:
            give_notice(entry, reason=NOTICE_REASON, actor=official)
            # Its letter at once (the worker would issue it within a minute).
            notice = entry.events.filter(kind=EventKind.NOTICE_GIVEN).latest("created_at")
            issue_revocation_letter(notice.pk)
    ended = RegisterEntry.objects.filter(
        state=EntryState.NOTICE_GIVEN, response_due__lte=seeder.now
    )
    if not ended.exists():
        entry = current.last()
        if entry is not None:
            # Its response period has ended: the official's home counts it as due.
            days = policy.current().revocation_response_days + 3
            given = seeder.now - timedelta(days=days)
            give_notice(entry, reason=NOTICE_REASON, actor=official, when=given)
            notice = entry.events.filter(kind=EventKind.NOTICE_GIVEN).latest("created_at")
            # Its letter then, as the worker issued it a minute after the notice.
            issue_revocation_letter(notice.pk, when=notice.created_at + timedelta(minutes=1))
