"""Django settings for Stella, driven by environment variables (documented in docs/operations.md).

STELLA_DATABASE_URL  database URL; default: SQLite file var/stella.sqlite3
STELLA_SECRET_KEY    secret key; default: generated once into var/secret_key (never committed)
STELLA_DEBUG         "1"/"true" turns debug mode on (off by default)
STELLA_ALLOWED_HOSTS comma-separated host names (default: localhost,127.0.0.1)
STELLA_VAR_DIR       directory for the SQLite file, the secret key and attachments (default: ./var)
STELLA_MEDIA_ROOT    where attachments are stored (default: $STELLA_VAR_DIR/attachments)
STELLA_PRODUCTION    "1" enables HTTPS-only cookies, HSTS and SSL redirect (used by check-deploy)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


VAR_DIR = Path(os.environ.get("STELLA_VAR_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("STELLA_SECRET_KEY")
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written once with owner-only permissions; var/ is git-ignored.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("STELLA_DEBUG")
PRODUCTION = _flag("STELLA_PRODUCTION")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("STELLA_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "stella.core",
    "stella.agencies",
    "stella.accounts",
    "stella.authz",
    "stella.audit",
    "stella.people",
    "stella.cases",
    "stella.rules",
    "stella.journey",
    "stella.competences",
    "stella.offers",
    "stella.matching",
    "stella.linkage",
    "stella.reporting",
    "stella.api",
    "stella.web",
    "stella.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stella.web.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stella.urls"
WSGI_APPLICATION = "stella.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stella.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("STELLA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'stella.sqlite3'}"),
        conn_max_age=int(os.environ.get("STELLA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the dev server, a worker and the CLI share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failures per user name and address lock for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("STELLA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

# Sessions end after 30 minutes without activity and at the latest when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("STELLA_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# API bearer tokens live this long (hours).
API_TOKEN_TTL_HOURS = int(os.environ.get("STELLA_API_TOKEN_TTL_HOURS", "12"))

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("STELLA_MEDIA_ROOT", VAR_DIR / "attachments")).resolve()
ATTACHMENT_MAX_BYTES = int(os.environ.get("STELLA_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("STELLA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Background jobs (ADR 0008): Django's Tasks framework (django-tasks backport) with the database backend;
# run the worker with `stella db-worker`. STELLA_TASKS_BACKEND may name another backend (e.g. the
# ImmediateBackend for a single-process demo, or an RQ backend when one worker is not enough).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("STELLA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

def _probability(name: str) -> float | None:
    """An optional probability from the environment (0 < p ≤ 1); a bad value stops the start with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} muss eine Wahrscheinlichkeit über 0 und höchstens 1 sein, nicht „{raw}“.")
    return value


# Duplicate detection (docs/linkage-review.md). Unset = the defaults in stella/linkage/online.py; automatic
# merging stays off unless STELLA_LINKAGE_AUTO_MERGE_THRESHOLD is set.
STELLA_LINKAGE_SHOW_THRESHOLD = _probability("STELLA_LINKAGE_SHOW_THRESHOLD")
STELLA_LINKAGE_QUEUE_THRESHOLD = _probability("STELLA_LINKAGE_QUEUE_THRESHOLD")
STELLA_LINKAGE_AUTO_MERGE_THRESHOLD = _probability("STELLA_LINKAGE_AUTO_MERGE_THRESHOLD")


def _count(name: str, default: int) -> int:
    """A non-negative whole number from the environment; a bad value stops the start with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} muss eine nicht negative ganze Zahl sein, nicht „{raw}“.")
    return int(raw)


# Outcome reports (docs/reporting.md): reference months kept as pre-aggregated cells, minutes after which a
# report run queues the background refresh (0: only `stella reporting refresh`/cron), PostgreSQL work_mem of the
# cube build.
STELLA_REPORTING_MONTHS = _count("STELLA_REPORTING_MONTHS", 60) or 60
STELLA_REPORTING_REFRESH_MINUTES = _count("STELLA_REPORTING_REFRESH_MINUTES", 10)
STELLA_REPORTING_WORK_MEM = os.environ.get("STELLA_REPORTING_WORK_MEM", "256MB")
# Engine of the cube build: auto (DuckDB from 100,000 fact spans), duckdb or sql; DuckDB's memory and threads.
STELLA_REPORTING_ENGINE = os.environ.get("STELLA_REPORTING_ENGINE", "auto")
STELLA_REPORTING_DUCKDB_MEMORY = os.environ.get("STELLA_REPORTING_DUCKDB_MEMORY", "4GB")
STELLA_REPORTING_DUCKDB_THREADS = _count("STELLA_REPORTING_DUCKDB_THREADS", 2) or 2


SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STELLA_LOG_LEVEL", "WARNING")},
}
