"""Output shapes and parameter counts of whitelisted layers, in pure Python.

The rules follow Keras 3 exactly (``channels_last``):

* convolution / pooling, per spatial axis with input size R, window F and
  stride S: ``same``: ``ceil(R / S)``; ``valid``: ``floor((R − F) / S) + 1``,
  which needs ``R ≥ F`` (Keras raises otherwise).
* Conv2D:          ``(kh·kw·C + 1) · filters`` parameters.
* DepthwiseConv2D: ``(kh·kw + 1) · C·depth_multiplier``.
* SeparableConv2D: ``kh·kw·C·dm + C·dm·filters + filters``.
* Dense acts on the last axis only: ``(D + 1) · units``, other axes unchanged.
* BatchNormalization: ``4·C`` (2·C trainable γ/β, 2·C non-trainable moving
  mean/variance).

Shapes here are per sample (no batch axis); arguments are the normalized
arguments produced by :mod:`modelspec.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

__all__ = ["LayerCalc", "ShapeProblem", "layer_compute", "shape_text"]

DOT = "·"
MINUS = "−"


@dataclass(frozen=True)
class LayerCalc:
    """A successfully computed layer (``output_shape`` is per sample)."""

    output_shape: tuple[int, ...]
    trainable: int
    non_trainable: int
    param_formula: str
    shape_formula: str


@dataclass(frozen=True)
class ShapeProblem:
    """Why a layer cannot be applied to its input (message without the layer prefix)."""

    field: str | None
    message: str


def shape_text(shape: tuple[int, ...]) -> str:
    """Keras-summary style text of a per-sample shape: ``(None, 22, 22, 64)``."""
    return "(" + ", ".join(["None", *(str(d) for d in shape)]) + ")"


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    return int(value[0]), int(value[1])


def _pair_text(value: tuple[int, int]) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}×{value[1]}"


def _needs_image(shape: tuple[int, ...]) -> ShapeProblem | None:
    if len(shape) == 3:
        return None
    return ShapeProblem(
        None,
        f"needs an image input of shape (height, width, channels), but its input has "
        f"shape {shape_text(shape)}; put it before Flatten / Dense layers or use a 3-D "
        f"input_shape",
    )


def _window(shape: tuple[int, ...], window: tuple[int, int], strides: tuple[int, int],
            padding: str, field: str) -> tuple[tuple[int, int], str] | ShapeProblem:
    """Spatial output size of a convolution / pooling window."""
    outs: list[int] = []
    texts: list[str] = []
    for size, win, step in ((shape[0], window[0], strides[0]), (shape[1], window[1], strides[1])):
        if padding == "same":
            out = -(-size // step)
            texts.append(f"ceil({size} / {step}) = {out}")
        else:
            if size < win:
                return ShapeProblem(
                    field,
                    f"{field} {_pair_text(window)} is larger than the input "
                    f"({shape[0]}×{shape[1]}) with padding 'valid'; use padding 'same' "
                    f"or a smaller {field}",
                )
            out = (size - win) // step + 1
            texts.append(f"floor(({size} {MINUS} {win}) / {step}) + 1 = {out}")
        outs.append(out)
    if texts[0] == texts[1]:
        text = f"{padding}: {texts[0]}"
    else:
        text = f"{padding}: height {texts[0]}, width {texts[1]}"
    return (outs[0], outs[1]), text


def _conv(kind: str, args: dict[str, Any], shape: tuple[int, ...]) -> LayerCalc | ShapeProblem:
    problem = _needs_image(shape)
    if problem:
        return problem
    kernel = _pair(args["kernel_size"])
    res = _window(shape, kernel, _pair(args["strides"]), args["padding"], "kernel_size")
    if isinstance(res, ShapeProblem):
        return res
    (oh, ow), shape_formula = res
    chans = shape[2]
    bias = bool(args["use_bias"])
    kh, kw = kernel
    if kind == "Conv2D":
        filters = args["filters"]
        out_c = filters
        params = (kh * kw * chans + (1 if bias else 0)) * filters
        if bias:
            formula = f"({kh}{DOT}{kw}{DOT}{chans} + 1) {DOT} {filters} = {params}"
        else:
            formula = f"{kh}{DOT}{kw}{DOT}{chans} {DOT} {filters} = {params}"
    elif kind == "DepthwiseConv2D":
        dm = args["depth_multiplier"]
        out_c = chans * dm
        params = (kh * kw + (1 if bias else 0)) * out_c
        outs = f"{chans}{DOT}{dm}" if dm != 1 else f"{chans}"
        if bias:
            formula = f"({kh}{DOT}{kw} + 1) {DOT} {outs} = {params}"
        else:
            formula = f"{kh}{DOT}{kw} {DOT} {outs} = {params}"
        if dm != 1:
            shape_formula += f"; channels {chans}{DOT}{dm} = {out_c}"
    else:  # SeparableConv2D
        dm = args["depth_multiplier"]
        filters = args["filters"]
        out_c = filters
        mid = f"{chans}{DOT}{dm}" if dm != 1 else f"{chans}"
        depthwise = kh * kw * chans * dm
        pointwise = chans * dm * filters
        params = depthwise + pointwise + (filters if bias else 0)
        formula = f"{kh}{DOT}{kw}{DOT}{mid} + {mid}{DOT}{filters}"
        if bias:
            formula += f" + {filters}"
        formula += f" = {params}"
    return LayerCalc((oh, ow, out_c), params, 0, formula, shape_formula)


def _pool(args: dict[str, Any], shape: tuple[int, ...]) -> LayerCalc | ShapeProblem:
    problem = _needs_image(shape)
    if problem:
        return problem
    pool = _pair(args["pool_size"])
    strides = pool if args["strides"] is None else _pair(args["strides"])
    res = _window(shape, pool, strides, args["padding"], "pool_size")
    if isinstance(res, ShapeProblem):
        return res
    (oh, ow), text = res
    return LayerCalc((oh, ow, shape[2]), 0, 0, "0 (no weights)", text)


def _global_pool(kind: str, shape: tuple[int, ...]) -> LayerCalc | ShapeProblem:
    problem = _needs_image(shape)
    if problem:
        return problem
    what = "average" if kind == "GlobalAveragePooling2D" else "maximum"
    text = f"global {what} over {shape[0]}×{shape[1]} → {shape[2]} values"
    return LayerCalc((shape[2],), 0, 0, "0 (no weights)", text)


def _dense(args: dict[str, Any], shape: tuple[int, ...]) -> LayerCalc:
    last = shape[-1]
    units = args["units"]
    bias = bool(args["use_bias"])
    params = (last + (1 if bias else 0)) * units
    if bias:
        formula = f"({last} + 1) {DOT} {units} = {params}"
    else:
        formula = f"{last} {DOT} {units} = {params}"
    out = (*shape[:-1], units)
    if len(shape) == 1:
        text = f"dense: {last} → {units}"
    else:
        text = f"dense on the last axis: {shape_text(shape)} → {shape_text(out)}"
    return LayerCalc(out, params, 0, formula, text)


def _reshape(args: dict[str, Any], shape: tuple[int, ...]) -> LayerCalc | ShapeProblem:
    target = [int(d) for d in args["target_shape"]]
    total = prod(shape)
    known = prod(d for d in target if d != -1)
    target_text = "(" + ", ".join(str(d) for d in target) + ")"
    if -1 in target:
        if total % known != 0:
            return ShapeProblem(
                "target_shape",
                f"target_shape {target_text}: the input {shape_text(shape)} has {total} "
                f"elements, which cannot be divided by {known}",
            )
        missing = total // known
        out = tuple(missing if d == -1 else d for d in target)
        text = f"reshape: -1 = {total} / {known} = {missing} → {shape_text(out)}"
    else:
        if known != total:
            return ShapeProblem(
                "target_shape",
                f"target_shape {target_text} has {known} elements but the input "
                f"{shape_text(shape)} has {total}; the number of elements must stay the same",
            )
        out = tuple(target)
        text = f"reshape: {total} elements → {shape_text(out)}"
    return LayerCalc(out, 0, 0, "0 (no weights)", text)


def _unchanged(shape: tuple[int, ...]) -> LayerCalc:
    return LayerCalc(shape, 0, 0, "0 (no weights)", f"unchanged: {shape_text(shape)}")


_AUGMENT = {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"}


def layer_compute(layer_type: str, args: dict[str, Any],
                  shape: tuple[int, ...]) -> LayerCalc | ShapeProblem:
    """Compute one layer's per-sample output shape and parameter counts.

    ``args`` must be the normalized (validated, defaults filled) arguments.
    Returns a :class:`ShapeProblem` when the layer cannot take ``shape``.
    """
    if layer_type in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        return _conv(layer_type, args, shape)
    if layer_type in ("MaxPooling2D", "AveragePooling2D"):
        return _pool(args, shape)
    if layer_type in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return _global_pool(layer_type, shape)
    if layer_type == "Flatten":
        total = prod(shape)
        text = "flatten: " + DOT.join(str(d) for d in shape) + f" = {total}"
        return LayerCalc((total,), 0, 0, "0 (no weights)", text)
    if layer_type == "Dense":
        return _dense(args, shape)
    if layer_type == "BatchNormalization":
        chans = shape[-1]
        formula = (f"4 {DOT} {chans} = {4 * chans} (trainable γ, β: 2{DOT}{chans} = {2 * chans}; "
                   f"non-trainable moving mean, variance: 2{DOT}{chans} = {2 * chans})")
        return LayerCalc(shape, 2 * chans, 2 * chans, formula, f"unchanged: {shape_text(shape)}")
    if layer_type == "Reshape":
        return _reshape(args, shape)
    if layer_type in _AUGMENT:
        problem = _needs_image(shape)
        if problem:
            return problem
        return _unchanged(shape)
    if layer_type in ("Dropout", "Rescaling", "Activation"):
        return _unchanged(shape)
    raise KeyError(f"unknown layer type {layer_type!r}")
