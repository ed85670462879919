"""Validation of model specs coming from the browser.

:func:`spec_check` accepts *any* value (whatever JSON a browser may send, or
stranger Python objects) and never raises: every problem becomes a
:class:`~modelspec.report.SpecError` in the returned report. Layer indexes are
0-based in ``SpecError.index`` and 1-based in messages (index 4 is "Layer 5 (Conv2D): ..."),
as people count the rows of the builder's table.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from .calculator import LayerCalc, layer_compute, shape_text
from .catalog import (
    ACTIVATIONS,
    LAYERS,
    MAX_INPUT_DIM,
    MAX_INPUT_ELEMENTS,
    MAX_INPUT_RANK,
    MAX_LAYERS,
    MAX_PARAMS,
    ArgDef,
    LayerDef,
)
from .report import LayerReport, SpecError, SpecReport

__all__ = ["SpecInvalidError", "spec_check", "spec_normalize", "spec_validated"]

_WEIGHTED = {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense", "BatchNormalization"}
_AUGMENT = {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"}
_LARGE_ACTIVATION = 1 << 24
_SPEC_KEYS = ("input_shape", "layers")
_LAYER_KEYS = ("type", "args")
_MAX_REPEATS = 5  # at most this many unknown keys / args are listed one by one


class SpecInvalidError(ValueError):
    """Raised by the functions that need a valid spec; ``.report`` holds the details."""

    def __init__(self, report: SpecReport):
        self.report = report
        msgs = [e.message for e in report.errors[:5]]
        more = len(report.errors) - len(msgs)
        text = "invalid model spec: " + "; ".join(msgs)
        if more > 0:
            text += f" (and {more} more)"
        super().__init__(text)


# --- helpers -----------------------------------------------------------------

def _describe(value: Any) -> str:
    """Short, safe description of an arbitrary (possibly hostile) value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return ("true" if value else "false") + " (a boolean)"
    if isinstance(value, int):
        if -10**15 < value < 10**15:
            return str(value)
        return "a very large number"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "infinity" if value > 0 else "-infinity"
        return repr(value)
    if isinstance(value, str):
        if len(value) > 30:
            return repr(value[:30]) + "… (a string)"
        return repr(value) + " (a string)"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "an object"
    return "a value of type " + type(value).__name__


def _num(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _as_int(value: Any) -> tuple[int | None, str | None]:
    """Return (int, None) or (None, error code). Integral floats are accepted."""
    if isinstance(value, bool):
        return None, "bad_type"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "not_finite"
        if value.is_integer():
            return int(value), None
        return None, "bad_type"
    return None, "bad_type"


def _as_float(value: Any) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return None, "bad_type"
    if isinstance(value, int):
        try:
            return float(value), None
        except OverflowError:
            return None, "out_of_range"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "not_finite"
        return value, None
    return None, "bad_type"


def _range_text(a: ArgDef) -> str:
    lo, hi = a.min, a.max
    if lo is not None and hi is not None:
        if a.kind in ("int", "int_or_pair") and not a.min_exclusive and not a.max_exclusive:
            return f"from {_num(lo)} to {_num(hi)}"
        low = f"greater than {_num(lo)}" if a.min_exclusive else f"at least {_num(lo)}"
        high = f"less than {_num(hi)}" if a.max_exclusive else f"at most {_num(hi)}"
        return f"{low} and {high}"
    if lo is not None:
        return f"greater than {_num(lo)}" if a.min_exclusive else f"at least {_num(lo)}"
    if hi is not None:
        return f"less than {_num(hi)}" if a.max_exclusive else f"at most {_num(hi)}"
    return "a finite number"


def _in_range(a: ArgDef, v: int | float) -> bool:
    if a.min is not None and (v <= a.min if a.min_exclusive else v < a.min):
        return False
    if a.max is not None and (v >= a.max if a.max_exclusive else v > a.max):
        return False
    return True


def _suggest(name: str, options: Any) -> str:
    if len(name) > 40:
        return ""
    options = list(options)
    for opt in options:
        if opt.lower() == name.lower():
            return f" (did you mean '{opt}'?)"
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


# --- argument parsing ---------------------------------------------------------

class _ArgProblem(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _parse_int_in_range(a: ArgDef, value: Any, what: str) -> int:
    v, code = _as_int(value)
    if v is None:
        if code == "not_finite":
            raise _ArgProblem(code, f"{what} must be a whole number, got {_describe(value)}")
        raise _ArgProblem("bad_type", f"{what} must be a whole number, got {_describe(value)}")
    if not _in_range(a, v):
        raise _ArgProblem("out_of_range",
                          f"{what} must be {_range_text(a)}, got {_describe(value)}")
    return v


def _parse_arg(a: ArgDef, value: Any) -> Any:
    """Return the canonical value of one argument or raise _ArgProblem."""
    name = a.name
    if value is None:
        if a.nullable:
            return None
        if a.required:
            raise _ArgProblem("required", f"{name} is required")
    kind = a.kind
    if kind == "int":
        return _parse_int_in_range(a, value, name)
    if kind == "float":
        v, code = _as_float(value)
        if v is None:
            if code == "not_finite":
                raise _ArgProblem(code, f"{name} must be a finite number, got {_describe(value)}")
            if code == "out_of_range":
                raise _ArgProblem(code, f"{name} must be {_range_text(a)}, got {_describe(value)}")
            raise _ArgProblem("bad_type", f"{name} must be a number, got {_describe(value)}")
        if not _in_range(a, v):
            raise _ArgProblem("out_of_range", f"{name} must be {_range_text(a)}, got {_describe(value)}")
        return v
    if kind == "bool":
        if not isinstance(value, bool):
            raise _ArgProblem("bad_type", f"{name} must be true or false, got {_describe(value)}")
        return value
    if kind == "choice":
        choices = a.choices or ()
        allowed = ", ".join(f"'{c}'" for c in choices)
        if not isinstance(value, str):
            raise _ArgProblem("bad_type", f"{name} must be one of {allowed}, got {_describe(value)}")
        if value not in choices:
            raise _ArgProblem("bad_choice", f"{name} must be one of {allowed}, got "
                              f"{_describe(value)}{_suggest(value, choices)}")
        return value
    if kind == "activation":
        if not isinstance(value, str):
            raise _ArgProblem("bad_type", f"{name} must be the name of an activation such as "
                              f"'relu' (or null for none), got {_describe(value)}")
        if value not in ACTIVATIONS:
            raise _ArgProblem("bad_choice", f"{name} {_describe(value)} is not supported"
                              f"{_suggest(value, ACTIVATIONS)}; choose one of "
                              + ", ".join(f"'{x}'" for x in ACTIVATIONS))
        return None if value == "linear" else value
    if kind == "int_or_pair":
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise _ArgProblem("bad_type", f"{name} must be one whole number or a list of two "
                                  f"[height, width], got {_describe(value)}")
            h = _parse_int_in_range(a, value[0], f"{name} height")
            w = _parse_int_in_range(a, value[1], f"{name} width")
            return h if h == w else [h, w]
        v, code = _as_int(value)
        if v is None:
            raise _ArgProblem("not_finite" if code == "not_finite" else "bad_type",
                              f"{name} must be one whole number or a list of two "
                              f"[height, width], got {_describe(value)}")
        if not _in_range(a, v):
            raise _ArgProblem("out_of_range", f"{name} must be {_range_text(a)}, got {_describe(value)}")
        return v
    if kind == "int_list":
        if not isinstance(value, (list, tuple)):
            raise _ArgProblem("bad_type", f"{name} must be a list of whole numbers such as "
                              f"[121, 256], got {_describe(value)}")
        lo, hi = a.min_length or 0, a.max_length
        if len(value) < lo or (hi is not None and len(value) > hi):
            raise _ArgProblem("out_of_range", f"{name} must have {lo} to {hi} numbers, got "
                              f"{_describe(value)}")
        out: list[int] = []
        for pos, item in enumerate(value):
            v, code = _as_int(item)
            if v is None:
                raise _ArgProblem("not_finite" if code == "not_finite" else "bad_type",
                                  f"{name}[{pos}] must be a whole number, got {_describe(item)}")
            if v == -1 and a.allow_minus_one:
                out.append(v)
                continue
            if v < 1 or v > 2_147_483_647:
                extra = " (or -1 once)" if a.allow_minus_one else ""
                raise _ArgProblem("out_of_range", f"{name}[{pos}] must be a positive whole "
                                  f"number{extra}, got {_describe(item)}")
            out.append(v)
        if out.count(-1) > 1:
            raise _ArgProblem("out_of_range", f"{name} may contain -1 only once")
        return out
    raise _ArgProblem("internal", f"{name} has an unknown kind {kind!r}")  # pragma: no cover


# --- layer parsing ------------------------------------------------------------

@dataclass
class _Parsed:
    type: str
    args: dict[str, Any]


def _prefix(index: int, layer_type: str | None) -> str:
    # Messages count layers from 1, as the builder's table does; SpecError.index stays 0-based.
    number = index + 1
    return f"Layer {number} ({layer_type})" if layer_type else f"Layer {number}"


def _unknown_key_warnings(warnings: list[SpecError], keys: list[Any], index: int | None,
                          ltype: str | None) -> None:
    where = f"{_prefix(index, ltype)}: the" if index is not None else "The"
    for key in keys[:_MAX_REPEATS]:
        shown = _short(key) if isinstance(key, str) else _describe(key)
        warnings.append(SpecError(index, ltype, None, "unknown_key",
                                  f"{where} key '{shown}' is not used and was ignored"))
    if len(keys) > _MAX_REPEATS:
        warnings.append(SpecError(index, ltype, None, "unknown_key",
                                  f"{where} {len(keys) - _MAX_REPEATS} more unknown keys were "
                                  "ignored"))


def _parse_layer(index: int, raw: Any, errors: list[SpecError],
                 warnings: list[SpecError]) -> _Parsed | None:
    def err(code: str, field: str | None, msg: str, ltype: str | None) -> None:
        errors.append(SpecError(index, ltype, field, code, f"{_prefix(index, ltype)}: {msg}"))

    if not isinstance(raw, dict):
        err("bad_type", None, 'must be an object like {"type": "Dense", "args": {"units": 10}}, '
            f"got {_describe(raw)}", None)
        return None
    if "type" not in raw or raw["type"] is None:
        err("required", "type", 'needs a "type" such as "Conv2D" or "Dense"', None)
        return None
    ltype = raw["type"]
    if not isinstance(ltype, str):
        err("bad_type", "type", f"type must be a layer name such as \"Dense\", got {_describe(ltype)}",
            None)
        return None
    ldef: LayerDef | None = LAYERS.get(ltype)
    if ldef is None:
        err("unknown_layer", "type", f"unknown layer type {_describe(ltype)}{_suggest(ltype, LAYERS)}; "
            "the model builder supports " + ", ".join(LAYERS), None)
        return None
    _unknown_key_warnings(warnings, [k for k in raw if k not in _LAYER_KEYS], index, ltype)
    raw_args = raw.get("args", {})
    if raw_args is None:
        raw_args = {}
    if not isinstance(raw_args, dict):
        err("bad_type", "args", f"args must be an object, got {_describe(raw_args)}", ltype)
        return None
    ok = True
    known = [a.name for a in ldef.args]
    unknown = [k for k in raw_args if k not in known]
    hint = (f"; it accepts {', '.join(known)}" if known else "; it takes no arguments")
    for key in unknown[:_MAX_REPEATS]:
        ok = False
        shown = _short(key) if isinstance(key, str) else _describe(key)
        sugg = _suggest(key, known) if isinstance(key, str) else ""
        err("unknown_arg", shown, f"unknown argument '{shown}'{sugg}{hint}", ltype)
    if len(unknown) > _MAX_REPEATS:
        err("unknown_arg", None, f"{len(unknown) - _MAX_REPEATS} more unknown arguments", ltype)
    args: dict[str, Any] = {}
    for a in ldef.args:
        if a.name not in raw_args or (raw_args[a.name] is None and a.required and not a.nullable):
            if a.required:
                ok = False
                err("required", a.name, f"{a.name} is required", ltype)
            else:
                args[a.name] = list(a.default) if isinstance(a.default, tuple) else a.default
            continue
        try:
            args[a.name] = _parse_arg(a, raw_args[a.name])
        except _ArgProblem as problem:
            ok = False
            err(problem.code, a.name, problem.message, ltype)
    if not ok:
        return None
    if ltype == "Rescaling" and args["scale"] == 0:
        warnings.append(SpecError(index, ltype, "scale", "zero_scale",
                                  f"{_prefix(index, ltype)}: scale 0 turns every input into "
                                  f"{_num(args['offset'])}; did you mean 1/255 = 0.00392156862745098?"))
    return _Parsed(ltype, args)


def _parse_input_shape(spec: dict, errors: list[SpecError]) -> tuple[int, ...] | None:
    def err(code: str, msg: str) -> None:
        errors.append(SpecError(None, None, "input_shape", code, msg))

    if "input_shape" not in spec or spec["input_shape"] is None:
        err("required", "input_shape is required, e.g. [180, 180, 3] for 180×180 RGB images")
        return None
    raw = spec["input_shape"]
    if not isinstance(raw, (list, tuple)):
        err("bad_type", "input_shape must be a list of 1 to 3 whole numbers such as [180, 180, 3], "
            f"got {_describe(raw)}")
        return None
    if not 1 <= len(raw) <= MAX_INPUT_RANK:
        err("out_of_range", f"input_shape must have 1 to {MAX_INPUT_RANK} numbers "
            f"(e.g. [180, 180, 3] or [64]), got {_describe(raw)}")
        return None
    dims: list[int] = []
    for pos, item in enumerate(raw):
        v, code = _as_int(item)
        if v is None:
            err("not_finite" if code == "not_finite" else "bad_type",
                f"input_shape[{pos}] must be a whole number, got {_describe(item)}")
            return None
        if not 1 <= v <= MAX_INPUT_DIM:
            err("out_of_range", f"input_shape[{pos}] must be from 1 to {MAX_INPUT_DIM}, "
                f"got {_describe(item)}")
            return None
        dims.append(v)
    total = math.prod(dims)
    if total > MAX_INPUT_ELEMENTS:
        err("too_large", f"input_shape {tuple(dims)} has {total} values per sample; "
            f"the limit is {MAX_INPUT_ELEMENTS}")
        return None
    return tuple(dims)


def _output_activation(parsed: list[_Parsed | None]) -> tuple[int, str | None] | None:
    """(index, activation) of the layer that decides the output activation."""
    for i in range(len(parsed) - 1, -1, -1):
        p = parsed[i]
        if p is None:
            return None
        if p.type in ("Dropout", "Flatten", "Reshape") or p.type in _AUGMENT:
            continue
        if "activation" in p.args:
            return i, p.args["activation"]
        return None
    return None


# --- the checker --------------------------------------------------------------

def _analyse(spec: Any, num_classes: Any, from_logits: Any
             ) -> tuple[SpecReport, tuple[int, ...] | None, list[_Parsed | None]]:
    errors: list[SpecError] = []
    warnings: list[SpecError] = []
    report = SpecReport(valid=False, errors=errors, warnings=warnings)

    if num_classes is not None:
        nc, _code = _as_int(num_classes)
        if nc is None or not 1 <= nc <= 8192:
            errors.append(SpecError(None, None, "num_classes", "bad_type",
                                    f"num_classes must be a whole number from 1 to 8192, got "
                                    f"{_describe(num_classes)}"))
            num_classes = None
        else:
            num_classes = nc
    if from_logits is not None and not isinstance(from_logits, bool):
        errors.append(SpecError(None, None, "from_logits", "bad_type",
                                f"from_logits must be true, false or null, got {_describe(from_logits)}"))
        from_logits = None

    if not isinstance(spec, dict):
        errors.append(SpecError(None, None, None, "bad_type",
                                'The model spec must be an object like {"input_shape": [180, 180, 3], '
                                f'"layers": [...]}}, got {_describe(spec)}'))
        return report, None, []
    _unknown_key_warnings(warnings, [k for k in spec if k not in _SPEC_KEYS], None, None)

    in_shape = _parse_input_shape(spec, errors)
    if in_shape is not None:
        report.input_shape = (None, *in_shape)

    raw_layers = spec.get("layers")
    truncated = False
    if raw_layers is None:
        errors.append(SpecError(None, None, "layers", "required",
                                "layers is required: a list of layers such as "
                                '[{"type": "Dense", "args": {"units": 10}}]'))
        raw_layers = []
    elif not isinstance(raw_layers, (list, tuple)):
        errors.append(SpecError(None, None, "layers", "bad_type",
                                f"layers must be a list, got {_describe(raw_layers)}"))
        raw_layers = []
    elif len(raw_layers) == 0:
        errors.append(SpecError(None, None, "layers", "empty",
                                "The model has no layers; add at least one (e.g. Dense)"))
    elif len(raw_layers) > MAX_LAYERS:
        errors.append(SpecError(None, None, "layers", "too_large",
                                f"The model has {len(raw_layers)} layers; the limit is {MAX_LAYERS}"))
        raw_layers = raw_layers[:MAX_LAYERS]
        truncated = True

    parsed: list[_Parsed | None] = [
        _parse_layer(i, raw, errors, warnings) for i, raw in enumerate(raw_layers)
    ]

    # Shapes and parameters, layer by layer, until the first layer that cannot be computed.
    all_computed = False
    if in_shape is not None:
        shape = in_shape
        all_computed = True
        seen_weights = False
        for i, p in enumerate(parsed):
            if p is None:
                all_computed = False
                break
            res = layer_compute(p.type, p.args, shape)
            if not isinstance(res, LayerCalc):
                errors.append(SpecError(i, p.type, res.field, "shape_invalid",
                                        f"{_prefix(i, p.type)}: {res.message}"))
                all_computed = False
                break
            if p.type == "Dense" and len(shape) > 1:
                warnings.append(SpecError(
                    i, p.type, None, "dense_on_image",
                    f"{_prefix(i, p.type)}: Dense is applied to the last axis of "
                    f"{shape_text(shape)}, giving {shape_text(res.output_shape)}; add Flatten or "
                    "GlobalAveragePooling2D before it if you want one vector per image"))
            if p.type in _AUGMENT and seen_weights:
                warnings.append(SpecError(
                    i, p.type, None, "augmentation_not_first",
                    f"{_prefix(i, p.type)}: data augmentation layers usually come first, "
                    "before any layer with weights"))
            if p.type in _WEIGHTED:
                seen_weights = True
            out_elems = math.prod(res.output_shape)
            if out_elems > _LARGE_ACTIVATION:
                warnings.append(SpecError(
                    i, p.type, None, "large_activation",
                    f"{_prefix(i, p.type)}: its output {shape_text(res.output_shape)} holds "
                    f"{out_elems} values per image, which needs a lot of memory; add pooling "
                    "or use fewer filters"))
            total = res.trainable + res.non_trainable
            report.layers.append(LayerReport(
                index=i, type=p.type, input_shape=(None, *shape),
                output_shape=(None, *res.output_shape), params=total,
                trainable_params=res.trainable, non_trainable_params=res.non_trainable,
                param_formula=res.param_formula, shape_formula=res.shape_formula))
            report.trainable_params += res.trainable
            report.non_trainable_params += res.non_trainable
            shape = res.output_shape
        report.total_params = report.trainable_params + report.non_trainable_params
        if all_computed and parsed:
            report.output_shape = (None, *shape)

    if report.total_params > MAX_PARAMS:
        biggest = max(report.layers, key=lambda lr: lr.params)
        errors.append(SpecError(None, None, None, "too_large",
                                f"The model is too large: {report.total_params:,} parameters "
                                f"(the limit is {MAX_PARAMS:,}); layer {biggest.index} "
                                f"({biggest.type}) alone has {biggest.params:,}. Use fewer "
                                "units/filters or more pooling before Flatten"))

    if parsed and not truncated:
        last_i = len(parsed) - 1
        last = parsed[last_i]
        if num_classes is not None and last is not None:
            pre = _prefix(last_i, last.type)
            if last.type != "Dense":
                errors.append(SpecError(last_i, last.type, None, "num_classes_mismatch",
                                        f"{pre}: the last layer must be Dense({num_classes}) "
                                        f"for {num_classes} classes, but it is {last.type}"))
            elif last.args["units"] != num_classes:
                errors.append(SpecError(last_i, last.type, "units", "num_classes_mismatch",
                                        f"{pre}: the last layer has units {last.args['units']} "
                                        f"but the data has {num_classes} classes; set units to "
                                        f"{num_classes}"))
            elif report.output_shape is not None and len(report.output_shape) != 2:
                errors.append(SpecError(last_i, last.type, None, "num_classes_mismatch",
                                        f"{pre}: the model output is {shape_text(report.output_shape[1:])} "
                                        f"but should be (None, {num_classes}); add Flatten or "
                                        "GlobalAveragePooling2D before the Dense layers"))
        if last is not None and last.type == "Dropout" and any(
                p is not None and p.type == "Dense" for p in parsed[:-1]):
            warnings.append(SpecError(last_i, last.type, None, "dropout_after_output",
                                      f"{_prefix(last_i, last.type)}: Dropout after the output "
                                      "layer randomly zeroes predictions during training; move it "
                                      "before the last Dense layer"))
        out_act = _output_activation(parsed)
        if out_act is not None and from_logits is not None:
            oi, act = out_act
            otype = parsed[oi].type  # type: ignore[union-attr]
            if from_logits and act in ("softmax", "sigmoid"):
                warnings.append(SpecError(oi, otype, "activation", "softmax_with_logits",
                                          f"{_prefix(oi, otype)}: the output already uses {act}, "
                                          "but the loss uses from_logits=True; remove the "
                                          "activation or set from_logits=False"))
            elif from_logits is False and act is None:
                warnings.append(SpecError(oi, otype, "activation", "logits_without_from_logits",
                                          f"{_prefix(oi, otype)}: the output has no activation "
                                          "(it gives logits), but the loss uses from_logits=False; "
                                          "set from_logits=True or add activation 'softmax'"))

    report.valid = not errors and all_computed and not truncated
    return report, in_shape, parsed


def spec_check(spec: Any, num_classes: int | None = None,
               from_logits: bool | None = None) -> SpecReport:
    """Validate a spec and compute every layer's shape and parameters.

    Never raises: all problems (including wrong JSON types, NaN, unknown layers
    or arguments) are returned as errors in the report. ``num_classes``, when
    given, requires the last layer to be ``Dense(num_classes)``; ``from_logits``
    (the loss setting) enables warnings about the output activation.
    """
    try:
        return _analyse(spec, num_classes, from_logits)[0]
    except Exception as exc:  # pragma: no cover - safety net, see tests
        return SpecReport(valid=False, errors=[SpecError(
            None, None, None, "internal",
            f"The model could not be checked because of an internal error ({type(exc).__name__})")])


def spec_validated(spec: Any) -> tuple[SpecReport, dict[str, Any]]:
    """Return ``(report, normalized spec)`` or raise :class:`SpecInvalidError`."""
    report, in_shape, parsed = _analyse(spec, None, None)
    if not report.valid or in_shape is None:
        raise SpecInvalidError(report)
    layers = [{"type": p.type, "args": dict(p.args)} for p in parsed if p is not None]
    return report, {"input_shape": list(in_shape), "layers": layers}


def spec_normalize(spec: Any) -> dict[str, Any]:
    """Return a canonical copy of a valid spec: defaults filled in, ``[3, 3]``
    written as ``3``, numbers as int/float, ``"linear"`` as ``None``, unknown
    keys dropped. Raises :class:`SpecInvalidError` (a ``ValueError``) if invalid.
    """
    return spec_validated(spec)[1]
