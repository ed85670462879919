"""Result types returned by :func:`modelspec.spec_check`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ERROR_CODES", "LayerReport", "SpecError", "SpecReport", "WARNING_CODES"]

#: Stable machine codes of errors (the UI may translate them).
ERROR_CODES = (
    "bad_type",  # a value has the wrong JSON type (string where an int belongs, ...)
    "required",  # a required key or argument is missing
    "unknown_layer",  # layer type not in the whitelist
    "unknown_arg",  # argument not known for that layer type
    "out_of_range",  # number outside its allowed range (or list of the wrong length)
    "bad_choice",  # string not among the allowed choices (padding, activation, ...)
    "not_finite",  # NaN or infinity
    "empty",  # the model has no layers
    "shape_invalid",  # the layer cannot be applied to its input shape
    "too_large",  # too many layers / parameters / input elements
    "num_classes_mismatch",  # the output layer does not match the number of classes
    "internal",  # a bug in this package (should never happen)
)

#: Stable machine codes of warnings (the spec is still valid).
WARNING_CODES = (
    "unknown_key",  # extra key in the spec or a layer: ignored
    "softmax_with_logits",  # softmax/sigmoid output while the loss uses from_logits=True
    "logits_without_from_logits",  # linear output while the loss uses from_logits=False
    "dropout_after_output",  # Dropout (or augmentation) after the output layer
    "augmentation_not_first",  # Random* layer after a layer with weights
    "dense_on_image",  # Dense applied to a (H, W, C) tensor: works per pixel
    "zero_scale",  # Rescaling(scale=0) turns every input into `offset`
    "large_activation",  # one sample's output of a layer is very large
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class SpecError:
    """One problem found in a spec (used for errors and warnings alike).

    ``index`` is the 0-based layer index (``None`` for spec-level problems) and
    plus one is the number used in ``message`` (index 4: "Layer 5 (Conv2D): ...").
    """

    index: int | None
    layer_type: str | None
    field: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "index": self.index,
            "layer_type": self.layer_type,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class LayerReport:
    """Computed output shape and parameter count of one layer."""

    index: int
    type: str
    input_shape: tuple[int | None, ...]
    output_shape: tuple[int | None, ...]
    params: int
    trainable_params: int
    non_trainable_params: int
    param_formula: str
    shape_formula: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (tuples become lists)."""
        return {
            "index": self.index,
            "type": self.type,
            "input_shape": _jsonable(self.input_shape),
            "output_shape": _jsonable(self.output_shape),
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "param_formula": self.param_formula,
            "shape_formula": self.shape_formula,
        }


@dataclass
class SpecReport:
    """Everything :func:`modelspec.spec_check` found out about a spec.

    Shapes include the batch axis as ``None``: ``(None, 180, 180, 3)``.
    ``output_shape`` is ``None`` unless every layer could be computed; the
    parameter totals add up the layers in ``layers`` (those that could be
    computed).
    """

    valid: bool
    errors: list[SpecError] = field(default_factory=list)
    warnings: list[SpecError] = field(default_factory=list)
    layers: list[LayerReport] = field(default_factory=list)
    input_shape: tuple[int | None, ...] | None = None
    output_shape: tuple[int | None, ...] | None = None
    total_params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (tuples become lists)."""
        return {
            "valid": self.valid,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
            "layers": [lr.to_dict() for lr in self.layers],
            "input_shape": _jsonable(self.input_shape),
            "output_shape": _jsonable(self.output_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
        }
