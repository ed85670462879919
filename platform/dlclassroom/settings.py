"""Django settings for DL Classroom.

Everything that differs between a laptop and production comes from environment variables
(12-factor). With none set, the platform runs on embedded defaults: SQLite and a data folder
under ``var/`` in the checkout.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
PLATFORM_DIR = BASE_DIR / "platform"
WORKERS_DIR = BASE_DIR / "workers"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# One root for everything the platform writes: database file, media, datasets, workspaces.
DATA_ROOT = Path(os.environ.get("DLC_DATA_ROOT", BASE_DIR / "var")).resolve()
MEDIA_ROOT = DATA_ROOT / "media"
WORKSPACE_ROOT = DATA_ROOT / "workspaces"
DATASET_ROOT = DATA_ROOT / "datasets"
# Imports of users' data-set files (MNIST .npz, CIFAR, class folders, VOC). An upload is refused
# when it is bigger than MAX_UPLOAD_BYTES, or when its archive unpacks to more than
# MAX_UNPACKED_BYTES or MAX_FILES entries, or compresses better than MAX_RATIO (a zip bomb).
DATASET_IMPORT = {
    "MAX_UPLOAD_BYTES": int(os.environ.get("DLC_IMPORT_MAX_BYTES", 200 * 1024 * 1024)),
    "MAX_UNPACKED_BYTES": int(os.environ.get("DLC_IMPORT_MAX_UNPACKED_BYTES", 500 * 1024 * 1024)),
    "MAX_FILES": int(os.environ.get("DLC_IMPORT_MAX_FILES", 100_000)),
    "MAX_RATIO": float(os.environ.get("DLC_IMPORT_MAX_RATIO", 100)),
    "MAX_IMAGE_PIXELS": int(os.environ.get("DLC_IMPORT_MAX_IMAGE_PIXELS", 40_000_000)),
}
# Labeling projects (learners' own images). Each uploaded image is checked and re-encoded; a user's
# project images and export archives together may not exceed STORAGE_BYTES.
LABELING = {
    "MAX_IMAGE_BYTES": int(os.environ.get("DLC_LABEL_MAX_IMAGE_BYTES", 20 * 1024 * 1024)),
    "MAX_IMAGE_PIXELS": int(os.environ.get("DLC_LABEL_MAX_IMAGE_PIXELS", 40_000_000)),
    "MAX_FILES_PER_UPLOAD": int(os.environ.get("DLC_LABEL_MAX_FILES_PER_UPLOAD", 200)),
    "STORAGE_BYTES": int(os.environ.get("DLC_LABEL_STORAGE_BYTES", 1024 * 1024 * 1024)),
    "MAX_IMAGES_PER_PROJECT": int(os.environ.get("DLC_LABEL_MAX_IMAGES_PER_PROJECT", 20_000)),
    "EXPORT_KEEP_DAYS": int(os.environ.get("DLC_LABEL_EXPORT_KEEP_DAYS", 7)),
    # "Train on this" opens these labs (slugs in the project's course, else in any course).
    "TRAIN_LABS": {"classification": "flowers-cnn", "detection": "detection-lite"},
}
# Set-up draws the lesson figures (about a minute the first time); 0 skips it (tests of other parts).
BUILD_FIGURES = os.environ.get("DLC_BUILD_FIGURES", "1").lower() not in ("0", "false", "no")
COURSE_CONTENT_ROOT = Path(os.environ.get("DLC_COURSE_ROOT", BASE_DIR / "courses")).resolve()


def _secret_key() -> str:
    # Production sets SECRET_KEY; a local run keeps a generated key in the data root so sessions
    # survive restarts without anyone committing a key.
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = DATA_ROOT / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_ROOT.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "accounts",
    "courseware",
    "exercises",
    "datasets",
    "training",
    "modelzoo",
    "labeling",
    "grading",
    "quotas",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dlclassroom.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PLATFORM_DIR / "templates"],
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
WSGI_APPLICATION = "dlclassroom.wsgi.application"
ASGI_APPLICATION = "dlclassroom.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_ROOT / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and tests write the same file from several processes: WAL plus IMMEDIATE
    # transactions and a busy timeout turn "database is locked" into a short wait.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DLC_TEST_DB_NAME") or None}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PLATFORM_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_ROOT / "static"
STATICFILES_DIRS = [PLATFORM_DIR / "static"]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads and request bodies: refuse big bodies early rather than after buffering them.
# Django refuses a request with more files than this; labeling uploads send many at once.
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DLC_LABEL_MAX_FILES_PER_UPLOAD", 200)) + 10
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Redis, Channels, Celery -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

def _redis_retry() -> dict:
    """After a Redis restart every pooled connection is dead; without a retry the first command on
    each fails (a websocket then closes with 1011). Reconnect and retry instead, with backoff."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return {"retry": Retry(ExponentialBackoff(cap=2, base=0.1), 4),
            "retry_on_error": [RedisConnectionError, RedisTimeoutError, ConnectionResetError]}


_REDIS_RETRY = _redis_retry()

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout, the same as channels-redis' 5 s blocking
        # pop: an idle websocket then dies with "Timeout reading". Give the socket more room.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5, **_REDIS_RETRY}], "capacity": 1500, "expiry": 60},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # results live in the database rows, not in Redis
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "light"
CELERY_TASK_ROUTES = {"training.tasks.run_train": {"queue": "training"}, "training.tasks.inference_answer": {"queue": "light"},
                      "datasets.tasks.dataset_import_run": {"queue": "light"},
                      "labeling.tasks.*": {"queue": "light"}, "grading.tasks.*": {"queue": "light"},
                      "exercises.tasks.*": {"queue": "light"}}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "runs-reap-stale": {"task": "training.tasks.runs_reap_stale", "schedule": 30.0},
    "runs-tokens-reconcile": {"task": "training.tasks.runs_tokens_reconcile", "schedule": 30.0},
    "imports-reap-stale": {"task": "datasets.tasks.import_jobs_reap_stale", "schedule": 300.0},
    "label-jobs-reap": {"task": "labeling.tasks.project_jobs_reap", "schedule": 600.0},
    "code-submissions-reap": {"task": "exercises.tasks.code_submissions_reap", "schedule": 300.0},
}

# --- Training ----------------------------------------------------------------------------------
TRAINING = {
    # The child publishes at most this many batch events per second; epochs always go through.
    "BATCH_EVENTS_PER_SECOND": float(os.environ.get("DLC_BATCH_EVENTS_PER_SECOND", "4")),
    # A running run whose worker has not written a heartbeat for this long is declared lost.
    "HEARTBEAT_TIMEOUT_S": int(os.environ.get("DLC_HEARTBEAT_TIMEOUT_S", "60")),
    "DEFAULT_TIME_LIMIT_S": int(os.environ.get("DLC_RUN_TIME_LIMIT_S", "3600")),
    "MAX_EPOCHS": int(os.environ.get("DLC_MAX_EPOCHS", "100")),
    # Until workspace quotas arrive (P6), a plain cap on one learner's waiting + training runs.
    "MAX_ACTIVE_RUNS": int(os.environ.get("DLC_MAX_ACTIVE_RUNS", "16")),
    "MAX_SEARCH_TRIALS": int(os.environ.get("DLC_MAX_SEARCH_TRIALS", "12")),
    # A run whose worker was lost goes back to the queue and resumes from its last epoch
    # checkpoint, at most this many times; then it fails with the reason.
    "MAX_RESUMES": int(os.environ.get("DLC_MAX_RESUMES", "2")),
    # What this worker process trains on: "gpu" or "cpu" (default: gpu when an NVIDIA device is
    # visible). DLC_WORKER_SLOT pins it to one GPU slot, e.g. "0" or "0:4096" (GPU 0, 4096 MiB).
    "WORKER_DEVICE": os.environ.get("DLC_WORKER_DEVICE", ""),
    "WORKER_SLOT": os.environ.get("DLC_WORKER_SLOT", ""),
    "PYTHON": os.environ.get("DLC_TRAINER_PYTHON", ""),  # empty: the worker's own interpreter
}

# --- Quotas (platform defaults; admins set per-course policies and per-user overrides) -------------
def _env_limit(name: str, default: int | None) -> int | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return None if value.strip().lower() in ("", "none", "unlimited") else int(value)


QUOTAS = {
    "gpu_minutes_per_week": _env_limit("DLC_QUOTA_GPU_MINUTES", 600),
    "cpu_minutes_per_week": _env_limit("DLC_QUOTA_CPU_MINUTES", 1200),
    "max_running": _env_limit("DLC_QUOTA_MAX_RUNNING", 2),
    "max_queued": _env_limit("DLC_QUOTA_MAX_QUEUED", 16),
    "storage_bytes": _env_limit("DLC_QUOTA_STORAGE_BYTES", 5 * 1024**3),
    "max_run_seconds": _env_limit("DLC_QUOTA_MAX_RUN_SECONDS", 3600),
    "max_epochs": _env_limit("DLC_QUOTA_MAX_EPOCHS", None),
    "max_dataset_bytes": _env_limit("DLC_QUOTA_MAX_DATASET_BYTES", None),
    "max_upload_bytes": _env_limit("DLC_QUOTA_MAX_UPLOAD_BYTES", None),
}

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("DLC_API_RATE", "600/min")},
    "EXCEPTION_HANDLER": "training.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DL Classroom API",
    "DESCRIPTION": "Runs, model-spec checks and datasets. Session authentication with CSRF.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
