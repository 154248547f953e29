"""The outbox on PostgreSQL's real row locks: workers running at once send
each message once, and none holds a transaction open while it sends."""

import pytest
from django.core import mail

from accreditation.models import OutboxMessage
from accreditation.services import outbox
from tests.mail_backends import SlowBackend
from tests.test_journey_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    SlowBackend.inside_transaction.clear()
    return SlowBackend


def test_two_deliveries_at_once_send_each_message_once(slow_mail_server):
    recipients = [f"person{number:02d}@example.org" for number in range(20)]
    outbox.queue("Hello", "Body", recipients)

    results = run_together(outbox.deliver, outbox.deliver)

    assert all(isinstance(sent, int) and sent > 0 for sent in results), results
    assert sum(results) == 20
    assert sorted(message.to[0] for message in mail.outbox) == recipients
    assert OutboxMessage.objects.filter(sent_at__isnull=False, attempts=1).count() == 20
    assert not OutboxMessage.objects.filter(claimed_until__isnull=False).exists()


def test_a_message_is_sent_with_no_transaction_open(slow_mail_server):
    outbox.queue("Hello", "Body", ["a@example.org", "b@example.org"])
    assert outbox.deliver() == 2
    assert slow_mail_server.inside_transaction == [False, False]
