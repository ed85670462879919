"""Runs a learner's solution on test inputs, inside the sandbox (``python3 _dlc_harness.py``).

Copied into the sandbox's /work with ``_dlc_values.py``, the learner's ``solution.py`` and
``cases.json`` (function names and inputs only). It writes one JSON line per case to
/output/results.jsonl as it goes, so the cases that finished before a limit stopped the process
still count. It never sees expected values: those stay with the grader, which compares.
"""

import json
import os
import sys
import time
import traceback

import _dlc_values as values

SOLUTION = "solution.py"
RESULTS = os.environ.get("DLC_RESULTS", "/output/results.jsonl")  # another path only outside the sandbox (bench)
MESSAGE_CHARS = 1500


def traceback_trim(exc: BaseException) -> str:
    """The traceback with only the learner's own frames, then the exception line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOLUTION]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def exception_record(exc: BaseException) -> dict:
    return {
        "status": "raised",
        "exception": type(exc).__name__,
        "mro": [cls.__name__ for cls in type(exc).__mro__],
        "message": str(exc)[:MESSAGE_CHARS],
        "traceback": traceback_trim(exc),
    }


def main() -> int:
    with open("cases.json", encoding="utf-8") as handle:
        spec = json.load(handle)
    out = open(RESULTS, "w", encoding="utf-8")

    def write(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    namespace = {"__name__": "solution", "__file__": SOLUTION}
    try:
        with open(SOLUTION, encoding="utf-8") as handle:
            source = handle.read()
        exec(compile(source, SOLUTION, "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - SystemExit included: report, don't vanish
        write({"load": exception_record(exc)})
        return 0
    write({"load": {"status": "ok"}})

    for case in spec["cases"]:
        record: dict = {"id": case["id"]}
        function = namespace.get(case["call"])
        if not callable(function):
            record.update(status="missing", message=f"{SOLUTION} does not define a function {case['call']}()")
            write(record)
            continue
        started = time.perf_counter()
        try:
            args = values.value_decode(case.get("args", []))
            kwargs = values.value_decode(case.get("kwargs") or {"__dict__": {}})
            result = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            record.update(exception_record(exc))
        else:
            try:
                record.update(status="returned", value=values.value_encode(result))
            except values.ValueEncodeError as exc:
                record.update(status="unencodable", message=str(exc))
        record["seconds"] = round(time.perf_counter() - started, 4)
        write(record)
    write({"finished": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
