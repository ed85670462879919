"""modelspec: the pure-Python heart of the DL Classroom model builder.

A *spec* is a JSON-compatible dict describing a Keras Sequential model::

    {"input_shape": [180, 180, 3],
     "layers": [{"type": "Conv2D", "args": {"filters": 16, "kernel_size": 3}}, ...]}

* :func:`spec_check` validates any value against the layer whitelist and
  computes every layer's output shape and parameter count (with formulas)
  without importing TensorFlow; it never raises.
* :func:`spec_normalize` returns the canonical form of a valid spec.
* :func:`spec_keras_code` writes the equivalent Keras 3 code.
* :func:`spec_build_keras` builds the real ``keras.Sequential`` (imports Keras lazily).
* :func:`layer_catalog` describes the whitelist for the browser UI.
"""

from .build import spec_build_keras
from .catalog import ACTIVATIONS, LAYERS, MAX_LAYERS, MAX_PARAMS, layer_catalog
from .codegen import spec_keras_code
from .presets import flowers_spec
from .report import ERROR_CODES, WARNING_CODES, LayerReport, SpecError, SpecReport
from .validate import SpecInvalidError, spec_check, spec_normalize

__all__ = [
    "ACTIVATIONS",
    "ERROR_CODES",
    "LAYERS",
    "LayerReport",
    "MAX_LAYERS",
    "MAX_PARAMS",
    "SpecError",
    "SpecInvalidError",
    "SpecReport",
    "WARNING_CODES",
    "flowers_spec",
    "layer_catalog",
    "spec_build_keras",
    "spec_check",
    "spec_keras_code",
    "spec_normalize",
]
