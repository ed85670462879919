"""The tensor-shape explorer's arithmetic (pure Python): what shape an operation gives, or why
it is not allowed. Follows NumPy/TensorFlow rules; tests check it against NumPy."""

from __future__ import annotations

import math
import re

from django.utils.translation import gettext as _

MAX_RANK = 8
MAX_DIM = 1_000_000
OPERATIONS = ("reshape", "transpose", "broadcast_add", "matmul", "flatten", "batch")


class ShapeError(ValueError):
    """The input is not a shape, or the operation is not allowed; the message says why."""


def dims_parse(text: object, what: str = "") -> tuple[int, ...]:
    """'(2, 3, 4)', '[2,3,4]', '2 3 4' or a JSON list → (2, 3, 4). Allows -1 only where asked."""
    what = what or _("the shape")
    if isinstance(text, list):
        parts = text
    elif isinstance(text, str) and len(text) <= 200:
        parts = [p for p in re.split(r"[\s,()\[\]]+", text.strip()) if p]
    else:
        raise ShapeError(_("Write %(what)s as whole numbers separated by commas, e.g. (2, 3, 4).") % {"what": what})
    dims = []
    for part in parts:
        try:
            value = int(part) if not isinstance(part, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None or (isinstance(part, float) and not part.is_integer()):
            raise ShapeError(_("%(value)s is not a whole number.") % {"value": str(part)[:20]})
        dims.append(value)
    if len(dims) > MAX_RANK:
        raise ShapeError(_("At most %(n)d axes, please.") % {"n": MAX_RANK})
    return tuple(dims)


def _check_dims(shape: tuple[int, ...]) -> tuple[int, ...]:
    for dim in shape:
        if not 0 <= dim <= MAX_DIM:
            raise ShapeError(_("Every axis must be between 0 and %(max)d.") % {"max": MAX_DIM})
    return shape


def shape_describe(shape: tuple[int, ...]) -> dict:
    elements = math.prod(shape)
    return {"shape": list(shape), "ndim": len(shape), "elements": elements, "float32_bytes": 4 * elements}


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise ShapeError(_("Cannot broadcast: axis −%(i)d has %(x)d and %(y)d; sizes must be equal or one of them 1.") % {"i": i, "x": x, "y": y})
        result.append(max(x, y) if 1 in (x, y) else x)
    return tuple(reversed(result))


def shape_apply(shape: tuple[int, ...], operation: str, argument: object = None) -> tuple[int, ...]:
    """The result shape of ``operation`` on a tensor of ``shape``."""
    shape = _check_dims(tuple(shape))
    if operation == "reshape":
        target = dims_parse(argument, _("the target shape"))
        if sum(1 for d in target if d == -1) > 1 or any(d < -1 for d in target):
            raise ShapeError(_("A target shape may contain -1 at most once, and no other negative numbers."))
        known = math.prod(d for d in target if d != -1)
        total = math.prod(shape)
        if -1 in target:
            if known == 0 or total % known:
                raise ShapeError(_("Cannot reshape %(total)d elements: they do not divide by %(known)d.") % {"total": total, "known": known})
            target = tuple(total // known if d == -1 else d for d in target)
        if math.prod(target) != total:
            raise ShapeError(_("Cannot reshape %(total)d elements into %(target)s (%(other)d elements).") % {"total": total, "target": str(tuple(target)), "other": math.prod(target)})
        return _check_dims(target)
    if operation == "transpose":
        perm = tuple(reversed(range(len(shape)))) if argument in (None, "") else dims_parse(argument, _("the axis order"))
        if sorted(perm) != list(range(len(shape))):
            raise ShapeError(_("The axis order must use each of 0 … %(last)d exactly once.") % {"last": len(shape) - 1})
        return tuple(shape[i] for i in perm)
    if operation == "broadcast_add":
        return _broadcast(shape, _check_dims(dims_parse(argument, _("the second shape"))))
    if operation == "matmul":
        other = _check_dims(dims_parse(argument, _("the second shape")))
        if not shape or not other:
            raise ShapeError(_("matmul needs tensors with at least one axis."))
        a = (1,) + shape if len(shape) == 1 else shape
        b = other + (1,) if len(other) == 1 else other
        if a[-1] != b[-2]:
            raise ShapeError(_("Cannot multiply: the last axis of the first (%(a)d) must equal the second-to-last axis of the second (%(b)d).") % {"a": a[-1], "b": b[-2]})
        result = _broadcast(a[:-2], b[:-2]) + (a[-2], b[-1])
        if len(shape) == 1:
            result = result[:-2] + result[-1:]
        if len(other) == 1:
            result = result[:-1]
        return result
    if operation == "flatten":
        if len(shape) < 1:
            raise ShapeError(_("Flatten keeps the first (sample) axis, so it needs at least one axis."))
        return (shape[0], math.prod(shape[1:]))
    if operation == "batch":
        size = dims_parse(argument, _("the batch size")) if argument not in (None, "") else (32,)
        if len(size) != 1 or size[0] < 1:
            raise ShapeError(_("The batch size is one whole number ≥ 1."))
        return _check_dims(size + shape)
    raise ShapeError(_("Unknown operation."))
