"""The child's half of the events protocol: one JSON object per line on a pipe."""

from __future__ import annotations

import json
import math
import os
import sys
import time


def number_or_none(value) -> float | None:
    """Metrics arrive as tensors or NumPy scalars; JSON needs finite floats (NaN -> None)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def logs_clean(logs: dict | None) -> dict[str, float | None]:
    return {str(key): number_or_none(value) for key, value in (logs or {}).items()}


class EventWriter:
    def __init__(self, fd: int | None) -> None:
        self._stream = os.fdopen(fd, "w", buffering=1, encoding="utf-8") if fd is not None else sys.stdout

    def emit(self, event: dict) -> None:
        # Wall-clock time of the event, so latency to the browser can be measured end to end.
        event.setdefault("ts", round(time.time(), 4))
        self._stream.write(json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n")
        self._stream.flush()
