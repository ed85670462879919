"""Celery tasks: thin wrappers that claim a code submission and call the service."""

from __future__ import annotations

from celery import shared_task

from . import services

# The sandbox enforces the exercise's own limits; these only catch a stuck worker.
SOFT_LIMIT_S = 120
HARD_LIMIT_S = 150


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, name="exercises.tasks.code_submission_run",
             soft_time_limit=SOFT_LIMIT_S, time_limit=HARD_LIMIT_S)
def code_submission_run(self, submission_id: int) -> str:
    if not services.code_submission_claim(submission_id):
        return "already claimed"
    try:
        return services.code_submission_execute(submission_id).status
    except Exception:
        services.code_submission_fail(submission_id)
        raise


@shared_task(name="exercises.tasks.code_submissions_reap")
def code_submissions_reap() -> int:
    return services.code_submissions_reap()
