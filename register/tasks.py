"""Scheduled work of the register (Celery): none yet. A notice's response
period ends on a date the decision official reads on the entry's page; the
revocation itself is the official's act, never the scheduler's."""
