"""Celery tasks: thin wrappers that claim a job and call the service."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services
from .models import ProjectJob

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="labeling.tasks.project_job_run",
             soft_time_limit=services.JOB_TIME_LIMIT_S, time_limit=services.JOB_TIME_LIMIT_S + 60)
def project_job_run(self, job_id: int) -> str:
    """Export or import one project archive. Only the task that flips the job from queued to
    running does the work, so a redelivered message does nothing."""
    if not services.job_claim(job_id):
        logger.info("labeling job %s is not queued any more; nothing to do", job_id)
        return "skipped"
    job = ProjectJob.objects.get(pk=job_id)
    if job.direction == ProjectJob.Direction.EXPORT:
        return services.export_execute(job_id).status
    return services.import_execute(job_id).status


@shared_task(name="labeling.tasks.project_jobs_reap")
def project_jobs_reap() -> dict:
    return services.project_jobs_reap()
