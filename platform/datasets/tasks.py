"""Celery tasks: thin wrappers that claim work and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="datasets.tasks.dataset_import_run",
             soft_time_limit=services.IMPORT_TIME_LIMIT_S, time_limit=services.IMPORT_TIME_LIMIT_S + 60)
def dataset_import_run(self, job_id: int) -> str:
    """Import one upload. Only the task that flips the job from queued to running does the work,
    so a redelivered message does nothing."""
    if not services.import_job_claim(job_id):
        logger.info("import %s is not queued any more; nothing to do", job_id)
        return "skipped"
    return services.dataset_import_execute(job_id).status


@shared_task(name="datasets.tasks.import_jobs_reap_stale")
def import_jobs_reap_stale() -> list[int]:
    return services.import_jobs_reap_stale()
