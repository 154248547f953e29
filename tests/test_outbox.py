"""E-mail goes through the outbox: written with the change, sent after it
commits, retried when the mail server is down, never sent twice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from accreditation import outbox
from accreditation.models import AccreditationType, OutboxMessage
from accreditation.tasks import send_outbox
from accreditation.workflow import Status
from proposals import services
from proposals.models import Proposal
from tests.factories import MembershipFactory, RoundFactory
from tests.journey_helpers import complete

pytestmark = pytest.mark.django_db
DOWN = "tests.mail_backends.DownBackend"


def test_a_message_is_sent_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue("Hello", "Body", ["A@Example.org", "b@example.org", "a@example.org"])
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2


def test_nothing_is_sent_for_a_change_that_rolled_back(django_capture_on_commit_callbacks):
    class Rollback(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback):
        with transaction.atomic():
            outbox.queue("Hello", "Body", ["a@example.org"])
            raise Rollback
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_message_is_sent_once_however_often_the_sweeper_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue("Hello", "Body", ["a@example.org"])
    assert send_outbox() == {"sent": 0}
    assert outbox.deliver() == 0
    assert len(mail.outbox) == 1


def test_a_submission_stands_when_the_mail_server_is_down(
    client, settings, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(organisation__address="1 Oak Lane")
    applicant = membership.user
    draft = complete(
        services.start_proposal(
            organisation=membership.organisation,
            period=RoundFactory(),
            accreditation_type=AccreditationType.ASP,
            actor=applicant,
        ),
        applicant,
    )
    client.force_login(applicant)
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposal-check", args=[draft.pk]))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=draft.pk).status == Status.SUBMITTED
    waiting = OutboxMessage.objects.get()
    assert waiting.sent_at is None
    assert waiting.attempts == 1
    assert "SMTPServerDisconnected" in waiting.last_error

    assert send_outbox() == {"sent": 0}, "not due again until its wait is over"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
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


def test_a_password_reset_goes_through_the_outbox(
    client, settings, django_capture_on_commit_callbacks
):
    MembershipFactory(user__email="ada@example.org")
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to == "ada@example.org"
    assert "/account/password-reset/" in message.body


def test_plain_text_mail_is_not_html_escaped(django_capture_on_commit_callbacks):
    from accreditation import accounts
    from tests.factories import UserFactory

    admin = UserFactory(roles=["administrator"])
    with django_capture_on_commit_callbacks(execute=True):
        accounts.invite_staff(
            email="g@example.org",
            full_name="Smith & Jones <Ltd>",
            roles=["assessor"],
            invited_by=admin,
            base_url="https://service.example",
        )
    assert "Smith & Jones <Ltd>," in mail.outbox[0].body
