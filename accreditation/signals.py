"""What the spine tells the apps that stand on it, without importing them."""

from django.dispatch import Signal

profile_changed = Signal()
"""An organisation's profile changed (``organisation``, ``actor``), inside the
transaction that changed it."""

parts_may_clash = Signal()
"""A person may now be both staff and a member of an organisation (``user``):
they joined an organisation, or were given staff roles. Sent inside the
transaction that made the change; assessments records the standing conflict."""

can_no_longer_assess = Signal()
"""A person may no longer assess (``user``): ``by`` switched their account
off, or took the assessor role away. Sent inside the transaction that made
the change; assessments takes them off the cases they hold."""

cases_moved = Signal()
"""Cases moved by the workflow (``action``, ``cases``, ``events``, ``actor``;
``cases`` and ``events`` in the same order), sent by ``move()`` (one case) and
``move_many()`` inside the transaction that moved them. A receiver that does
slow or outside work (render a letter, send e-mail) schedules it with
``transaction.on_commit``, so a move that is rolled back leaves nothing
behind."""

round_changed = Signal()
"""A round's fields changed (``round``, ``changes``: {field: [before, after]},
as the activity log writes them; ``actor``), inside the transaction that
changed it."""
