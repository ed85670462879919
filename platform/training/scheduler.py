"""Fair-share scheduling of queued runs.

Every submitted run puts one *token* task on a Celery queue (``training``, or ``training-gpu``
for runs that need a GPU). A worker that takes a token does not train the run the token was made
for: it claims the run that is fairest to start now — the one whose owner has used the least
compute time in the rolling week (ties: the earlier submission), skipping owners who already run
as many runs as their quota allows and runs the worker's device cannot serve. The claim is a
conditional UPDATE (queued → running), so two workers never take the same run.

There are never fewer tokens than runs that can start (each run brings one; a periodic
reconciler adds tokens when the queue holds fewer than the queued runs, e.g. after Redis lost
them), and a token that finds nothing to do just ends, so one learner submitting twenty runs
cannot fill the workers while others wait.
"""

from __future__ import annotations

import heapq
import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import Run

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=7)
DEFAULT_DURATION_S = 120.0


def run_device_need(run_or_resources) -> str:
    """"gpu", "cpu" or "any", from the lab's declared environment."""
    resources = run_or_resources.resources if isinstance(run_or_resources, Run) else run_or_resources
    device = str((resources or {}).get("device", "any")).lower()
    return device if device in ("gpu", "cpu") else "any"


def run_queue_name(run: Run) -> str:
    return "training-gpu" if run_device_need(run) == "gpu" else "training"


def _serves(worker_device: str) -> tuple[str, ...]:
    # A GPU worker also takes runs that can use either; CPU-only labs stay on CPU workers.
    return ("gpu", "any") if worker_device == "gpu" else ("cpu", "any")


@dataclass(frozen=True)
class Candidate:
    run_id: int
    owner_id: int
    created_at: datetime
    device: str


def _usage_by_owner(owner_ids: set[int], now: datetime) -> dict[int, float]:
    from quotas.models import RunUsage

    rows = (RunUsage.objects.filter(user_id__in=owner_ids).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now - WINDOW))
            .values("user_id").annotate(seconds=Sum("seconds")))
    return {row["user_id"]: float(row["seconds"] or 0.0) for row in rows}


def _max_running(owner_ids: set[int]) -> dict[int, int | None]:
    """Each owner's running-run limit (the course-independent default or their own override)."""
    from quotas.models import QuotaPolicy

    default = settings.QUOTAS.get("max_running")
    limits = {owner: default for owner in owner_ids}
    for policy in QuotaPolicy.objects.filter(course__isnull=True, user_id__in=owner_ids).exclude(max_running=None):
        limits[policy.user_id] = policy.max_running
    return limits


def fair_order(candidates: list[Candidate], usage: dict[int, float], running: dict[int, int], max_running: dict[int, int | None],
               durations: dict[int, float] | None = None) -> list[Candidate]:
    """The order runs would start in: repeatedly the owner with the least use (what they used,
    plus the expected length of their runs already placed ahead), their oldest run first.
    Owners at their running limit are left out (their runs wait until one of theirs ends)."""
    per_owner: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: (c.created_at, c.run_id)):
        per_owner[candidate.owner_id].append(candidate)
    heap = []
    for owner, runs in per_owner.items():
        limit = max_running.get(owner)
        if limit is not None and running.get(owner, 0) >= limit:
            continue
        heap.append((usage.get(owner, 0.0), runs[0].created_at, runs[0].run_id, owner))
    heapq.heapify(heap)
    position = {owner: 0 for owner in per_owner}
    order = []
    while heap:
        used, _created, _run_id, owner = heapq.heappop(heap)
        runs = per_owner[owner]
        run = runs[position[owner]]
        order.append(run)
        position[owner] += 1
        if position[owner] < len(runs):
            nxt = runs[position[owner]]
            heapq.heappush(heap, (used + (durations or {}).get(run.run_id, DEFAULT_DURATION_S), nxt.created_at, nxt.run_id, owner))
    return order


def _candidates(devices: tuple[str, ...] | None = None) -> list[Candidate]:
    rows = Run.objects.filter(status=Run.Status.QUEUED).exclude(program="hp_search").order_by("created_at", "pk") \
        .values_list("pk", "owner_id", "created_at", "resources")
    out = [Candidate(pk, owner, created, run_device_need(resources or {})) for pk, owner, created, resources in rows]
    return [c for c in out if devices is None or c.device in devices]


def queue_order(worker_device: str | None = None, now: datetime | None = None) -> list[Candidate]:
    """The queued runs in the order they will start (for a worker of ``worker_device``, or all)."""
    now = now or timezone.now()
    candidates = _candidates(_serves(worker_device) if worker_device else None)
    owners = {c.owner_id for c in candidates}
    running = dict(Run.objects.filter(status=Run.Status.RUNNING, owner_id__in=owners).values_list("owner_id").annotate(n=Count("id")))
    usage = _usage_by_owner(owners, now)
    # A run that has just started has used almost nothing yet; count what it will use, so an
    # owner's second run does not start before others' first ones.
    for owner, count in running.items():
        usage[owner] = usage.get(owner, 0.0) + count * DEFAULT_DURATION_S
    return fair_order(candidates, usage, running, _max_running(owners))


def run_claim_next(worker: str, worker_device: str = "cpu", attempts: int = 5) -> Run | None:
    """Claim the fairest queued run this worker can train (queued → running), or None."""
    from .services import run_claim

    for _attempt in range(attempts):
        order = queue_order(worker_device)
        if not order:
            return None
        for candidate in order[:10]:
            if run_claim(candidate.run_id, worker):
                return Run.objects.get(pk=candidate.run_id)
        # Every head candidate was taken by another worker meanwhile: look again.
    return None


def expected_duration_s(lab_id: int) -> float:
    """How long a run of this lab usually takes: the median of its last finished runs."""
    rows = Run.objects.filter(lab_id=lab_id, status=Run.Status.SUCCEEDED).exclude(started_at=None).exclude(finished_at=None) \
        .order_by("-finished_at").values_list("started_at", "finished_at")[:20]
    durations = [(end - start).total_seconds() for start, end in rows]
    return statistics.median(durations) if durations else DEFAULT_DURATION_S


def queue_positions(now: datetime | None = None, slots: int | None = None) -> dict[int, dict]:
    """For each queued run: its place in the fair order (1 = next) and an estimated start,
    assuming ``slots`` runs train at once (the online workers' slots) and the usual length of
    each lab's runs."""
    from .models import WorkerNode

    now = now or timezone.now()
    candidates = _candidates()
    if not candidates:
        return {}
    owners = {c.owner_id for c in candidates}
    running_runs = list(Run.objects.filter(status=Run.Status.RUNNING).values_list("owner_id", "lab_id", "started_at"))
    running = defaultdict(int)
    for owner, _lab, _started in running_runs:
        running[owner] += 1
    lab_of = dict(Run.objects.filter(pk__in=[c.run_id for c in candidates]).values_list("pk", "lab_id"))
    lab_duration = {lab: expected_duration_s(lab) for lab in set(lab_of.values()) | {lab for _o, lab, _s in running_runs}}
    durations = {c.run_id: lab_duration[lab_of[c.run_id]] for c in candidates}
    # Owners at their running limit still get a place: after one of their runs ends.
    order = fair_order(candidates, _usage_by_owner(owners, now), {}, {}, durations)
    slots = slots if slots is not None else WorkerNode.online_slots(now)
    slots = max(slots, 1)
    # When each slot frees up: the running runs' expected ends, then the queue in order.
    free_at = sorted(max(now, started + timedelta(seconds=lab_duration[lab])) for _o, lab, started in running_runs)[:slots]
    free_at += [now] * (slots - len(free_at))
    heapq.heapify(free_at)
    positions = {}
    for place, candidate in enumerate(order, start=1):
        start = heapq.heappop(free_at)
        positions[candidate.run_id] = {"position": place, "estimated_start": start, "slots": slots}
        heapq.heappush(free_at, start + timedelta(seconds=durations[candidate.run_id]))
    return positions


def tokens_reconcile() -> dict:
    """Put tokens back when the broker holds fewer than there are queued runs (a Redis restart
    or flush loses them). Counts the messages waiting in each training queue; extra tokens are
    harmless, missing ones would strand runs."""
    from .tasks import run_train

    queued = defaultdict(list)
    for candidate in _candidates():
        queued["training-gpu" if candidate.device == "gpu" else "training"].append(candidate.run_id)
    added = {}
    for queue, run_ids in queued.items():
        waiting = _queue_length(queue)
        missing = len(run_ids) - waiting if waiting is not None else 0
        for run_id in run_ids[:max(missing, 0)]:
            run_train.apply_async(args=[run_id], queue=queue)
        added[queue] = max(missing, 0)
    return added


def _queue_length(queue: str) -> int | None:
    """Messages waiting in a Redis-backed Celery queue (None when the broker is not Redis or
    cannot be reached: then nothing is added)."""
    url = settings.CELERY_BROKER_URL
    if not str(url).startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return int(client.llen(queue))
    except redis.RedisError:
        logger.warning("cannot read the length of queue %s", queue)
        return None
