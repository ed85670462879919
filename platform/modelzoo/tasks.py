"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="modelzoo.tasks.base_model_pretrain_task")
def base_model_pretrain_task(self, slug: str, force: bool = False) -> str:
    """Pre-train one platform base (light queue, the default). Only the task that claims the
    base trains it, so a redelivered message or a second worker does nothing."""
    base = services.base_model_pretrain(slug, force=force)
    return "skipped" if base is None else base.status


@worker_ready.connect
def base_models_queue_at_start(sender=None, **kwargs) -> None:
    """Set-up only marks a missing base as "being prepared" (``./dlc up`` must not wait for the
    pre-training): the first worker to start hands it to the queue."""
    try:
        queued = services.base_models_queue_pending()
    except Exception:  # noqa: BLE001 — a worker must start even if this fails
        logger.exception("could not queue the pending base models")
        return
    if queued:
        logger.info("queued the pre-training of base models: %s", ", ".join(queued))
