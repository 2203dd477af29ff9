"""Settings shared by every environment; everything secret or host-specific comes from the
environment, with embedded defaults that let a fresh checkout run on SQLite without services."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "programmes",
    "recruitment",
    "trainings",
    "patrols",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "programmes.middleware.PrivacyHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "programmes.input.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "programmes.middleware.UserLanguageMiddleware",
    "programmes.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "programmes.middleware.TenancyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programmes.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default: wait for the write lock instead of failing, and take it at the
    # start of a transaction so concurrent writers queue instead of deadlocking. Write-ahead
    # logging lets pages read while a write is under way, and with it `synchronous=NORMAL`
    # syncs the disk at checkpoints instead of at every commit: a page that logs whose data it
    # showed (a write on every list of people) waited 15-20 ms for the disk at each commit.
    # A commit survives the application crashing; only a power cut can lose the last ones.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "programmes.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "programmes.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Internationalisation: Dutch first, English second; times in Europe/Amsterdam.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded logos are small; anything larger is refused by form validation (Django itself sets
# no limit on file size).
LOGO_MAX_BYTES = 2 * 1024 * 1024
# Request size: a whole request body may be at most this large (413 otherwise; the largest
# upload is one phone photo of at most 15 MB, patrols.services.PHOTO_MAX_BYTES); the reverse
# proxy's client_max_body_size should match. Form fields without files: 2.5 MB, at most 1000
# fields and 10 files per request. Uploads over 2.5 MB go to a temporary file, not memory.
REQUEST_MAX_BYTES = 25 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Cache: Redis when configured (shared by processes, needed for allauth's rate limits), else
# process-local memory. When Redis is away the cache answers from process memory instead of
# failing the request (programmes/cache.py).
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "programmes.cache.ResilientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}


# Mail: printed on the console by default; SMTP in production through the EMAIL_* variables.
def mailers(default_backend: str) -> dict:
    backend = env("DJANGO_EMAIL_BACKEND", default_backend)
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "587")),
            "username": env("EMAIL_HOST_USER") or None,
            "password": env("EMAIL_HOST_PASSWORD") or None,
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 20,
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers("django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "BewonersTeam <noreply@bewonersteam.localhost>")

# Celery: eager when no broker is configured, so the embedded default needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or "memory://"
# No result backend: tasks record their outcome in the database (outbox, documents). Only the
# worker tests and benchmarks set one (CELERY_RESULT_BACKEND) to read results back.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL")
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Publishing gives up fast when the broker is away: the request that queues is never held up,
# and the periodic sweeps queue again what could not be handed over (programmes/queueing.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Periodic jobs live in this one schedule (later phases add reminders and retention).
CELERY_BEAT_SCHEDULE = {
    "meeting-reminders": {"task": "programmes.tasks.meeting_reminders_send", "schedule": 15 * 60},
    "outbox-requeue-stale": {"task": "programmes.tasks.outbox_requeue_stale", "schedule": 5 * 60},
    "outbox-send-due": {"task": "programmes.tasks.outbox_send_due", "schedule": 30},
    # The evaluations each programme's schedule asks for, planned three weeks ahead.
    "evaluations-plan-due": {
        "task": "programmes.guidance_tasks.evaluations_plan_due_all",
        "schedule": 6 * 60 * 60,
    },
    "document-requeue-stale": {"task": "programmes.tasks.document_requeue_stale", "schedule": 120},
    "bulk-requeue-stale": {"task": "programmes.tasks.bulk_requeue_stale", "schedule": 120},
    # Each person's daily digest from their chosen hour: checked every quarter of an hour.
    "notification-digests": {
        "task": "programmes.tasks.notification_digests_send",
        "schedule": 15 * 60,
    },
    "notifications-retention": {
        "task": "programmes.tasks.notifications_delete_expired",
        "schedule": 24 * 60 * 60,
    },
    "reads-retention": {
        "task": "programmes.tasks.reads_delete_expired",
        "schedule": 24 * 60 * 60,
    },
    "round-reminders": {"task": "patrols.tasks.round_reminders_send", "schedule": 15 * 60},
    # Members whose pause ended are active again (scheduled and reminded) from the next day.
    "membership-pauses-end": {
        "task": "programmes.tasks.membership_pauses_end",
        "schedule": 60 * 60,
    },
    # New signals to the client's staff (the daily digest has time; urgent ones go at once).
    "signals-notify-new": {"task": "patrols.notifications.signals_notify_new", "schedule": 5 * 60},
    "signals-notify-overdue": {
        "task": "patrols.notifications.signals_notify_overdue",
        "schedule": 60 * 60,
    },
    "signal-photo-requeue-stale": {
        "task": "patrols.tasks.signal_photo_requeue_stale",
        "schedule": 120,
    },
    # Hand-offs to a client's own system whose task was lost, or whose worker died mid-send.
    "handoff-requeue-stale": {
        "task": "patrols.handoff.tasks.handoff_requeue_stale",
        "schedule": 60,
    },
    # The statuses of signals handed to a client's Open311 system, read back.
    "handoff-open311-poll": {
        "task": "patrols.handoff.tasks.open311_poll_all",
        "schedule": 5 * 60,
    },
    # Retention of personal data: every app's rules, each client's own terms, logged per run.
    "privacy-retention": {
        "task": "programmes.privacy_tasks.privacy_retention_run",
        "schedule": 24 * 60 * 60,
    },
    "applications-retention": {
        "task": "recruitment.tasks.applications_delete_expired",
        "schedule": 24 * 60 * 60,
    },
    "orphan-files-sweep": {"task": "programmes.tasks.orphan_files_sweep", "schedule": 6 * 60 * 60},
    # The dashboard's summaries: the cells touched since the last run, and a nightly rebuild.
    "summaries-refresh": {
        "task": "reporting.tasks.summary.summaries_refresh_touched",
        "schedule": 5 * 60,
    },
    "summaries-rebuild": {
        "task": "reporting.tasks.summary.summaries_rebuild_all",
        "schedule": 24 * 60 * 60,
    },
    # Periodic reports: drafted from the first working day of a month or quarter (hourly, so a
    # run missed is made up; one report per programme and period), and approved ones whose
    # PDF the document sweep gave up on marked failed.
    "reports-draft-due": {"task": "reporting.tasks.reports.reports_draft_due", "schedule": 60 * 60},
    "reports-fail-unmade": {
        "task": "reporting.tasks.reports.reports_fail_unmade",
        "schedule": 10 * 60,
    },
    # Background exports: requeue those a dead worker left, fail after their attempts, delete
    # the files past their week.
    "export-jobs-sweep": {"task": "reporting.tasks.exports.export_jobs_sweep", "schedule": 120},
}

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Accounts (django-allauth): e-mail login, no public sign-up, login by e-mail code, TOTP.
ACCOUNT_ADAPTER = "programmes.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "BewonersTeam: "
ACCOUNT_RATE_LIMITS = {
    # Per address, and per account from one address (the key includes the address, see
    # programmes/adapters.py): five wrong passwords never lock the owner out elsewhere.
    "login_failed": "20/5m/ip,5/5m/key",
    # Per account from every address together: slows a guess spread over many addresses.
    "login_failed_account": "50/h/key",
    "login": "30/m/ip",
    "request_login_code": "10/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# The reverse proxies in front of us, for allauth's login limits and our own public-form
# limits alike (programmes/net.py): how many append to X-Forwarded-For, or the one header a
# proxy sets to the client's address (e.g. X-Real-IP), which then wins.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "BewonersTeam"

INVITATION_VALID_DAYS = 14

# A decision that mails someone (not selected, selected, a certificate revoked) is held this
# many seconds before the mail leaves, so it can be undone.
DECISION_UNDO_SECONDS = int(env("DECISION_UNDO_SECONDS", "300"))

# Map tiles for the signal map: the Dutch PDOK BRT base map by default; any XYZ tile URL works.
# Empty: the map shows the signals without a background (tests, offline installations).
MAP_TILE_URL = env(
    "MAP_TILE_URL",
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
)
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "Kaartgegevens &copy; Kadaster (PDOK)")

# Content Security Policy (Django's own middleware): scripts only from ourselves or with the
# request's nonce; no inline scripts or styles without it. Images may also come from the map's
# tile server.
_TILE_ORIGIN = (
    "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("https://") else None
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Every line goes through the console handler, which masks the secrets of personal links
# (invitation and reset tokens, login codes) in logged paths: Django logs the path of a 404 or
# a refused form, the development server every request line (programmes/logredact.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "programmes.logredact.RedactSecretsFilter"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "server": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets"],
            "formatter": "server",
        },
    },
    "loggers": {"django.server": {"handlers": ["server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
