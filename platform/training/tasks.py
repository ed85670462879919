"""Celery tasks: thin wrappers that claim work and call services."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import services

logger = logging.getLogger(__name__)


def worker_name(task=None) -> str:
    """The Celery node name (e.g. ``training@host``), unique per worker process tree."""
    hostname = getattr(getattr(task, "request", None), "hostname", None)
    return hostname or socket.gethostname()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="training.tasks.run_train")
def run_train(self, run_id: int) -> str:
    """Train one run. Idempotent: only the task that flips the run from queued to running
    trains it, so a redelivered message or a second worker does nothing."""
    if not services.run_claim(run_id, worker_name(self)):
        logger.info("run %s is not queued any more; nothing to do", run_id)
        return "skipped"
    try:
        return services.run_execute(run_id)
    except SoftTimeLimitExceeded:
        services.run_fail(run_id, "The task time limit was exceeded.")
        return "failed"
    except Exception as exc:
        logger.exception("run %s crashed in the worker", run_id)
        services.run_fail(run_id, f"Internal error in the worker: {type(exc).__name__}")
        raise


@shared_task(name="training.tasks.runs_reap_stale")
def runs_reap_stale() -> list[int]:
    return services.runs_reap_stale()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="training.tasks.inference_answer")
def inference_answer(self, job_id: int) -> str:
    """Answer one prediction / feature-map request (idempotent through a conditional claim)."""
    return services.inference_execute(job_id)
