"""Comparing what a learner's function returned with what the reference returned.

Runs in the grading process, never in the sandbox. ``check`` comes from the exercise's
cases.py: ``{"type": "close", "rtol", "atol"}``, ``{"type": "equal"}`` or
``{"type": "raises", "exception": "ValueError"}``. Messages name where the values differ, in
the platform language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

CHECK_TYPES = ("close", "equal", "raises")
SHOWN_CHARS = 120


@dataclass
class Verdict:
    passed: bool
    message: str = ""


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=20, separator=", ")
    elif isinstance(value, float):
        text = f"{value:.8g}"
    else:
        text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _where(path: str) -> str:
    return _(" at %(path)s") % {"path": path} if path != "result" else ""


def _numbers_close(expected: float, got: float, rtol: float, atol: float) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    return math.isclose(expected, got, rel_tol=rtol, abs_tol=atol)


def _compare(expected, got, path: str, rtol: float, atol: float) -> str | None:
    """None when equal, else the first difference as a sentence."""
    if isinstance(expected, np.ndarray):
        if isinstance(got, (list, tuple)) or _is_number(got):
            try:
                got = np.asarray(got, dtype=float if expected.dtype.kind == "f" else None)
            except (ValueError, TypeError):
                return _("expected an array%(where)s, got %(type)s") % {"where": _where(path), "type": type(got).__name__}
        if not isinstance(got, np.ndarray):
            return _("expected an array%(where)s, got %(type)s") % {"where": _where(path), "type": type(got).__name__}
        if got.shape != expected.shape:
            return _("expected shape %(expected)s%(where)s, got shape %(got)s") % {
                "expected": tuple(expected.shape), "where": _where(path), "got": tuple(got.shape)}
        if got.dtype.kind not in "biuf":
            return _("expected numbers%(where)s, got an array of %(dtype)s") % {"where": _where(path), "dtype": got.dtype}
        exp_f, got_f = expected.astype(float), got.astype(float)
        same = np.isclose(got_f, exp_f, rtol=rtol, atol=atol, equal_nan=True)
        if not same.all():
            index = tuple(int(i) for i in np.argwhere(~same)[0])
            return _("values differ%(where)s at index %(index)s: expected %(expected)s, got %(got)s (%(count)d of %(total)d elements differ)") % {
                "where": _where(path), "index": index, "expected": _short(float(exp_f[index])), "got": _short(float(got_f[index])),
                "count": int((~same).sum()), "total": int(same.size)}
        return None
    if isinstance(expected, bool):
        if not isinstance(got, (bool, np.bool_)) or bool(got) != expected:
            return _("expected %(expected)s%(where)s, got %(got)s") % {"expected": expected, "where": _where(path), "got": _short(got)}
        return None
    if _is_number(expected):
        if isinstance(got, np.ndarray) and got.shape == ():
            got = got.item()
        if not _is_number(got):
            return _("expected a number%(where)s, got %(type)s %(got)s") % {"where": _where(path), "type": type(got).__name__, "got": _short(got)}
        if not _numbers_close(float(expected), float(got), rtol, atol):
            return _("expected %(expected)s%(where)s, got %(got)s") % {"expected": _short(expected), "where": _where(path), "got": _short(got)}
        return None
    if isinstance(expected, (list, tuple)):
        if isinstance(got, np.ndarray) and got.ndim >= 1:
            got = got.tolist()
        if not isinstance(got, (list, tuple)):
            return _("expected a list or tuple%(where)s, got %(type)s %(got)s") % {"where": _where(path), "type": type(got).__name__, "got": _short(got)}
        if len(got) != len(expected):
            return _("expected %(expected)d items%(where)s, got %(got)d: %(value)s") % {
                "expected": len(expected), "where": _where(path), "got": len(got), "value": _short(got)}
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = _compare(e, g, f"{path}[{i}]", rtol, atol)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _("expected a dict%(where)s, got %(type)s") % {"where": _where(path), "type": type(got).__name__}
        missing = [k for k in expected if k not in got]
        if missing:
            return _("missing key %(key)s%(where)s") % {"key": repr(missing[0]), "where": _where(path)}
        extra = [k for k in got if k not in expected]
        if extra:
            return _("unexpected key %(key)s%(where)s") % {"key": repr(extra[0]), "where": _where(path)}
        for key in expected:
            problem = _compare(expected[key], got[key], f"{path}[{key!r}]", rtol, atol)
            if problem:
                return problem
        return None
    if expected != got or type(expected) is not type(got):
        return _("expected %(expected)s%(where)s, got %(got)s") % {"expected": _short(expected), "where": _where(path), "got": _short(got)}
    return None


def case_judge(check: dict, expected, record: dict) -> Verdict:
    """Judge one harness record (see sandbox_harness.py) against the reference outcome.

    ``expected`` is the decoded reference value, or for a raises check the exception name.
    """
    status = record.get("status")
    if check["type"] == "raises":
        wanted = check["exception"]
        if status == "raised" and wanted in (record.get("mro") or []):
            return Verdict(True)
        if status == "raised":
            return Verdict(False, _("expected %(wanted)s to be raised, got %(got)s: %(message)s") % {
                "wanted": wanted, "got": record.get("exception"), "message": record.get("message", "")})
        if status == "returned":
            return Verdict(False, _("expected %(wanted)s to be raised, but the function returned a value") % {"wanted": wanted})
    if status == "missing":
        return Verdict(False, record.get("message", ""))
    if status == "unencodable":
        return Verdict(False, _("the returned value cannot be checked: %(reason)s") % {"reason": record.get("message", "")})
    if status == "raised":
        return Verdict(False, _("raised %(exception)s: %(message)s") % {"exception": record.get("exception"), "message": record.get("message", "")})
    if status != "returned":
        return Verdict(False, _("the case did not finish"))
    from .codevalues import ValueEncodeError, value_decode

    try:
        got = value_decode(record.get("value"))
    except ValueEncodeError:
        return Verdict(False, _("the returned value cannot be checked"))
    if check["type"] == "equal":
        rtol = atol = 0.0
    else:
        rtol, atol = float(check.get("rtol", 1e-6)), float(check.get("atol", 1e-8))
    problem = _compare(expected, got, "result", rtol, atol)
    return Verdict(problem is None, problem or "")
