"""Numbers printed on the chapter 7 and 9 figures: architecture shapes, parameter counts,
multiplication counts and the illustrative fine-tuning curves."""

from __future__ import annotations

import numpy as np
import pytest

from lessonfigures import ch07, ch09


def _keras():
    return pytest.importorskip("keras")


# --- LeNet-5 ----------------------------------------------------------------------------------


def test_lenet5_parameters_match_the_lesson_table():
    steps = ch07.lenet5_steps()
    assert [s.params for s in steps if s.params] == [156, 2_416, 48_120, 10_164, 850]
    assert sum(s.params for s in steps) == 61_706


def test_lenet5_output_shapes_follow_the_description():
    shapes = [s.output_shape for s in ch07.lenet5_steps()]
    assert shapes == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,), (120,), (84,), (10,)]


def test_lenet5_counts_equal_the_keras_model():
    keras = _keras()
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(6, (5, 5), padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5), padding="valid", activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(120, activation="relu")(x)
    x = layers.Dense(84, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    steps = ch07.lenet5_steps()
    assert [layer.count_params() for layer in model.layers[1:]] == [s.params for s in steps]
    assert [tuple(layer.output.shape[1:]) for layer in model.layers[1:]] == [s.output_shape for s in steps]
    assert model.count_params() == sum(s.params for s in steps)


# --- AlexNet-style ----------------------------------------------------------------------------


def test_alexnet_output_shapes_follow_the_description():
    shapes = [s.output_shape for s in ch07.alexnet_steps() if s.type not in ("Rescaling", "Dropout")]
    assert shapes == [(55, 55, 96), (27, 27, 96), (27, 27, 256), (13, 13, 256), (13, 13, 384), (13, 13, 384),
                      (13, 13, 256), (6, 6, 256), (9216,), (4096,), (4096,), (2,)]


def test_alexnet_counts_equal_the_keras_model():
    keras = _keras()
    from keras import layers

    inputs = keras.Input(shape=(227, 227, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(96, 11, strides=4, activation="relu")(x)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(4096, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    x = layers.Dense(4096, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    steps = ch07.alexnet_steps()
    assert [layer.count_params() for layer in model.layers[1:]] == [s.params for s in steps]
    assert model.count_params() == sum(s.params for s in steps) == 58_289_538


# --- VGG16 ------------------------------------------------------------------------------------


def test_vgg16_fully_connected_parameters_match_the_description():
    groups = ch07.vgg16_group_params()
    assert (groups["fc1"], groups["fc2"], groups["fc3"]) == (102_764_544, 16_781_312, 4_097_000)


def test_vgg16_conv_base_has_14_714_688_parameters():
    groups = ch07.vgg16_group_params()
    assert sum(groups[f"block{i}"] for i in range(1, 6)) == 14_714_688
    assert groups["block5"] == 7_079_424  # the block chapter 9 unfreezes


def test_vgg16_pools_halve_to_7_and_flatten_to_25088():
    steps = ch07.vgg16_steps()
    assert [s.output_shape[0] for s in steps if s.type == "MaxPooling2D"] == [112, 56, 28, 14, 7]
    assert next(s for s in steps if s.type == "Flatten").output_shape == (25_088,)


def test_vgg16_conv_base_equals_keras_applications():
    keras = _keras()
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3))
    assert base.count_params() == sum(s.params for s in ch07.layers_walk(ch07.VGG16_INPUT, ch07.vgg16_conv_layers()))


# --- Inception, ResNet, MobileNet -------------------------------------------------------------


def test_inception_5x5_branch_multiplications_drop_tenfold():
    m = ch07.inception_5x5_multiplications()
    assert m["direct"] == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert (m["reduce"], m["conv5"], m["reduced"]) == (2_408_448, 10_035_200, 12_443_648)
    # The figure's note: "1.2 亿 → 1244 万".
    assert f"{m['direct'] / 1e8:.1f}" == "1.2" and f"{m['reduced'] / 1e4:.0f}" == "1244"


def test_inception_module_3a_concatenates_to_256_channels():
    branches = ch07.inception_branches()
    assert [b[-1].output_shape for b in branches] == [(28, 28, 64), (28, 28, 128), (28, 28, 32), (28, 28, 32)]
    assert ch07.inception_output_shape() == (28, 28, 256)
    assert sum(s.params for b in branches for s in b) == 163_696  # lesson 4's count_params()


def test_concat_shape_rejects_different_spatial_sizes():
    with pytest.raises(ValueError):
        ch07.concat_shape([(28, 28, 64), (14, 14, 64)])


def test_projection_shortcut_matches_the_main_path_shape():
    shapes = ch07.residual_projection_shapes()
    assert shapes["main"] == shapes["shortcut"] == (28, 28, 128)


def test_inverted_residual_expands_24_to_144_and_back():
    assert ch07.inverted_residual_channels() == (24, 144, 144, 24)


def test_layer_args_rejects_unknown_arguments():
    with pytest.raises(KeyError):
        ch07.layer_args("Conv2D", filters=8, kernel_size=3, dilation=2)


# --- chapter 9 --------------------------------------------------------------------------------


def test_transfer_model_head_and_base_counts():
    flip, pre, base, gap, drop, dense = ch09.transfer_steps()
    assert base.params == 14_714_688 and base.output_shape == (7, 7, 512)
    assert gap.output_shape == drop.output_shape == (512,)
    assert dense.params == 2_565 == (512 + 1) * 5
    assert flip.params == pre.params == 0 and pre.output_shape == (224, 224, 3)


def test_flatten_head_would_need_125_445_parameters():
    assert ch09.flatten_head_params() == 125_445 == (25_088 + 1) * 5


def test_strategies_freeze_the_described_blocks():
    masks = ch09.strategy_trainable()
    assert masks["①"] == [True] * 6
    assert masks["②"] == [False, False, False, False, True, True]
    assert masks["③"] == [False] * 5 + [True]
    params = ch09.strategy_trainable_params()
    assert params == {"①": 14_714_688 + 2_565, "②": 7_079_424 + 2_565, "③": 2_565}


def test_two_phase_curves_follow_the_description():
    c = ch09.two_phase_curves()
    assert list(c["epoch"]) == list(range(1, 16))
    np.testing.assert_allclose(c["train"][:5], [0.60, 0.75, 0.80, 0.83, 0.84])
    np.testing.assert_allclose(c["val"][:5], [0.70, 0.78, 0.81, 0.82, 0.83])
    np.testing.assert_allclose([c["train"][5], c["train"][-1], c["val"][5], c["val"][-1]], [0.86, 0.95, 0.85, 0.89])
    assert np.all(np.diff(c["train"][5:]) > 0) and np.all(np.diff(c["val"][5:]) > 0)
    val_steps = np.diff(c["val"][5:])
    assert val_steps[-1] < 0.002 < val_steps[0]  # validation accuracy flattens out


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 90.0, 112.5, 135.0])
def test_gabor_tile_stripes_run_along_the_requested_angle(angle):
    measured = ch09.edge_orientation(ch09.gabor_tile(angle, size=64))
    assert min(abs(measured - angle), 180 - abs(measured - angle)) < 2.0


def test_every_chapter_figure_draws():
    from matplotlib import pyplot as plt

    from lessonfigures.registry import FigureContext, figures_load
    from lessonfigures.style import style_apply

    registry = figures_load()
    names = [n for n in registry if n.startswith(("ch07-", "ch09-"))]
    assert len(names) == 10
    for name in names:
        style_apply()
        fig = registry[name].draw(FigureContext())
        assert fig.get_axes()
        plt.close(fig)
