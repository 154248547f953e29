"""Letters in the demo.

The service issues a case's letter from the worker once the case reaches the
point of issue (``feedback.services.letters.issue``, asked by the move and
by a sweeper every minute). The seed runs no worker, so:

- the base set's newest cases owed a letter have it issued here, through
  that same service (rendered, stored, on the timeline, emailed), so the
  letters pages have something real on them at once; ``make run``'s sweeper
  issues the rest within minutes;
- at scale, every accredited scale case's decision letter is recorded in
  bulk, as issued a few minutes after its decision, on its timeline (chained
  as the service chains every event). Its PDF is the real decision letter of
  the first of them, rendered once and stored for every one (a benchmark
  needs the rows and their size, not thousands of renders); the e-mails
  that went with them are history and are not queued again.

A rerun adds nothing: the base set's letters are issued only while it has
none, and a scale case's only while it has no decision letter.
"""

from datetime import timedelta

from django.apps import apps
from django.db import transaction

from accreditation import clock
from accreditation.demo.organisations import SCALE_PREFIX
from accreditation.models import CaseEvent, User
from accreditation.timeline import new_event
from accreditation.workflow import Status

ISSUED_HERE = 6
"""Letters of the base set issued by the seed through the service."""
WORKER_DELAY = timedelta(minutes=2)
"""How long after the decision the worker issued a scale case's letter."""


def issue_newest():
    """Issue the letters the base set's newest owed cases are owed, unless
    the base set has letters already (a rerun, or the worker did it)."""
    from feedback.models import Letter
    from feedback.services.letters import issue, owed_cases

    Proposal = apps.get_model("proposals", "Proposal")
    base = Proposal.objects.exclude(organisation__name__startswith=SCALE_PREFIX)
    if Letter.objects.filter(case__in=base).exists():
        return 0
    owed = (
        base.filter(pk__in=owed_cases()).order_by("-updated_at", "-pk").values_list("pk", flat=True)
    )
    issued = 0
    for case_id in list(owed[: ISSUED_HERE * 5]):
        if issued == ISSUED_HERE:
            break
        # None where the letter waits for something (approved feedback).
        issued += issue(case_id) is not None
    return issued


def record_at_scale(now):
    """Record the decision letters of the accredited scale cases that have
    none (see the module's doc). Returns how many."""
    from feedback.models import Letter, LetterPurpose
    from feedback.services.letters import render

    Proposal = apps.get_model("proposals", "Proposal")
    with transaction.atomic():
        cases = list(
            Proposal.objects.select_for_update(of=("self",))
            .filter(status=Status.ACCREDITED, organisation__name__startswith=SCALE_PREFIX)
            .exclude(letters__purpose=LetterPurpose.DECISION)
            .select_related("organisation", "round", "window")
            .order_by("pk")
        )
        if not cases:
            return 0
        official = User.objects.get(email="decision@example.org")
        rendered = render(cases[0], LetterPurpose.DECISION, when=cases[0].updated_at)
        letters = [
            Letter(
                case=case,
                purpose=LetterPurpose.DECISION,
                created_at=min(case.updated_at + WORKER_DELAY, now),
                issued_at=min(case.updated_at + WORKER_DELAY, now),
                pdf=rendered.pdf,
                sha256=rendered.sha256,
                signatory=official,
            )
            for case in cases
        ]
        Letter.objects.bulk_create(letters, batch_size=500)
        events = []
        for case, letter in zip(cases, letters, strict=True):
            event = new_event(
                case,
                sequence=case.timeline_sequence + 1,
                prev_hash=case.timeline_hash,
                action="letter_issued",
                actor=None,
                details={"letter": letter.pk, "purpose": letter.purpose, "sha256": letter.sha256},
                when=letter.issued_at,
            )
            case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
            events.append(event)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        Proposal.objects.bulk_update(cases, ["timeline_sequence", "timeline_hash"], batch_size=1000)
    return len(cases)


def seed(seeder):
    seeder.created["letters issued"] += issue_newest()
    seeder.created["letters recorded at scale"] += record_at_scale(clock.now())
