"""JSON encoding of the values code exercises pass in and get back.

This file is copied into the sandbox next to the harness, so it imports nothing but the
standard library and NumPy. Values cross the sandbox boundary only as JSON: never pickle,
which would let learner code run code in the grading process.

Encoded forms: None, bool, int, str and finite float as themselves; lists as lists;
``{"__tuple__": [...]}``, ``{"__dict__": {...}}`` (string keys), ``{"__float__": "nan"|"inf"|"-inf"}``
and ``{"__ndarray__": nested list, "dtype": str, "shape": [...]}``.
"""

from __future__ import annotations

import math

MAX_DEPTH = 32
MAX_ITEMS = 1_000_000


class ValueEncodeError(ValueError):
    """A value cannot cross the boundary; the message says why, for the learner."""


def value_encode(value, _depth: int = 0, _count: list | None = None):
    count = _count if _count is not None else [0]
    count[0] += 1
    if _depth > MAX_DEPTH:
        raise ValueEncodeError(f"the value is nested more than {MAX_DEPTH} levels deep")
    if count[0] > MAX_ITEMS:
        raise ValueEncodeError(f"the value has more than {MAX_ITEMS} items")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - NumPy is always there in the platform
        np = None
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biuf":
                raise ValueEncodeError(f"arrays of dtype {value.dtype} cannot be checked; return numbers")
            if value.size > MAX_ITEMS:
                raise ValueEncodeError(f"the array has more than {MAX_ITEMS} elements")
            count[0] += int(value.size)
            data = value.tolist()
            if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
                data = _floats_tag(data)
            return {"__ndarray__": data, "dtype": str(value.dtype), "shape": list(value.shape)}
        if isinstance(value, np.generic):
            return value_encode(value.item(), _depth + 1, count)
    if isinstance(value, tuple):
        return {"__tuple__": [value_encode(v, _depth + 1, count) for v in value]}
    if isinstance(value, list):
        return [value_encode(v, _depth + 1, count) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueEncodeError(f"dictionary keys must be strings, got {type(key).__name__}")
            out[key] = value_encode(item, _depth + 1, count)
        return {"__dict__": out}
    raise ValueEncodeError(f"a value of type {type(value).__name__} cannot be checked")


def _floats_tag(data):
    if isinstance(data, list):
        return [_floats_tag(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return {"__float__": "nan" if math.isnan(data) else ("inf" if data > 0 else "-inf")}
    return data


def _floats_untag(data):
    if isinstance(data, list):
        return [_floats_untag(v) for v in data]
    if isinstance(data, dict) and "__float__" in data:
        return float(data["__float__"])
    return data


_ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64"}


def value_decode(data, _depth: int = 0):
    """The inverse of value_encode; anything not in the encoded forms is refused."""
    if _depth > MAX_DEPTH + 1:
        raise ValueEncodeError("the value is nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [value_decode(v, _depth + 1) for v in data]
    if isinstance(data, dict):
        if set(data) == {"__tuple__"} and isinstance(data["__tuple__"], list):
            return tuple(value_decode(v, _depth + 1) for v in data["__tuple__"])
        if set(data) == {"__dict__"} and isinstance(data["__dict__"], dict):
            return {str(k): value_decode(v, _depth + 1) for k, v in data["__dict__"].items()}
        if set(data) == {"__float__"} and data["__float__"] in ("nan", "inf", "-inf"):
            return float(data["__float__"])
        if set(data) == {"__ndarray__", "dtype", "shape"}:
            import numpy as np

            if data["dtype"] not in _ARRAY_DTYPES:
                raise ValueEncodeError(f"unknown array dtype {data['dtype']!r}")
            shape = data["shape"]
            if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
                raise ValueEncodeError("bad array shape")
            array = np.array(_floats_untag(data["__ndarray__"]), dtype=data["dtype"])
            if list(array.shape) != shape:
                if array.size == 0 and math.prod(shape) == 0:
                    return array.reshape(shape)
                raise ValueEncodeError("array data do not match the shape")
            return array
    raise ValueEncodeError("not an encoded value")
