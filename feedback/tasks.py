"""Scheduled work of feedback (Celery): each task re-derives its work from the
database, so running it twice or after a worker died does the same thing once."""
