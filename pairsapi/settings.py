"""Settings for Pairs-API. Everything comes from the environment; the defaults suit a laptop."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG", False)

# Stable across processes and restarts so a token minted by one worker is valid on all; known
# to anyone who reads this file, so production refuses it (pairsapi.checks).
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DEMO_PASSPHRASE = "webhook"
WEBHOOK_PASSPHRASE = os.environ.get("WEBHOOK_PASSPHRASE", DEMO_PASSPHRASE)
# Production refuses the documented demo secrets unless this says they are wanted (a demo box).
# These rules, and every other one a server must meet before it serves, are system checks
# (pairsapi/checks.py).
ALLOW_DEMO_SECRETS = env_flag("ALLOW_DEMO_SECRETS", False)
# An alert's optional alert_id: a second alert with the same id within this many seconds is a
# replay and stores nothing.
# Every alert is checked against the registry: it holds at most this many of each.
REGISTRY_MAX_TICKERS = int(os.environ.get("REGISTRY_MAX_TICKERS", "2000"))
REGISTRY_MAX_PAIRS = int(os.environ.get("REGISTRY_MAX_PAIRS", "1000"))
ALERT_DEDUPE_WINDOW = int(os.environ.get("ALERT_DEDUPE_WINDOW", str(24 * 60 * 60)))
# The watchdog (manage.py watchdog): how often it checks, and when a signal is late.
WATCHDOG_INTERVAL = float(os.environ.get("WATCHDOG_INTERVAL", "5"))
# Under the risk settings' max_signal_age (120 s by default), past which a signal expires.
ALERT_WAITING_AFTER = int(os.environ.get("ALERT_WAITING_AFTER", "60"))
ALERT_UNFILLED_AFTER = int(os.environ.get("ALERT_UNFILLED_AFTER", "900"))
# Requests held open (signal streams, long polls) per worker process: the rest of its threads
# stay free for everything else (gunicorn.conf.py: WEB_THREADS per worker).
HELD_REQUESTS_PER_WORKER = int(
    os.environ.get(
        "HELD_REQUESTS_PER_WORKER", str(max(1, int(os.environ.get("WEB_THREADS", "16")) // 2))
    )
)
# Of those, the places kept for the bridge (the passphrase) alone, and the most one user (a
# token, a console page's login, however many tabs) may hold.
HELD_FOR_BRIDGE = int(os.environ.get("HELD_FOR_BRIDGE", "2"))
HELD_PER_USER = int(os.environ.get("HELD_PER_USER", "3"))
STREAM_HEARTBEAT_SECONDS = float(os.environ.get("STREAM_HEARTBEAT_SECONDS", "15"))
ALERT_BRIDGE_SILENT_AFTER = int(os.environ.get("ALERT_BRIDGE_SILENT_AFTER", "120"))
# Where notifications link to: the address people reach the service at.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000")
# Notifications (safetynet.notify): Apprise URLs, comma-separated, and e-mail recipients.
NOTIFY_URLS = env_list("NOTIFY_URLS")
NOTIFY_EMAILS = env_list("NOTIFY_EMAILS")
NOTIFY_ATTEMPTS = int(os.environ.get("NOTIFY_ATTEMPTS", "3"))
NOTIFY_FIRST_RETRY_SECONDS = float(os.environ.get("NOTIFY_FIRST_RETRY_SECONDS", "2"))
NOTIFY_DEADLINE_SECONDS = float(os.environ.get("NOTIFY_DEADLINE_SECONDS", "30"))
# Django's e-mail, from the usual variables.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pairs-api@localhost")
# Refused webhook writes are kept this many days for staff (signals.rejections).
REJECTED_KEEP_DAYS = int(os.environ.get("REJECTED_KEEP_DAYS", "30"))
# `make bench` only: routes /bench/insert, the insert-only baseline the webhook is measured by.
BENCH_BASELINE = env_flag("BENCH_BASELINE", False)
DISPLAY_TIME_ZONE = os.environ.get("DISPLAY_TIME_ZONE", "America/Los_Angeles")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pairsapi.apps.PairsApiConfig",
    "accounts",
    "instruments",
    "signals.apps.SignalsConfig",
    "pnl",
    "safetynet",
    "audit.apps.AuditConfig",
]

MIDDLEWARE = [
    "pairsapi.middleware.RequestLogMiddleware",
    "pairsapi.middleware.ApiRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pairsapi.middleware.ActorMiddleware",
    "accounts.middleware.DisplayZoneMiddleware",
    "safetynet.middleware.BridgeContactMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pairsapi.middleware.ApiServerErrorMiddleware",
]

ROOT_URLCONF = "pairsapi.urls"
WSGI_APPLICATION = "pairsapi.wsgi.application"

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
                "signals.context_processors.trading_halt",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite; a busy timeout keeps concurrent writers waiting
    # instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE: a transaction takes the write lock when it begins, so two fill reports for one
    # signal queue up instead of both reading and then one failing to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # A file, not memory, so that server processes started by the tests share the test database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "SQLITE_TEST_NAME", str(BASE_DIR / "test-db.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every new or changed password, on every path (the API with DEBUG off, the admin, Django's
# password forms); the demo users seeded with DEBUG on are the documented exception.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves compressed files with content hashes in their names (run collectstatic);
# STATIC_MANIFEST=0 serves them straight from the source folders instead (tests, development).
STATIC_MANIFEST = env_flag("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Requests under /v3/ are small JSON bodies; anything larger is refused with 413.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(64 * 1024)))

# Production hardening; SECURE_SSL_REDIRECT=0 where TLS ends elsewhere without
# X-Forwarded-Proto (or for a plain-HTTP loopback run).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)

# Counters shared by every worker (throttling): Redis when REDIS_URL is set, else the database.
# Redis must answer within REDIS_TIMEOUT_SECONDS, else the counters fall back to the database for
# REDIS_RETRY_AFTER_SECONDS (pairsapi.api.throttles): no alert waits on a counter.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.05"))
REDIS_RETRY_AFTER_SECONDS = float(os.environ.get("REDIS_RETRY_AFTER_SECONDS", "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pairsapi",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pairsapi_cache",
        }
    }

# Content-Security-Policy (django-csp): scripts only from our own files, never inline; inline
# styles stay allowed because the admin's widgets and Swagger UI set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "signals:dashboard"
LOGOUT_REDIRECT_URL = "signals:dashboard"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "pairsapi.api.parsers.V3JSONParser",
        "pairsapi.api.parsers.PlainTextJSONParser",
        "pairsapi.api.parsers.FormOrJSONParser",
        "rest_framework.parsers.MultiPartParser",
        # Last: a body with no Content-Type.
        "pairsapi.api.parsers.UnlabelledJSONParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "EXCEPTION_HANDLER": "pairsapi.api.errors.v3_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
    # The client address is REMOTE_ADDR unless NUM_PROXIES trusted proxies add X-Forwarded-For.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("LOGIN_THROTTLE_RATE", "10/min"),
        "passphrase": os.environ.get("PASSPHRASE_THROTTLE_RATE", "600/min"),
        "registry": os.environ.get("REGISTRY_THROTTLE_RATE", "60/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "pairsapi.api.openapi.V3AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pairs-API v3",
    "DESCRIPTION": "Trading back office: TradingView webhooks, signals, fills, positions, PNL.",
    "VERSION": "3",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # JSON is what clients send; the other parsers are leniencies, not part of the description.
    "PARSER_WHITELIST": ["pairsapi.api.parsers.V3JSONParser"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pairsapi.api.openapi.add_error_responses",
    ],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=10),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("REFRESH_TOKEN_DAYS", "30"))),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "bare": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "bare": {"class": "logging.StreamHandler", "formatter": "bare"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # The request log line is already JSON: print it as it is.
        "pairsapi.requests": {"handlers": ["bare"], "level": "INFO", "propagate": False},
    },
}
