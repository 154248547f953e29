"""The Celery application. The database is the record of what was done; tasks
re-derive their work from it, so a lost or repeated message changes nothing."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings")

app = Celery("accreditation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
