"""The deadline race on PostgreSQL's real row locks: applicants saving and
submitting in the last second while the scheduler's closing task runs.
Every proposal ends submitted (before the deadline) or lapsed, never in
between, and no text an applicant was told was saved is lost."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from accreditation import clock
from accreditation.models import (
    AccreditationType,
    CaseEvent,
    Criterion,
    OutboxMessage,
    ScheduledAction,
    ScheduledKind,
)
from accreditation.workflow import Status
from proposals.models import Answer, Proposal
from proposals.services import applicant as services
from proposals.services import deadlines
from tests.factories import MembershipFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DRAFTS = 10


def applicant_in_the_last_second(draft, criterion, moment, outcome):
    """Save one answer, then submit, at ``moment``; note what the service
    said."""

    def run():
        try:
            time.sleep(max(0.0, (moment - clock.now()).total_seconds()))
            text = f"Our final answer for draft {draft.pk}, written at the last minute."
            try:
                services.save_answer(
                    draft,
                    criterion=criterion,
                    party="lead",
                    text=text,
                    version=Answer.objects.get(proposal=draft, criterion=criterion).version,
                    actor=draft.applicant,
                )
                outcome["saved"] = text
            except Exception as refusal:  # noqa: BLE001 - the test inspects it
                outcome["save_refused"] = refusal
            try:
                outcome["submitted"] = services.submit(draft, draft.applicant)
            except Exception as refusal:  # noqa: BLE001 - the test inspects it
                outcome["submit_refused"] = refusal
        finally:
            connection.close()

    return run


def scheduler_closing_until(deadline, runs, applicants):
    """Close every 20 ms until a second after the deadline, and on until the
    last applicant is done (on a loaded machine a thread can start later than
    asked), then once more, as the next minute's run would."""

    def run():
        try:
            while clock.now() < deadline + timedelta(seconds=1) or any(
                applicant.is_alive() for applicant in applicants
            ):
                runs.append(deadlines.close_periods())
                time.sleep(0.02)
            runs.append(deadlines.close_periods())
        finally:
            connection.close()

    return run


def test_submissions_racing_the_close_end_submitted_or_lapsed_with_nothing_lost():
    round_ = RoundFactory()
    drafts = []
    for _ in range(DRAFTS):
        membership = MembershipFactory(organisation__address="1 Oak Lane")
        draft = services.start_proposal(
            organisation=membership.organisation,
            period=round_,
            accreditation_type=AccreditationType.ASP,
            actor=membership.user,
        )
        draft.applicant = membership.user
        complete(draft, membership.user)
        drafts.append(draft)
    criterion = Criterion.objects.get(part__framework=round_.framework, code="1A")
    original = {d.pk: Answer.objects.get(proposal=d, criterion=criterion).text for d in drafts}
    round_.deadline = clock.now() + timedelta(seconds=2)
    round_.save()
    outcomes = {draft.pk: {} for draft in drafts}
    runs = []
    threads = [
        threading.Thread(
            target=applicant_in_the_last_second(
                draft,
                criterion,
                # From a second before the deadline to a third of one after.
                round_.deadline + timedelta(seconds=-1 + 1.3 * index / (DRAFTS - 1)),
                outcomes[draft.pk],
            )
        )
        for index, draft in enumerate(drafts)
    ]
    threads.append(
        threading.Thread(target=scheduler_closing_until(round_.deadline, runs, list(threads)))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    submitted = lapsed = 0
    for draft in drafts:
        proposal = Proposal.objects.get(pk=draft.pk)
        outcome = outcomes[draft.pk]
        actions = list(CaseEvent.objects.filter(case=proposal).values_list("action", flat=True))
        if proposal.status == Status.SUBMITTED:
            submitted += 1
            assert proposal.submitted_at < round_.deadline
            assert proposal.reference and "submitted" in outcome
            assert "lapse" not in actions and actions.count("submit") == 1
        else:
            lapsed += 1
            assert proposal.status == Status.LAPSED, proposal.status
            assert proposal.reference is None and "submit_refused" in outcome
            assert "submit" not in actions and actions.count("lapse") == 1
            assert OutboxMessage.objects.filter(key=f"lapsed:{proposal.pk}").exists()
        # No text lost: the answer is what the applicant was last told was saved.
        answer = Answer.objects.get(proposal=proposal, criterion=criterion).text
        assert answer == outcome.get("saved", original[draft.pk])
        assert Answer.objects.filter(proposal=proposal).count() == 7
    assert not Proposal.objects.filter(status=Status.DRAFT).exists()
    closed = ScheduledAction.objects.get(kind=ScheduledKind.ROUND_CLOSED)
    assert closed.count == lapsed
    assert submitted + lapsed == DRAFTS
    assert lapsed, "every applicant beat the deadline: the race was not run"
    assert sum(run["closed"] for run in runs) == 1
