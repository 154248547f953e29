"""Settings, read from the environment.

With no environment at all the service runs for a first look: SQLite under
``var/``, a filesystem Celery broker, e-mail written to ``var/mail``. The
local demo (``make run``) sets ``DEMO=true`` for its conveniences: a local
secret key, plain HTTP, static files straight from the source folders. It
keeps ``DEBUG`` off, so people see the service's own error pages, never
Django's debug pages. In production leave both off and the secure settings
follow with no further variables; ``manage.py check --deploy`` is then clean.
"""

import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The local demo's conveniences, never on a service people use (`check
# --deploy` warns): see the module's docstring.
DEMO = env_bool("DEMO", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-local-only-key-" + "x" * 40 if DEMO else None
)
if not SECRET_KEY:
    raise RuntimeError("Set SECRET_KEY (or DEMO=true for a local run).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SERVICE_NAME = os.environ.get("SERVICE_NAME", "Apply for school provider accreditation")
DEPARTMENT_NAME = os.environ.get("DEPARTMENT_NAME", "Department for Education")
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "accreditation.team@education.gov.uk")
# Letters: the department's letterhead (its address, one line each) and the
# service's public address, for the links in e-mails sent by the worker.
LETTERHEAD_ADDRESS = os.environ.get(
    "LETTERHEAD_ADDRESS", "Sanctuary Buildings\nGreat Smith Street\nLondon\nSW1P 3BT"
).replace("\\n", "\n")
SERVICE_URL = os.environ.get("SERVICE_URL", "http://localhost:8000").rstrip("/")
DEPARTMENT_EMAIL_DOMAIN = os.environ.get("DEPARTMENT_EMAIL_DOMAIN", "education.gov.uk")
# Public email providers: sharing one says nothing about a conflict of interest.
COMMON_EMAIL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.co.uk",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "btinternet.com",
    # Reserved for documentation (RFC 2606): every demo and test address uses it.
    "example.org",
)
SERVICE_PHASE = os.environ.get("SERVICE_PHASE", "beta")
# The school's public records, linked from a case page by its URN: link text
# to an address with ``{urn}`` where the URN goes. (Ofsted's provider
# category 21 is schools.) A deployment replaces the map with a JSON object
# in SCHOOL_RECORD_URLS.
SCHOOL_RECORD_URLS = json.loads(os.environ.get("SCHOOL_RECORD_URLS") or "null") or {
    "Get information about schools": (
        "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/{urn}"
    ),
    "Ofsted reports": "https://reports.ofsted.gov.uk/provider/21/{urn}",
    "Compare school performance": (
        "https://www.compare-school-performance.service.gov.uk/school/{urn}"
    ),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "django_celery_beat",
    "csp",
    "accreditation",
    "proposals",
    "assessments",
    "advisory_group",
    "feedback",
    "register",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accreditation.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accreditation.middleware.CurrentOrganisationMiddleware",
    "accreditation.middleware.CaseRolesMiddleware",
    "accreditation.middleware.NoStoreMiddleware",
    "accreditation.middleware.MethodNotAllowedPageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accreditation.urls"
WSGI_APPLICATION = "accreditation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accreditation.context_processors.service",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The URL the service connects with when the one that runs migrations is the
# tables' owner: `manage.py grant_service_role` (run by the owner after
# migrate) creates that role with rights to rows only. PostgreSQL only.
SERVICE_DATABASE_URL = os.environ.get("SERVICE_DATABASE_URL", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL, a busy timeout and immediate
    # transactions keep them from tripping over each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # PostgreSQL's JIT compiler is for long analytic queries: on the round
    # report's agreement query (0.1 s of work at 25,000 cases) it spent a
    # second compiling. Every query here is short.
    options = "-c jit=off"
    # The longest a statement may run, in seconds (0: no limit). The web
    # sets it (docker-compose.yml): gunicorn's worker timeout does not end a
    # request on one of its threads, so a statement that never finished would
    # hold that thread, and its connection, for good. The worker and the
    # migration leave it unset: a round's close or an index's build is long.
    statement_timeout = int(os.environ.get("DB_STATEMENT_TIMEOUT", "0"))
    if statement_timeout > 0:
        options += f" -c statement_timeout={statement_timeout}s"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = options
    # Prepared statements: a query the connection has run five times
    # (psycopg's threshold) is prepared on the server, which then plans it
    # once instead of each time. The case page's query of the case, with
    # what the viewer's roles and access depend on, takes 3 ms to plan and
    # half a millisecond to run. Django leaves them off for transaction
    # poolers such as PgBouncer's transaction mode: set DB_PREPARE_THRESHOLD
    # to 0 behind one.
    prepare_threshold = int(os.environ.get("DB_PREPARE_THRESHOLD", "5"))
    if prepare_threshold > 0:
        DATABASES["default"]["OPTIONS"].update(
            server_side_binding=True, prepare_threshold=prepare_threshold
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accreditation.User"
# E-mail addresses are unique ignoring case (a functional unique constraint),
# which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's checks, with messages that say how to put the password right.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accreditation.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "accreditation.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accreditation.passwords.CommonPasswordValidator"},
    {"NAME": "accreditation.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "signed-out"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
# E-mail sent on request, at most this many per address and per account in
# each window (accreditation.throttle).
EMAIL_THROTTLE_WINDOW_SECONDS = int(os.environ.get("EMAIL_THROTTLE_WINDOW_SECONDS", "3600"))
EMAIL_THROTTLES = {
    "password_reset": {
        "address": int(os.environ.get("PASSWORD_RESETS_PER_ADDRESS", "3")),
        "account": int(os.environ.get("PASSWORD_RESETS_PER_ACCOUNT", "3")),
    },
    "invitation": {
        "address": int(os.environ.get("INVITATIONS_PER_ADDRESS", "3")),
        "account": int(os.environ.get("INVITATIONS_PER_ACCOUNT", "30")),
    },
    "registration": {
        "address": int(os.environ.get("REGISTRATIONS_PER_ADDRESS", "3")),
    },
}

# Staff must use a TOTP second factor. Only the local demo turns this off.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = SERVICE_NAME

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
# Schools share addresses: lock on the account and the address together.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failed sign-ins from one address, whatever the accounts, before it is
# locked out for the cool-off time (``accreditation.security``).
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT", "100"))
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Failures count against the address as the sign-in looks it up, and the
# client's address as our proxies report it (accreditation.security).
AXES_USERNAME_CALLABLE = "accreditation.security.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accreditation.security.client_address"
# How many proxies of ours stand in front of the service and append to
# X-Forwarded-For (the documented TLS proxy: 1). 0 trusts no header.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
# Activity restarts the session's clock, saving it at most once a minute
# (accreditation.middleware.SessionRefreshMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_TIMEOUT_WARNING_SECONDS = 5 * 60

# Policy numbers (accreditation/policy.py names them and their defaults), as a
# JSON object: POLICY='{"concern_period_days": 21}'.
POLICY = json.loads(os.environ.get("POLICY") or "{}")

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------
# GOV.UK Frontend's CSS asks for its fonts and images at /assets/.
STATIC_URL = "/assets/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "govuk-frontend"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEMO
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# The demo serves static files from their source folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEMO
WHITENOISE_AUTOREFRESH = DEMO
# Uploaded evidence lives outside the web root and is served only by views
# that check permission.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
MEDIA_URL = None
# Supporting documents: each file at most EVIDENCE_MAX_BYTES; office files
# (ZIP containers) refused if their contents would unpack to more than
# EVIDENCE_MAX_UNPACKED_BYTES; at most EVIDENCE_MAX_FILES per proposal.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_MAX_UNPACKED_BYTES = int(
    os.environ.get("EVIDENCE_MAX_UNPACKED_BYTES", str(50 * 1024 * 1024))
)
EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", "25"))
# The scanning hook every upload passes through (see proposals.services.evidence.scan
# for plugging in ClamAV).
EVIDENCE_SCANNER = os.environ.get("EVIDENCE_SCANNER", "proposals.services.evidence.no_scan")
# Where clamd listens, for EVIDENCE_SCANNER=proposals.clamav.scan:
# unix:///run/clamav/clamd.ctl or tcp://clamav:3310.
CLAMAV_ADDRESS = os.environ.get("CLAMAV_ADDRESS", "unix:///run/clamav/clamd.ctl")
CLAMAV_TIMEOUT_SECONDS = float(os.environ.get("CLAMAV_TIMEOUT_SECONDS", "30"))
# The first handler stops keeping a file once it passes EVIDENCE_MAX_BYTES,
# so an oversized upload is refused with a message, not written to disk.
# Files up to FILE_UPLOAD_MAX_MEMORY_SIZE stay in memory, larger ones go to a
# temporary file. DATA_UPLOAD_MAX_MEMORY_SIZE counts the other form fields
# only (never file content). A proxy in front must let a request of
# EVIDENCE_MAX_BYTES plus a little through (nginx: client_max_body_size 11m).
# DATA_UPLOAD_MAX_NUMBER_FILES is above any form's own limit (a concern's 10
# documents), so choosing too many is that form's error, with what was typed
# kept; past it, the request is refused whole (error_400).
FILE_UPLOAD_HANDLERS = [
    "proposals.services.evidence.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# --- Forms -----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# Every field in error gets its GOV.UK component's error class.
FORM_RENDERER = "accreditation.forms.rendering.GdsFormRenderer"

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@accreditation.education.gov.uk")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection waits for the server before giving up.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
# The outbox (accreditation/outbox.py): a message is marked failed, and shown
# to casework officers, after this many attempts (about five hours of waits).
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
# Seconds a worker holds a message it is sending; another worker sends it
# again only after that. Keep it well above a few EMAIL_TIMEOUTs.
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
# Ask the worker to send as soon as the change commits; without it the beat
# sweeper sends within a minute.
OUTBOX_WAKE_WORKER = env_bool("OUTBOX_WAKE_WORKER", True)
# Scheduled work (reminders, chasers) is written in transactions of this many
# things, so a worker killed half way keeps what it finished.
SCHEDULER_BATCH_SIZE = int(os.environ.get("SCHEDULER_BATCH_SIZE", "500"))

# --- Background work ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # No server needed: kombu's filesystem transport under var/broker.
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- The case timeline ---------------------------------------------------------------
# The key of the daily anchors of every case's chain head (an HMAC-SHA256): held
# outside the database, so someone who can rewrite the database cannot write an
# anchor that verifies. The local demo derives one from SECRET_KEY; in
# production set it (`check --deploy` warns when it is missing) and keep it.
TIMELINE_ANCHOR_KEY = os.environ.get("TIMELINE_ANCHOR_KEY") or (
    hashlib.sha256(f"timeline-anchor:{SECRET_KEY}".encode()).hexdigest() if DEMO else ""
)

# --- Cache ----------------------------------------------------------------------
# Shared by every process: through Redis in production (the e-mail throttles
# count there), through files in VAR_DIR for a first look (`make run`'s two
# web processes must agree on a round report's kept figures: a memory cache
# would keep one copy in each).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "accreditation",
            # Every change marks what is kept out of date there
            # (``accreditation/kept.py``): a Redis that hangs must not hold
            # a change up for long (it is kept, and the error logged).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
# A round's report is worked out from every case, event and score of the
# round (about a second at 2,000 cases) and kept this long; the page says
# when its figures were worked out and can work them out again at once.
REPORT_FIGURES_SECONDS = int(os.environ.get("REPORT_FIGURES_SECONDS", "300"))

# --- Security -------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEMO else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEMO
SECURE_HSTS_PRELOAD = not DEMO
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEMO
CSRF_COOKIE_SECURE = not DEMO
# A form sent without its token (a page open past the session, cookies
# blocked) gets the service's page, not Django's.
CSRF_FAILURE_VIEW = "accreditation.views.public.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "filters": {"refusals": {"()": "accreditation.logs.RefusalsWithoutTraceback"}},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint's progress messages (one per page) say nothing an operator needs.
        "weasyprint.progress": {"level": "WARNING"},
        "django.request": {"filters": ["refusals"]},
        "django.security.DisallowedHost": {"filters": ["refusals"]},
    },
}
