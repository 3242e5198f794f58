"""Settings for the hub: one module, every value from the environment with a working default.

The defaults run the whole site on one machine with nothing else installed: SQLite, blobs in a
local folder and a Celery broker kept in files. `.env.example` documents every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hub.env import env_bool, env_int, env_list, env_str, load_dotenv
from hub.openapi import OPENAPI_SETTINGS

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")
DATA_DIR = Path(env_str("HUB_DATA_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
HUB_SITE_URL = env_str("HUB_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "hub.admin.HubAdminConfig",  # django.contrib.admin, its log-in under the log-in limits
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally, no CDN
    "catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Errors under /api/ are `{"error": ...}` even when Django or a plain view answers them.
    "catalog.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Database or broker down mid-request: a short 503 with Retry-After, not a 500 traceback.
    "catalog.middleware.ServiceUnavailableMiddleware",
    # A page view's NotFound (from a selector) is the 404 page: one place, not one per view.
    "catalog.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
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
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'hub.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection that died with a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (-> 503) instead of hanging a worker thread when the server is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # JIT compilation adds ~25 ms to large search statements and never pays back here.
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c jit=off -c work_mem={env_str('DATABASE_WORK_MEM', '16MB')}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so a Celery worker process in the tests shares the test database.
    # Per process, so several test runs on one machine don't share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))

# --- Blob storage: a local folder by default, any S3-API server when a bucket is configured.
HUB_S3_BUCKET = env_str("HUB_S3_BUCKET")
HUB_BLOB_DIR = Path(env_str("HUB_BLOB_DIR", str(DATA_DIR / "blobs")))
HUB_PRESIGNED_URL_SECONDS = env_int("HUB_PRESIGNED_URL_SECONDS", 300)
if HUB_S3_BUCKET:
    BLOB_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": HUB_S3_BUCKET,
            "endpoint_url": env_str("HUB_S3_ENDPOINT_URL") or None,
            "region_name": env_str("HUB_S3_REGION", "us-east-1"),
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "querystring_expire": HUB_PRESIGNED_URL_SECONDS,
            "file_overwrite": True,
            "default_acl": None,
            "addressing_style": env_str("HUB_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
        },
    }
else:
    BLOB_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(HUB_BLOB_DIR), "allow_overwrite": True},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "blobs": BLOB_STORAGE,
}

# --- Uploads: files stream to a temp folder on the blob disk so a local blob is a rename.
HUB_MAX_FILE_SIZE = env_int("HUB_MAX_FILE_SIZE", 5 * 1024**3)
HUB_MAX_REQUEST_SIZE = env_int("HUB_MAX_REQUEST_SIZE", 10 * 1024**3)
HUB_MAX_FILES_PER_VERSION = env_int("HUB_MAX_FILES_PER_VERSION", 1000)
# LFS objects sent but never committed go once the user's staging folder has been idle this
# long (catalog/services/lfs.py); swept after each commit, on LFS traffic and by beat.
HUB_LFS_STAGING_SECONDS = env_int("HUB_LFS_STAGING_SECONDS", 15 * 60)
# Per-user quotas (catalog/services/quotas.py; 0 = none): bytes stored (distinct blobs of the
# versions a user authored, plus their datasets), LFS bytes staged, fine-tune jobs queued or
# running.
HUB_QUOTA_BYTES = env_int("HUB_QUOTA_BYTES", 100 * 1024**3)
HUB_QUOTA_LFS_STAGING_BYTES = env_int("HUB_QUOTA_LFS_STAGING_BYTES", 50 * 1024**3)
HUB_QUOTA_JOBS = env_int("HUB_QUOTA_JOBS", 8)
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(DATA_DIR / "tmp"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temp file that we hash as it arrives
FILE_UPLOAD_HANDLERS = ["catalog.uploads.HashingUploadHandler"]
# Bytes per read of an upload body (multipart and LFS PUT); bench/upload.py measures sizes.
HUB_UPLOAD_CHUNK_SIZE = env_int("HUB_UPLOAD_CHUNK_SIZE", 1024**2)
DATA_UPLOAD_MAX_NUMBER_FILES = HUB_MAX_FILES_PER_VERSION

# --- Cache: rate limits and download de-duplication. Use Redis when several processes serve.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Log-in guessing: after this many failures a username, or a client (across usernames), waits
# HUB_LOGIN_LOCK_SECONDS, doubled for each further failure, up to HUB_LOGIN_LOCK_MAX_SECONDS.
HUB_LOGIN_USER_FAILURES = env_int("HUB_LOGIN_USER_FAILURES", 5)
HUB_LOGIN_CLIENT_FAILURES = env_int("HUB_LOGIN_CLIENT_FAILURES", 20)
HUB_LOGIN_LOCK_SECONDS = env_int("HUB_LOGIN_LOCK_SECONDS", 60)
HUB_LOGIN_LOCK_MAX_SECONDS = env_int("HUB_LOGIN_LOCK_MAX_SECONDS", 3600)
HUB_UPLOAD_RATE = env_str("HUB_UPLOAD_RATE", "600/3600")  # commits + LFS objects, per user
# /api/validate-yaml parses YAML for anyone: anonymous callers get this many per seconds.
HUB_VALIDATE_YAML_RATE = env_str("HUB_VALIDATE_YAML_RATE", "30/60")
HUB_DOWNLOAD_DEDUP_SECONDS = env_int("HUB_DOWNLOAD_DEDUP_SECONDS", 300)

# --- Search: the database by default; OpenSearch/Elasticsearch when configured.
HUB_SEARCH_BACKEND = env_str("HUB_SEARCH_BACKEND", "database")
HUB_SEARCH_URL = env_str("HUB_SEARCH_URL", "http://127.0.0.1:9200")
HUB_SEARCH_INDEX = env_str("HUB_SEARCH_INDEX", "hub-models")
# PostgreSQL: above this many matches, totals and facet counts are estimated from a sample.
HUB_SEARCH_EXACT_LIMIT = env_int("HUB_SEARCH_EXACT_LIMIT", 5000)

# --- Celery: a broker kept in files by default, so `make run` needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-processed"),
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Must exceed the longest task: Redis redelivers unacknowledged messages after it.
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4000)}
)
# Fine-tuning: jobs run in the worker; a job whose heartbeat is older than the lease is taken
# over by the next delivery of its task (the worker that held it died).
HUB_FINETUNE_LEASE_SECONDS = env_int("HUB_FINETUNE_LEASE_SECONDS", 120)
HUB_FINETUNE_SOFT_TIME_LIMIT = env_int("HUB_FINETUNE_SOFT_TIME_LIMIT", 3600)
HUB_FINETUNE_TIME_LIMIT = env_int("HUB_FINETUNE_TIME_LIMIT", 3700)
# Where training runs: auto = CUDA when the worker has it, else the CPU (deterministic).
# Below this many examples a job's figures are a k-fold cross-validated estimate of the
# procedure that trained the shipped model; at or above it, a hold-out split
# (adapters/evaluation/plan.py, docs/evaluation.md).
HUB_FINETUNE_CV_BELOW = env_int("HUB_FINETUNE_CV_BELOW", 2000)
HUB_FINETUNE_DEVICE = env_str("HUB_FINETUNE_DEVICE", "auto")
if HUB_FINETUNE_DEVICE not in ("auto", "cpu", "cuda"):
    raise ImproperlyConfigured("HUB_FINETUNE_DEVICE must be auto, cpu or cuda")
# Celery queues for jobs: light strategies go to HUB_FINETUNE_QUEUE (empty = the default
# queue); with HUB_FINETUNE_GPU_QUEUE set, the heavy ones go there, to GPU workers.
HUB_FINETUNE_QUEUE = env_str("HUB_FINETUNE_QUEUE", "")
HUB_FINETUNE_GPU_QUEUE = env_str("HUB_FINETUNE_GPU_QUEUE", "")
HUB_FINETUNE_GPU_STRATEGIES = env_list("HUB_FINETUNE_GPU_STRATEGIES", "full,last-k")
HUB_DATASET_MAX_ROWS = env_int("HUB_DATASET_MAX_ROWS", 100_000)
HUB_DATASET_MAX_ZIP_MEMBERS = env_int("HUB_DATASET_MAX_ZIP_MEMBERS", 20_000)
HUB_DATASET_MAX_UNCOMPRESSED_BYTES = env_int("HUB_DATASET_MAX_UNCOMPRESSED_BYTES", 512 * 1024**2)
# Images are decoded on the worker only: these bound what one dataset check costs there.
HUB_DATASET_MAX_TOTAL_PIXELS = env_int("HUB_DATASET_MAX_TOTAL_PIXELS", 2_000_000_000)
HUB_DATASET_MAX_COLUMNS = env_int("HUB_DATASET_MAX_COLUMNS", 1_000)
HUB_DATASET_CHECK_SECONDS = env_int("HUB_DATASET_CHECK_SECONDS", 90)  # under the job lease
HUB_DATASET_UPLOAD_CHECK_SECONDS = env_int("HUB_DATASET_UPLOAD_CHECK_SECONDS", 10)  # a backstop

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Jobs still queued this long after (re-)enqueueing are enqueued again (a broker outage at
# submit time lost their message); a duplicate delivery is harmless: the claim is idempotent.
HUB_SWEEP_QUEUED_AFTER_SECONDS = env_int("HUB_SWEEP_QUEUED_AFTER_SECONDS", 600)
# Stored bytes nothing references are deleted once unused this long (see blobs_gc).
HUB_BLOB_GC_GRACE_SECONDS = env_int("HUB_BLOB_GC_GRACE_SECONDS", 86400)
CELERY_BEAT_SCHEDULE = {
    "trending-refresh": {"task": "catalog.tasks.trending_refresh", "schedule": 3600.0},
    "blobs-gc": {
        "task": "catalog.tasks.blobs_gc",
        "schedule": float(env_int("HUB_BLOB_GC_INTERVAL_SECONDS", 86400)),
    },
    "finetune-sweep": {
        "task": "catalog.tasks.finetune_sweep",
        "schedule": float(env_int("HUB_SWEEP_INTERVAL_SECONDS", 120)),
    },
    "lfs-staging-sweep": {
        "task": "catalog.tasks.lfs_staging_sweep",
        "schedule": float(env_int("HUB_LFS_SWEEP_INTERVAL_SECONDS", 300)),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "catalog.api.parsers.JSONObjectParser",  # objects only: a 400 for [], "x", 1, null
        "catalog.api.parsers.RepoMultiPartParser",
        "catalog.api.parsers.TextFormParser",
    ],
    "EXCEPTION_HANDLER": "catalog.api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "catalog.api.schema.HubAutoSchema",
}
# The OpenAPI schema's settings (drf-spectacular): hub/openapi.py.
SPECTACULAR_SETTINGS = OPENAPI_SETTINGS

# LOG_FORMAT=json: one JSON object per line (for a log shipper); plain text otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "hub.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "opensearch": {"level": "WARNING"},  # one INFO line per request otherwise
        "elastic_transport": {"level": "WARNING"},
    },
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)

# --- Production (docs/deployment.md): all off by default so `make run` serves plain HTTP.
# Behind nginx/a load balancer that terminates TLS and sets X-Forwarded-Proto. Only then is
# X-Forwarded-For read, and only its right-most address, the one that proxy appended.
HUB_BEHIND_PROXY = env_bool("HUB_BEHIND_PROXY", False)
if HUB_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP inside
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Hashed static names (far-future cache headers); needs `collectstatic`, so opt-in.
if env_bool("HUB_STATIC_MANIFEST", False):
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# nginx serves local blobs itself after the app checked permissions (X-Accel-Redirect to
# this internal location + the blob's storage name). Empty: the app streams them.
HUB_ACCEL_REDIRECT_PREFIX = env_str("HUB_ACCEL_REDIRECT_PREFIX")
# The same for S3 blobs: nginx proxies the presigned URL (the S3 server stays internal).
HUB_ACCEL_S3_PREFIX = env_str("HUB_ACCEL_S3_PREFIX")
# Seconds the 503 page asks clients to wait before retrying.
HUB_RETRY_AFTER_SECONDS = env_int("HUB_RETRY_AFTER_SECONDS", 10)
