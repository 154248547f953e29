"""Casework officers see the email that failed every attempt and send it
again; nobody else can."""

import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from accreditation import clock
from accreditation.models import OutboxMessage
from accreditation.roles import Role
from accreditation.services import outbox
from tests.casework import sign_in_verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://service.example/invitation/not-for-staff-eyes/"


def failed_message(number, **fields):
    values = {
        "to": f"person{number:02d}@example.org",
        "subject": f"Join Oak Primary ({number})",
        "body": f"Open {SECRET_LINK}",
        "secrets": [SECRET_LINK],
        "attempts": 6,
        "last_error": "SMTPRecipientsRefused: mailbox unavailable",
        "failed_at": clock.now(),
    }
    return OutboxMessage.objects.create(**{**values, **fields})


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Olive Officer")


@pytest.fixture
def officer_client(client, officer):
    return sign_in_verified(client, officer)


def list_url():
    return reverse("staff-failed-emails")


def retry_url():
    return reverse("staff-retry-emails")


class TestWhoMayUseIt:
    def test_someone_signed_out_is_sent_to_sign_in(self, client):
        message = failed_message(1)
        for response in (
            client.get(list_url()),
            client.post(retry_url(), {"message": message.pk}),
        ):
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))
        assert OutboxMessage.objects.get().failed_at is not None

    def test_an_applicant_is_refused(self, client):
        client.force_login(UserFactory(roles=[Role.APPLICANT]))
        message = failed_message(1)
        assert client.get(list_url()).status_code == 403
        assert client.post(retry_url(), {"message": message.pk}).status_code == 403
        assert OutboxMessage.objects.get().failed_at is not None

    @pytest.mark.parametrize("role", [Role.ASSESSOR, Role.ADMINISTRATOR])
    def test_other_staff_are_refused(self, client, role):
        sign_in_verified(client, UserFactory(roles=[role]))
        message = failed_message(1)
        assert client.get(list_url()).status_code == 403
        assert client.post(retry_url(), {"all": "1"}).status_code == 403
        assert OutboxMessage.objects.get(pk=message.pk).failed_at is not None
        assert "Email that could not be sent" not in client.get(reverse("staff-home")).text

    def test_a_casework_officer_finds_it_from_the_staff_home(self, officer_client):
        failed_message(1)
        failed_message(2)
        home = officer_client.get(reverse("staff-home")).text
        assert f'href="{list_url()}"' in home
        assert re.search(r">2</span> Emails that could not be sent</a>", home)


def test_the_list_shows_failed_mail_and_never_its_body(officer_client):
    failed_message(1)
    OutboxMessage.objects.create(to="waiting@example.org", subject="Waiting", body="b")
    OutboxMessage.objects.create(
        to="sent@example.org", subject="Sent", body="b", sent_at=clock.now()
    )
    page = officer_client.get(list_url()).text
    assert "person01@example.org" in page
    assert "Join Oak Primary (1)" in page
    assert "SMTPRecipientsRefused: mailbox unavailable" in page
    assert "waiting@example.org" not in page and "sent@example.org" not in page
    assert SECRET_LINK not in page
    # Sending again cannot change the address: the page does not say it can.
    assert "An email is sent again to the same address" in page
    assert "put right what caused it (the address" not in page


@pytest.mark.parametrize("size", [2, 30])
def test_the_list_takes_the_same_queries_whatever_its_size(
    officer_client, django_assert_num_queries, size
):
    for number in range(size):
        failed_message(number)
    with django_assert_num_queries(9):
        response = officer_client.get(list_url())
    assert response.text.count("Send again<span") == size


def test_the_list_is_paginated(officer_client):
    for number in range(51):
        failed_message(number)
    first = officer_client.get(list_url()).text
    assert first.count("Send again<span") == 50
    assert "Page 1 of 2" in first
    assert officer_client.get(list_url() + "?page=2").text.count("Send again<span") == 1


def test_a_retry_puts_the_message_back_to_pending_and_the_worker_sends_it(
    officer_client, officer, caplog
):
    chosen = failed_message(1)
    other = failed_message(2)
    with caplog.at_level(logging.INFO, logger="accreditation.services.outbox"):
        response = officer_client.post(retry_url(), {"message": chosen.pk}, follow=True)
    assert "1 email will be sent again." in response.text
    assert f"E-mail {chosen.pk} put back in the outbox by user {officer.pk}" in caplog.text
    chosen.refresh_from_db()
    assert (chosen.failed_at, chosen.attempts, chosen.sent_at) == (None, 0, None)
    assert chosen.send_after <= clock.now()
    assert OutboxMessage.objects.get(pk=other.pk).failed_at is not None
    assert "person01@example.org" not in response.text

    assert outbox.deliver() == 1
    assert [m.to for m in mail.outbox] == [["person01@example.org"]]
    assert SECRET_LINK in mail.outbox[0].body


def test_retry_all_puts_every_failed_message_back(officer_client):
    for number in range(3):
        failed_message(number)
    sent = OutboxMessage.objects.create(
        to="sent@example.org", subject="Sent", body="b", sent_at=clock.now()
    )
    response = officer_client.post(retry_url(), {"all": "1"}, follow=True)
    assert "3 emails will be sent again." in response.text
    assert "No email is waiting to be sent again." in response.text
    assert not OutboxMessage.objects.filter(failed_at__isnull=False).exists()
    assert OutboxMessage.objects.filter(attempts=0, sent_at=None).count() == 3
    assert OutboxMessage.objects.get(pk=sent.pk).sent_at is not None


def test_a_message_already_retried_is_not_retried_again(officer_client):
    message = failed_message(1)
    officer_client.post(retry_url(), {"message": message.pk})
    outbox.claim_next()
    response = officer_client.post(retry_url(), {"message": message.pk}, follow=True)
    assert "That email is no longer waiting to be sent again." in response.text
    assert OutboxMessage.objects.get().attempts == 1, "its attempt in progress is kept"


def test_retrying_needs_a_post(officer_client):
    failed_message(1)
    assert officer_client.get(retry_url()).status_code == 405
    assert OutboxMessage.objects.get().failed_at is not None


def test_a_subject_longer_than_the_outbox_keeps_is_shortened_not_refused():
    """An organisation's name may be 200 characters: in a subject with other
    words, more than the outbox's 250 (PostgreSQL refused the row)."""
    from accreditation import emails
    from assessments.emails import identifier_cleared_example

    context = identifier_cleared_example()
    context["organisation"].name = "Oakfield " * 22 + "Trust"
    emails.queue("assessments/identifier_cleared", context, ["head@example.org"])
    subject = OutboxMessage.objects.get().subject
    assert len(subject) == emails.SUBJECT_MAX_CHARS
    assert subject.startswith("Enter Oakfield Oakfield") and subject.endswith("…")
