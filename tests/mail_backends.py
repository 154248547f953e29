"""E-mail backends for tests: a mail server that is down, one that is slow."""

import smtplib
import time

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(locmem.EmailBackend):
    """A mail server that takes a moment over each message; notes whether the
    sender held a database transaction open while it waited."""

    inside_transaction = []

    def send_messages(self, email_messages):
        self.inside_transaction.append(connection.in_atomic_block)
        time.sleep(0.05)
        return super().send_messages(email_messages)
