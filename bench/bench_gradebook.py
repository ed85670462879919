"""Gradebook page and CSV export time for a course of 500 learners × 20 items (generated).

A fresh SQLite database in a temporary data root (migrated here) gets one course, 500 enrolled
learners, 20 graded items in three categories (drop-lowest and late penalty on) and a grade for
every learner × item. Measured side by side, interleaved, medians of --rounds:
  * baseline: reading the 10,000 grade rows with one query (what any gradebook must at least do);
  * gradebook: ``grading.selectors.gradebook`` (all rows, category shares, totals, letters);
  * page: the instructor's gradebook page through Django's test client (HTML for 500 × 20 cells);
  * CSV: ``gradebook_csv_write`` (UTF-8 with BOM), the work the export task does.

Usage: .venv/bin/python bench/bench_gradebook.py [--learners 500] [--items 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "workers")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    data_root = Path(tempfile.mkdtemp(prefix="bench-gradebook-"))
    os.environ["DLC_DATA_ROOT"] = str(data_root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dlclassroom.settings_test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from courseware.models import Course, Enrollment
    from grading.models import Grade, GradedItem, GradingCategory, GradingPolicy
    from grading.selectors import gradebook
    from grading.services import gradebook_csv_write

    rng = random.Random(0)
    course = Course.objects.create(slug="bench", title_zh="基准课程", title_en="Bench")
    GradingPolicy.objects.create(course=course, late_penalty_per_day=0.1)
    categories = [GradingCategory.objects.create(course=course, key=k, name_zh=k, name_en=k, weight=w, drop_lowest=d)
                  for k, w, d in (("labs", 0.6, 0), ("quizzes", 0.25, 1), ("questions", 0.15, 0))]
    items = [GradedItem.objects.create(course=course, kind="quiz", key=f"item-{n}", title_zh=f"作业 {n}", title_en=f"Item {n}",
                                       category=categories[n % 3], points=10, position=n) for n in range(args.items)]
    learners = User.objects.bulk_create([User(username=f"s{n:04d}", first_name="同学", last_name=f"{n}", email=f"s{n}@example.org")
                                         for n in range(args.learners)])
    Enrollment.objects.bulk_create([Enrollment(course=course, user=u, role="learner") for u in learners])
    Grade.objects.bulk_create([Grade(item=i, learner=u, auto_score=s, final_score=s, source="auto", submitted_at=timezone.now())
                               for u in learners for i in items for s in [round(rng.uniform(0, 10), 2)] if rng.random() > 0.05])
    teacher = User.objects.create_user("teacher", password="x", role=User.Role.INSTRUCTOR)
    Enrollment.objects.create(course=course, user=teacher, role="instructor")
    client = Client()
    client.force_login(teacher)
    out = data_root / "gradebook.csv"

    def baseline():
        list(Grade.objects.filter(item__course=course).values_list("learner_id", "item_id", "final_score"))

    def build():
        gradebook(course)

    def page():
        response = client.get(f"/grading/{course.slug}/")
        assert response.status_code == 200, response.status_code

    def export():
        gradebook_csv_write(course, out)

    measures = {"baseline (one query)": baseline, "gradebook (totals)": build, "gradebook page": page, "CSV export": export}
    times: dict[str, list[float]] = {k: [] for k in measures}
    page()  # warm-up: templates compiled, caches filled
    for _round in range(args.rounds):
        for name, func in measures.items():
            started = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["baseline (one query)"])
    print(f"{args.learners} learners × {args.items} items ({Grade.objects.count()} grades), {args.rounds} rounds, medians")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:22} {median * 1000:8.1f} ms   {median / base:6.1f}× baseline")
    print(f"CSV size: {out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
