"""Run reads, including who may see which run."""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path

from django.db.models import QuerySet

from courseware.models import Enrollment

from .models import EpochMetric, Inference, Run
from .programs import program_info

LOG_TAIL_LINES = 200
# TensorFlow's start-up chatter on a machine without CUDA stays in the log file but is not shown:
# "failed call to cuInit" alarms learners on a CPU worker, where it is expected.
_LOG_NOISE = ("All log messages before absl::InitializeLog()", "cudart_stub.cc", "cuda_platform.cc", "cpu_feature_guard.cc",
              "To enable the following instructions", "cuda_executor.cc", "gpu_device.cc")


def log_line_is_noise(line: str) -> bool:
    return any(noise in line for noise in _LOG_NOISE)


def run_list_for_user(user) -> QuerySet[Run]:
    """The user's own runs, newest first; a search's trials are listed on the search's page."""
    return Run.objects.filter(owner=user, parent__isnull=True).select_related("lab", "dataset").order_by("-created_at", "-id")


def search_results(parent: Run) -> list[dict]:
    """One row per trial: its values, status, best validation accuracy, epochs done; the best
    succeeded trial is marked."""
    rows = []
    for trial in parent.trials.order_by("id"):
        metrics = [m.metrics for m in EpochMetric.objects.filter(run=trial).order_by("epoch")]
        values = [m.get("val_accuracy") for m in metrics if isinstance(m.get("val_accuracy"), (int, float))]
        dense = [layer["args"]["units"] for layer in trial.spec.get("layers", []) if layer.get("type") == "Dense"][:-1]
        rows.append({
            "trial": trial.options.get("trial"), "run": trial.pk, "url": f"/runs/{trial.pk}/", "status": trial.status,
            "learning_rate": trial.hyperparameters.get("learning_rate"), "hidden_layers": len(dense), "units": dense[0] if dense else None,
            "total_params": trial.total_params, "epochs_done": len(metrics),
            "best_val_accuracy": max(values) if values else None, "best": False,
        })
    finished = [r for r in rows if r["status"] == Run.Status.SUCCEEDED and r["best_val_accuracy"] is not None]
    if finished:
        max(finished, key=lambda r: r["best_val_accuracy"])["best"] = True
    return rows


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
        return [line.rstrip("\n") for line in deque((text for text in handle if not log_line_is_noise(text)), maxlen=lines)]


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
        "program": run.program,
        "charts": [list(pair) for pair in program_info(run.program).charts],
        "target": run_target(run),
        "queue": run_queue_place(run),
    }


def run_queue_place(run: Run) -> dict | None:
    """A queued run's place in the fair-share order (1 = next) and its estimated start."""
    if run.status != Run.Status.QUEUED or run.program == "hp_search":
        return None
    from .scheduler import queue_positions

    place = queue_positions().get(run.pk)
    if place is None:
        return None
    return {"position": place["position"], "estimated_start": place["estimated_start"].isoformat(), "slots": place["slots"]}


def run_metric_best(run: Run, name: str, direction: str = "max") -> float | None:
    """The run's best epoch value of a metric (lowest for ``direction`` "min"); a search's
    result lives in its final metrics."""
    values = [m.metrics.get(name) for m in EpochMetric.objects.filter(run=run).only("metrics")]
    values = [v for v in values if isinstance(v, (int, float)) and v == v]
    if not values and isinstance((run.final_metrics or {}).get(name), (int, float)):
        values = [run.final_metrics[name]]
    if not values:
        return None
    return min(values) if direction == "min" else max(values)


def run_target(run: Run) -> dict | None:
    """The lab's auto-score metric and target, and the run's best epoch value of that metric."""
    metric = run.lab.metric or {}
    name, target = metric.get("name"), metric.get("target")
    if not isinstance(name, str) or not isinstance(target, (int, float)):
        return None
    direction = "min" if metric.get("direction") == "min" else "max"
    best = run_metric_best(run, name, direction)
    reached = None if best is None else (best <= target if direction == "min" else best >= target)
    return {"name": name, "target": target, "direction": direction, "best": best, "reached": reached}


def run_history(run: Run) -> dict:
    """The first websocket message: the run so far, so a reconnecting page can redraw it all."""
    epochs = [e.to_message() for e in EpochMetric.objects.filter(run=run).order_by("epoch")]
    return {"type": "history", "run": run_state(run), "epochs": epochs, "log_tail": run_log_tail(run)}


# --- what the run learned (files the trainer wrote under insight/) ------------------------------

INSIGHT_FILE_RE = re.compile(r"(samples|templates|boxes)/\d{2}\.png")
INFERENCE_FILE_RE = re.compile(r"(input|map_\d{2})\.png")
DOWNLOADS = {
    "model.keras": ("model.keras", "application/octet-stream"),
    "best.keras": ("best.keras", "application/octet-stream"),
    "history.csv": ("history.csv", "text/csv"),
    "summary.txt": ("summary.txt", "text/plain"),
    "train.log": ("logs/train.log", "text/plain"),
}


def _inside(base: Path, relative: str) -> Path | None:
    """``base / relative`` if it is a file inside ``base`` (no symlink or ``..`` escapes)."""
    path = (base / relative).resolve()
    try:
        path.relative_to(base.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None


def run_insight_file(run: Run, relative: str) -> Path | None:
    if not INSIGHT_FILE_RE.fullmatch(relative):
        return None
    return _inside(run.workspace_dir / "insight", relative)


def run_insight(run: Run) -> dict:
    """Confusion matrix, per-class accuracy, validation samples, weight templates, weight
    histograms per epoch and the available downloads (each with its URL)."""
    base = run.workspace_dir / "insight"
    try:
        insight = json.loads((base / "insight.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        insight = {}
    for key in ("samples", "templates"):
        for item in insight.get(key, []) or []:
            item["url"] = f"/runs/{run.pk}/insight/{item['file']}"
    insight["weights"] = run_weight_histograms(run)
    insight["downloads"] = run_downloads(run)
    return insight


def run_weight_histograms(run: Run) -> list[dict]:
    """One entry per epoch (0 = before training); a resumed run's repeated epoch keeps the last."""
    path = run.workspace_dir / "insight" / "weights.jsonl"
    by_epoch: dict[int, dict] = {}
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a killed run
                by_epoch[int(entry.get("epoch", 0))] = entry
    except OSError:
        return []
    return [by_epoch[e] for e in sorted(by_epoch)]


def run_downloads(run: Run) -> list[dict]:
    out = []
    for name, (relative, _type) in DOWNLOADS.items():
        path = run.workspace_dir / relative
        if path.is_file():
            out.append({"name": name, "bytes": path.stat().st_size, "url": f"/runs/{run.pk}/download/{name}"})
    tensorboard = run.workspace_dir / "tensorboard"
    if tensorboard.is_dir() and any(p.is_file() for p in tensorboard.rglob("*")):
        out.append({"name": "tensorboard.zip", "bytes": None, "url": f"/runs/{run.pk}/download/tensorboard.zip"})
    return out


def run_download_path(run: Run, name: str) -> tuple[Path, str] | None:
    if name not in DOWNLOADS:
        return None
    relative, content_type = DOWNLOADS[name]
    path = _inside(run.workspace_dir, relative)
    return (path, content_type) if path else None


def inference_get_for_user(user, job_id) -> Inference | None:
    """A prediction / feature-map job, for whoever may see its run."""
    job = Inference.objects.select_related("run").filter(pk=job_id).first() if str(job_id).isdigit() else None
    if job is None or run_get_for_user(user, job.run_id) is None:
        return None
    return job


def inference_state(job: Inference) -> dict:
    result = dict(job.result or {})
    for channel in result.get("channels", []) or []:
        channel["url"] = f"/runs/{job.run_id}/inference/{job.pk}/{channel['file']}"
    return {
        "id": job.pk,
        "run": job.run_id,
        "kind": job.kind,
        "layer": job.layer,
        "status": job.status,
        "error": job.error,
        "result": result,
        "input_url": f"/runs/{job.run_id}/inference/{job.pk}/input.png",
    }


def inference_file(job: Inference, name: str) -> Path | None:
    if not INFERENCE_FILE_RE.fullmatch(name):
        return None
    return _inside(job.job_dir, name)
