"""What the register tells the apps that stand on it."""

from django.dispatch import Signal

revocation_step = Signal()
"""Sent with ``event`` (a RegisterEvent: notice given, or revoked) inside the
transaction that records the step; feedback issues its letter once it commits."""
