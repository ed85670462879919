"""The fair-share scheduler: decision time against queue length, claim throughput, fairness.

A fresh SQLite database (migrated here) is filled with queued runs; nothing trains. Measured in
one run, side by side:
  * decision time: one ``run_claim_next`` (fair order + conditional UPDATE) with 100, 1,000 and
    10,000 runs queued, against a plain FIFO claim (oldest queued run, same conditional UPDATE);
  * throughput: claims per second draining 500 queued runs, fair-share vs FIFO;
  * fairness: three learners submit 1 : 5 : 20 runs at once, four slots; each run "trains" 60
    simulated seconds (its usage is recorded, as the worker does). Printed: the share of started
    runs per learner after 4, 8, 12 … starts, fair-share vs FIFO.

Usage: .venv/bin/python bench/bench_scheduler.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "workers")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["DLC_DATA_ROOT"] = tempfile.mkdtemp(prefix="bench-scheduler-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dlclassroom.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from django.conf import settings

    call_command("migrate", verbosity=0)
    # No running-run cap here: the throughput part claims 500 runs without finishing any.
    settings.QUOTAS = {**settings.QUOTAS, "max_running": None}
    from accounts.models import User
    from courseware.models import Course, Lab
    from datasets.models import Dataset
    from quotas.models import RunUsage
    from training import scheduler
    from training.models import Run
    from training.services import run_claim

    course = Course.objects.create(slug="bench", title_zh="b", title_en="b")
    lab = Lab.objects.create(course=course, slug="lab", title_zh="l", title_en="l", compile_config={}, hyperparameters={}, dataset_slugs=["d"])
    dataset = Dataset.objects.create(slug="d", title_zh="d", title_en="d", format="npz", relative_path="d")
    learners = User.objects.bulk_create([User(username=f"u{n}") for n in range(200)])

    def fill(count: int, owners=None) -> None:
        now = timezone.now()
        owners = owners or [learners[n % len(learners)] for n in range(count)]
        Run.objects.bulk_create([Run(owner=o, course=course, lab=lab, dataset=dataset, resources={"device": "any"},
                                     created_at=now) for o in owners])

    def clear() -> None:
        RunUsage.objects.all().delete()
        Run.objects.all().delete()

    def fifo_claim(worker: str):
        for run_id in Run.objects.filter(status=Run.Status.QUEUED).order_by("created_at", "pk").values_list("pk", flat=True)[:10]:
            if run_claim(run_id, worker):
                return run_id
        return None

    print("decision time for one claim (median of rounds)")
    print(f"{'queued':>8} {'FIFO':>10} {'fair-share':>12} {'ratio':>7}")
    for size in (100, 1000, 10000):
        fifo_t, fair_t = [], []
        for _round in range(args.rounds):
            clear()
            fill(size)
            started = time.perf_counter()
            fifo_claim("w")
            fifo_t.append(time.perf_counter() - started)
            started = time.perf_counter()
            scheduler.run_claim_next("w", "cpu")
            fair_t.append(time.perf_counter() - started)
        f, s = statistics.median(fifo_t), statistics.median(fair_t)
        print(f"{size:>8} {f * 1000:8.1f} ms {s * 1000:10.1f} ms {s / f:6.1f}×")

    print("\nthroughput draining 500 queued runs (claims per second)")
    for name, claim in (("FIFO", fifo_claim), ("fair-share", lambda w: scheduler.run_claim_next(w, "cpu"))):
        clear()
        fill(500)
        started = time.perf_counter()
        count = 0
        while claim("w") is not None:
            count += 1
        print(f"  {name:>10}: {count / (time.perf_counter() - started):7.1f} /s ({count} claims)")

    print("\nfairness: learners A, B, C submit 1, 5 and 20 runs at once; 4 slots; 60 s per run")
    a, b, c = learners[:3]
    for name, claim in (("FIFO", fifo_claim), ("fair-share", lambda w: scheduler.run_claim_next(w, "cpu"))):
        clear()
        fill(26, [c] * 20 + [b] * 5 + [a])  # the heavy learner happens to submit first
        clock = timezone.now() - timedelta(hours=1)
        started, line = [], []
        while True:
            batch = []
            for slot in range(4):
                picked = claim(f"slot{slot}")
                if picked is None:
                    break
                run = Run.objects.get(pk=picked if isinstance(picked, int) else picked.pk)
                batch.append(run)
            if not batch:
                break
            for run in batch:
                RunUsage.objects.create(run=run, user=run.owner, course=course, device="cpu", started_at=clock,
                                        ended_at=clock + timedelta(seconds=60), seconds=60)
                Run.objects.filter(pk=run.pk).update(status=Run.Status.SUCCEEDED)
                started.append(run.owner.username)
            clock += timedelta(seconds=60)
            shares = {u.username: started.count(u.username) for u in (a, b, c)}
            line.append(f"{len(started):>3}: A {shares[a.username]:>2} B {shares[b.username]:>2} C {shares[c.username]:>2}")
        print(f"  {name}:")
        for entry in line[:4]:
            print(f"    after {entry}")
        first_a = started.index(a.username) + 1
        print(f"    A's only run started as number {first_a}; B's 5 runs were done after start {max(i for i, u in enumerate(started, 1) if u == b.username)}")


if __name__ == "__main__":
    main()
