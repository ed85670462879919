"""The pure-Python calculator must agree exactly with Keras 3.

Property-based: random valid specs (and specs whose shapes may break) are
built with Keras and every layer's output shape and parameter count compared.
"""

from __future__ import annotations

import inspect
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from modelspec import (  # noqa: E402
    ACTIVATIONS,
    LAYERS,
    SpecReport,
    flowers_spec,
    spec_build_keras,
    spec_check,
    spec_keras_code,
    spec_normalize,
)

keras = pytest.importorskip("keras")

IMAGE_LAYERS = ["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
                "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "RandomFlip",
                "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"]
ANY_RANK_LAYERS = ["Dense", "Dropout", "Rescaling", "Activation", "BatchNormalization",
                   "Flatten", "Reshape"]
HYPOTHESIS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.data_too_large])


def _size(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _assert_matches_keras(model, report: SpecReport) -> None:
    assert len(model.layers) == len(report.layers)
    for kl, lr in zip(model.layers, report.layers):
        where = f"layer {lr.index} ({lr.type})"
        assert type(kl).__name__ == lr.type, where
        assert tuple(kl.output.shape) == lr.output_shape, where
        assert kl.count_params() == lr.params, where
        assert _size(kl.trainable_weights) == lr.trainable_params, where
        assert _size(kl.non_trainable_weights) == lr.non_trainable_params, where
    assert model.count_params() == report.total_params
    assert _size(model.trainable_weights) == report.trainable_params
    assert _size(model.non_trainable_weights) == report.non_trainable_params
    assert tuple(model.layers[-1].output.shape) == report.output_shape


def _keras_layer(layer: dict):
    """Build a Keras layer straight from raw spec args (bypassing modelspec)."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in layer["args"].items()}
    return getattr(keras.layers, layer["type"])(**kwargs)


# --- strategies ----------------------------------------------------------------------

@st.composite
def _int_or_pair(draw, lo: int, hi_h: int, hi_w: int):
    h = draw(st.integers(lo, hi_h))
    w = draw(st.integers(lo, hi_w))
    if h == w and draw(st.booleans()):
        return h
    return [h, w]


def _maybe(draw, args: dict, name: str, value, default) -> None:
    """Put an argument in args, sometimes leaving a default value out."""
    if value == default and type(value) is type(default) and draw(st.booleans()):
        return
    args[name] = value


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


@st.composite
def _reshape_target(draw, total: int):
    rank = draw(st.integers(1, 3))
    if rank == 1:
        target = [total]
    elif rank == 2:
        a = draw(st.sampled_from(_divisors(total)))
        target = [a, total // a]
    else:
        a = draw(st.sampled_from(_divisors(total)))
        b = draw(st.sampled_from(_divisors(total // a)))
        target = [a, b, total // (a * b)]
    if draw(st.booleans()):
        target[draw(st.integers(0, rank - 1))] = -1
    return target


@st.composite
def _valid_layer(draw, shape: tuple[int, ...]) -> dict:
    # Images get mostly image layers, so that convolutions and pools chain up.
    image = len(shape) == 3 and draw(st.integers(0, 9)) < 7
    ltype = draw(st.sampled_from(IMAGE_LAYERS if image else ANY_RANK_LAYERS))
    args: dict = {}
    if ltype in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        h, w, c = shape
        padding = draw(st.sampled_from(["valid", "same"]))
        if ltype != "DepthwiseConv2D":
            args["filters"] = draw(st.integers(1, 8))
        if padding == "valid":
            args["kernel_size"] = draw(_int_or_pair(1, min(11, h), min(11, w)))
        else:
            args["kernel_size"] = draw(_int_or_pair(1, 11, 11))
        _maybe(draw, args, "strides", draw(_int_or_pair(1, 5, 5)), 1)
        _maybe(draw, args, "padding", padding, "valid")
        if ltype != "Conv2D":
            _maybe(draw, args, "depth_multiplier", draw(st.integers(1, 3 if c <= 8 else 1)), 1)
        _maybe(draw, args, "activation", draw(st.sampled_from([None, *ACTIVATIONS])), None)
        _maybe(draw, args, "use_bias", draw(st.booleans()), True)
    elif ltype in ("MaxPooling2D", "AveragePooling2D"):
        h, w, _c = shape
        padding = draw(st.sampled_from(["valid", "same"]))
        if padding == "valid":
            pool = draw(_int_or_pair(1, min(8, h), min(8, w)))
        else:
            pool = draw(_int_or_pair(1, 8, 8))
        if ltype == "AveragePooling2D":
            args["pool_size"] = pool  # Keras 3 has no default for it (modelspec fills in 2)
        else:
            _maybe(draw, args, "pool_size", pool, 2)
        _maybe(draw, args, "strides", draw(st.none() | _int_or_pair(1, 8, 8)), None)
        _maybe(draw, args, "padding", padding, "valid")
    elif ltype == "Dense":
        args["units"] = draw(st.integers(1, 16))
        _maybe(draw, args, "activation", draw(st.sampled_from([None, *ACTIVATIONS])), None)
        _maybe(draw, args, "use_bias", draw(st.booleans()), True)
    elif ltype == "Dropout":
        args["rate"] = draw(st.floats(0, 0.95))
    elif ltype == "Rescaling":
        args["scale"] = draw(st.floats(-4, 4, allow_nan=False))
        _maybe(draw, args, "offset", draw(st.floats(-2, 2)), 0.0)
    elif ltype == "Activation":
        args["activation"] = draw(st.sampled_from([None, *ACTIVATIONS]))
    elif ltype == "Reshape":
        args["target_shape"] = draw(_reshape_target(math.prod(shape)))
    elif ltype == "RandomFlip":
        _maybe(draw, args, "mode", draw(st.sampled_from(
            ["horizontal", "vertical", "horizontal_and_vertical"])), "horizontal_and_vertical")
    elif ltype in ("RandomRotation", "RandomContrast"):
        args["factor"] = draw(st.floats(0, 1))
    elif ltype == "RandomZoom":
        args["height_factor"] = draw(st.floats(-0.95, 1))
        _maybe(draw, args, "width_factor", draw(st.none() | st.floats(-0.95, 1)), None)
    elif ltype == "RandomTranslation":
        args["height_factor"] = draw(st.floats(0, 1))
        args["width_factor"] = draw(st.floats(0, 1))
    return {"type": ltype, "args": args}


@st.composite
def valid_specs(draw, max_layers: int = 8) -> dict:
    """Small valid specs mixing every layer type, both paddings, strides and pairs."""
    kind = draw(st.sampled_from(["image", "image", "image", "vector", "matrix"]))
    if kind == "image":
        shape: tuple[int, ...] = (draw(st.integers(1, 32)), draw(st.integers(1, 32)),
                                  draw(st.integers(1, 3)))
    elif kind == "vector":
        shape = (draw(st.integers(1, 64)),)
    else:
        shape = (draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    spec: dict = {"input_shape": list(shape), "layers": []}
    current = shape
    for _ in range(draw(st.integers(1, max_layers))):
        spec["layers"].append(draw(_valid_layer(current)))
        report = spec_check(spec)
        assert report.valid, (spec, report.errors)
        current = report.output_shape[1:]
    return spec


@st.composite
def shape_breaking_specs(draw) -> dict:
    """Specs with valid arguments whose shapes may or may not work out."""
    shape = [draw(st.integers(1, 10)), draw(st.integers(1, 10)), draw(st.integers(1, 3))]
    layers = []
    for _ in range(draw(st.integers(1, 5))):
        ltype = draw(st.sampled_from(["Conv2D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D",
                                      "MaxPooling2D", "MaxPooling2D", "AveragePooling2D",
                                      "Flatten", "Dense", "GlobalAveragePooling2D",
                                      "GlobalMaxPooling2D", "Reshape", "BatchNormalization"]))
        args: dict = {}
        if ltype in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
            if ltype != "DepthwiseConv2D":
                args["filters"] = draw(st.integers(1, 4))
            args["kernel_size"] = draw(_int_or_pair(1, 8, 8))
            args["strides"] = draw(_int_or_pair(1, 3, 3))
            args["padding"] = draw(st.sampled_from(["valid", "same"]))
        elif ltype in ("MaxPooling2D", "AveragePooling2D"):
            args["pool_size"] = draw(_int_or_pair(1, 8, 8))
            args["strides"] = draw(st.none() | _int_or_pair(1, 3, 3))
            args["padding"] = draw(st.sampled_from(["valid", "same"]))
        elif ltype == "Dense":
            args["units"] = draw(st.integers(1, 4))
        elif ltype == "Reshape":
            target = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))
            if draw(st.booleans()):
                target[draw(st.integers(0, len(target) - 1))] = -1
            args["target_shape"] = target
        layers.append({"type": ltype, "args": args})
    return {"input_shape": shape, "layers": layers}


# --- tests ---------------------------------------------------------------------------

def test_flowers_spec_matches_keras_summary():
    spec = flowers_spec(5)
    report = spec_check(spec, num_classes=5)
    model = spec_build_keras(spec, name="flowers")
    assert model.name == "flowers"
    assert model.count_params() == 3_989_285 == report.total_params
    _assert_matches_keras(model, report)
    assert isinstance(model.layers[0], keras.layers.RandomFlip)
    assert model.layers[0].get_config()["mode"] == "horizontal"
    assert model.layers[3].get_config()["scale"] == pytest.approx(1 / 255)


def test_flowers_generated_code_builds_the_same_model():
    code = spec_keras_code(flowers_spec(5), compile_args={
        "optimizer": "adam", "learning_rate": 0.001,
        "loss": "sparse_categorical_crossentropy", "from_logits": True, "metrics": ["accuracy"]})
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    model = namespace["model"]
    assert model.count_params() == 3_989_285
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.001)
    assert model.loss.get_config()["from_logits"] is True
    _assert_matches_keras(model, spec_check(flowers_spec(5)))


def test_catalog_defaults_match_keras_signatures():
    def same(keras_default, ours):
        if isinstance(keras_default, tuple) and isinstance(ours, int):
            return keras_default == (ours, ours)
        return keras_default == ours and type(keras_default) in (type(ours), type(None), float)

    for ldef in LAYERS.values():
        params = inspect.signature(getattr(keras.layers, ldef.type).__init__).parameters
        for a in ldef.args:
            keras_default = params[a.name].default
            if a.required or a.name in ldef.always_emit:
                assert keras_default is inspect.Parameter.empty, (ldef.type, a.name)
            else:
                assert same(keras_default, a.default), (ldef.type, a.name, keras_default)


def test_every_whitelisted_activation_is_accepted_by_keras():
    for name in ACTIVATIONS:
        assert callable(keras.activations.get(name))


def test_pooling_strides_default_to_pool_size_in_keras():
    model = spec_build_keras({"input_shape": [9, 9, 1], "layers": [
        {"type": "MaxPooling2D", "args": {"pool_size": 3}},
        {"type": "AveragePooling2D", "args": {}}]})
    assert tuple(model.layers[0].get_config()["strides"]) == (3, 3)
    assert tuple(model.layers[1].get_config()["pool_size"]) == (2, 2)
    assert tuple(model.layers[-1].output.shape) == (None, 1, 1, 1)


def test_build_keras_refuses_invalid_specs_and_names():
    with pytest.raises(ValueError, match="kernel_size 5 is larger"):
        spec_build_keras({"input_shape": [4, 4, 1], "layers": [
            {"type": "Conv2D", "args": {"filters": 1, "kernel_size": 5}}]})
    with pytest.raises(ValueError):
        spec_build_keras("not a spec")
    with pytest.raises(ValueError):
        spec_build_keras(flowers_spec(5), name="a/b")


@settings(max_examples=45, **HYPOTHESIS)
@given(valid_specs())
def test_calculator_agrees_with_keras_on_random_valid_specs(spec):
    keras.backend.clear_session()
    report = spec_check(spec)
    assert report.valid
    _assert_matches_keras(spec_build_keras(spec), report)
    # the raw spec (not normalized) builds the same model directly in Keras
    model = keras.Sequential([keras.Input(shape=tuple(spec["input_shape"])),
                              *[_keras_layer(layer) for layer in spec["layers"]]])
    _assert_matches_keras(model, report)


@settings(max_examples=45, **HYPOTHESIS)
@given(shape_breaking_specs())
def test_calculator_says_invalid_exactly_when_keras_refuses(spec):
    keras.backend.clear_session()
    report = spec_check(spec)
    assert all(e.code == "shape_invalid" for e in report.errors), report.errors
    inputs = keras.Input(shape=tuple(spec["input_shape"]))
    if report.valid:
        model = keras.Sequential([inputs, *[_keras_layer(layer) for layer in spec["layers"]]])
        _assert_matches_keras(model, report)
        return
    [error] = report.errors
    bad = error.index
    assert len(report.layers) == bad
    if bad:  # everything before the broken layer builds and matches
        model = keras.Sequential([keras.Input(shape=tuple(spec["input_shape"])),
                                  *[_keras_layer(layer) for layer in spec["layers"][:bad]]])
        prefix = spec_check({"input_shape": spec["input_shape"], "layers": spec["layers"][:bad]})
        assert [lr.to_dict() for lr in prefix.layers] == [lr.to_dict() for lr in report.layers]
        _assert_matches_keras(model, prefix)
    with pytest.raises(ValueError):
        keras.Sequential([keras.Input(shape=tuple(spec["input_shape"])),
                          *[_keras_layer(layer) for layer in spec["layers"][:bad + 1]]])


@settings(max_examples=15, **HYPOTHESIS)
@given(valid_specs(max_layers=6))
def test_generated_code_builds_the_same_model_as_the_calculator(spec):
    keras.backend.clear_session()
    report = spec_check(spec)
    code = spec_keras_code(spec, compile_args={"optimizer": "rmsprop", "learning_rate": 0.01,
                                               "loss": "mean_squared_error", "metrics": ["mae"]})
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    model = namespace["model"]
    assert model.count_params() == report.total_params
    _assert_matches_keras(model, report)
    # normalizing does not change the model
    assert spec_keras_code(spec_normalize(spec)) == spec_keras_code(spec)
