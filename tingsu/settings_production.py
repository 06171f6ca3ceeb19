"""Production settings: `DJANGO_SETTINGS_MODULE=tingsu.settings_production`.

Everything in tingsu.settings (read from the same environment variables) plus what a
deployment that scales out needs: PostgreSQL with a connection pool, a Redis cache, an
optional read replica for analytics and exports, S3-compatible media, HTTPS-only cookies
and HSTS, and JSON logs on stdout. It refuses to start on SQLite, without a real secret
key, without TINGSU_ALLOWED_HOSTS or without TINGSU_REDIS_URL. See README "Production,
in short" and "Scaling".
"""

import copy
import importlib.util
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tingsu.settings import *  # noqa: F403
from tingsu.settings import DATABASE_URL, env_bool

DEBUG = False


def _require(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The production settings need {name}: {why}")
    return value


# Secret key: from the environment, long and random; never the local-runs default.
SECRET_KEY = os.environ.get("TINGSU_SECRET_KEY") or os.environ.get("SECRET_KEY") or ""
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or "insecure" in SECRET_KEY:
    raise ImproperlyConfigured(
        "The production settings need TINGSU_SECRET_KEY: at least 50 random characters, e.g. "
        'python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in _require("TINGSU_ALLOWED_HOSTS", "the host names Tingsu is served as").split(",")
    if h.strip()
]

# Database: PostgreSQL only, pooled. With a pool, CONN_MAX_AGE must be 0 (Django returns
# the connection to the pool at the end of each request instead of closing it).
if not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
    raise ImproperlyConfigured(
        "The production settings need PostgreSQL: set DATABASE_URL=postgres://... "
        "(SQLite is the embedded default for one machine, use tingsu.settings for it)."
    )
DB_POOL = env_bool("TINGSU_DB_POOL", True)
if DB_POOL and importlib.util.find_spec("psycopg_pool") is None:
    raise ImproperlyConfigured(
        'TINGSU_DB_POOL is on but psycopg_pool is not installed: pip install "psycopg[pool]", '
        "or set TINGSU_DB_POOL=0 to use persistent connections instead."
    )


def _postgres(url: str) -> dict:
    db = dj_database_url.parse(url, conn_max_age=0 if DB_POOL else 60, conn_health_checks=True)
    if DB_POOL:
        db["CONN_HEALTH_CHECKS"] = False  # the pool checks connections itself
        db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("TINGSU_DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("TINGSU_DB_POOL_MAX", "10")),
            "timeout": float(os.environ.get("TINGSU_DB_POOL_TIMEOUT", "10")),
        }
    return db


DATABASES = {"default": _postgres(DATABASE_URL)}

# A read replica, opt-in per block of code with tingsu.db_routers.using_replica() (analytics,
# exports); ordinary reads stay on the primary and never see replication lag.
REPLICA_DATABASE_URL = os.environ.get("TINGSU_REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {**_postgres(REPLICA_DATABASE_URL), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["tingsu.db_routers.ReplicaRouter"]

# Cache shared by every web node and worker; sessions are read through it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _require("TINGSU_REDIS_URL", "the cache shared by all nodes (redis://...)"),
        "KEY_PREFIX": os.environ.get("TINGSU_CACHE_PREFIX", "tingsu"),
        "TIMEOUT": 300,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background work stays on PostgreSQL (django-tasks-db), inherited from tingsu.settings;
# TINGSU_TASKS_BACKEND selects another django-tasks backend.

# Media on S3-compatible storage (AWS S3, MinIO, Aliyun OSS, Tencent COS) when a bucket is
# set; private objects, handed out as signed URLs that expire. Without a bucket, media stays
# on the local disk under TINGSU_MEDIA_ROOT (one web node, or a shared volume).
S3_BUCKET = os.environ.get("TINGSU_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "tingsu.privacy.storage.EncryptedFileSystemStorage"},
    # Hashed, compressed static files served by whitenoise (needs `collectstatic`).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "tingsu.privacy.storage_s3.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("TINGSU_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("TINGSU_S3_REGION") or None,
            "access_key": os.environ.get("TINGSU_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("TINGSU_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("TINGSU_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("TINGSU_S3_URL_SECONDS", "300")),
            "file_overwrite": False,
            "addressing_style": os.environ.get("TINGSU_S3_ADDRESSING_STYLE") or None,
        },
    }

# HTTPS everywhere. Behind a TLS-terminating proxy (ingress, load balancer) set
# TINGSU_BEHIND_PROXY=1 so X-Forwarded-Proto: https counts as a secure request.
if env_bool("TINGSU_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("TINGSU_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes talk plain HTTP inside the cluster
SECURE_HSTS_SECONDS = int(os.environ.get("TINGSU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TINGSU_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("TINGSU_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("TINGSU_SESSION_SECONDS", str(8 * 3600)))

# JSON lines on stdout for the log collector; the base settings' handlers and filters are
# kept, only their format and stream change.
LOGGING = copy.deepcopy(LOGGING)  # noqa: F405
LOGGING.setdefault("formatters", {})["json"] = {"()": "tingsu.logging_json.JsonFormatter"}
for _handler in LOGGING["handlers"].values():
    if _handler.get("class") == "logging.StreamHandler":
        _handler.update(formatter="json", stream="ext://sys.stdout")
