"""What the spine tells the apps that stand on it, without importing them."""

from django.dispatch import Signal

profile_changed = Signal()
"""An organisation's profile changed (``organisation``, ``actor``), inside the
transaction that changed it."""
