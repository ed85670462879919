"""What background jobs of every app share: the language their stored messages are written in,
a throttled progress writer, and keeping an upload on disk until its task reads it."""

from __future__ import annotations

import functools
import logging
import shutil
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy


class JobStatus(models.TextChoices):
    """The states of every background job row (imports, exports, regrades)."""

    QUEUED = "queued", _lazy("Queued")
    RUNNING = "running", _lazy("Running")
    SUCCEEDED = "succeeded", _lazy("Succeeded")
    FAILED = "failed", _lazy("Failed")


class BackgroundJob(models.Model):
    """The columns every background job row has: its state, progress, the message a person reads
    (a refusal's reason, or what was done) and when it was queued, started and finished."""

    Status = JobStatus

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


logger = logging.getLogger(__name__)


def task_enqueue(task, *args, on_broker_down: Callable[[], None] | None = None, **options):
    """Queue ``task(*args)`` (called from ``transaction.on_commit``, after the row exists). When
    the broker cannot be reached the request must not fail after its row was committed: log it
    and call ``on_broker_down`` so the row says what happened. Returns the AsyncResult, or None."""
    try:
        return task.apply_async(args=list(args), **options)
    except Exception:  # noqa: BLE001 — any broker error, whatever the transport raises
        logger.exception("could not queue %s%r", task.name, args)
        if on_broker_down is not None:
            on_broker_down()
        return None


def in_platform_language(func):
    """Messages stored on a row (a run's reason, an import's message) are written in the
    platform's language, whichever process writes them: a worker has no request, and a test or
    a request may have switched the language."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def progress_reporter(model: type[models.Model], pk: int, field: str = "progress") -> Callable[[float], None]:
    """A ``report(fraction)`` that stores the job's progress, clamped to 0..1."""
    last = [0.0]

    def report(fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        # A write per 2 % is plenty for a progress bar and spares the database.
        if fraction - last[0] >= 0.02:
            last[0] = fraction
            model.objects.filter(pk=pk).update(**{field: fraction})

    return report


def upload_keep(upload: UploadedFile, folder: Path) -> Path:
    """Write the upload to ``folder/upload`` (the folder must not exist yet: it is the job's own).
    The stored name is ours, never the uploaded one, which is only shown."""
    folder.mkdir(parents=True, exist_ok=False)
    try:
        with open(folder / "upload", "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder / "upload"
