"""Settings for in-process tests: in-memory channel layer, plain static storage, fast hashing.
Integration tests do not use this module; they start the real servers with the real settings."""

import os
import tempfile

os.environ.setdefault("DLC_DATA_ROOT", tempfile.mkdtemp(prefix="dlc-unit-"))

from .settings import *  # noqa: E402,F401,F403

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (keeps WhiteNoise quiet)
