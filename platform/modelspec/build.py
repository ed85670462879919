"""Building the real Keras model (the only module that imports Keras)."""

from __future__ import annotations

from typing import Any

from .codegen import keras_layer_kwargs
from .validate import spec_validated

__all__ = ["spec_build_keras"]


def spec_build_keras(spec: dict[str, Any], name: str | None = None) -> Any:
    """Build an uncompiled ``keras.Sequential`` for a valid spec.

    The model starts with ``keras.Input(shape=...)`` so it is built at once.
    ``keras`` is imported here, not at module import time. Raises
    ``ValueError`` for invalid specs or names.
    """
    _report, norm = spec_validated(spec)
    if name is not None:
        if not isinstance(name, str) or not 1 <= len(name) <= 100 or "/" in name:
            raise ValueError("name must be a string of 1 to 100 characters without '/'")
    import keras  # noqa: PLC0415 - deliberately lazy: importing TensorFlow is slow

    layer_objs: list[Any] = [keras.Input(shape=tuple(norm["input_shape"]))]
    for layer in norm["layers"]:
        cls = getattr(keras.layers, layer["type"])
        layer_objs.append(cls(**keras_layer_kwargs(layer["type"], layer["args"])))
    return keras.Sequential(layer_objs, name=name)
