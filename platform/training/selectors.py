"""Run reads, including who may see which run."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from django.db.models import QuerySet

from courseware.models import Enrollment

from .models import EpochMetric, Run

LOG_TAIL_LINES = 200
# TensorFlow's start-up chatter on a machine without CUDA stays in the log file but is not shown:
# "failed call to cuInit" alarms learners on a CPU worker, where it is expected.
_LOG_NOISE = ("All log messages before absl::InitializeLog()", "cudart_stub.cc", "cuda_platform.cc", "cpu_feature_guard.cc",
              "To enable the following instructions", "cuda_executor.cc", "gpu_device.cc")


def log_line_is_noise(line: str) -> bool:
    return any(noise in line for noise in _LOG_NOISE)


def run_list_for_user(user) -> QuerySet[Run]:
    """The user's own runs, newest first."""
    return Run.objects.filter(owner=user).select_related("lab", "dataset").order_by("-created_at", "-id")


def run_get_for_user(user, run_id) -> Run | None:
    """The run if ``user`` may see it: its owner, an instructor of its course, or an admin.
    Everyone else gets None, so callers answer 404 and do not reveal that the run exists."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        run_id = int(run_id)
    except (TypeError, ValueError):
        return None
    run = Run.objects.select_related("lab", "dataset", "owner", "course").filter(pk=run_id).first()
    if run is None:
        return None
    if run.owner_id == user.pk or getattr(user, "is_platform_admin", False):
        return run
    if Enrollment.objects.filter(course_id=run.course_id, user=user, role=Enrollment.Role.INSTRUCTOR).exists():
        return run
    return None


def run_log_tail(run: Run, lines: int = LOG_TAIL_LINES) -> list[str]:
    path = Path(run.workspace_dir) / "logs" / "train.log"
    if not path.is_file():
        return []
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line in deque((l for l in handle if not log_line_is_noise(l)), maxlen=lines)]


def run_status_message(run: Run) -> dict:
    return {"type": "status", "status": run.status, "reason": run.status_reason}


def run_state(run: Run) -> dict:
    """Everything the run page shows, as plain data (used by the API and the websocket)."""
    return {
        "id": run.pk,
        "status": run.status,
        "status_reason": run.status_reason,
        "lab": run.lab.slug,
        "dataset": run.dataset.slug,
        "class_names": run.dataset.class_names,
        "hyperparameters": run.hyperparameters,
        "total_params": run.total_params,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": run.progress,
        "final_metrics": run.final_metrics,
        "model_summary": run.model_summary,
    }


def run_history(run: Run) -> dict:
    """The first websocket message: the run so far, so a reconnecting page can redraw it all."""
    epochs = [e.to_message() for e in EpochMetric.objects.filter(run=run).order_by("epoch")]
    return {"type": "history", "run": run_state(run), "epochs": epochs, "log_tail": run_log_tail(run)}
