"""Reading the code exercises of a course: ``<course>/code/<id>/`` (see docs/code-exercises.md).

Each folder holds exercise.yaml, starter.py, solution.py (the reference), cases.py (the test
inputs: ``visible()`` and ``hidden()``) and wrong/*.py (mistakes the tests must catch). The
reference solution and cases.py are course content from the repository, run here in the
loading process to compute expected values once; learner code never is. Expected values are
stored with the exercise and never enter the sandbox.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

from courseware.content import SLUG_RE, ContentError, yaml_file_load

from .codecheck import CHECK_TYPES
from .codevalues import ValueEncodeError, value_encode

REQUIRED = ("id", "chapter", "title_zh", "title_en", "functions", "prompt")
MAX_CASES = 40
LIMIT_RANGES = {"time_limit_s": (1, 60), "memory_mb": (128, 2048)}


def _module_load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop(name, None)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any error in content is a content error
        raise ContentError(path, f"cannot load: {type(exc).__name__}: {exc}") from exc
    return module


def _cases_build(folder: Path, meta: dict) -> list[dict[str, Any]]:
    cases_file, solution_file = folder / "cases.py", folder / "solution.py"
    for path in (cases_file, solution_file, folder / "starter.py"):
        if not path.exists():
            raise ContentError(path, "missing")
    module_id = meta["id"].replace("-", "_")
    cases_module = _module_load(cases_file, f"_dlc_cases_{module_id}")
    solution = _module_load(solution_file, f"_dlc_solution_{module_id}")
    cases: list[dict[str, Any]] = []
    names: set[str] = set()
    for hidden in (False, True):
        maker = getattr(cases_module, "hidden" if hidden else "visible", None)
        if not callable(maker):
            raise ContentError(cases_file, f"cases.py must define {'hidden' if hidden else 'visible'}()")
        items = maker()
        if not isinstance(items, list) or not items:
            raise ContentError(cases_file, f"{maker.__name__}() must return a non-empty list")
        for number, item in enumerate(items, start=1):
            where = f"{maker.__name__}() case {number}"
            if not isinstance(item, dict) or not {"name", "call", "check"} <= set(item):
                raise ContentError(cases_file, f"{where}: needs name, call and check")
            if item["name"] in names:
                raise ContentError(cases_file, f"{where}: name {item['name']!r} is used twice")
            names.add(item["name"])
            if item["call"] not in meta["functions"]:
                raise ContentError(cases_file, f"{where}: calls {item['call']}, which is not in functions")
            check = dict(item["check"])
            if check.get("type") not in CHECK_TYPES:
                raise ContentError(cases_file, f"{where}: check type must be one of {', '.join(CHECK_TYPES)}")
            args, kwargs = list(item.get("args", [])), dict(item.get("kwargs", {}))
            function = getattr(solution, item["call"], None)
            if not callable(function):
                raise ContentError(solution_file, f"does not define {item['call']}()")
            try:
                encoded_args, encoded_kwargs = value_encode(args), value_encode(kwargs)
            except ValueEncodeError as exc:
                raise ContentError(cases_file, f"{where}: inputs cannot be encoded: {exc}") from exc
            try:
                result = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            except Exception as exc:  # noqa: BLE001
                if check["type"] != "raises":
                    raise ContentError(solution_file, f"{where}: the reference raised {type(exc).__name__}: {exc}") from exc
                if check["exception"] not in [cls.__name__ for cls in type(exc).__mro__]:
                    raise ContentError(solution_file, f"{where}: the reference raised {type(exc).__name__}, not {check['exception']}") from exc
                expected = None
            else:
                if check["type"] == "raises":
                    raise ContentError(solution_file, f"{where}: the reference returned instead of raising {check['exception']}")
                try:
                    expected = value_encode(result)
                except ValueEncodeError as exc:
                    raise ContentError(solution_file, f"{where}: the reference's result cannot be encoded: {exc}") from exc
            cases.append({
                "id": f"{'h' if hidden else 'v'}{number}",
                "name": str(item["name"]),
                "hidden": hidden,
                "call": item["call"],
                "args": encoded_args,
                "kwargs": encoded_kwargs,
                "check": check,
                "expected": expected,
            })
    if len(cases) > MAX_CASES:
        raise ContentError(cases_file, f"at most {MAX_CASES} cases")
    return cases


def code_exercise_read(folder: Path, chapter_pages: dict[str, set[str]]) -> dict[str, Any]:
    """One exercise folder, validated, with its cases' expected values computed."""
    meta_file = folder / "exercise.yaml"
    meta = yaml_file_load(meta_file)
    if not isinstance(meta, dict):
        raise ContentError(meta_file, "exercise.yaml must be a mapping", 1)
    for key in REQUIRED:
        if not meta.get(key):
            raise ContentError(meta_file, f"missing required field '{key}'")
    if not SLUG_RE.match(str(meta["id"])) or meta["id"] != folder.name:
        raise ContentError(meta_file, "id must be a slug and equal the folder name")
    if meta["chapter"] not in chapter_pages:
        raise ContentError(meta_file, f"chapter '{meta['chapter']}' does not exist")
    if meta.get("page") and meta["page"] not in chapter_pages[meta["chapter"]]:
        raise ContentError(meta_file, f"page '{meta['page']}' is not a page of {meta['chapter']}")
    functions = meta["functions"]
    if not isinstance(functions, list) or not all(isinstance(f, str) and f.isidentifier() for f in functions):
        raise ContentError(meta_file, "functions must be a list of Python names")
    for key, (low, high) in LIMIT_RANGES.items():
        value = meta.get(key, low if key == "memory_mb" else 10)
        if not isinstance(value, int) or not low <= value <= high:
            raise ContentError(meta_file, f"{key} must be an integer from {low} to {high}")
    points = meta.get("points", 10)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or not math.isfinite(points) or points <= 0:
        raise ContentError(meta_file, "points must be a positive number")
    return {
        "key": meta["id"],
        "chapter": meta["chapter"],
        "page": meta.get("page") or "",
        "order": int(meta.get("order", 0)),
        "title_zh": meta["title_zh"],
        "title_en": meta["title_en"],
        "prompt": str(meta["prompt"]),
        "functions": functions,
        "points": float(points),
        "time_limit_s": int(meta.get("time_limit_s", 10)),
        "memory_mb": int(meta.get("memory_mb", 512)),
        "starter": (folder / "starter.py").read_text(encoding="utf-8"),
        "cases": _cases_build(folder, meta),
        "folder": folder,
    }


def code_exercises_read(code_dir: Path, chapter_pages: dict[str, set[str]]) -> list[dict[str, Any]]:
    if not code_dir.is_dir():
        return []
    return [code_exercise_read(folder, chapter_pages)
            for folder in sorted(p for p in code_dir.iterdir() if p.is_dir() and (p / "exercise.yaml").exists())]
