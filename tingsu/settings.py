"""Settings, read from environment variables (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TINGSU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("TINGSU_DEBUG", False)
SECRET_KEY = os.environ.get("TINGSU_SECRET_KEY") or os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    # A stable key for local runs only; production must set TINGSU_SECRET_KEY.
    SECRET_KEY = "tingsu-insecure-local-key-set-TINGSU_SECRET_KEY-in-production"
ALLOWED_HOSTS = os.environ.get("TINGSU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("TINGSU_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # The API docs page serves Swagger UI from ninja's own static files, not a CDN.
    "ninja",
    "tingsu.core",
    "tingsu.audit",
    "tingsu.accounts",
    "tingsu.privacy",
    "tingsu.customers",
    "tingsu.cases",
    "tingsu.portal",
    "tingsu.desk",
    "tingsu.channels",
    "tingsu.channels.wechat",
    "tingsu.channels.email",
    "tingsu.channels.phone",
    "tingsu.channels.sms",
    "tingsu.webhooks",
    "tingsu.triage",
    "tingsu.triage.learning",
    "tingsu.sla",
    "tingsu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tingsu.audit.middleware.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tingsu.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tingsu.accounts.middleware.IdleTimeoutMiddleware",
    "tingsu.accounts.middleware.TwoFactorRequiredMiddleware",
    "tingsu.accounts.middleware.ComplianceReadOnlyAdminMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tingsu.urls"
WSGI_APPLICATION = "tingsu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tingsu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in WAL mode under ./var by default; DATABASE_URL selects PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tingsu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (per thread) like PostgreSQL's, so SQLite's page cache stays warm
    # between requests instead of every request reading its pages from the OS again.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("TINGSU_DB_CONN_MAX_AGE", "600"))
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:queue"
LOGOUT_REDIRECT_URL = "desk:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Access and accounts (README "Security"). Failed logins lock out a username from an
# address (django-axes); the check runs in the first backend, the password in the second.
AUTHENTICATION_BACKENDS = [
    "tingsu.accounts.backends.LoginAttemptBackend",
    "tingsu.accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("TINGSU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("TINGSU_LOGIN_COOLOFF_MINUTES", "30")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "tingsu.accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TINGSU_TRUSTED_PROXIES", "0")) or None
# Admin, compliance and superusers must pass TOTP two-factor before any staff page;
# others may enrol. Tests switch enforcement off unless they test it (conftest.py).
TINGSU_TWO_FACTOR_REQUIRED = env_bool("TINGSU_TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = os.environ.get("TINGSU_OTP_ISSUER", "Tingsu")
# A session ends after this long without a request (refreshed at most once a minute).
TINGSU_SESSION_IDLE_MINUTES = int(os.environ.get("TINGSU_SESSION_IDLE_MINUTES", "480"))
# Lists (desk queue, API list, export check) count at most this many rows past the page
# start, then say "1,000+": a full COUNT(*) grows with the table (tingsu/core/pagination.py).
TINGSU_LIST_COUNT_CAP = int(os.environ.get("TINGSU_LIST_COUNT_CAP", "1000"))
SESSION_COOKIE_AGE = TINGSU_SESSION_IDLE_MINUTES * 60

LANGUAGE_CODE = os.environ.get("TINGSU_LANGUAGE", "zh-hans")
TINGSU_LANGUAGE_FROM_BROWSER = env_bool("TINGSU_LANGUAGE_FROM_BROWSER", False)
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tingsu" / "locale"]
TIME_ZONE = os.environ.get("TINGSU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STATICFILES_DIRS = [d for d in STATICFILES_DIRS if d[1].exists()]
STATICFILES_DIRS.append(BASE_DIR / "tingsu" / "static")
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("TINGSU_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "tingsu.privacy.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TINGSU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security headers (README "Security"). HTTPS-only cookies and HSTS when the operator
# says the site is served over HTTPS (tingsu.settings_production turns them on).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("TINGSU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("TINGSU_HSTS_SECONDS", "0"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: behaviour lives in static/tingsu/tingsu.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Outgoing email (notifications): SMTP with these settings (README "Channels").
# Without an SMTP host (a laptop running `make run`), mail is written to ./var/mail/
# instead of failing against localhost:25; set TINGSU_EMAIL_HOST to send for real.
EMAIL_BACKEND = os.environ.get("TINGSU_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("TINGSU_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("TINGSU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TINGSU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TINGSU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TINGSU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TINGSU_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("TINGSU_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("TINGSU_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("TINGSU_DEFAULT_FROM_EMAIL", "tingsu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# User input in a log message cannot forge a line: control characters are escaped.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"escape": {"()": "tingsu.core.logging.EscapeControlCharsFilter"}},
    "formatters": {"escaped": {"()": "tingsu.core.logging.EscapingFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["escape"],
            "formatter": "escaped",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("TINGSU_LOG_LEVEL", "INFO")},
}

# Personal data (README "Personal data"): "kid:base64" 32-byte keys, comma separated, the first
# encrypts; or a file with one per line. Unset means a development key and a deploy warning.
TINGSU_PII_KEYS = os.environ.get("TINGSU_PII_KEYS", "")
TINGSU_PII_KEY_FILE = os.environ.get("TINGSU_PII_KEY_FILE", "")
TINGSU_PII_INDEX_KEYS = os.environ.get("TINGSU_PII_INDEX_KEYS", "")
TINGSU_PII_INDEX_KEY_FILE = os.environ.get("TINGSU_PII_INDEX_KEY_FILE", "")

# Domain settings.
TINGSU = {
    "CASE_NUMBER_PREFIX": os.environ.get("TINGSU_CASE_NUMBER_PREFIX", "TS"),
    "REOPEN_WINDOW_DAYS": int(os.environ.get("TINGSU_REOPEN_WINDOW_DAYS", "7")),
    "AUTO_CLOSE_AFTER_DAYS": int(os.environ.get("TINGSU_AUTO_CLOSE_AFTER_DAYS", "7")),
    "MAX_DESCRIPTION_CHARS": 20_000,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "MAX_ATTACHMENTS": 5,
    # Files and input (README "Security"): rows per desk export; portal look-ups allowed per
    # IP and per case number, as "count/seconds".
    "EXPORT_MAX_ROWS": int(os.environ.get("TINGSU_EXPORT_MAX_ROWS", "10000")),
    "PORTAL_LOOKUP_RATE": os.environ.get("TINGSU_PORTAL_LOOKUP_RATE", "10/600"),
    "ALLOWED_ATTACHMENT_TYPES": {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".pdf": "application/pdf",
        ".txt": "text/plain",
        ".mp3": "audio/mpeg",
        ".m4a": "audio/mp4",
        ".mp4": "video/mp4",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    "SITE_URL": os.environ.get("TINGSU_SITE_URL", "http://127.0.0.1:8000"),
    # Channels core (README "Channels"): the same customer writing again about the same
    # matter (character-bigram cosine >= DUPLICATE_SIMILARITY) within the window is appended.
    "DUPLICATE_SIMILARITY": float(os.environ.get("TINGSU_DUPLICATE_SIMILARITY", "0.5")),
    "DUPLICATE_WINDOW_DAYS": float(os.environ.get("TINGSU_DUPLICATE_WINDOW_DAYS", "7")),
    "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("TINGSU_OUTBOX_MAX_ATTEMPTS", "6")),
    "OUTBOX_LEASE_SECONDS": float(os.environ.get("TINGSU_OUTBOX_LEASE_SECONDS", "60")),
    # The most outbox rows one delivery task takes (a transaction's rows go as one task; a
    # bulk notice is spread over several, so several workers share it).
    "OUTBOX_BATCH_SIZE": int(os.environ.get("TINGSU_OUTBOX_BATCH_SIZE", "50")),
    "MESSAGE_ID_DOMAIN": os.environ.get("TINGSU_MESSAGE_ID_DOMAIN", ""),
    # Email channel (README "Channels"); a blank token turns the raw-MIME webhook off (404).
    "EMAIL_WEBHOOK_TOKEN": os.environ.get("TINGSU_EMAIL_WEBHOOK_TOKEN", ""),
    "EMAIL_MAX_BYTES": int(os.environ.get("TINGSU_EMAIL_MAX_BYTES", str(25 * 1024 * 1024))),
    "EMAIL_MAX_MIME_DEPTH": 10,
    "EMAIL_MAX_ATTACHMENTS": 20,
    # Phone and SMS channels (README "Channels"); a blank secret turns its webhook off (404).
    "DEFAULT_PHONE_REGION": os.environ.get("TINGSU_DEFAULT_PHONE_REGION", "CN"),
    "CTI_SECRET": os.environ.get("TINGSU_CTI_SECRET", ""),
    "SMS_SECRET": os.environ.get("TINGSU_SMS_SECRET", ""),
    "SMS_HTTP_URL": os.environ.get("TINGSU_SMS_HTTP_URL", ""),
    "SMS_HTTP_TOKEN": os.environ.get("TINGSU_SMS_HTTP_TOKEN", ""),
    # Triage classifier: a prediction at or above this confidence is applied, below it is
    # shown to the agent as a suggestion.
    "TRIAGE_APPLY_THRESHOLD": float(os.environ.get("TINGSU_TRIAGE_APPLY_THRESHOLD", "0.8")),
    # Audit trail (README "Security"): X-Forwarded-For is believed only behind this many
    # proxies; the chain head is anchored (logged and stored) every N minutes.
    "TRUSTED_PROXIES": int(os.environ.get("TINGSU_TRUSTED_PROXIES", "0")),
    "AUDIT_ANCHOR_MINUTES": float(os.environ.get("TINGSU_AUDIT_ANCHOR_MINUTES", "60")),
    # Intake (README "Performance"): the API accepts a complaint (number, case, created
    # event, audit entry) and leaves notifications, SLA timers, triage, routing and
    # assignment to the task worker, seconds later. Off: all of it inside the request.
    "INTAKE_DEFERRED": env_bool("TINGSU_INTAKE_DEFERRED", True),
    # Each intake task processes its own case, then up to this many other pending ones in
    # transactions of ten (one commit and audit-chain append for each ten); 0: none.
    "INTAKE_BATCH_SIZE": int(os.environ.get("TINGSU_INTAKE_BATCH_SIZE", "50")),
}
