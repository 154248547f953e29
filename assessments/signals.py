"""What assessments tells the apps that stand on it, without importing them."""

from django.dispatch import Signal

feedback_written = Signal()
"""The assessor wrote a case's feedback to the applicant after the assessment
(``case``, ``revision``), inside the transaction that saved it: the Advisory
Group puts it on its next meeting's agenda for the chair's approval."""
