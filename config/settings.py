"""Onward's one settings module. Every knob comes from an environment variable with a safe default;
the README's table lists them. With nothing set, Onward runs on the embedded default: SQLite in
``data/`` and Celery tasks executed eagerly in-process."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url):
    """postgres://user:pass@host:port/name?sslmode=require → Django's DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parsed.scheme}://")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": int(env("DATABASE_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": env("DATABASE_TEST_NAME") or None},
    }


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env("ONWARD_DATA_DIR", str(BASE_DIR / "data")))

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("ONWARD_ALLOW_INSECURE_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY, or DEBUG=1 for local development "
            "(bin/demo does this for you)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - only with DEBUG

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    # Authentication: allauth's log-in, two-factor (TOTP, recovery codes, passkeys) and per-user
    # session list; axes locks an account after repeated failed log-ins (docs/security.md says why).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django.contrib.humanize",  # allauth's session list
    "axes",
    "core",
    "audit",
    "sources",
    "jurisdictions",
    "people",
    "cases",
    "cases.imports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.SessionMiddleware",  # renews the idle expiry every few minutes, not every request
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.UserSessionActivityMiddleware",  # allauth's session list, written every few minutes
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.RequireTwoFactorMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    "audit.middleware.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out log-in into the lockout page
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
    {
        # The bodies of the busiest pages (case list, search, case page and its risk panel): core/jinja.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja.environment"},
    },
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "onward.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Log-in through allauth (username only, no self sign-up: admins create accounts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before any password check
    "django.contrib.auth.backends.ModelBackend",
]
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "core.auth.OnwardAccountAdapter"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # Django ends every *other* session when the password changes
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Per address: allauth throttles failed log-ins from one IP (cache-backed); per username: axes below.
ACCOUNT_RATE_LIMITS = {"login_failed": env("LOGIN_RATE_LIMIT_PER_ADDRESS", "30/15m/ip")}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_ADAPTER = "core.auth.OnwardMFAAdapter"  # TOTP secrets encrypted at rest
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Onward"
MFA_TOTP_TOLERANCE = 1  # RFC 6238 §5.2: accept one step of clock drift
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # passkeys need https, except on localhost in development
# Roles that may not use Onward until they have enrolled a second factor (core/middleware.py).
ONWARD_MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "admin,lawyer")
USERSESSIONS_TRACK_ACTIVITY = True

# Per-username lockout (django-axes): after AXES_FAILURE_LIMIT failures the account is locked until
# the cool-off passes or an admin unlocks it (Admin → Axes → Access attempts, or `manage.py axes_reset_username`).
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "10"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = float(env("LOGIN_LOCKOUT_HOURS", "1")) or None
AXES_USERNAME_CALLABLE = "core.auth.username_from_login"
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # X-Forwarded-For is forged unless a trusted proxy sets it
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False  # failures are in the access log (audit/receivers.py)
# axes.W006 asks to lock by address too: one shared address (an NGO office) would then lock everyone;
# failures per address are throttled by allauth's rate limit above instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))

# Timeline exports (cases/exports). Files prepared in the background live here, never served directly:
# only their owner downloads them, through a view that checks they can still see the case.
EXPORT_ROOT = MEDIA_ROOT / "exports"
# PDFs with more timeline entries than this are prepared by a Celery task with progress on the page.
EXPORT_ASYNC_THRESHOLD = int(env("EXPORT_ASYNC_THRESHOLD", "200"))
# Fonts embedded in the PDF (Cyrillic and Latin): Debian's fonts-dejavu-core.
EXPORT_FONT_DIR = Path(env("EXPORT_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
# Source documents: never served from a URL of their own, only through sources.views.document_download.
DOCUMENT_MAX_BYTES = int(float(env("DOCUMENT_MAX_MB", "50")) * 1024 * 1024)
# Spreadsheets with more rows than this import in a Celery task with progress on the page.
IMPORT_TASK_THRESHOLD = int(env("IMPORT_TASK_THRESHOLD", "500"))

# Sessions: expire after inactivity (seconds). The expiry is renewed (and allauth's "last seen" in
# the session list recorded) at most every ONWARD_SESSION_TOUCH_INTERVAL seconds, not on every request
# (core/middleware.py): an idle session ends between SESSION_IDLE_TIMEOUT minus that and SESSION_IDLE_TIMEOUT.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_TIMEOUT", str(60 * 60)))
ONWARD_SESSION_TOUCH_INTERVAL = min(300, SESSION_COOKIE_AGE // 4)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Sessions live in the database (a user's sessions can be listed and ended). With Redis they are read
# through the shared cache (no session query on most requests); ending a session (sign out everywhere)
# goes through the session store, which clears both. Without Redis each process would have its own
# memory cache, where a session ended by another process would live on: then the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The cache holds log-in rate-limit counters: shared through Redis when there is one.
if REDIS_URL := env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache",  # Django's, with one client per pool
                          "LOCATION": env("CACHE_URL", REDIS_URL), "KEY_PREFIX": "onward"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Browser hardening. Onward serves every asset itself: no CDN, no external origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Declares the site fit for browsers' HSTS preload lists (submitting it is a separate, manual step).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Email (Django 6.1 MAILERS). Console in development; SMTP configured by EMAIL_* variables otherwise.
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "25")),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "onward@localhost")

# Celery. Without REDIS_URL tasks run eagerly in-process (the embedded default).
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task unacknowledged this long is handed to another worker: longer than any task runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BEAT_SCHEDULE = {
    # cases/tasks.py: every case in chunks nightly; urgency (hearings within the window) daily;
    # the sweep runs evaluations whose doorbell Redis lost (Redis keeps nothing on disk).
    "risk-reevaluate-all": {"task": "cases.tasks.reevaluate_all", "schedule": 24 * 60 * 60},
    "risk-check-deadlines": {"task": "cases.tasks.check_deadlines", "schedule": 24 * 60 * 60},
    "risk-sweep-pending": {"task": "cases.tasks.evaluate_pending", "schedule": 5 * 60},
    # cases/exports/tasks.py: background exports whose task Redis lost, or whose worker died.
    "exports-requeue-stale": {"task": "cases.exports.tasks.requeue_stale_exports", "schedule": 5 * 60},
}

# Risk engine (cases/risk.py). Services call these after saving facts (core/editing.py).
ONWARD_FACT_HOOKS = ["cases.risk.fact_changed"]
RISK_CHUNK_SIZE = int(env("RISK_CHUNK_SIZE", "2000"))
# A claimed evaluation not finished within this many seconds is presumed abandoned (a dead worker).
RISK_CLAIM_LEASE_SECONDS = int(env("RISK_CLAIM_LEASE_SECONDS", "600"))
# Tests only: make each evaluation task sleep, to kill its worker mid-task.
RISK_TEST_DELAY_SECONDS = float(env("RISK_TEST_DELAY_SECONDS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
