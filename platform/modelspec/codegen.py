"""Readable Keras 3 code for a spec, as shown to learners.

Only validated, normalized values are ever written into the code: strings come
from the whitelist (never from the spec itself), numbers are re-formatted from
``int`` / finite ``float`` values, so nothing a browser sends can inject code.
"""

from __future__ import annotations

import math
from typing import Any

from .catalog import ACTIVATIONS, LAYERS
from .validate import spec_validated

__all__ = ["COMPILE_LOSSES", "COMPILE_METRICS", "COMPILE_OPTIMIZERS", "keras_layer_kwargs",
           "spec_keras_code"]

#: optimizer string → Keras class name
COMPILE_OPTIMIZERS = {
    "adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW",
    "adagrad": "Adagrad", "nadam": "Nadam", "adamax": "Adamax",
}
#: loss string → (Keras class name, accepts from_logits)
COMPILE_LOSSES = {
    "sparse_categorical_crossentropy": ("SparseCategoricalCrossentropy", True),
    "categorical_crossentropy": ("CategoricalCrossentropy", True),
    "binary_crossentropy": ("BinaryCrossentropy", True),
    "mean_squared_error": ("MeanSquaredError", False),
    "mean_absolute_error": ("MeanAbsoluteError", False),
    "huber": ("Huber", False),
}
COMPILE_METRICS = ("accuracy", "sparse_categorical_accuracy", "categorical_accuracy",
                   "binary_accuracy", "mae", "mse")
_COMPILE_KEYS = ("optimizer", "learning_rate", "loss", "from_logits", "metrics")


def keras_layer_kwargs(layer_type: str, args: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``keras.layers.<layer_type>`` from normalized args
    (pairs become tuples, every whitelisted argument is included)."""
    out: dict[str, Any] = {}
    for a in LAYERS[layer_type].args:
        value = args[a.name]
        if isinstance(value, list):
            value = tuple(value)
        out[a.name] = value
    return out


def _is_default(a_default: Any, value: Any) -> bool:
    if isinstance(a_default, tuple):
        a_default = list(a_default)
    if type(a_default) is bool or type(value) is bool:
        return type(a_default) is type(value) and a_default == value
    return a_default == value


def _py_str(value: str, allowed: Any) -> str:
    # Only whitelisted identifiers reach the code.
    if value not in allowed or not value.replace("_", "").isalnum():
        raise ValueError(f"refusing to write {value!r} into code")
    return f'"{value}"'


def _py_float(value: float, as_fraction: bool = False) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("refusing to write a non-finite number into code")
    if as_fraction and 0 < value < 1:
        # Rescaling(1 / 255) reads better than Rescaling(0.00392156862745098).
        n = round(1 / value)
        if 16 <= n <= 65536 and 1 / n == value:
            return f"1 / {n}"
    return repr(value)


def _py_value(layer_type: str, name: str, value: Any) -> str:
    a = LAYERS[layer_type].arg(name)
    assert a is not None
    if value is None:
        if a.kind == "activation":
            return '"linear"'
        return "None"
    if a.kind == "bool":
        return "True" if value else "False"
    if a.kind == "int":
        return str(int(value))
    if a.kind == "float":
        return _py_float(value, as_fraction=(layer_type == "Rescaling" and name == "scale"))
    if a.kind == "choice":
        return _py_str(value, a.choices or ())
    if a.kind == "activation":
        return _py_str(value, ACTIVATIONS)
    if a.kind == "int_or_pair":
        if isinstance(value, (list, tuple)):
            return f"({int(value[0])}, {int(value[1])})"
        return str(int(value))
    if a.kind == "int_list":
        items = [str(int(v)) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise ValueError(f"unknown argument kind {a.kind!r}")  # pragma: no cover


def _layer_code(layer_type: str, args: dict[str, Any]) -> str:
    ldef = LAYERS[layer_type]
    parts: list[str] = []
    positional_open = True
    for a in ldef.args:
        value = args[a.name]
        emit = a.required or a.name in ldef.always_emit or not _is_default(a.default, value)
        if not emit:
            if a.name in ldef.positional:
                positional_open = False
            continue
        text = _py_value(layer_type, a.name, value)
        if positional_open and a.name in ldef.positional:
            parts.append(text)
        else:
            positional_open = False
            parts.append(f"{a.name}={text}")
    return f"layers.{layer_type}({', '.join(parts)})"


def _compile_code(compile_args: dict[str, Any]) -> str:
    if not isinstance(compile_args, dict):
        raise ValueError("compile_args must be a dict")
    for key in compile_args:
        if key not in _COMPILE_KEYS:
            raise ValueError(f"unknown compile argument {str(key)[:40]!r}; "
                             f"allowed: {', '.join(_COMPILE_KEYS)}")
    lines = ["model.compile("]
    opt = compile_args.get("optimizer", "adam")
    if not isinstance(opt, str) or opt.lower() not in COMPILE_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(COMPILE_OPTIMIZERS)}")
    opt = opt.lower()
    lr = compile_args.get("learning_rate")
    if lr is not None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) \
                or not 0 < lr <= 10:
            raise ValueError("learning_rate must be a number greater than 0 and at most 10")
        lines.append(f"    optimizer=keras.optimizers.{COMPILE_OPTIMIZERS[opt]}"
                     f"(learning_rate={float(lr)!r}),")
    else:
        lines.append(f'    optimizer="{opt}",')
    loss = compile_args.get("loss")
    from_logits = compile_args.get("from_logits")
    if from_logits is not None and not isinstance(from_logits, bool):
        raise ValueError("from_logits must be true or false")
    if loss is not None:
        if not isinstance(loss, str) or loss not in COMPILE_LOSSES:
            raise ValueError(f"loss must be one of {', '.join(COMPILE_LOSSES)}")
        cls, logits_ok = COMPILE_LOSSES[loss]
        if from_logits is not None and not logits_ok:
            raise ValueError(f"loss {loss} does not take from_logits")
        if from_logits is not None:
            lines.append(f"    loss=keras.losses.{cls}(from_logits={from_logits}),")
        else:
            lines.append(f'    loss="{loss}",')
    elif from_logits is not None:
        raise ValueError("from_logits needs a loss")
    metrics = compile_args.get("metrics")
    if metrics is not None:
        if not isinstance(metrics, (list, tuple)) or len(metrics) > len(COMPILE_METRICS) or any(
                not isinstance(m, str) or m not in COMPILE_METRICS for m in metrics):
            raise ValueError(f"metrics must be a list drawn from {', '.join(COMPILE_METRICS)}")
        lines.append("    metrics=[" + ", ".join(f'"{m}"' for m in metrics) + "],")
    lines.append(")")
    return "\n".join(lines)


def spec_keras_code(spec: dict[str, Any], *, compile_args: dict[str, Any] | None = None) -> str:
    """Return readable Keras 3 code that builds the spec's model.

    Only non-default arguments are written. ``compile_args`` (keys
    ``optimizer``, ``learning_rate``, ``loss``, ``from_logits``, ``metrics``)
    adds a ``model.compile(...)`` call. Raises ``ValueError`` for invalid specs
    or compile arguments.
    """
    _report, norm = spec_validated(spec)
    compile_text = _compile_code(compile_args) if compile_args is not None else None
    shape = ", ".join(str(int(d)) for d in norm["input_shape"])
    if len(norm["input_shape"]) == 1:
        shape += ","
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential([",
        f"    keras.Input(shape=({shape})),",
    ]
    for layer in norm["layers"]:
        lines.append(f"    {_layer_code(layer['type'], layer['args'])},")
    lines.append("])")
    if compile_text:
        lines.append("")
        lines.append(compile_text)
    return "\n".join(lines) + "\n"


def spec_build_model_code(spec: dict[str, Any]) -> str:
    """The spec's model as the ``build_model(input_shape, num_classes)`` a Keras-code lab runs:
    the input shape and the last Dense layer's units come from the arguments, so the same code
    fits any data set of the lab."""
    _report, norm = spec_validated(spec)
    layers_code = [_layer_code(layer["type"], layer["args"]) for layer in norm["layers"]]
    last_dense = max((i for i, layer in enumerate(norm["layers"]) if layer["type"] == "Dense"), default=None)
    if last_dense is not None:
        units = str(int(norm["layers"][last_dense]["args"]["units"]))
        layers_code[last_dense] = layers_code[last_dense].replace(f"layers.Dense({units}", "layers.Dense(num_classes", 1)
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "",
        "def build_model(input_shape, num_classes):",
        "    model = keras.Sequential([",
        "        keras.Input(shape=input_shape),",
        *[f"        {code}," for code in layers_code],
        "    ])",
        "    return model",
    ]
    return "\n".join(lines) + "\n"
