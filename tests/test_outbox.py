"""E-mail goes through the outbox: written with the change, sent by the worker
(never by the web request), retried when the mail server is down, failed and
shown to staff after a bounded number of attempts, and one per business event.
A sent row keeps no usable link."""

import logging
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from accreditation.celery import app as celery_app
from accreditation.models import AccreditationType, OutboxMessage
from accreditation.models.outbox import REDACTED
from accreditation.roles import Role
from accreditation.services import accounts, organisations, outbox
from accreditation.tasks import send_outbox
from accreditation.workflow import Status
from proposals.models import Proposal
from proposals.services import applicant as services
from tests.factories import MembershipFactory, RoundFactory, UserFactory
from tests.journey_helpers import complete

pytestmark = pytest.mark.django_db
DOWN = "tests.mail_backends.DownBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def stored_text():
    """Every value of every stored outbox row, as one string."""
    return repr(list(OutboxMessage.objects.values()))


def fail_until_given_up():
    """Run the worker against a refusing server until nothing is pending,
    each run once the earliest message is due again."""
    while pending := OutboxMessage.objects.filter(sent_at=None, failed_at=None).order_by(
        "send_after"
    ):
        with time_machine.travel(pending[0].send_after + timedelta(seconds=1), tick=False):
            assert outbox.deliver() == 0


class HangingMailServer:
    """A mail server that accepts connections and never says a word."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                accepted, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(accepted)

    def close(self):
        self.listener.close()
        for accepted in self.connections:
            accepted.close()


@pytest.fixture
def hanging_mail_server(settings):
    server = HangingMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    yield server
    server.close()


@pytest.fixture
def submittable(client):
    membership = MembershipFactory(organisation__address="1 Oak Lane")
    draft = complete(
        services.start_proposal(
            organisation=membership.organisation,
            period=RoundFactory(),
            accreditation_type=AccreditationType.ASP,
            actor=membership.user,
        ),
        membership.user,
    )
    client.force_login(membership.user)
    return draft


def test_a_message_waits_for_the_worker_and_is_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue("Hello", "Body", ["A@Example.org", "b@example.org", "a@example.org"])
    assert mail.outbox == [], "the committing code sends nothing itself"
    assert send_outbox() == {"sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    assert send_outbox() == {"sent": 0}
    assert len(mail.outbox) == 2


def test_nothing_is_queued_for_a_change_that_rolled_back(django_capture_on_commit_callbacks):
    class Rollback(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback):
        with transaction.atomic():
            outbox.queue("Hello", "Body", ["a@example.org"])
            raise Rollback
    assert not OutboxMessage.objects.exists()
    assert send_outbox() == {"sent": 0}


def test_a_second_enqueue_of_the_same_reminder_is_a_no_op():
    def remind(days, recipients):
        with transaction.atomic():
            outbox.queue(f"{days} days left", "Body", recipients, key=f"reminder:42:{days}")

    remind(7, ["a@example.org"])
    remind(7, ["a@example.org"])
    assert OutboxMessage.objects.count() == 1
    assert outbox.deliver() == 1
    remind(7, ["a@example.org"])
    assert outbox.deliver() == 0
    remind(2, ["a@example.org"])
    remind(7, ["a@example.org", "new.contact@example.org"])
    assert outbox.deliver() == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("a@example.org", "2 days left"),
        ("a@example.org", "7 days left"),
        ("new.contact@example.org", "7 days left"),
    ]


def test_a_submission_e_mail_is_queued_once_per_proposal(submittable, client):
    client.post(reverse("proposal-check", args=[submittable.pk]))
    with transaction.atomic():
        services._queue_submission_email(submittable.pk)  # a repeat of the same event
    assert OutboxMessage.objects.get().key == f"submitted:{submittable.pk}"


def test_a_submission_stands_when_the_mail_server_is_down(
    submittable, client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposal-check", args=[submittable.pk]))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=submittable.pk).status == Status.SUBMITTED
    waiting = OutboxMessage.objects.get()
    assert (waiting.sent_at, waiting.attempts) == (None, 0), "the request sent nothing"

    assert send_outbox() == {"sent": 0}
    waiting.refresh_from_db()
    assert waiting.attempts == 1
    assert "SMTPServerDisconnected" in waiting.last_error
    assert send_outbox() == {"sent": 0}, "not due again until its wait is over"
    assert OutboxMessage.objects.get().attempts == 1

    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(timedelta(minutes=2)):
        assert send_outbox() == {"sent": 1}
        assert send_outbox() == {"sent": 0}
    assert len(mail.outbox) == 1
    assert "has been submitted" in mail.outbox[0].subject


def test_repeated_failures_wait_longer_each_time(settings):
    settings.EMAIL_BACKEND = DOWN
    with transaction.atomic():
        outbox.queue("Hello", "Body", ["a@example.org"])
    waits = []
    for _ in range(4):
        message = OutboxMessage.objects.get()
        with time_machine.travel(message.send_after + timedelta(seconds=1), tick=False):
            outbox.deliver()
            message.refresh_from_db()
            waits.append(round((message.send_after - message.created_at).total_seconds()))
    assert waits == sorted(waits) and len(set(waits)) == 4
    assert OutboxMessage.objects.get().attempts == 4


def test_a_run_stops_at_its_first_failure(settings):
    settings.EMAIL_BACKEND = DOWN
    with transaction.atomic():
        outbox.queue("Hello", "Body", ["a@example.org", "b@example.org", "c@example.org"])
    assert outbox.deliver() == 0
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_a_server_refusing_every_message_fails_them_after_the_bounded_attempts(settings, client):
    settings.EMAIL_BACKEND = DOWN
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with transaction.atomic():
        outbox.queue("Hello", "Body one", ["a@example.org", "b@example.org"])
    fail_until_given_up()

    failed = list(OutboxMessage.objects.order_by("to"))
    assert [(m.to, m.attempts, m.sent_at) for m in failed] == [
        ("a@example.org", 3, None),
        ("b@example.org", 3, None),
    ]
    assert all(m.failed_at and "SMTPServerDisconnected" in m.last_error for m in failed)
    assert all(m.body == "Body one" for m in failed), "nothing lost"
    with time_machine.travel(timedelta(days=3)):
        assert outbox.deliver() == 0
    assert OutboxMessage.objects.filter(attempts=3, failed_at__isnull=False).count() == 2

    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    assert outbox.retry_failed(officer) == 2
    assert OutboxMessage.objects.filter(failed_at=None, attempts=0, sent_at=None).count() == 2
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_a_worker_that_dies_mid_send_leaves_the_message_to_another_once_its_lease_ends(
    settings,
):
    with transaction.atomic():
        outbox.queue("Hello", "Body", ["a@example.org"])
    claimed = outbox.claim_next()  # and then the worker dies
    assert claimed.attempts == 1
    assert outbox.deliver() == 0, "another worker leaves a leased message alone"
    with time_machine.travel(claimed.claimed_until - timedelta(seconds=1)):
        assert outbox.deliver() == 0
    with time_machine.travel(claimed.claimed_until + timedelta(seconds=1)):
        assert outbox.deliver() == 1
    message = OutboxMessage.objects.get()
    assert (message.attempts, message.claimed_until) == (2, None)
    assert len(mail.outbox) == 1


def test_a_worker_that_dies_on_the_last_attempt_leaves_a_failed_message(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with transaction.atomic():
        outbox.queue("Hello", "Body", ["a@example.org"])
    claimed = outbox.claim_next()
    with time_machine.travel(claimed.claimed_until + timedelta(seconds=1)):
        assert outbox.deliver() == 0
    message = OutboxMessage.objects.get()
    assert message.failed_at is not None
    assert message.last_error == outbox.ABANDONED
    assert mail.outbox == []


def test_a_secret_that_is_not_in_the_body_is_refused():
    with pytest.raises(ValueError), transaction.atomic():
        outbox.queue("Hello", "Open https://x/a/", ["a@example.org"], secrets=["https://x/b/"])
    assert not OutboxMessage.objects.exists()


class TestNoUsableLinkIsKept:
    def test_a_password_reset(self, client, django_capture_on_commit_callbacks):
        MembershipFactory(user__email="ada@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": "ada@example.org"})
        assert response.status_code == 302
        assert OutboxMessage.objects.get().to == "ada@example.org"
        assert send_outbox() == {"sent": 1}

        link = re.search(
            r"http://testserver(/account/password-reset/\S+/\S+/)", mail.outbox[0].body
        )
        token = link.group(1).rstrip("/").rsplit("/", 1)[1]
        assert token not in stored_text()
        assert f"/{REDACTED}/" in OutboxMessage.objects.get().body
        opened = client.get(link.group(1), follow=True)
        assert "<h1" in opened.text and "Choose a new password" in opened.text

    def test_a_staff_invitation(self):
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        with transaction.atomic():
            token = accounts.invite_staff(
                email="grace@example.org",
                full_name="Grace Hopper",
                roles=[Role.ASSESSOR],
                invited_by=admin,
                base_url="https://service.example",
            )
        assert outbox.deliver() == 1
        assert f"https://service.example/invitation/{token}/" in mail.outbox[0].body
        assert token not in stored_text()
        assert accounts.find_invitation(token) is not None, "the link in the e-mail still works"
        message = OutboxMessage.objects.get()
        assert REDACTED in message.body and message.secrets == []
        assert message.key == f"invitation:{accounts.find_invitation(token).pk}"

    def test_an_invitation_to_join_an_organisation(self):
        me = MembershipFactory(organisation__name="Oak Primary")
        invitation, token = organisations.invite_member(
            me.organisation,
            email="new@example.org",
            invited_by=me.user,
            base_url="https://service.example",
        )
        assert outbox.deliver() == 1
        assert f"/organisation/join/{token}/" in mail.outbox[0].body
        assert token not in stored_text()
        assert OutboxMessage.objects.get().key == f"invitation:{invitation.pk}"

    def test_a_failed_invitation_keeps_its_link_so_a_retry_can_send_it(self, settings):
        settings.EMAIL_BACKEND = DOWN
        settings.OUTBOX_MAX_ATTEMPTS = 1
        me = MembershipFactory()
        _, token = organisations.invite_member(
            me.organisation, email="new@example.org", invited_by=me.user, base_url="https://x"
        )
        assert outbox.deliver() == 0
        assert OutboxMessage.objects.get().failed_at is not None
        outbox.retry_failed(me.user)
        settings.EMAIL_BACKEND = LOCMEM
        assert outbox.deliver() == 1
        assert token in mail.outbox[0].body
        assert token not in stored_text()


class TestAMailServerThatHangs:
    def test_does_not_hang_a_web_request(
        self, client, settings, hanging_mail_server, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_TIMEOUT = 5
        settings.OUTBOX_WAKE_WORKER = True
        MembershipFactory(user__email="ada@example.org")
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(reverse("password_reset"), {"email": "ada@example.org"})
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert callbacks, "the worker was asked to send"
        assert hanging_mail_server.connections == [], "the request never spoke to the server"
        assert elapsed < settings.EMAIL_TIMEOUT
        assert OutboxMessage.objects.get().attempts == 0

    def test_the_worker_gives_up_within_the_timeout_and_records_why(
        self, settings, hanging_mail_server
    ):
        settings.EMAIL_TIMEOUT = 0.5
        with transaction.atomic():
            outbox.queue("Hello", "Body", ["a@example.org", "b@example.org"])
        started = time.monotonic()
        assert outbox.deliver() == 0
        assert time.monotonic() - started < 3
        assert len(hanging_mail_server.connections) == 1, "one timeout per run"
        message = OutboxMessage.objects.exclude(attempts=0).get()
        assert message.attempts == 1
        assert "timed out" in message.last_error
        assert message.sent_at is None and message.failed_at is None


def test_a_request_stands_when_the_broker_cannot_be_reached(
    client, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_WAKE_WORKER = True
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    MembershipFactory(user__email="ada@example.org")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="accreditation.services.outbox"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert response.status_code == 302
    assert time.monotonic() - started < 2
    assert "the sweeper will" in caplog.text
    assert OutboxMessage.objects.filter(sent_at=None).count() == 1
    assert send_outbox() == {"sent": 1}


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_commit_wakes_a_worker_that_takes_the_task_from_redis_and_sends(settings):
    from celery.contrib.testing.worker import start_worker

    assert celery_app.conf.broker_url.startswith("redis://")
    settings.OUTBOX_WAKE_WORKER = True
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        outbox.queue("Hello", "Body", ["a@example.org"])
        for _ in range(100):
            if OutboxMessage.objects.filter(sent_at__isnull=False).exists():
                break
            time.sleep(0.1)
    assert OutboxMessage.objects.get().sent_at is not None
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_plain_text_mail_is_not_html_escaped():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    with transaction.atomic():
        accounts.invite_staff(
            email="g@example.org",
            full_name="Smith & Jones <Ltd>",
            roles=[Role.ASSESSOR],
            invited_by=admin,
            base_url="https://service.example",
        )
    outbox.deliver()
    assert "Smith & Jones <Ltd>," in mail.outbox[0].body
