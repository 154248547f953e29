"""The health check and scheduled work, against the real database and broker."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import OperationalError, connection
from django.templatetags.static import static
from django.urls import reverse

from accreditation.celery import app as celery_app
from accreditation.models import CaseEvent
from accreditation.workflow import Status
from proposals.models import Proposal
from proposals.tasks import lapse_overdue_drafts
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_lapsing_runs_once_however_often_it_fires():
    late = ProposalFactory()
    on_time = ProposalFactory()
    on_time.round.deadline += timedelta(days=30)
    on_time.round.save()
    with time_machine.travel(late.round.deadline + timedelta(seconds=1)):
        assert lapse_overdue_drafts() == {"closed": 1, "lapsed": 1}
        assert lapse_overdue_drafts() == {"closed": 0, "lapsed": 0}
    assert Proposal.objects.get(pk=late.pk).status == Status.LAPSED
    assert Proposal.objects.get(pk=on_time.pk).status == Status.DRAFT
    assert CaseEvent.objects.filter(case=late, action="lapse").count() == 1


def test_drafts_in_a_cancelled_round_are_kept():
    draft = ProposalFactory()
    draft.round.cancelled_at = draft.round.opens_at
    draft.round.cancellation_reason = "Moved to the spring round"
    draft.round.save()
    with time_machine.travel(draft.round.deadline + timedelta(days=1)):
        assert lapse_overdue_drafts() == {"closed": 0, "lapsed": 0}
    assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_draft_is_not_lapsed_at_the_last_second_before_its_deadline():
    draft = ProposalFactory()
    with time_machine.travel(draft.round.deadline - timedelta(seconds=1)):
        lapse_overdue_drafts()
    assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_the_task_from_redis_and_lapses_the_draft():
    from celery.contrib.testing.worker import start_worker

    assert celery_app.conf.broker_url.startswith("redis://")
    draft = ProposalFactory()
    draft.round.opens_at -= timedelta(days=60)
    draft.round.deadline = draft.round.opens_at + timedelta(days=1)
    draft.round.save()
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        lapse_overdue_drafts.delay()
        for _ in range(100):
            if Proposal.objects.get(pk=draft.pk).status == Status.LAPSED:
                break
            time.sleep(0.1)
    assert Proposal.objects.get(pk=draft.pk).status == Status.LAPSED


def test_the_icon_browsers_ask_for_at_the_root_is_the_services(client):
    """A page that names no icon (the admin's) makes the browser ask for
    /favicon.ico: it finds the GOV.UK icon the service's pages name."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("images/favicon.ico")
    assert finders.find("images/favicon.ico")
