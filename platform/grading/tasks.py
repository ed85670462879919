"""Celery tasks: thin wrappers around the grading services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, name="grading.tasks.item_regrade_run", soft_time_limit=1800, time_limit=1860)
def item_regrade_run(job_id: int) -> str:
    """Recompute an item's grades after its rubric, points or deadline changed. Claims the job
    with a conditional UPDATE, so a redelivered message does nothing."""
    return services.regrade_execute(job_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True, name="grading.tasks.gradebook_export_run", soft_time_limit=1800, time_limit=1860)
def gradebook_export_run(job_id: int) -> str:
    return services.export_execute(job_id).status
