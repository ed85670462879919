"""Hand-computed shapes, parameter counts and formulas for every layer type."""

from __future__ import annotations

import pytest

from modelspec import flowers_spec, spec_check


def _one(input_shape, layer_type, args=None, before=()):
    """Check a spec and return the report of its last layer (which must compute)."""
    spec = {"input_shape": list(input_shape),
            "layers": [*before, {"type": layer_type, "args": args or {}}]}
    report = spec_check(spec)
    assert report.valid, [e.message for e in report.errors]
    return report.layers[-1]


# --- Conv2D: the course's formulas same: ceil(R/S), valid: floor((R−F)/S)+1 ---------

def test_conv2d_same_padding_keeps_size_and_counts_448_params():
    lr = _one((180, 180, 3), "Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same",
                                        "activation": "relu"})
    assert lr.output_shape == (None, 180, 180, 16)
    assert lr.params == 448 == (3 * 3 * 3 + 1) * 16
    assert lr.param_formula == "(3·3·3 + 1) · 16 = 448"
    assert lr.shape_formula == "same: ceil(180 / 1) = 180"
    assert (lr.trainable_params, lr.non_trainable_params) == (448, 0)


def test_conv2d_valid_padding_shrinks_by_kernel_minus_one():
    lr = _one((180, 180, 3), "Conv2D", {"filters": 16, "kernel_size": 3})
    assert lr.output_shape == (None, 178, 178, 16)
    assert lr.shape_formula == "valid: floor((180 − 3) / 1) + 1 = 178"


def test_conv2d_valid_padding_with_stride_uses_floor():
    lr = _one((28, 28, 1), "Conv2D", {"filters": 8, "kernel_size": 5, "strides": 2})
    # floor((28 - 5) / 2) + 1 = 11 + 1 = 12
    assert lr.output_shape == (None, 12, 12, 8)
    assert lr.params == (5 * 5 * 1 + 1) * 8 == 208
    assert lr.shape_formula == "valid: floor((28 − 5) / 2) + 1 = 12"


def test_conv2d_same_padding_with_stride_uses_ceil():
    lr = _one((7, 7, 2), "Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                    "padding": "same"})
    assert lr.output_shape == (None, 4, 4, 4)  # ceil(7 / 2) = 4
    assert lr.shape_formula == "same: ceil(7 / 2) = 4"
    assert lr.params == (3 * 3 * 2 + 1) * 4 == 76


def test_conv2d_rectangular_kernel_and_strides_compute_each_axis():
    lr = _one((10, 12, 2), "Conv2D", {"filters": 3, "kernel_size": [3, 5], "strides": [1, 2]})
    assert lr.output_shape == (None, 8, 4, 3)
    assert lr.shape_formula == ("valid: height floor((10 − 3) / 1) + 1 = 8, "
                                "width floor((12 − 5) / 2) + 1 = 4")
    assert lr.params == (3 * 5 * 2 + 1) * 3 == 93


def test_conv2d_without_bias_has_no_plus_one():
    lr = _one((8, 8, 3), "Conv2D", {"filters": 16, "kernel_size": 3, "use_bias": False})
    assert lr.params == 432
    assert lr.param_formula == "3·3·3 · 16 = 432"


def test_conv2d_kernel_equal_to_input_gives_one_pixel():
    lr = _one((5, 5, 1), "Conv2D", {"filters": 2, "kernel_size": 5})
    assert lr.output_shape == (None, 1, 1, 2)


# --- pooling ---------------------------------------------------------------------

def test_maxpooling_default_halves_and_floors_odd_sizes():
    lr = _one((45, 45, 32), "MaxPooling2D")
    assert lr.output_shape == (None, 22, 22, 32)
    assert lr.shape_formula == "valid: floor((45 − 2) / 2) + 1 = 22"
    assert lr.params == 0


def test_maxpooling_same_padding_turns_3x3_into_2x2():
    lr = _one((3, 3, 1), "MaxPooling2D", {"padding": "same"})
    assert lr.output_shape == (None, 2, 2, 1)
    assert lr.shape_formula == "same: ceil(3 / 2) = 2"


def test_averagepooling_with_explicit_strides():
    lr = _one((5, 5, 4), "AveragePooling2D", {"pool_size": 3, "strides": 1})
    assert lr.output_shape == (None, 3, 3, 4)
    assert lr.shape_formula == "valid: floor((5 − 3) / 1) + 1 = 3"


def test_pooling_rectangular_pool_and_strides():
    lr = _one((5, 5, 3), "MaxPooling2D", {"pool_size": [1, 2], "strides": [2, 1]})
    assert lr.output_shape == (None, 3, 4, 3)


def test_global_pooling_keeps_only_channels():
    for kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        lr = _one((22, 22, 64), kind)
        assert lr.output_shape == (None, 64)
        assert lr.params == 0
        assert "22×22" in lr.shape_formula


# --- flatten / dense -----------------------------------------------------------------

def test_flatten_multiplies_all_axes():
    lr = _one((22, 22, 64), "Flatten")
    assert lr.output_shape == (None, 30976)
    assert lr.shape_formula == "flatten: 22·22·64 = 30976"


def test_dense_after_flatten_counts_weights_plus_biases():
    lr = _one((22, 22, 64), "Dense", {"units": 128, "activation": "relu"},
              before=[{"type": "Flatten", "args": {}}])
    assert lr.output_shape == (None, 128)
    assert lr.params == 30976 * 128 + 128 == 3_965_056
    assert lr.param_formula == "(30976 + 1) · 128 = 3965056"
    assert lr.shape_formula == "dense: 30976 → 128"


def test_dense_without_bias():
    lr = _one((10,), "Dense", {"units": 4, "use_bias": False})
    assert lr.params == 40
    assert lr.param_formula == "10 · 4 = 40"


def test_dense_on_rank3_input_acts_on_last_axis_only():
    report = spec_check({"input_shape": [4, 5, 3],
                         "layers": [{"type": "Dense", "args": {"units": 7}}]})
    assert report.valid
    lr = report.layers[0]
    assert lr.output_shape == (None, 4, 5, 7)
    assert lr.params == 3 * 7 + 7 == 28
    assert [w.code for w in report.warnings] == ["dense_on_image"]


# --- depthwise / separable ---------------------------------------------------------

def test_depthwise_conv_multiplies_channels():
    lr = _one((8, 8, 3), "DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2})
    assert lr.output_shape == (None, 6, 6, 6)
    assert lr.params == 3 * 3 * 3 * 2 + 3 * 2 == 60
    assert lr.param_formula == "(3·3 + 1) · 3·2 = 60"
    assert lr.shape_formula.endswith("channels 3·2 = 6")


def test_separable_conv_counts_depthwise_pointwise_and_bias():
    lr = _one((8, 8, 3), "SeparableConv2D", {"filters": 5, "kernel_size": 3,
                                             "depth_multiplier": 2})
    assert lr.output_shape == (None, 6, 6, 5)
    assert lr.params == 3 * 3 * 3 * 2 + 3 * 2 * 5 + 5 == 89
    assert lr.param_formula == "3·3·3·2 + 3·2·5 + 5 = 89"


def test_separable_conv_without_bias():
    lr = _one((8, 8, 3), "SeparableConv2D", {"filters": 5, "kernel_size": 3, "use_bias": False})
    assert lr.params == 3 * 3 * 3 + 3 * 5 == 42


# --- batch normalization ----------------------------------------------------------

def test_batchnormalization_has_four_params_per_channel_half_trainable():
    report = spec_check({"input_shape": [22, 22, 64],
                         "layers": [{"type": "BatchNormalization", "args": {}}]})
    lr = report.layers[0]
    assert lr.output_shape == (None, 22, 22, 64)
    assert (lr.params, lr.trainable_params, lr.non_trainable_params) == (256, 128, 128)
    assert lr.param_formula.startswith("4 · 64 = 256")
    assert (report.total_params, report.trainable_params, report.non_trainable_params) == \
        (256, 128, 128)


# --- shape-preserving layers and reshape --------------------------------------------

@pytest.mark.parametrize("layer_type,args", [
    ("Dropout", {"rate": 0.5}),
    ("Rescaling", {"scale": 1 / 255}),
    ("RandomFlip", {}),
    ("RandomRotation", {"factor": 0.2}),
    ("RandomZoom", {"height_factor": -0.2, "width_factor": 0.3}),
    ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.2}),
    ("RandomContrast", {"factor": 0.5}),
    ("Activation", {"activation": "softmax"}),
])
def test_shape_preserving_layers_have_no_params(layer_type, args):
    lr = _one((9, 7, 3), layer_type, args)
    assert lr.output_shape == (None, 9, 7, 3)
    assert lr.params == 0
    assert lr.shape_formula == "unchanged: (None, 9, 7, 3)"


def test_reshape_computes_the_minus_one_dimension():
    lr = _one((6,), "Reshape", {"target_shape": [-1, 2]})
    assert lr.output_shape == (None, 3, 2)
    assert lr.shape_formula == "reshape: -1 = 6 / 2 = 3 → (None, 3, 2)"


def test_reshape_to_image_then_conv():
    report = spec_check({"input_shape": [784], "layers": [
        {"type": "Reshape", "args": {"target_shape": [28, 28, 1]}},
        {"type": "Conv2D", "args": {"filters": 4, "kernel_size": 3}},
    ]})
    assert report.valid
    assert report.output_shape == (None, 26, 26, 4)


# --- whole model -------------------------------------------------------------------

def test_flowers_spec_totals_match_course_summary():
    report = spec_check(flowers_spec(5), num_classes=5, from_logits=True)
    assert report.valid, report.errors
    assert report.errors == [] and report.warnings == []
    assert report.input_shape == (None, 180, 180, 3)
    assert report.output_shape == (None, 5)
    assert report.total_params == report.trainable_params == 3_989_285
    assert report.non_trainable_params == 0
    shapes = [lr.output_shape for lr in report.layers]
    assert shapes[4] == (None, 180, 180, 16)
    assert shapes[5] == (None, 90, 90, 16)
    assert shapes[9] == (None, 22, 22, 64)
    assert shapes[11] == (None, 30976)
    assert [lr.params for lr in report.layers if lr.params] == [448, 4640, 18496, 3965056, 645]


def test_flowers_spec_with_other_sizes():
    report = spec_check(flowers_spec(3, image_size=(64, 32), channels=1), num_classes=3)
    assert report.valid
    assert report.output_shape == (None, 3)
    # 64x32 -> 32x16 -> 16x8 -> 8x4, 64 channels
    assert report.layers[11].output_shape == (None, 8 * 4 * 64)


def test_flowers_spec_rejects_bad_arguments():
    for bad in (dict(num_classes=0), dict(num_classes=True), dict(num_classes=3, channels=0),
                dict(num_classes=3, image_size=(180,))):
        with pytest.raises(ValueError):
            flowers_spec(**bad)


def test_report_to_dict_turns_tuples_into_lists():
    d = spec_check(flowers_spec(5)).to_dict()
    assert d["input_shape"] == [None, 180, 180, 3]
    assert d["layers"][4]["output_shape"] == [None, 180, 180, 16]
    assert d["total_params"] == 3_989_285
