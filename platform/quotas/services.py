"""Quota reads and writes: the limits that apply, what was used, the meters, the check at
submission, and recording each run's usage.

The submission check runs inside the transaction that creates the run, after the user's row is
locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are IMMEDIATE, see settings),
so parallel submissions by one learner are counted one after the other and cannot together pass
a limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LIMIT_FIELDS, QuotaPolicy, RunUsage

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Limits:
    gpu_minutes_per_week: int | None = None
    cpu_minutes_per_week: int | None = None
    max_running: int | None = None
    max_queued: int | None = None
    storage_bytes: int | None = None
    max_run_seconds: int | None = None
    max_epochs: int | None = None
    max_dataset_bytes: int | None = None
    max_upload_bytes: int | None = None


class QuotaExceeded(Exception):
    """A submission over a limit. ``limit`` names it; ``frees_at`` says when it frees up (None:
    when the learner does something, e.g. deletes files or waits for a run to finish)."""

    def __init__(self, limit: str, message: str, frees_at: datetime | None = None):
        super().__init__(message)
        self.limit = limit
        self.frees_at = frees_at


def quota_limits(user, course) -> Limits:
    """The limits for ``user`` in ``course``: the most specific policy that sets each field wins."""
    defaults = settings.QUOTAS
    values = {name: defaults.get(name) for name in LIMIT_FIELDS}
    course_id = getattr(course, "pk", course)
    policies = QuotaPolicy.objects.filter(
        Q(course__isnull=True, user__isnull=True) | Q(course_id=course_id, user__isnull=True)
        | Q(course__isnull=True, user=user) | Q(course_id=course_id, user=user))
    # Least specific first, so a more specific policy overwrites what it sets.
    for policy in sorted(policies, key=lambda p: (p.user_id is not None, p.course_id is not None)):
        for name in LIMIT_FIELDS:
            value = getattr(policy, name)
            if value is not None:
                values[name] = value
    return Limits(**values)


def _overlap_seconds(start: datetime, end: datetime, window_start: datetime) -> float:
    return max(0.0, (end - max(start, window_start)).total_seconds())


def compute_used(user, device: str, now: datetime | None = None) -> tuple[float, datetime | None]:
    """Seconds of ``device`` time the user used in the rolling week, counting running runs up to
    now, and when the oldest of that time leaves the window (None when nothing was used)."""
    now = now or timezone.now()
    window_start = now - WINDOW
    used, oldest = 0.0, None
    for usage in RunUsage.objects.filter(user=user, device=device).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=window_start)):
        end = usage.ended_at or now
        seconds = usage.seconds_before + (now - (usage.attempt_started_at or usage.started_at)).total_seconds() if usage.ended_at is None else usage.seconds
        # Only the part inside the window counts (a run may have started before it).
        part = min(seconds, _overlap_seconds(usage.started_at, end, window_start))
        used += part
        if part > 0:
            first = max(usage.started_at, window_start)
            oldest = first if oldest is None else min(oldest, first)
    return used, oldest


def workspace_bytes(user) -> int:
    """Bytes in the user's workspace folder (runs, labeling, imports waiting)."""
    root = Path(settings.WORKSPACE_ROOT) / f"user-{user.pk}"
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass  # removed while counting
    return total


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f}"


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def quota_check_submit(*, user, course, device: str, epochs: int, dataset_bytes: int, now: datetime | None = None) -> Limits:
    """Refuse a new run that would pass a limit (QuotaExceeded says which and when it frees up).
    Call it inside the transaction that creates the run, with the user's row locked."""
    from training.models import Run

    now = now or timezone.now()
    limits = quota_limits(user, course)
    if limits.max_epochs is not None and epochs > limits.max_epochs:
        raise QuotaExceeded("max_epochs", _("A run may have at most %(n)d epochs in this course; you asked for %(asked)d.")
                            % {"n": limits.max_epochs, "asked": epochs})
    if limits.max_dataset_bytes is not None and dataset_bytes > limits.max_dataset_bytes:
        raise QuotaExceeded("max_dataset_bytes", _("This data set is %(size)s; runs in this course may use data sets up to %(limit)s.")
                            % {"size": _size(dataset_bytes), "limit": _size(limits.max_dataset_bytes)})
    if limits.max_queued is not None:
        waiting = Run.objects.filter(owner=user, status=Run.Status.QUEUED, parent__isnull=True).count()
        if waiting >= limits.max_queued:
            raise QuotaExceeded("max_queued", _("You already have %(n)d runs waiting, the most allowed. A place frees up when one of them starts or you cancel one.")
                                % {"n": waiting})
    if limits.storage_bytes is not None:
        used = workspace_bytes(user)
        if used >= limits.storage_bytes:
            raise QuotaExceeded("storage_bytes", _("Your workspace holds %(used)s of the %(limit)s allowed. Delete old runs or labeling images to train again.")
                                % {"used": _size(used), "limit": _size(limits.storage_bytes)})
    budgets = []
    for kind in (("gpu",) if device == "gpu" else ("cpu",) if device == "cpu" else ("gpu", "cpu")):
        limit = limits.gpu_minutes_per_week if kind == "gpu" else limits.cpu_minutes_per_week
        if limit is None:
            return limits  # one usable device kind without a budget: nothing to refuse
        used, oldest = compute_used(user, kind, now)
        if used < limit * 60:
            return limits
        budgets.append((kind, limit, used, oldest))
    kind, limit, used, oldest = min(budgets, key=lambda b: b[3] or now)
    frees_at = (oldest + WINDOW) if oldest else None
    raise QuotaExceeded(f"{kind}_minutes_per_week", _("You have used %(used)s of your %(limit)d %(device)s minutes this week (the last 7 days). Time frees up from %(when)s.")
                        % {"used": _minutes(used), "limit": limit, "device": kind.upper(), "when": timezone.localtime(frees_at).strftime("%Y-%m-%d %H:%M") if frees_at else "?"},
                        frees_at)


def quota_meters(user, course, now: datetime | None = None) -> list[dict]:
    """What the dashboard and the submit form show: used / allowed and when it resets."""
    from training.models import Run

    now = now or timezone.now()
    limits = quota_limits(user, course)
    meters = []
    for kind in ("gpu", "cpu"):
        limit = getattr(limits, f"{kind}_minutes_per_week")
        used, oldest = compute_used(user, kind, now)
        meters.append({"name": f"{kind}_minutes_per_week", "used": round(used / 60, 1), "limit": limit, "unit": "min",
                       "resets_at": (oldest + WINDOW) if oldest else None})
    meters.append({"name": "max_running", "used": Run.objects.filter(owner=user, status=Run.Status.RUNNING).count(),
                   "limit": limits.max_running, "unit": "runs", "resets_at": None})
    meters.append({"name": "max_queued", "used": Run.objects.filter(owner=user, status=Run.Status.QUEUED, parent__isnull=True).count(),
                   "limit": limits.max_queued, "unit": "runs", "resets_at": None})
    meters.append({"name": "storage_bytes", "used": workspace_bytes(user), "limit": limits.storage_bytes, "unit": "bytes", "resets_at": None})
    for meter in meters:
        meter["percent"] = min(100, round(100 * meter["used"] / meter["limit"])) if meter["limit"] else 0
    return meters


def usage_start(run, *, device: str, worker: str) -> RunUsage:
    """An attempt of the run starts on ``worker``; a resumed run keeps its earlier seconds."""
    now = timezone.now()
    usage = RunUsage.objects.filter(run=run).first()
    if usage is None:
        return RunUsage.objects.create(run=run, user_id=run.owner_id, course_id=run.course_id, device=device, worker=worker,
                                       started_at=now, attempt_started_at=now)
    usage.seconds_before, usage.attempt_started_at, usage.ended_at = usage.seconds, now, None
    usage.device, usage.worker = device, worker
    usage.save()
    return usage


def usage_update(run_id: int, *, peak_memory_bytes: int | None = None, finished: bool = False) -> None:
    """Bring the run's seconds up to now (the meters read them) and, at the end, close it."""
    usage = RunUsage.objects.filter(run_id=run_id).first()
    if usage is None or usage.ended_at is not None:
        return
    now = timezone.now()
    usage.seconds = usage.seconds_before + (now - (usage.attempt_started_at or usage.started_at)).total_seconds()
    if peak_memory_bytes:
        usage.peak_memory_bytes = max(usage.peak_memory_bytes or 0, int(peak_memory_bytes))
    if finished:
        usage.ended_at = now
    usage.save()


def upload_limit(user, platform_limit: int) -> int:
    """The largest file this user may upload: the platform's limit, or their quota's if smaller."""
    quota = quota_limits(user, None).max_upload_bytes
    return min(platform_limit, quota) if quota is not None else platform_limit


def limits_as_dict(limits: Limits) -> dict:
    return {f.name: getattr(limits, f.name) for f in fields(limits)}
