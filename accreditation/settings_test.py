"""Settings for the test suite: the real settings, with test conveniences."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("STAFF_OTP_REQUIRED", "true")
os.environ.setdefault("TIMELINE_ANCHOR_KEY", "test-only-timeline-anchor-key-0123456789abcdef")

# pytest-xdist runs the suite in several processes: each has its own folder
# (uploads, mail, broker), its own database (pytest-django adds the worker's
# suffix) and its own Redis database, so one worker's Celery never takes
# another's task.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ.setdefault(
    "VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test", _WORKER)
)
if _WORKER and os.environ.get("REDIS_URL"):
    _url = urlsplit(os.environ["REDIS_URL"])
    _index = int(_url.path.strip("/") or 0) + int(_WORKER.removeprefix("gw"))
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_index}"))

from accreditation.settings import *  # noqa: E402,F403
from accreditation.settings import DATABASES, STORAGES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test database needs no durability: a commit does not wait for the
    # disk (about a sixth of the browser tests' time).
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# The live server (browser tests) wraps the site in a media-file handler that
# calls urlparse(MEDIA_URL); the production value None makes that return bytes
# and every request fail with a 500. Give it a prefix nothing links to, so no
# uploaded file is ever served by it.
MEDIA_URL = "/media-not-served/"
# Tests run the worker's deliver() themselves; the tests of waking the
# worker turn this back on.
OUTBOX_WAKE_WORKER = False
# Each process its own counters (the e-mail throttles), cleared per test, even
# when REDIS_URL points the broker at a real Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
