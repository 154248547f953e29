"""Scheduled work of advisory_group (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""
