"""What the spine tells the apps that stand on it, without importing them."""

from django.dispatch import Signal

profile_changed = Signal()
"""An organisation's profile changed (``organisation``, ``actor``), inside the
transaction that changed it."""

parts_may_clash = Signal()
"""A person may now be both staff and a member of an organisation (``user``):
they joined an organisation, or were given staff roles. Sent inside the
transaction that made the change; assessments records the standing conflict."""
