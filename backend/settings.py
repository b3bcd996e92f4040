"""Pathway's one settings module: every deployment-specific value comes from the environment."""

import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from backend.env import (
    email_settings,
    envbool,
    envint,
    envlist,
    envrate,
    envstr,
    local_host,
    web_timeout,
)

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

DEBUG = envbool("DEBUG", True)
# `make run` (backend/launcher.py): debugging off, but served over plain HTTP on this machine, so
# none of production's HTTPS settings, and static files straight from the apps' folders.
DEMO = envbool("DEMO", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
try:
    _site_host = urlsplit(SITE_URL).hostname or ""
except ValueError:  # a broken IPv6 address
    _site_host = ""
if not (SITE_URL.startswith(("http://", "https://")) and _site_host):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r}: expected an address like https://school.example"
    )
SITE_NAME = envstr("SITE_NAME", "Pathway Career Institute")
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("https://") else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "simple_history",
    "backend",
    "accounts",
    "enrollment",
    "externships",
    "careers",
    "coaching",
    "messaging",
    "documents",
    "students",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.middleware.RefuseNulMiddleware",
    # Static files straight from gunicorn, compressed and cached forever under hashed names.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session and the user, so that its 413 page has the site's header; before any
    # view or CSRF check reads the body.
    "backend.middleware.RefuseOversizedBodyMiddleware",
    # The signed-in user of each request, for the field history of audited records.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.middleware.FailedSignInsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
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
                "backend.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (embedded default) or PostgreSQL, from one URL.
DATABASE_URL = envstr("DATABASE_URL", "sqlite:///var/db.sqlite3")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 0, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _path = Path(_db["NAME"])
    _db["NAME"] = str(_path if _path.is_absolute() else BASE_DIR / _path)
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the default database and the test databases live here
    # Writers queue on the database lock (IMMEDIATE) instead of failing with
    # "database is locked"; WAL lets readers go on while one writer works.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that threads and the live server share the test database; one per
    # test run, so that two runs at once do not collide.
    _db["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

AUTH_USER_MODEL = "accounts.User"
# The field history (backend/audit.py) is read-only in the admin: no "revert" to an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True
AUTHENTICATION_BACKENDS = ["accounts.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/start/"
# A form posted without its CSRF token (expired, cookies blocked) gets the site's own page.
CSRF_FAILURE_VIEW = "backend.error_pages.csrf_failure"

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "America/New_York")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = envstr("PHONE_REGION", "US")

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves what `collectstatic` wrote, under content-hashed names; development
    # (and the test suite) reads the apps' folders as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or DEMO
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if DEBUG or DEMO:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
# The demo serves static files from the apps' folders, with no `collectstatic` step.
WHITENOISE_USE_FINDERS = DEBUG or DEMO
# Exported PDFs (Django storage); served only through views that check who asks, never as MEDIA_URL.
MEDIA_ROOT = envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))

# PDFs: cohorts up to this many students render in the request; larger ones in the background.
PDF_SYNC_MAX_STUDENTS = envint("PDF_SYNC_MAX_STUDENTS", 100, minimum=0)
# A rendering worker process is replaced after this many documents (WeasyPrint keeps its memory).
PDF_RENDERS_PER_WORKER = envint("PDF_RENDERS_PER_WORKER", 10, minimum=1)
# A background export whose worker gave no sign of life for this many seconds has lost it (a
# killed or crashed worker): it reads as failed and can be started again.
EXPORT_HEARTBEAT_TIMEOUT = envint("EXPORT_HEARTBEAT_TIMEOUT", 120, minimum=10)

# Cache: throttle counts and failed sign-ins, shared by every process: Redis when REDIS_URL is
# set, else a table in the database (made by accounts' migration 0004, whatever REDIS_URL says).
REDIS_URL = envstr("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pathway_cache",
            # Counted on every write; room for the addresses and accounts of a busy hour, so that
            # a crowd of addresses cannot push an account's failed sign-ins out.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    )
}

# Email: EMAIL_URL, else Django's own EMAIL_HOST... settings, else the console.
if envstr("EMAIL_URL", ""):
    _email = email_settings(envstr("EMAIL_URL", ""))
    EMAIL_BACKEND = _email.backend
    EMAIL_HOST, EMAIL_PORT = _email.host, _email.port
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email.user, _email.password
    EMAIL_USE_TLS, EMAIL_USE_SSL = _email.use_tls, _email.use_ssl
elif envstr("EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = envstr("EMAIL_HOST", "")
    EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "admissions@pathway.test")
# Texts: console, file, locmem (tests), twilio, or a dotted path to a backend class.
SMS_BACKEND = envstr("SMS_BACKEND", "console")
SMS_FROM = envstr("SMS_FROM", "")
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
SMS_TWILIO_ACCOUNT_SID = envstr("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = envstr("SMS_TWILIO_AUTH_TOKEN", "")
SMS_TWILIO_API_URL = envstr("SMS_TWILIO_API_URL", "https://api.twilio.com")
# Inbound texts must be signed with it (for Twilio: the account's auth token).
SMS_WEBHOOK_SECRET = envstr("SMS_WEBHOOK_SECRET", "")
# Twilio signs an inbound text over the address it posted to, which we take to be SITE_URL + the
# webhook's path (messaging/api/views.py): with this machine's address, every text is refused.
if SMS_BACKEND in ("twilio", "messaging.backends.twilio.TwilioBackend") and local_host(_site_host):
    raise ImproperlyConfigured(
        f"SMS_BACKEND=twilio needs SITE_URL set to the public address Twilio calls, like "
        f"https://school.example (now {SITE_URL}): Twilio signs each inbound text over "
        "SITE_URL + /api/v1/messaging/sms/inbound/, so every text would be refused"
    )
# Where messaging reads and keeps consent: a ConsentStore (messaging/consent.py) of a higher app.
MESSAGING_CONSENT_STORE = "enrollment.consent.ConsentRecordStore"

# Background tasks: django-tasks with its database backend; `make worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# An `Idempotency-Key` claimed but never answered (its request died) is taken over by a retry
# after this many seconds; by default gunicorn's worker timeout, beyond which no request lives.
IDEMPOTENCY_CLAIM_TIMEOUT = envint("IDEMPOTENCY_CLAIM_TIMEOUT", web_timeout(), minimum=1)

# API tokens lapse after this many days without use (accounts/tokens.py).
API_TOKEN_IDLE_DAYS = envint("API_TOKEN_IDLE_DAYS", 30, minimum=1)

APPLY_RATE = envrate("APPLY_RATE", "20/hour")
ANON_RATE = envrate("ANON_RATE", "60/minute")
# Outcome reports mark a rate under its benchmark (whole percent).
OUTCOME_BENCHMARKS = {
    rate: envint(f"OUTCOME_BENCHMARK_{rate.upper()}", 70, minimum=0, maximum=100)
    for rate in ("retention", "placement", "credential")
}
REST_FRAMEWORK = {
    # Token first: a request without credentials answers 401 with `WWW-Authenticate: Token`,
    # so a client can tell "sign in" from "not allowed" (403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies are JSON only (a form body is a 415); the SMS webhook reads its own form.
    "DEFAULT_PARSER_CLASSES": ["backend.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "backend.schema.Schema",
    "EXCEPTION_HANDLER": "backend.api.exception_handler",
    # Counted in the default cache: Redis when REDIS_URL is set, so every process shares them.
    "DEFAULT_THROTTLE_RATES": {
        "apply": APPLY_RATE,
        "login": "10/minute",
        "token": ANON_RATE,
        "password_reset": "5/hour",
    },
    # How many proxies stand in front; only then is X-Forwarded-For believed.
    "NUM_PROXIES": envint("TRUSTED_PROXIES", 0, minimum=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pathway API",
    "DESCRIPTION": "Applications, seats and waitlists, externships, careers and outcomes.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "enrollment.models.Status",
        "SeatStatusEnum": "enrollment.models.SeatStatus",
        "LogStatusEnum": "externships.models.LogStatus",
        "ExternshipStatusEnum": "externships.models.ExternshipStatus",
        "SiteKindEnum": "externships.models.SiteKind",
        "ProcedureKindEnum": "externships.models.ProcedureKind",
        "JobApplicationStatusEnum": "careers.models.JobApplicationStatus",
        "SessionKindEnum": "coaching.models.SessionKind",
        "SessionStatusEnum": "coaching.models.SessionStatus",
        "ExportKindEnum": "documents.models.ExportKind",
        "ExportStatusEnum": "documents.models.ExportStatus",
        "DocumentKindEnum": "externships.models.DocumentKind",
        "StaffRoleEnum": "externships.staff.STAFF_ROLE_CHOICES",
        "ScrubRoleEnum": "externships.models.ScrubRole",
    },
}

# Production hardening: `manage.py check --deploy` is clean with DEBUG=0.
if not DEBUG and not DEMO:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline script or style anywhere: every page's style is a file (backend/static/pathway.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Plus two style attributes of libraries, each allowed by its hash: `border-top: 0` on
        # the admin's history pages (django-simple-history's paginator), and `float: right;
        # margin-right: 10px` on the browsable API's Filters and Extra Actions buttons (DRF's
        # rest_framework/base.html; its inline <style> is gone, see templates/rest_framework/).
        "style-src": [
            SELF,
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
            "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='",
        ],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
