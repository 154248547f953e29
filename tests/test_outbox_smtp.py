"""The outbox against real SMTP servers on this machine (aiosmtpd): one that
refuses every message and one that never answers. Each message is retried,
then marked failed and shown to casework officers, never lost; sent again
once the server takes it, it arrives with its text and HTML parts."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse

from accreditation import clock, emails
from accreditation.models import OutboxMessage
from accreditation.roles import Role
from accreditation.services import outbox
from proposals.emails import reminder_example
from tests.casework import sign_in_verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Sink:
    """An SMTP server that refuses every recipient until told to accept."""

    def __init__(self):
        self.refusing = True
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield sink
    controller.stop()


@pytest.fixture
def silent_server(settings):
    """A server that accepts the connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 0.5
    yield
    listener.close()


def queue_reminder():
    emails.queue("proposals/reminder", reminder_example(), ["head@example.org"], key="reminder:1:7")
    return OutboxMessage.objects.get(key="reminder:1:7")


def deliver_until_failed(settings, message):
    """Run the worker at each retry time until the message is given up."""
    when = clock.now()
    for _ in range(settings.OUTBOX_MAX_ATTEMPTS):
        with time_machine.travel(when, tick=False):
            assert outbox.deliver() == 0
        message.refresh_from_db()
        when = message.send_after + timedelta(seconds=1)
    assert message.failed_at is not None


def test_a_refusing_server_is_retried_then_the_message_is_failed_shown_and_sent_again(
    settings, smtp, client
):
    message = queue_reminder()
    deliver_until_failed(settings, message)
    assert message.attempts == settings.OUTBOX_MAX_ATTEMPTS
    assert "550" in message.last_error and "Mailbox unavailable" in message.last_error
    assert "deadline is" in message.body and "<h1" in message.html_body  # nothing lost
    officer = sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    page = officer.get(reverse("staff-schedule")).text
    assert "1 email could not be sent" in page
    assert "Mailbox unavailable" in officer.get(reverse("staff-failed-emails")).text

    smtp.refusing = False
    officer.post(reverse("staff-retry-emails"), {"all": "1"})
    assert outbox.deliver() == 1
    (received,) = smtp.received
    assert received["To"] == "head@example.org"
    assert received.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in received.get_payload())
    assert "The deadline is" in text and "<h1" not in text
    assert "Your draft proposal is due in 7 days" in html
    message.refresh_from_db()
    assert message.sent_at is not None


def test_a_server_that_never_answers_times_out_and_the_message_waits(settings, silent_server):
    message = queue_reminder()
    assert outbox.deliver() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.failed_at is None
    assert "timed out" in message.last_error
    assert message.send_after > clock.now()
    deliver_until_failed(settings, message)
