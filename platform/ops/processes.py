"""Command lines of the platform's processes, shared by ``manage.py up``, the tests and the
benchmarks (no Django imports here, so anything can build them)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def platform_env(redis_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["REDIS_URL"] = redis_url
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT / "workers")])
    env.setdefault("DJANGO_SETTINGS_MODULE", "dlclassroom.settings")
    return env


def daphne_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "--proxy-headers", "dlclassroom.asgi:application"]


def worker_command(name: str = "training@%h", concurrency: int = 2, beat_schedule: Path | None = None) -> list[str]:
    """One Celery worker for both queues; with ``beat_schedule`` it also runs the periodic
    tasks (the stale-run reaper), which is right for a single-machine set-up only."""
    command = [sys.executable, "-m", "celery", "-A", "dlclassroom", "worker", "-Q", "training,light", "-n", name,
               "-c", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    if beat_schedule is not None:
        command += ["-B", "-s", str(beat_schedule)]
    return command
