"""Celery application: ``celery -A dlclassroom worker -Q training,light``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlclassroom.settings")

app = Celery("dlclassroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
