"""Letters in the demo.

The service issues a case's letter from the worker once the case reaches the
point of issue (``feedback.services.letters.issue``, asked by the move and
by a sweeper every minute). The seed runs no worker, and its cases reached
those points over the last years, so each letter a case is owed is recorded
here as the worker issued it then: a few minutes after the move that made it
owed (the decision, or the screening decision), dated that day in its text,
on the case's timeline (chained as the service chains every event), signed
as the service signs it. The e-mails that went with them are history and
are not queued again, and ``make run``'s sweeper finds nothing owed.

The base set's letters are each rendered for their own case. At scale the
PDF of each purpose is that of the first case of the purpose, rendered once
and stored for every one (a benchmark needs the rows and their size, not
thousands of renders).

A rerun adds nothing: a case is recorded only while it is owed its letter.
"""

from datetime import timedelta

from django.apps import apps
from django.db import transaction

from accreditation.demo.organisations import SCALE_PREFIX
from accreditation.models import CaseEvent
from accreditation.timeline import new_event

WORKER_DELAY = timedelta(minutes=2)
"""How long after the move that made it owed the worker issued a letter."""


def record(seeder, scale=False):
    """Record the letters the base set's cases (or, with ``scale``, the
    scale cases) are owed (see the module's doc). Returns how many."""
    from feedback.models import Letter, occasion_of
    from feedback.queries.letters import PURPOSE_BY_STATUS, decision_round_of_outer_case
    from feedback.services.letters import owed_cases, render

    Proposal = apps.get_model("proposals", "Proposal")
    with transaction.atomic():
        owed = Proposal.objects.filter(pk__in=owed_cases())
        owed = (
            owed.filter(organisation__name__startswith=SCALE_PREFIX)
            if scale
            else owed.exclude(organisation__name__startswith=SCALE_PREFIX)
        )
        cases = list(
            owed.select_for_update(of=("self",))
            .annotate(decision_round=decision_round_of_outer_case())
            .select_related("organisation", "round", "window")
            .order_by("pk")
        )
        if not cases:
            return 0
        moved, last = {}, {}
        for case_id, status, to_status, when in (
            CaseEvent.objects.filter(case__in=cases)
            .order_by("case_id", "sequence")
            .values_list("case_id", "case__status", "to_status", "created_at")
        ):
            if to_status == status:
                moved[case_id] = when
            last[case_id] = when
        letters, rendered = [], {}
        for case in cases:
            purpose = PURPOSE_BY_STATUS[case.status]
            when = min(
                max(moved[case.pk] + WORKER_DELAY, last[case.pk] + timedelta(seconds=1)),
                seeder.now,
            )
            if not scale or purpose not in rendered:
                rendered[purpose] = render(case, purpose, when=when)
            letter = rendered[purpose]
            letters.append(
                Letter(
                    case=case,
                    purpose=purpose,
                    occasion=occasion_of(purpose, decision_round=case.decision_round),
                    decision_round=case.decision_round,
                    created_at=when,
                    issued_at=when,
                    pdf=letter.pdf,
                    sha256=letter.sha256,
                    signatory=letter.signatory,
                )
            )
        Letter.objects.bulk_create(letters, batch_size=500)
        events = []
        for case, letter in zip(cases, letters, strict=True):
            event = new_event(
                case,
                sequence=case.timeline_sequence + 1,
                prev_hash=case.timeline_hash,
                action="letter_issued",
                actor=None,
                details={
                    "letter": letter.pk,
                    "purpose": letter.purpose,
                    "name": letter.get_purpose_display(),
                    "occasion": letter.occasion,
                    "sha256": letter.sha256,
                },
                when=letter.issued_at,
            )
            case.timeline_sequence, case.timeline_hash = event.sequence, event.hash
            events.append(event)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        Proposal.objects.bulk_update(cases, ["timeline_sequence", "timeline_hash"], batch_size=1000)
    seeder.created["letters recorded" if not scale else "letters recorded at scale"] += len(cases)
    return len(cases)
