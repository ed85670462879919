"""Admin pages for operations: the queue in fair-share order, runs per worker and slot, workers'
health and devices, and each user's use this week. Everything is also in Django admin."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from quotas.models import RunUsage
from training.models import Run, WorkerNode
from training.scheduler import queue_positions, run_device_need


def _admin_or_404(request: HttpRequest) -> None:
    if not request.user.is_platform_admin:
        raise Http404("Not found")


@login_required
def queue_overview(request: HttpRequest) -> HttpResponse:
    _admin_or_404(request)
    now = timezone.now()
    positions = queue_positions(now=now)
    queued = list(Run.objects.filter(pk__in=positions).select_related("owner", "lab", "course"))
    queued.sort(key=lambda r: positions[r.pk]["position"])
    rows = [{"run": r, "place": positions[r.pk], "device": run_device_need(r)} for r in queued]
    running = list(Run.objects.filter(status=Run.Status.RUNNING).exclude(program="hp_search").select_related("owner", "lab").order_by("worker", "started_at"))
    by_worker = defaultdict(list)
    for run in running:
        by_worker[run.worker].append(run)
    workers = [{"node": w, "alive": w.is_alive, "runs": by_worker.pop(w.name, [])} for w in WorkerNode.objects.all()]
    week = now - timedelta(days=7)
    usage = (RunUsage.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=week))
             .values("user__username", "course__slug")
             .annotate(gpu=Sum("seconds", filter=Q(device="gpu")), cpu=Sum("seconds", filter=Q(device="cpu")), runs=Count("id"))
             .order_by("-cpu"))
    # Calendar weeks (Monday to Sunday) of the last eight weeks, per course: for reports.
    weekly = (RunUsage.objects.filter(started_at__gt=now - timedelta(weeks=8)).annotate(week=TruncWeek("started_at"))
              .values("week", "course__slug")
              .annotate(gpu=Sum("seconds", filter=Q(device="gpu")), cpu=Sum("seconds", filter=Q(device="cpu")),
                        runs=Count("id"), users=Count("user", distinct=True))
              .order_by("-week", "course__slug"))
    return render(request, "ops/queue.html", {
        "rows": rows, "workers": workers, "unregistered": dict(by_worker), "usage": usage, "weekly": weekly, "now": now,
        "slots": WorkerNode.online_slots(now),
    })
