"""Chapter 6 figures print the lessons' numbers, computed the way TensorFlow computes them."""

from __future__ import annotations

import numpy as np
import pytest

from courseware.image_ops import conv2d, output_size
from lessonfigures import ch06
from lessonfigures.registry import figures_load

tf = pytest.importorskip("tensorflow")


def tf_conv(image: np.ndarray, kernel: np.ndarray, padding: str) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=np.float32)
    return tf.nn.conv2d(image[None, :, :, None].astype(np.float32), kernel[:, :, None, None], strides=1, padding=padding.upper()).numpy()[0, :, :, 0]


def test_chapter_six_registers_exactly_its_drawn_figures():
    names = {name for name, spec in figures_load().items() if spec.module == "lessonfigures.ch06"}
    assert names == {
        "ch06-sparse-connectivity",
        "ch06-edge-detection",
        "ch06-receptive-field",
        "ch06-conv-steps",
        "ch06-same-vs-valid",
        "ch06-multichannel-conv",
        "ch06-depthwise-vs-standard",
        "ch06-pooling-invariance",
        "ch06-maxpool-same",
        "ch06-flatten-vs-gap",
        "ch06-filter-gallery",
    }


def test_dense_layer_has_25_edges_and_width_3_convolution_13_with_three_shared_weights():
    assert len(ch06.dense_edges(5)) == 25
    edges = ch06.conv_edges(5, 3)
    assert len(edges) == 13
    incoming = {i: sorted(j for o, j, _d in edges if o == i) for i in range(5)}
    assert incoming == {0: [0, 1], 1: [0, 1, 2], 2: [1, 2, 3], 3: [2, 3, 4], 4: [3, 4]}
    per_weight = {d: sum(1 for *_ij, e in edges if e == d) for d in (-1, 0, 1)}
    assert per_weight == {-1: 4, 0: 5, 1: 4}


def test_edge_detection_operation_counts_match_the_lesson():
    costs = ch06.edge_detection_costs(320, 280, 2)
    assert costs["out_width"] == 319
    assert costs["per_output"] == 3
    assert costs["conv"] == 319 * 280 * 3 == 267_960
    assert costs["dense"] == 280 * (320 + 319) * 319 == 57_075_480
    assert costs["ratio"] == 213


def test_edge_image_is_each_pixel_minus_its_left_neighbour_like_tf_conv2d():
    photo, edges = ch06.edge_image(320, 280)
    assert photo.shape == (280, 320)
    assert edges.shape == (280, 319)
    np.testing.assert_allclose(edges, photo[:, 1:] - photo[:, :-1], atol=1e-6)
    np.testing.assert_allclose(edges, tf_conv(photo, [[-1.0, 1.0]], "valid"), atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 2), (2, 1), (1, 3), (2, 3), (3, 2), (1, 4)])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_rectangular_kernels_through_image_ops_match_tf_conv2d(shape, padding):
    rng = np.random.default_rng(sum(shape))
    image = rng.uniform(-1, 1, size=(7, 9))
    kernel = rng.uniform(-1, 1, size=shape)
    np.testing.assert_allclose(ch06.conv2d_any(image, kernel, padding), tf_conv(image, kernel, padding), atol=1e-5)


def test_receptive_field_grows_from_3_to_7_over_three_valid_3x3_layers():
    sizes, fields = ch06.receptive_field_sizes(7, 3, 3)
    assert sizes == [7, 5, 3, 1]
    assert fields == [7, 5, 3, 1]  # the top cell sees 3×3 of layer 2, 5×5 of layer 1, 7×7 of the input


def test_top_cell_of_three_stacked_3x3_convolutions_depends_on_a_7x7_input_patch():
    kernel = np.ones((3, 3))
    size = 11

    def top_left(image: np.ndarray) -> float:
        for _ in range(3):
            image = conv2d(image, kernel, 1, "valid")
        return float(image[0, 0])

    influence = np.zeros((size, size))
    for r in range(size):
        for q in range(size):
            basis = np.zeros((size, size))
            basis[r, q] = 1.0
            influence[r, q] = top_left(basis)
    rows, cols = np.nonzero(influence)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (7, 7)


def test_conv_steps_give_the_lesson_output_and_each_window_sums_its_products():
    steps, out = ch06.conv_steps()
    assert out.tolist() == [[-1, -4], [-1, -3]]
    assert [(s.row, s.col) for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for step in steps:
        assert step.total == out[step.row, step.col]
    # Hand check of the lesson's first window: first column minus third column.
    assert steps[0].total == (1 + 4 + 3) - (2 + 6 + 1)
    np.testing.assert_allclose(out, tf_conv(ch06.CONV_X, ch06.CONV_K, "valid"))


def test_same_convolution_of_the_lesson_example_matches_its_4x4_result():
    expected = [[-6, -3, -5, 8], [-7, -1, -4, 9], [-9, -1, -3, 9], [-3, 1, -1, 3]]
    assert conv2d(ch06.CONV_X, ch06.CONV_K, 1, "same").tolist() == expected


def test_stride_2_windows_start_at_0_2_4_for_valid_and_minus_1_to_5_for_same():
    assert ch06.window_starts(7, 3, 2, "valid") == [0, 2, 4]
    assert ch06.window_starts(7, 3, 2, "same") == [-1, 1, 3, 5]
    assert ch06.same_padding(7, 3, 2) == (1, 1)
    assert ch06.same_padding(3, 2, 2) == (0, 1)  # the odd zero goes bottom/right
    image = np.arange(49.0).reshape(7, 7)
    assert conv2d(image, np.ones((3, 3)), 2, "valid").shape == (3, 3)
    assert conv2d(image, np.ones((3, 3)), 2, "same").shape == (4, 4)
    assert tf_conv(image, np.ones((3, 3)), "same").shape == (7, 7)


def test_multichannel_output_is_the_sum_of_per_channel_convolutions_plus_bias_like_tf():
    ex = ch06.multichannel_example()
    assert ex.x.shape == (5, 5, 3) and set(np.unique(ex.x)) <= {0.0, 1.0, 2.0}
    assert ex.k.shape == (3, 3, 3) and set(np.unique(ex.k)) <= {-1.0, 0.0, 1.0}
    assert len(np.unique(ex.x)) == 3 and len(np.unique(ex.k)) == 3
    for ch in range(3):
        np.testing.assert_array_equal(ex.per_channel[:, :, ch], conv2d(ex.x[:, :, ch], ex.k[:, :, ch], 1, "valid"))
    np.testing.assert_array_equal(ex.output, ex.per_channel.sum(axis=-1) + ex.bias)
    theirs = tf.nn.conv2d(ex.x[None].astype(np.float32), ex.k[:, :, :, None].astype(np.float32), strides=1, padding="VALID").numpy()[0, :, :, 0]
    np.testing.assert_allclose(ex.output - ex.bias, theirs)


def test_depthwise_and_standard_parameter_counts_match_the_lesson_and_keras():
    counts = ch06.depthwise_param_counts(3, 4, 3)
    assert counts == {"standard": 112, "depthwise": 30, "pointwise": 16, "separable": 43}
    assert counts["standard"] == (3 * 3 * 3 + 1) * 4 and counts["depthwise"] == 3 * 3 * 3 + 3
    import keras

    def keras_params(layer: keras.layers.Layer) -> int:
        layer.build((None, 8, 8, 3))
        return layer.count_params()

    assert keras_params(keras.layers.Conv2D(4, 3)) == counts["standard"]
    assert keras_params(keras.layers.DepthwiseConv2D(3)) == counts["depthwise"]
    assert keras_params(keras.layers.SeparableConv2D(4, 3)) == counts["separable"]


def test_max_pooling_keeps_most_outputs_when_the_signal_shifts_by_one():
    signal = ch06.POOL_SIGNAL
    shifted = ch06.shift_right(signal, 1)
    np.testing.assert_allclose(shifted, [0.0, 0.1, 1.0, 0.2, 0.1, 0.8, 0.3, 0.2])
    pooled, pooled_shifted = ch06.max_pool_1d(signal, 3, 1), ch06.max_pool_1d(shifted, 3, 1)
    np.testing.assert_allclose(pooled, [1.0, 1.0, 0.8, 0.8, 0.8, 0.9])
    np.testing.assert_allclose(pooled_shifted, [1.0, 1.0, 1.0, 0.8, 0.8, 0.8])
    assert np.all(~np.isclose(signal, shifted))  # every input value changed
    assert np.isclose(pooled, pooled_shifted).tolist() == [True, True, False, True, True, False]
    theirs = tf.nn.max_pool1d(signal[None, :, None].astype(np.float32), ksize=3, strides=1, padding="VALID").numpy()[0, :, 0]
    np.testing.assert_allclose(pooled, theirs, atol=1e-6)


def test_same_pooling_of_1_to_9_gives_5_6_8_9_and_averages_only_real_pixels():
    max_out, avg_out = ch06.maxpool_same_example()
    assert max_out.tolist() == [[5, 6], [8, 9]]
    assert avg_out.tolist() == [[3, 4.5], [7.5, 9]]
    x = ch06.POOL_X[None, :, :, None].astype(np.float32)
    np.testing.assert_allclose(max_out, tf.nn.max_pool2d(x, 2, 2, "SAME").numpy()[0, :, :, 0])
    np.testing.assert_allclose(avg_out, tf.nn.avg_pool2d(x, 2, 2, "SAME").numpy()[0, :, :, 0])
    assert output_size(3, 2, 2, "same") == 2


def test_flatten_needs_64_times_the_weights_of_global_average_pooling():
    w = ch06.flatten_vs_gap_weights((8, 8, 2048), 1000)
    assert w == {"flatten_length": 131_072, "gap_length": 2048, "flatten_weights": 131_072_000, "gap_weights": 2_048_000}
    assert w["flatten_weights"] // w["gap_weights"] == 8 * 8


def test_filter_gallery_matches_tf_conv2d_same_on_the_photo():
    photo = ch06.sample_photo("china", grey=True).astype(np.float64)
    results = ch06.filter_gallery(photo)
    assert list(results) == ["均值", "高斯", "拉普拉斯", "水平差分"]
    for name, out in results.items():
        assert out.shape == photo.shape
        np.testing.assert_allclose(out, tf_conv(photo, ch06.GALLERY_KERNELS[name], "same"), atol=1e-4, err_msg=name)
    # Smoothing kernels sum to 1 and keep the mean brightness away from the zero-padded border.
    inner = (slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(results["均值"][inner].mean(), photo[inner].mean(), atol=2e-3)


def test_numbers_print_with_a_real_minus_and_no_negative_zero():
    assert ch06.num(-4.0) == "\u22124"
    assert ch06.num(-0.0) == "0"
    assert ch06.num(4.5) == "4.5"
