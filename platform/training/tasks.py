"""Celery tasks: thin wrappers that claim work and call services."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import scheduler, services

logger = logging.getLogger(__name__)


def worker_name(task=None) -> str:
    """The Celery node name (e.g. ``training@host``), unique per worker process tree."""
    hostname = getattr(getattr(task, "request", None), "hostname", None)
    return hostname or socket.gethostname()


# The supervisor stops each run at its own time limit; these are the backstop for any run a
# token may start (4 h, under the broker's visibility timeout).
TRAIN_SOFT_LIMIT_S = 4 * 3600 - 600


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="training.tasks.run_train",
             soft_time_limit=TRAIN_SOFT_LIMIT_S, time_limit=TRAIN_SOFT_LIMIT_S + 120)
def run_train(self, run_id: int) -> str:
    """A token: train the queued run that is fairest to start now (``run_id`` is the run the
    token was made for; it may be another). The claim is a conditional UPDATE, so a redelivered
    token or a second worker never trains a run twice; a token with nothing to do ends."""
    run = scheduler.run_claim_next(worker_name(self), services.worker_device())
    if run is None:
        logger.info("token of run %s: nothing this worker can start now", run_id)
        return "skipped"
    run_id = run.pk
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


@shared_task(name="training.tasks.runs_tokens_reconcile")
def runs_tokens_reconcile() -> dict:
    return scheduler.tokens_reconcile()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="training.tasks.inference_answer")
def inference_answer(self, job_id: int) -> str:
    """Answer one prediction / feature-map request (idempotent through a conditional claim)."""
    return services.inference_execute(job_id)
