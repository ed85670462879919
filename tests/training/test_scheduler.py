"""Fair-share scheduling: the run whose owner used least goes first, ties by submission time;
owners at their running limit wait; device needs are respected; positions and estimates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from quotas.models import QuotaPolicy, RunUsage
from tests.factories import RunFactory, UserFactory
from training import scheduler
from training.models import Run, WorkerNode
from training.scheduler import Candidate, fair_order

T0 = datetime(2026, 1, 1, tzinfo=dt_timezone.utc)


def c(run_id: int, owner: int, minute: int, device: str = "any") -> Candidate:
    return Candidate(run_id, owner, T0 + timedelta(minutes=minute), device)


def test_least_used_owner_goes_first_then_submission_time():
    order = fair_order([c(1, 10, 0), c(2, 10, 1), c(3, 20, 2), c(4, 30, 3)], usage={10: 500.0, 20: 0.0}, running={}, max_running={})
    # Owners 20 and 30 used nothing (20 submitted first); owner 10 used 500 s, so both of its
    # runs come after theirs, in submission order.
    assert [x.run_id for x in order] == [3, 4, 1, 2]


def test_one_learner_with_many_runs_does_not_starve_the_others():
    heavy = [c(i, 1, i) for i in range(20)]
    light = [c(100, 2, 30), c(101, 3, 31)]
    order = [x.run_id for x in fair_order(heavy + light, usage={}, running={}, max_running={})]
    # The two light users' runs start within the first three, though submitted last.
    assert set(order[:3]) >= {100, 101}


def test_owner_at_the_running_limit_waits():
    order = fair_order([c(1, 10, 0), c(2, 20, 1)], usage={}, running={10: 2}, max_running={10: 2, 20: 2})
    assert [x.run_id for x in order] == [2]


def test_claim_next_takes_the_fairest_run_and_respects_devices(db):
    heavy, light = UserFactory(), UserFactory()
    first = RunFactory(owner=heavy)
    RunUsage.objects.create(run=first, user=heavy, course=first.course, device="cpu", started_at=timezone.now() - timedelta(hours=1),
                            ended_at=timezone.now(), seconds=3600)
    Run.objects.filter(pk=first.pk).update(status=Run.Status.SUCCEEDED)
    waiting_heavy = RunFactory(owner=heavy, lab=first.lab)
    gpu_only = RunFactory(owner=light, lab=first.lab, resources={"device": "gpu", "time_limit_s": 60})
    waiting_light = RunFactory(owner=light, lab=first.lab)
    claimed = scheduler.run_claim_next("cpu-worker", "cpu")
    assert claimed.pk == waiting_light.pk and claimed.worker == "cpu-worker"
    assert scheduler.run_claim_next("cpu-worker-2", "cpu").pk == waiting_heavy.pk
    assert scheduler.run_claim_next("cpu-worker-3", "cpu") is None  # only the GPU run is left
    assert scheduler.run_claim_next("gpu-worker", "gpu").pk == gpu_only.pk


def test_max_running_from_a_users_override_holds_runs_back(db, settings):
    settings.QUOTAS = {**settings.QUOTAS, "max_running": 5}
    user = UserFactory()
    QuotaPolicy.objects.create(user=user, max_running=1)
    a = RunFactory(owner=user)
    RunFactory(owner=user, lab=a.lab)
    assert scheduler.run_claim_next("w1", "cpu").pk == a.pk
    assert scheduler.run_claim_next("w2", "cpu") is None


def test_queue_positions_and_estimated_starts_use_the_online_slots(db):
    now = timezone.now()
    WorkerNode.objects.create(name="w1", slots=1, started_at=now, heartbeat_at=now)
    WorkerNode.objects.create(name="w2", slots=1, started_at=now, heartbeat_at=now - timedelta(minutes=10))  # dead
    a, b = UserFactory(), UserFactory()
    r1 = RunFactory(owner=a)
    r2 = RunFactory(owner=a, lab=r1.lab)
    r3 = RunFactory(owner=b, lab=r1.lab)
    positions = scheduler.queue_positions(now=now)
    assert {k: v["position"] for k, v in positions.items()} == {r1.pk: 1, r3.pk: 2, r2.pk: 3}
    assert positions[r1.pk]["slots"] == 1
    # One slot, 120 s per run expected (no history): starts now, +120 s, +240 s.
    starts = [positions[r.pk]["estimated_start"] - now for r in (r1, r3, r2)]
    assert starts == [timedelta(0), timedelta(seconds=120), timedelta(seconds=240)]


def test_reconcile_adds_tokens_only_for_missing_ones(db, monkeypatch):
    sent = []
    monkeypatch.setattr(scheduler, "_queue_length", lambda queue: 1)
    from training import tasks

    monkeypatch.setattr(tasks.run_train, "apply_async", lambda args, queue: sent.append((args[0], queue)))
    runs = [RunFactory() for _ in range(3)]
    assert scheduler.tokens_reconcile() == {"training": 2}
    assert [r for r, _q in sent] == [runs[0].pk, runs[1].pk]


@pytest.mark.parametrize("slot,memory", [("0:4096", 4096), ("1", None), ("", None)])
def test_a_gpu_slot_pins_the_child_and_limits_its_memory(slot, memory):
    from training import services

    assert services._slot_memory_mb(slot) == memory
    env = services._child_env(slot)
    assert env.get("CUDA_VISIBLE_DEVICES") == (slot.partition(":")[0] or None)
