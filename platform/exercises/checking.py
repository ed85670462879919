"""Checking answers (pure functions): learners' responses arrive as untrusted JSON."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_TEXT_CHARS = 10_000
_SHAPE_TOKEN = re.compile(r"^(none|\?|-?\d+)$", re.IGNORECASE)


class ResponseError(ValueError):
    """The response cannot be read (wrong type, empty, too long); the message says why."""


@dataclass(frozen=True)
class Checked:
    normalized: object
    correct: bool | None  # None: needs an instructor


def shape_parse(text: object) -> tuple:
    """'(None, 32, 32, 16)', '[None,32,32,16]' or 'None, 32' → (None, 32, 32, 16)."""
    if not isinstance(text, str) or not text.strip():
        raise ResponseError(_("Write a shape such as (None, 32, 32, 16)."))
    if len(text) > 200:
        raise ResponseError(_("That shape is too long."))
    body = text.strip()
    if body[:1] in "([" and body[-1:] in ")]":
        body = body[1:-1]
    parts = [p.strip() for p in body.split(",")]
    if parts and parts[-1] == "":  # the one-element tuple "(3,)"
        parts = parts[:-1]
    if not parts or not all(_SHAPE_TOKEN.match(p) for p in parts):
        raise ResponseError(_("A shape is a list of whole numbers or None, separated by commas, e.g. (None, 32, 32, 16)."))
    return tuple(None if p.lower() in ("none", "?") else int(p) for p in parts)


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ResponseError(_("Enter a number."))
    if isinstance(value, str):
        value = value.strip().replace("，", "").replace(",", "")
        try:
            value = float(value)
        except ValueError:
            raise ResponseError(_("Enter a number, e.g. 92 or 0.25.")) from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ResponseError(_("Enter a finite number."))
    return float(value)


def response_check(qtype: str, response: object, *, answer=None, tolerance: float = 0.0, choice_ids=()) -> Checked:
    """Normalize one response and decide whether it is right."""
    if not isinstance(response, dict):
        raise ResponseError(_("The answer must be a JSON object."))
    if qtype == "single":
        choice = response.get("choice")
        if choice not in choice_ids:
            raise ResponseError(_("Pick one of the options."))
        return Checked(choice, choice == answer)
    if qtype == "multiple":
        picked = response.get("choices")
        if not isinstance(picked, list) or not picked or not all(c in choice_ids for c in picked) or len(picked) > len(choice_ids):
            raise ResponseError(_("Pick one or more of the options."))
        normalized = sorted(set(picked))
        return Checked(normalized, set(normalized) == set(answer or []))
    if qtype == "numeric":
        value = _number(response.get("value"))
        expected = float(answer)
        # The epsilon absorbs binary floating point (0.26 − 0.25 is a hair above 0.01).
        slack = float(tolerance) + 1e-9 * max(1.0, abs(expected))
        return Checked(value, abs(value - expected) <= slack)
    if qtype == "shape":
        value = shape_parse(response.get("value"))
        return Checked(list(value), value == shape_parse(answer))
    if qtype == "text":
        text = response.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ResponseError(_("Write your answer first."))
        if len(text) > MAX_TEXT_CHARS:
            raise ResponseError(_("Answers are limited to %(n)d characters.") % {"n": MAX_TEXT_CHARS})
        return Checked(text.strip(), None)
    raise ResponseError(_("Unknown question type."))
