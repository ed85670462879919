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


def error_event(exc: Exception) -> dict:
    """The error event for a failed run. The learner's own code (Keras-code labs) failing, or
    failing later in fit (a custom layer's call), is told in the learner's terms with a traceback
    of their frames only; anything else keeps the full traceback for the staff."""
    from trainer.usercode import FILENAME, LearnerCodeError, has_learner_frames, learner_error

    if not isinstance(exc, LearnerCodeError) and has_learner_frames(exc, FILENAME):
        exc = learner_error(exc, FILENAME, prefix="training your model failed: ")
    if isinstance(exc, LearnerCodeError):
        return {"type": "error", "message": exc.message, "traceback": exc.traceback}
    return {"type": "error", "message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=20)}


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
        events.emit(error_event(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
