"""What the Advisory Group tells the apps that stand on it."""

from django.dispatch import Signal

feedback_approved = Signal()
"""The group approved a case's feedback for its letter (``case``,
``approval``), inside the transaction that recorded it: a case already
decided not accredited is owed its feedback letter now."""

feedback_returned = Signal()
"""The group returned a case's draft feedback to its assessor (``case``,
locked, and ``event``, the return on its timeline), inside the transaction
that recorded it."""
