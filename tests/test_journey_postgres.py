"""Two people at once, on PostgreSQL's real row locks: each test runs the
racing calls in threads with their own database connections."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from accreditation import clock
from accreditation.models import AccreditationType, CaseEvent, Criterion
from accreditation.workflow import Status, WorkflowError
from proposals.models import Answer, Proposal
from proposals.services import applicant as services
from tests.factories import MembershipFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start every call at the same moment; return what each returned or
    raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def draft():
    membership = MembershipFactory(organisation__address="1 Oak Lane")
    proposal = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    proposal.applicant = membership.user
    return proposal


def test_two_sessions_saving_the_same_answer_keep_the_first(draft):
    criterion = Criterion.objects.get(part__framework=draft.framework, code="1A")
    first = services.save_answer(
        draft, criterion=criterion, party="lead", text="Start", version=0, actor=draft.applicant
    )

    def save(text):
        return lambda: services.save_answer(
            draft,
            criterion=criterion,
            party="lead",
            text=text,
            version=first.version,
            actor=draft.applicant,
        )

    results = run_together(save("Alice's text"), save("Bob's text"))
    saved = [r for r in results if isinstance(r, Answer)]
    refused = [r for r in results if isinstance(r, services.StaleAnswer)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert Answer.objects.get(pk=first.pk).text == saved[0].text
    assert refused[0].current.text in ("Start", saved[0].text)


def test_two_sessions_creating_the_same_answer_keep_the_first(draft):
    criterion = Criterion.objects.get(part__framework=draft.framework, code="1B")

    def save(text):
        return lambda: services.save_answer(
            draft, criterion=criterion, party="lead", text=text, version=0, actor=draft.applicant
        )

    results = run_together(save("Alice's text"), save("Bob's text"))
    saved = [r for r in results if isinstance(r, Answer)]
    assert len(saved) == 1, results
    assert isinstance([r for r in results if r not in saved][0], services.StaleAnswer)
    assert Answer.objects.get(proposal=draft, criterion=criterion).text == saved[0].text


def test_two_submits_at_once_give_one_submission_and_one_reference(draft):
    complete(draft, draft.applicant)
    results = run_together(
        lambda: services.submit(draft, draft.applicant),
        lambda: services.submit(draft, draft.applicant),
    )
    assert all(isinstance(r, Proposal) for r in results), results
    assert results[0].reference == results[1].reference
    assert CaseEvent.objects.filter(case=draft, action="submit").count() == 1
    assert Proposal.objects.get(pk=draft.pk).status == Status.SUBMITTED


def _hold_lock_on(proposal, seconds, held):
    def hold():
        with transaction.atomic():
            Proposal.objects.select_for_update().get(pk=proposal.pk)
            held.set()
            time.sleep(seconds)

    return hold


def _submit_after(proposal, held):
    def submit():
        held.wait(5)
        return services.submit(proposal, proposal.applicant)

    return submit


def test_a_submission_waiting_past_the_deadline_is_refused_with_the_draft_intact(draft):
    complete(draft, draft.applicant)
    draft.round.deadline = clock.now() + timedelta(seconds=1)
    draft.round.save()
    held = threading.Event()
    results = run_together(_hold_lock_on(draft, 2, held), _submit_after(draft, held))
    assert isinstance(results[1], WorkflowError), results
    proposal = Proposal.objects.get(pk=draft.pk)
    assert proposal.status == Status.DRAFT
    assert proposal.reference is None
    assert Answer.objects.filter(proposal=draft).count() == 7


def test_a_submission_that_gets_the_lock_before_the_deadline_is_in(draft):
    complete(draft, draft.applicant)
    draft.round.deadline = clock.now() + timedelta(seconds=5)
    draft.round.save()
    held = threading.Event()
    results = run_together(_hold_lock_on(draft, 1, held), _submit_after(draft, held))
    assert isinstance(results[1], Proposal), results
    assert Proposal.objects.get(pk=draft.pk).status == Status.SUBMITTED
