"""Validator errors and warnings, hostile input, normalization and the catalog.

Pure Python: nothing here imports TensorFlow / Keras.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelspec import (
    ERROR_CODES,
    LAYERS,
    WARNING_CODES,
    SpecInvalidError,
    SpecReport,
    flowers_spec,
    layer_catalog,
    spec_check,
    spec_normalize,
)
from modelspec.catalog import ARG_KINDS


def _spec(*layers, input_shape=(28, 28, 1)):
    return {"input_shape": list(input_shape),
            "layers": [{"type": t, "args": a} for t, a in layers]}


def _errors(report: SpecReport):
    return [(e.index, e.layer_type, e.field, e.code) for e in report.errors]


def _assert_messages_name_layers(report: SpecReport):
    for e in report.errors + report.warnings:
        assert e.code in ERROR_CODES + WARNING_CODES
        assert e.message and (e.message[0].isupper() or e.message.startswith(str(e.field)))
        if e.index is not None:
            prefix = f"Layer {e.index + 1} ({e.layer_type})" if e.layer_type else f"Layer {e.index + 1}"
            assert e.message.startswith(prefix), e.message


# --- shape errors -------------------------------------------------------------------

def test_kernel_larger_than_input_names_layer_field_and_sizes():
    spec = _spec(("Conv2D", {"filters": 8, "kernel_size": 3}),
                 ("MaxPooling2D", {"pool_size": 2}),
                 ("Conv2D", {"filters": 8, "kernel_size": 3}),
                 ("MaxPooling2D", {}),
                 ("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "same"}),
                 ("Conv2D", {"filters": 8, "kernel_size": 7}),
                 ("Flatten", {}),
                 input_shape=(22, 22, 3))
    report = spec_check(spec)
    assert not report.valid
    assert _errors(report) == [(5, "Conv2D", "kernel_size", "shape_invalid")]
    assert report.errors[0].message.startswith(
        "Layer 6 (Conv2D): kernel_size 7 is larger than the input (4×4) with padding 'valid'")
    # computing stops at the first invalid layer
    assert [lr.index for lr in report.layers] == [0, 1, 2, 3, 4]
    assert report.layers[-1].output_shape == (None, 4, 4, 8)
    assert report.output_shape is None
    _assert_messages_name_layers(report)


def test_pool_larger_than_input_with_valid_padding():
    report = spec_check(_spec(("MaxPooling2D", {"pool_size": 3}), input_shape=(2, 2, 1)))
    assert _errors(report) == [(0, "MaxPooling2D", "pool_size", "shape_invalid")]
    assert "pool_size 3 is larger than the input (2×2)" in report.errors[0].message
    # the same pool with padding "same" is fine
    assert spec_check(_spec(("MaxPooling2D", {"pool_size": 3, "padding": "same"}),
                            input_shape=(2, 2, 1))).valid


def test_rectangular_kernel_too_tall_only():
    report = spec_check(_spec(("Conv2D", {"filters": 1, "kernel_size": [5, 1]}),
                              input_shape=(4, 9, 1)))
    assert _errors(report) == [(0, "Conv2D", "kernel_size", "shape_invalid")]
    assert "kernel_size 5×1" in report.errors[0].message


@pytest.mark.parametrize("layer_type,args", [
    ("Conv2D", {"filters": 2, "kernel_size": 1}),
    ("DepthwiseConv2D", {"kernel_size": 1}),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 1}),
    ("MaxPooling2D", {}),
    ("AveragePooling2D", {}),
    ("GlobalAveragePooling2D", {}),
    ("GlobalMaxPooling2D", {}),
    ("RandomFlip", {}),
    ("RandomRotation", {"factor": 0.1}),
    ("RandomZoom", {"height_factor": 0.1}),
    ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}),
    ("RandomContrast", {"factor": 0.1}),
])
def test_spatial_layers_need_rank3_input(layer_type, args):
    report = spec_check(_spec(("Flatten", {}), (layer_type, args), input_shape=(8, 8, 3)))
    assert _errors(report) == [(1, layer_type, None, "shape_invalid")]
    assert "needs an image input of shape (height, width, channels)" in report.errors[0].message
    assert "(None, 192)" in report.errors[0].message
    assert len(report.layers) == 1
    for shape in ((8,), (8, 8)):
        r = spec_check(_spec((layer_type, args), input_shape=shape))
        assert [e.code for e in r.errors] == ["shape_invalid"]


def test_reshape_must_keep_element_count():
    report = spec_check(_spec(("Reshape", {"target_shape": [4, 2]}), input_shape=(6,)))
    assert _errors(report) == [(0, "Reshape", "target_shape", "shape_invalid")]
    assert "has 8 elements but the input (None, 6) has 6" in report.errors[0].message
    report = spec_check(_spec(("Reshape", {"target_shape": [-1, 4]}), input_shape=(6,)))
    assert _errors(report) == [(0, "Reshape", "target_shape", "shape_invalid")]
    report = spec_check(_spec(("Reshape", {"target_shape": [-1, -1]}), input_shape=(6,)))
    assert _errors(report) == [(0, "Reshape", "target_shape", "out_of_range")]


# --- argument errors -----------------------------------------------------------------

@pytest.mark.parametrize("layer_type,args,field,code", [
    ("Conv2D", {"kernel_size": 3}, "filters", "required"),
    ("Conv2D", {"filters": None, "kernel_size": 3}, "filters", "required"),
    ("Conv2D", {"filters": "16", "kernel_size": 3}, "filters", "bad_type"),
    ("Conv2D", {"filters": True, "kernel_size": 3}, "filters", "bad_type"),
    ("Conv2D", {"filters": 3.5, "kernel_size": 3}, "filters", "bad_type"),
    ("Conv2D", {"filters": 0, "kernel_size": 3}, "filters", "out_of_range"),
    ("Conv2D", {"filters": 1025, "kernel_size": 3}, "filters", "out_of_range"),
    ("Conv2D", {"filters": 10**400, "kernel_size": 3}, "filters", "out_of_range"),
    ("Conv2D", {"filters": float("nan"), "kernel_size": 3}, "filters", "not_finite"),
    ("Conv2D", {"filters": 8, "kernel_size": 12}, "kernel_size", "out_of_range"),
    ("Conv2D", {"filters": 8, "kernel_size": [3, 3, 3]}, "kernel_size", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": [3, 0]}, "kernel_size", "out_of_range"),
    ("Conv2D", {"filters": 8, "kernel_size": [3, "3"]}, "kernel_size", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 6}, "strides", "out_of_range"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "full"}, "padding", "bad_choice"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "padding": None}, "padding", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "activation": "relu7"}, "activation", "bad_choice"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "activation": 1}, "activation", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "use_bias": "yes"}, "use_bias", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "use_bias": 1}, "use_bias", "bad_type"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "dilation_rate": 2}, "dilation_rate", "unknown_arg"),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 9}, "depth_multiplier",
     "out_of_range"),
    ("MaxPooling2D", {"pool_size": 9}, "pool_size", "out_of_range"),
    ("MaxPooling2D", {"strides": 0}, "strides", "out_of_range"),
    ("Dense", {}, "units", "required"),
    ("Dense", {"units": 8193}, "units", "out_of_range"),
    ("Dense", {"units": [10]}, "units", "bad_type"),
    ("Dropout", {"rate": 1.0}, "rate", "out_of_range"),
    ("Dropout", {"rate": -0.1}, "rate", "out_of_range"),
    ("Dropout", {"rate": "0.2"}, "rate", "bad_type"),
    ("Dropout", {"rate": False}, "rate", "bad_type"),
    ("Rescaling", {"scale": float("inf")}, "scale", "not_finite"),
    ("Rescaling", {"scale": 10**400}, "scale", "out_of_range"),
    ("Rescaling", {"scale": 1.0, "offset": float("-inf")}, "offset", "not_finite"),
    ("RandomFlip", {"mode": "diagonal"}, "mode", "bad_choice"),
    ("RandomRotation", {"factor": 1.5}, "factor", "out_of_range"),
    ("RandomZoom", {"height_factor": -1.0}, "height_factor", "out_of_range"),
    ("RandomZoom", {"height_factor": 0.1, "width_factor": 1.1}, "width_factor", "out_of_range"),
    ("RandomTranslation", {"height_factor": 0.1}, "width_factor", "required"),
    ("RandomContrast", {}, "factor", "required"),
    ("Activation", {}, "activation", "required"),
    ("Activation", {"activation": "mish"}, "activation", "bad_choice"),
    ("Flatten", {"data_format": "channels_first"}, "data_format", "unknown_arg"),
    ("Reshape", {"target_shape": 12}, "target_shape", "bad_type"),
    ("Reshape", {"target_shape": []}, "target_shape", "out_of_range"),
    ("Reshape", {"target_shape": [1, 1, 1, 12]}, "target_shape", "out_of_range"),
    ("Reshape", {"target_shape": [0, 12]}, "target_shape", "out_of_range"),
    ("Reshape", {"target_shape": [12.5]}, "target_shape", "bad_type"),
])
def test_bad_arguments_are_reported_with_layer_and_field(layer_type, args, field, code):
    spec = _spec(("Rescaling", {"scale": 0.5}), (layer_type, args), input_shape=(12, 12, 3))
    report = spec_check(spec)
    assert not report.valid
    assert _errors(report) == [(1, layer_type, field, code)]
    message = report.errors[0].message
    assert message.startswith(f"Layer 2 ({layer_type}): ")
    assert field in message
    # shapes are still computed up to the broken layer
    assert [lr.index for lr in report.layers] == [0]
    _assert_messages_name_layers(report)


def test_all_argument_errors_of_all_layers_are_collected():
    report = spec_check(_spec(("Conv2D", {"filters": -1, "kernel_size": "big"}),
                              ("Dense", {"units": 0, "activation": "nope"})))
    assert _errors(report) == [
        (0, "Conv2D", "filters", "out_of_range"),
        (0, "Conv2D", "kernel_size", "bad_type"),
        (1, "Dense", "units", "out_of_range"),
        (1, "Dense", "activation", "bad_choice"),
    ]
    assert report.layers == []


def test_unknown_layer_type_suggests_the_closest_name():
    report = spec_check(_spec(("Conv2d", {"filters": 8, "kernel_size": 3})))
    assert _errors(report) == [(0, None, "type", "unknown_layer")]
    assert "did you mean 'Conv2D'?" in report.errors[0].message
    assert report.errors[0].message.startswith("Layer 1: ")
    report = spec_check(_spec(("LSTM", {"units": 8})))
    assert _errors(report) == [(0, None, "type", "unknown_layer")]


@pytest.mark.parametrize("layer,code,field", [
    ("Dense", "bad_type", None),
    (None, "bad_type", None),
    ({"args": {}}, "required", "type"),
    ({"type": 5}, "bad_type", "type"),
    ({"type": "Dense", "args": [64]}, "bad_type", "args"),
])
def test_malformed_layer_objects(layer, code, field):
    report = spec_check({"input_shape": [4], "layers": [layer]})
    assert _errors(report) == [(0, None if field != "args" else "Dense", field, code)]


def test_many_unknown_keys_are_summarised():
    args = {f"a{i}": i for i in range(1000)}
    report = spec_check({"input_shape": [4], "layers": [{"type": "Flatten", "args": args}]})
    assert len(report.errors) == 6
    assert report.errors[-1].message == "Layer 1 (Flatten): 995 more unknown arguments"
    report = spec_check({"input_shape": [4], "layers": [{"type": "Flatten"}], **args})
    assert report.valid and len(report.warnings) == 6


def test_unknown_keys_are_ignored_with_a_warning():
    spec = _spec(("Dense", {"units": 3}), input_shape=(4,))
    spec["layers"][0]["id"] = "abc"
    spec["title"] = "my model"
    report = spec_check(spec)
    assert report.valid
    assert [(w.index, w.code) for w in report.warnings] == [(None, "unknown_key"),
                                                            (0, "unknown_key")]
    assert "id" not in spec_normalize(spec)["layers"][0]


# --- input shape ---------------------------------------------------------------------

@pytest.mark.parametrize("input_shape,code", [
    (None, "required"),
    ("180,180,3", "bad_type"),
    ({"h": 180}, "bad_type"),
    ([], "out_of_range"),
    ([1, 2, 3, 4], "out_of_range"),
    ([0, 10, 3], "out_of_range"),
    ([2000, 10, 3], "out_of_range"),
    ([-5], "out_of_range"),
    ([True, 10, 3], "bad_type"),
    ([10.5], "bad_type"),
    ([float("nan")], "not_finite"),
    ([1024, 1024, 5], "too_large"),
])
def test_bad_input_shape(input_shape, code):
    spec = {"input_shape": input_shape, "layers": [{"type": "Flatten", "args": {}}]}
    if input_shape is None:
        del spec["input_shape"]
    report = spec_check(spec)
    assert _errors(report) == [(None, None, "input_shape", code)]
    assert report.layers == [] and report.input_shape is None


def test_integral_floats_are_accepted_as_ints():
    report = spec_check({"input_shape": [8.0, 8.0, 1.0],
                         "layers": [{"type": "Conv2D", "args": {"filters": 2.0, "kernel_size": 3.0}}]})
    assert report.valid
    assert spec_normalize({"input_shape": [8.0, 8.0, 1.0], "layers": [
        {"type": "Conv2D", "args": {"filters": 2.0, "kernel_size": 3.0}}]})["layers"][0]["args"][
        "filters"] == 2


# --- model-level errors ------------------------------------------------------------

def test_missing_or_empty_layers():
    assert _errors(spec_check({"input_shape": [4]})) == [(None, None, "layers", "required")]
    assert _errors(spec_check({"input_shape": [4], "layers": []})) == [
        (None, None, "layers", "empty")]
    assert _errors(spec_check({"input_shape": [4], "layers": "Dense"})) == [
        (None, None, "layers", "bad_type")]


def test_too_many_layers_is_refused():
    spec = {"input_shape": [4], "layers": [{"type": "Dropout", "args": {"rate": 0.1}}] * 61}
    report = spec_check(spec)
    assert ("layers", "too_large") in [(e.field, e.code) for e in report.errors]
    assert not report.valid
    ok = {"input_shape": [4], "layers": [{"type": "Dropout", "args": {"rate": 0.1}}] * 60}
    assert spec_check(ok).valid


def test_a_million_layers_is_refused_quickly():
    spec = {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": 8192}}] * 10**6}
    start = time.perf_counter()
    report = spec_check(spec)
    assert time.perf_counter() - start < 0.5
    assert not report.valid
    assert "too_large" in [e.code for e in report.errors]


def test_too_many_parameters_is_too_large():
    spec = _spec(("Flatten", {}), ("Dense", {"units": 8192}), ("Dense", {"units": 8192}),
                 input_shape=(64, 64, 3))
    report = spec_check(spec)
    assert not report.valid
    [err] = report.errors
    assert (err.code, err.index) == ("too_large", None)
    assert "too large" in err.message and "50,000,000" in err.message
    assert "layer 1 (Dense)" in err.message
    assert report.total_params == (12288 + 1) * 8192 + (8192 + 1) * 8192


def test_num_classes_requires_dense_output_with_that_many_units():
    good = flowers_spec(5)
    assert spec_check(good, num_classes=5).valid
    report = spec_check(good, num_classes=3)
    assert _errors(report) == [(13, "Dense", "units", "num_classes_mismatch")]
    assert "3 classes" in report.errors[0].message and "units 5" in report.errors[0].message

    spec = flowers_spec(5)
    spec["layers"].append({"type": "Activation", "args": {"activation": "softmax"}})
    report = spec_check(spec, num_classes=5)
    assert _errors(report) == [(14, "Activation", None, "num_classes_mismatch")]
    assert "must be Dense(5)" in report.errors[0].message

    spec = _spec(("Dense", {"units": 5}), input_shape=(8, 8, 3))
    report = spec_check(spec, num_classes=5)
    assert _errors(report) == [(0, "Dense", None, "num_classes_mismatch")]
    assert "(None, 8, 8, 5)" in report.errors[0].message


def test_bad_num_classes_and_from_logits_are_errors_not_exceptions():
    for bad in ("5", True, 0, -3, 1.5, float("nan"), [5]):
        report = spec_check(flowers_spec(5), num_classes=bad)
        assert _errors(report) == [(None, None, "num_classes", "bad_type")]
    report = spec_check(flowers_spec(5), from_logits="yes")
    assert _errors(report) == [(None, None, "from_logits", "bad_type")]


# --- warnings ------------------------------------------------------------------------

def test_softmax_output_with_from_logits_warns():
    spec = flowers_spec(5)
    spec["layers"][-1]["args"]["activation"] = "softmax"
    report = spec_check(spec, num_classes=5, from_logits=True)
    assert report.valid
    assert [(w.index, w.code, w.field) for w in report.warnings] == [
        (13, "softmax_with_logits", "activation")]
    assert spec_check(spec, num_classes=5, from_logits=False).warnings == []


def test_linear_output_without_from_logits_warns():
    report = spec_check(flowers_spec(5), from_logits=False)
    assert [w.code for w in report.warnings] == ["logits_without_from_logits"]
    assert spec_check(flowers_spec(5)).warnings == []


def test_dropout_after_output_warns():
    spec = _spec(("Dense", {"units": 3}), ("Dropout", {"rate": 0.2}), input_shape=(4,))
    report = spec_check(spec)
    assert report.valid
    assert [(w.index, w.code) for w in report.warnings] == [(1, "dropout_after_output")]


def test_augmentation_after_weights_and_zero_scale_warn():
    spec = _spec(("Conv2D", {"filters": 2, "kernel_size": 3}), ("RandomFlip", {}),
                 ("Rescaling", {"scale": 0}), input_shape=(8, 8, 3))
    report = spec_check(spec)
    assert report.valid
    assert [(w.index, w.code) for w in report.warnings] == [
        (2, "zero_scale"), (1, "augmentation_not_first")]
    _assert_messages_name_layers(report)


def test_huge_activation_warns():
    spec = _spec(("Conv2D", {"filters": 64, "kernel_size": 3, "padding": "same"}),
                 input_shape=(1024, 1024, 3))
    report = spec_check(spec)
    assert report.valid
    assert [w.code for w in report.warnings] == ["large_activation"]


# --- hostile input -----------------------------------------------------------------

_deep: list = []
for _ in range(5000):
    _deep = [_deep]

HOSTILE = [
    None, True, 0, -1, 1.5, float("nan"), float("inf"), "model", "", b"bytes", [], [1, 2],
    {}, {"input_shape": None, "layers": None}, {"input_shape": "x" * 10**6},
    {"input_shape": _deep, "layers": _deep}, {"input_shape": [_deep], "layers": [_deep]},
    {"input_shape": [10**5000], "layers": []},
    {"input_shape": [4], "layers": [{"type": "x" * 10**6}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": 10**5000}}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"x" * 10**5: 1}}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {1: 2, None: 3}}]},
    {"input_shape": [4], "layers": [{"type": "Reshape", "args": {"target_shape": [10**5000]}}]},
    {"input_shape": [4], "layers": [{"type": "Reshape", "args": {"target_shape": [-1] * 10**6}}]},
    {"input_shape": [4], "layers": [{"type": "Rescaling", "args": {"scale": 10**5000}}]},
    {"input_shape": [4] * 10**6, "layers": []},
    {"input_shape": (4,), "layers": ({"type": "Dense", "args": {"units": 2}},)},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": object()}}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": 3, "activation": _deep}}]},
    {"input_shape": [4], "layers": [{"type": "__class__"}, {"type": "constructor"}]},
    {("tuple",): 1, None: 2},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {str(i): i for i in range(10**5)}}]},
    {"input_shape": [4], "layers": [{"type": "Flatten", **{str(i): i for i in range(10**5)}}]},
    {str(i): i for i in range(10**5)},
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(value):
    start = time.perf_counter()
    report = spec_check(value, num_classes=3, from_logits=True)
    assert time.perf_counter() - start < 0.5
    assert isinstance(report, SpecReport)
    assert "internal" not in [e.code for e in report.errors]
    json.dumps(report.to_dict(), allow_nan=False)
    _assert_messages_name_layers(report)
    if not spec_check(value).valid:
        with pytest.raises(ValueError):
            spec_normalize(value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@st.composite
def _fuzzed_specs(draw):
    """Specs with the right outline but arbitrary values in arbitrary places."""
    layer_types = st.sampled_from(sorted(LAYERS)) | st.text(max_size=10)
    layers = []
    for _ in range(draw(st.integers(0, 6))):
        ltype = draw(layer_types)
        ldef = LAYERS.get(ltype)
        names = [a.name for a in ldef.args] if ldef else []
        keys = st.sampled_from(names) | st.text(max_size=6) if names else st.text(max_size=6)
        args = draw(st.dictionaries(keys, _json | st.integers(-3, 40)
                                    | st.sampled_from(["same", "valid", "relu", "softmax"]),
                                    max_size=5))
        layers.append(draw(st.sampled_from([{"type": ltype, "args": args}, {"type": ltype},
                                            {"type": ltype, "args": args, "x": 1}])))
    shape = draw(st.lists(st.integers(-2, 40) | _json, max_size=4) | _json)
    return draw(st.sampled_from([
        {"input_shape": shape, "layers": layers},
        {"input_shape": shape, "layers": layers, "extra": None},
        {"layers": layers},
        layers,
    ]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_fuzzed_specs(), st.none() | st.integers(-2, 12) | _json, st.none() | _json)
def test_fuzzed_specs_never_raise_and_stay_consistent(spec, num_classes, from_logits):
    report = spec_check(spec, num_classes=num_classes, from_logits=from_logits)
    assert isinstance(report, SpecReport)
    assert "internal" not in [e.code for e in report.errors]
    json.dumps(report.to_dict(), allow_nan=False)
    _assert_messages_name_layers(report)
    assert report.valid == (not report.errors)
    assert report.total_params == sum(lr.params for lr in report.layers)
    assert [lr.index for lr in report.layers] == list(range(len(report.layers)))
    base = spec_check(spec)
    if num_classes is None and from_logits is None:
        assert base == report
    if base.valid:
        norm = spec_normalize(spec)
        assert spec_normalize(norm) == norm
        again = spec_check(norm)
        assert again.valid
        assert [lr.to_dict() for lr in again.layers] == [lr.to_dict() for lr in base.layers]
    else:
        with pytest.raises(SpecInvalidError):
            spec_normalize(spec)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(LAYERS)), st.data())
def test_any_json_value_in_any_argument_never_raises(layer_type, data):
    ldef = LAYERS[layer_type]
    args = {}
    for a in ldef.args:
        if a.required:
            args[a.name] = data.draw(_json, label=a.name)
    if ldef.args:
        name = data.draw(st.sampled_from([a.name for a in ldef.args]))
        args[name] = data.draw(_json, label=name)
    report = spec_check({"input_shape": [8, 8, 3], "layers": [{"type": layer_type, "args": args}]})
    assert "internal" not in [e.code for e in report.errors]
    json.dumps(report.to_dict(), allow_nan=False)


# --- normalize -----------------------------------------------------------------------

def test_normalize_fills_defaults_and_canonical_forms():
    spec = _spec(("Conv2D", {"filters": 8, "kernel_size": [3, 3], "activation": "linear",
                             "strides": [1, 2]}),
                 ("MaxPooling2D", {"pool_size": [2, 2]}),
                 ("Dropout", {"rate": 0}),
                 input_shape=(28, 28, 1))
    norm = spec_normalize(spec)
    assert norm == {
        "input_shape": [28, 28, 1],
        "layers": [
            {"type": "Conv2D", "args": {"filters": 8, "kernel_size": 3, "strides": [1, 2],
                                        "padding": "valid", "activation": None,
                                        "use_bias": True}},
            {"type": "MaxPooling2D", "args": {"pool_size": 2, "strides": None,
                                              "padding": "valid"}},
            {"type": "Dropout", "args": {"rate": 0.0}},
        ],
    }
    assert isinstance(norm["layers"][2]["args"]["rate"], float)
    assert spec_normalize(norm) == norm
    json.dumps(norm, allow_nan=False)
    # the input is not modified
    assert spec["layers"][0]["args"]["kernel_size"] == [3, 3]


def test_normalize_refuses_invalid_specs():
    with pytest.raises(ValueError, match="Layer 1 \\(Dense\\): units is required"):
        spec_normalize(_spec(("Dense", {})))
    with pytest.raises(SpecInvalidError) as info:
        spec_normalize("nope")
    assert info.value.report.errors[0].code == "bad_type"


# --- catalog -----------------------------------------------------------------------

def test_layer_catalog_is_json_and_describes_every_layer():
    catalog = layer_catalog()
    json.loads(json.dumps(catalog, allow_nan=False))
    assert [entry["type"] for entry in catalog] == list(LAYERS)
    for entry in catalog:
        assert entry["doc_en"] and entry["doc_zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["doc_zh"])
        for arg in entry["args"]:
            assert arg["kind"] in ARG_KINDS
            assert set(arg) >= {"name", "kind", "required", "default", "min", "max", "choices"}
            if arg["kind"] in ("choice", "activation"):
                assert arg["choices"]
            if arg["required"]:
                continue
            # every default passes validation on its own
            args = {a["name"]: 1 for a in entry["args"] if a["required"]}
            args.update({"kernel_size": 1} if "kernel_size" in args else {})
            args.update({"target_shape": [-1]} if "target_shape" in args else {})
            args[arg["name"]] = arg["default"]
            if entry["type"] == "RandomTranslation":
                args.update(height_factor=0.1, width_factor=0.1)
            report = spec_check({"input_shape": [8, 8, 3],
                                 "layers": [{"type": entry["type"], "args": args}]})
            assert report.valid, (entry["type"], arg["name"], report.errors)


def test_catalog_lists_all_whitelisted_layers():
    assert set(LAYERS) == {
        "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D",
        "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout",
        "Rescaling", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
        "RandomContrast", "BatchNormalization", "Activation", "Reshape"}


# --- purity and speed ---------------------------------------------------------------

def test_importing_and_checking_does_not_import_tensorflow():
    code = ("import sys, modelspec\n"
            "r = modelspec.spec_check(modelspec.flowers_spec(5))\n"
            "modelspec.spec_keras_code(modelspec.flowers_spec(5))\n"
            "assert r.valid\n"
            "bad = [m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules]\n"
            "assert not bad, bad\n")
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.path.join(here, "..", "..", "platform")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_spec_check_is_fast_for_a_60_layer_model():
    layers = [{"type": "Conv2D", "args": {"filters": 8, "kernel_size": 3, "padding": "same"}}] * 59
    spec = {"input_shape": [64, 64, 3], "layers": [*layers, {"type": "Flatten", "args": {}}]}
    spec_check(spec)
    start = time.perf_counter()
    for _ in range(10):
        report = spec_check(spec)
    assert report.valid
    assert (time.perf_counter() - start) / 10 < 0.02
    assert math.isclose(report.total_params, (27 + 1) * 8 + 58 * (72 + 1) * 8)
