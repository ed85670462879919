"""Training child process: ``python -m trainer RUN_DIR --events-fd N``.

It runs in a process of its own per run, so that cancel or a time limit can kill it and the GPU
memory it held is released at exit. It knows nothing of Django, the database or Redis: it reads
``RUN_DIR/config.json``, trains, writes its files into RUN_DIR, and reports progress as JSON
lines on the events pipe; the supervising Celery task stores and publishes them.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from trainer.events import EventWriter  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trainer")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--events-fd", type=int, default=None)
    args = parser.parse_args(argv)
    events = EventWriter(args.events_fd)
    try:
        from trainer.train import train

        train(args.run_dir, events.emit)
    except Exception as exc:  # report every failure to the learner, then exit non-zero
        events.emit({"type": "error", "message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=20)})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
