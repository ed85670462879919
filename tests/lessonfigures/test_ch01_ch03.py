"""Numbers drawn on the chapter 1–3 figures: timeline, tensor shapes, broadcasting, matmul, the
paper-ball stages, ragged padding, logic gates, gradient-descent paths, optimizer updates (checked
against Keras), the 2-2-1 backprop example and the polynomial fits."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lessonfigures import ch01, ch02, ch03, style
from lessonfigures.registry import FigureContext


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


# --- ch01 -------------------------------------------------------------------------------------


def test_timeline_lists_the_described_events_and_periods():
    assert [(year, label.replace("\n", "")) for year, label, *_ in ch01.TIMELINE_EVENTS] == [
        (1943, "M-P 神经元"), (1957, "感知机"), (1986, "反向传播推广"), (1989, "卷积网络识别手写邮编"), (1997, "LSTM"),
        (1998, "LeNet-5"), (2012, "AlexNet"), (2014, "VGG、GoogLeNet"), (2015, "ResNet"), (2017, "MobileNet、DenseNet"),
    ]
    assert [(a, b, name) for a, b, name in ch01.TIMELINE_PERIODS] == [(1943, 1985, "萌芽期"), (1986, 2011, "发展期"), (2012, 2020, "爆发期")]


def test_timeline_labels_do_not_overlap_and_each_touches_its_stem():
    style.style_apply()
    fig = ch01.timeline(FigureContext())
    ax = fig.axes[0]
    fig.canvas.draw()  # label boxes get their size and place only when drawn
    renderer = fig.canvas.get_renderer()
    boxes = {}
    for text in ax.texts:
        first = text.get_text().split("\n")[0]
        if first.isdigit() and text.get_bbox_patch() is not None:
            boxes[int(first)] = text.get_bbox_patch().get_window_extent(renderer)
    assert sorted(boxes) == [year for year, *_ in ch01.TIMELINE_EVENTS]
    for (y1, b1), (y2, b2) in itertools.combinations(boxes.items(), 2):
        assert not b1.overlaps(b2), f"labels {y1} and {y2} overlap"
    for year, box in boxes.items():
        x = ax.transData.transform((year, 0))[0]
        assert box.x0 <= x <= box.x1, f"label {year} does not sit on its stem"


# --- ch02 -------------------------------------------------------------------------------------


def test_rank_examples_have_the_described_values_ndim_and_shape():
    examples = dict(ch02.rank_examples())
    assert [(t.ndim, t.shape) for t in examples.values()] == [(0, ()), (1, (5,)), (2, (3, 5)), (3, (3, 3, 5))]
    assert examples["标量"] == 7
    assert examples["向量"].tolist() == [3, 1, 4, 1, 5]
    assert examples["矩阵"].tolist() == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [2, 4, 6, 8, 10]]
    assert examples["3 阶张量"][0].tolist() == examples["矩阵"].tolist()


def test_broadcasting_result_matches_the_description():
    result = ch02.BROADCAST_A + ch02.BROADCAST_B
    assert result.tolist() == [[100, 201, 302, 403], [110, 211, 312, 413], [120, 221, 322, 423]]


def test_broadcast_shape_lines_are_right_aligned():
    assert ch02.broadcast_shapes_text((3, 4), (4,)) == ("(3, 4)", "(   4)", "(3, 4)")
    assert ch02.broadcast_shapes_text((3, 4), (3,)) == ("(3, 4)", "(   3)", "✗ 4 ≠ 3")


@pytest.mark.parametrize("left,right", [((3, 4), (4,)), ((3, 4), (3,)), ((2, 1, 3), (4, 1)), ((5, 2), (1,)), ((2, 3), (3, 3)), ((8, 1, 6), (7, 1, 5))])
def test_broadcast_verdict_agrees_with_numpy(left, right):
    verdict = ch02.broadcast_shapes_text(left, right)[2]
    try:
        expected = str(np.broadcast_shapes(left, right)).replace(",)", ")")
    except ValueError:
        assert verdict.startswith("✗")
    else:
        assert verdict == expected


def test_matmul_product_and_written_out_cell():
    left = ch02.MATMUL_LEFT
    assert (left @ left.T).tolist() == [[14, 32], [32, 77]]
    assert ch02.matmul_cell_text(left, left.T, 0, 1) == "1×4 + 2×5 + 3×6 = 32"


def test_uncrumpling_starts_from_the_two_spirals_and_ends_linearly_separable():
    stages = ch02.uncrumple_stages()
    assert len(stages) == 4
    t = np.linspace(0.5, 3 * np.pi, 100)
    red, blue = stages[0]
    np.testing.assert_allclose(red, np.stack([t * np.cos(t), t * np.sin(t)], axis=1), atol=1e-12)
    np.testing.assert_allclose(blue, np.stack([t * np.cos(t + np.pi), t * np.sin(t + np.pi)], axis=1), atol=1e-12)
    red, blue = stages[-1]
    assert red.shape == blue.shape == (100, 2)
    assert (red[:, 0] < 0).all() and (blue[:, 0] > 0).all()


def test_uncrumpling_unwinds_step_by_step():
    # Angle swept by the red arm: about 1½ turns at first, less after each layer, under half a
    # turn at the end (a column in the left half spans roughly 120°).
    spans = []
    for red, _ in ch02.uncrumple_stages():
        angle = np.unwrap(np.arctan2(red[:, 1], red[:, 0]))
        spans.append(np.ptp(angle))
    assert spans[0] == pytest.approx(3 * np.pi - 0.5)
    assert spans[0] > spans[1] > spans[2]
    assert spans[3] < np.pi


def test_ragged_rows_pad_to_the_described_grid():
    dense, padded = ch02.ragged_to_dense(ch02.RAGGED_ROWS)
    assert dense.tolist() == [[11, 12, 0], [21, 22, 23], [0, 0, 0], [41, 0, 0]]
    assert padded.tolist() == [[False, False, True], [False, False, False], [True, True, True], [False, True, True]]


def test_ragged_padding_equals_tensorflow_to_tensor():
    tf = pytest.importorskip("tensorflow")
    ragged = tf.ragged.constant([list(r) for r in ch02.RAGGED_ROWS], dtype=tf.int64)
    assert ragged.shape.as_list() == [4, None]
    np.testing.assert_array_equal(ragged.to_tensor().numpy(), ch02.ragged_to_dense(ch02.RAGGED_ROWS)[0])


# --- ch03: logic gates and the MLP --------------------------------------------------------------


def test_and_and_xor_outputs_and_their_separating_lines():
    s = ch03.LOGIC_INPUTS.sum(axis=1)
    assert ch03.logic_outputs("AND").tolist() == [0, 0, 0, 1]
    assert ch03.logic_outputs("XOR").tolist() == [0, 1, 1, 0]
    assert ((s > 1.5) == ch03.logic_outputs("AND")).all()
    assert (((s > 0.5) & (s < 1.5)) == ch03.logic_outputs("XOR")).all()


def _separable(points: np.ndarray, labels: np.ndarray) -> bool:
    """Is there (w, b) with (2·label − 1)·(w·x + b) ≥ 1 for every point? (a linear program)"""
    from scipy.optimize import linprog

    sign = 2 * labels - 1
    a_ub = -sign[:, None] * np.hstack([points, np.ones((len(points), 1))])
    res = linprog(np.zeros(3), A_ub=a_ub, b_ub=-np.ones(len(points)), bounds=[(None, None)] * 3)
    return res.status == 0


def test_and_is_linearly_separable_but_xor_is_not():
    assert _separable(ch03.LOGIC_INPUTS, ch03.logic_outputs("AND"))
    assert not _separable(ch03.LOGIC_INPUTS, ch03.logic_outputs("XOR"))


def test_mlp_weight_shapes_and_parameter_counts():
    from modelspec.calculator import layer_compute

    assert ch03.weight_shapes() == [(4, 3), (2, 4)]
    shape = (ch03.MLP_SIZES[0],)
    for n_out, n_in in ch03.weight_shapes():
        calc = layer_compute("Dense", {"units": n_out, "activation": "sigmoid", "use_bias": True}, shape)
        assert calc.trainable == n_out * n_in + n_out
        shape = calc.output_shape


# --- ch03: learning rates and gradient-descent variants -------------------------------------------


def test_learning_rate_paths_follow_the_closed_form():
    for lr, _ in ch03.LR_RATES:
        path = ch03.gd_path(lr)
        k = np.arange(21)
        assert path.shape == (21, 2)
        np.testing.assert_allclose(path[:, 0], -2.5 * (1 - 2 * lr) ** k)
        np.testing.assert_allclose(path[:, 1], 1.2 * (1 - 20 * lr) ** k, atol=1e-12)


def test_large_learning_rate_oscillates_with_growing_amplitude():
    w2 = ch03.gd_path(0.105)[:, 1]
    assert (np.sign(w2[1:]) == -np.sign(w2[:-1])).all()
    np.testing.assert_allclose(np.abs(w2[1:] / w2[:-1]), 1.1)
    assert round(abs(w2[-1]), 2) == 8.07
    # The good rate zeroes w2 in one step (1 − 20·0.05 = 0); the small one is still far from 0.
    assert ch03.gd_path(0.05)[1, 1] == pytest.approx(0, abs=1e-12)
    assert ch03.gd_path(0.005)[-1, 1] > 0.1


def test_regression_data_fits_the_generating_line():
    x, y = ch03.regression_data()
    assert x.shape == y.shape == (200,)
    assert x.min() >= 0 and x.max() <= 10
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(0.8, abs=0.05) and intercept == pytest.approx(0.7, abs=0.25)
    assert np.std(y - (0.8 * x + 0.7)) == pytest.approx(0.5, abs=0.08)


def test_batch_gradient_descent_is_exact_and_monotone():
    x, y = ch03.regression_data()
    paths = ch03.gd_variant_paths()
    p = np.array(ch03.GD_START)
    for step in paths["批量"][1:]:
        err = p[0] * x + p[1] - y
        p = p - 0.01 * np.array([2 * np.mean(err * x), 2 * np.mean(err)])
        np.testing.assert_allclose(step, p)
    losses = [np.mean((a * x + b - y) ** 2) for a, b in paths["批量"]]
    assert all(l1 < l0 for l0, l1 in zip(losses, losses[1:]))


def test_gradient_descent_variants_get_noisier_as_batches_shrink():
    paths = ch03.gd_variant_paths()
    assert all(p.shape == (61, 2) and tuple(p[0]) == ch03.GD_START for p in paths.values())
    # Total distance travelled: noise adds back-and-forth motion on top of the same descent.
    length = {name: np.linalg.norm(np.diff(p, axis=0), axis=1).sum() for name, p in paths.items()}
    assert length["批量"] < length["小批量"] < length["随机"]


# --- ch03: optimizers, checked against Keras -----------------------------------------------------


def test_optimizer_paths_start_at_the_start_and_sgd_is_closed_form():
    paths = ch03.optimizer_paths()
    assert list(paths) == list(ch03.OPTIMIZERS)
    assert all(p.shape == (51, 2) and tuple(p[0]) == ch03.VALLEY_START for p in paths.values())
    k = np.arange(51)
    np.testing.assert_allclose(paths["SGD"], np.stack([-4.5 * 0.98**k, 1.5 * 0.6**k], axis=1), atol=1e-12)


def test_momentum_overshoots_but_adaptive_methods_stay_left_of_the_minimum():
    paths = ch03.optimizer_paths()
    assert paths["SGD + 动量"][:, 0].max() > 1  # why the plot reaches x = 1.5
    assert paths["RMSprop"][:, 0].max() < 0 and paths["Adam"][:, 0].max() < 0
    assert np.abs(paths["SGD"]).max(axis=0).tolist() == [4.5, 1.5]


@pytest.mark.parametrize(
    "name,make",
    [
        ("SGD", lambda k: k.optimizers.SGD(learning_rate=0.1)),
        ("SGD + 动量", lambda k: k.optimizers.SGD(learning_rate=0.1, momentum=0.9)),
        ("RMSprop", lambda k: k.optimizers.RMSprop(learning_rate=0.1, rho=0.9)),
        ("Adam", lambda k: k.optimizers.Adam(learning_rate=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8)),
    ],
)
def test_optimizer_updates_equal_keras(name, make):
    keras = pytest.importorskip("keras")
    optimizer = make(keras)
    var = keras.Variable(np.array(ch03.VALLEY_START), dtype="float64")
    steps = 50
    keras_path = [np.array(var.numpy())]
    for _ in range(steps):
        grad = keras.ops.convert_to_tensor(ch03.valley_grad(np.array(var.numpy())), dtype="float64")
        optimizer.apply([grad], [var])
        keras_path.append(np.array(var.numpy()))
    # Even with float64 variables Keras rounds some constants to float32 (the learning rate
    # 0.1 → 0.10000000149, Adam's β2 0.999 → 0.99900001), a relative error of up to ~1e-5; a
    # different update rule (momentum with (1 − β), Adam without bias correction) is off by > 1 %.
    # Over all 50 steps that drift reaches ~1e-5 in absolute terms where Adam's y crosses 0,
    # far below a pixel of the plot.
    np.testing.assert_allclose(ch03.optimizer_paths(steps)[name], np.array(keras_path), rtol=1e-4, atol=2e-5)


# --- ch03: backpropagation -----------------------------------------------------------------------

DESCRIBED_BACKPROP = {"z1": 0.15, "h1": 0.5374, "z2": 0.55, "h2": 0.6341, "zo": 0.2151, "o": 0.5536, "L": 0.0997,
                      "delta_o": -0.1103, "delta_1": -0.0137, "delta_2": 0.0102}


@pytest.mark.parametrize("key,expected", DESCRIBED_BACKPROP.items())
def test_backprop_values_match_the_description_to_4_decimals(key, expected):
    assert round(ch03.backprop_2_2_1()[key], 4) == expected


def test_backprop_gradients_and_update_match_the_lesson():
    v = ch03.backprop_2_2_1()
    lesson = {"dw2_1": -0.0593, "dw2_2": -0.0700, "db2": -0.1103, "dW1_11": -0.0137, "dW1_12": -0.0069,
              "db1_1": -0.0137, "db1_2": 0.0102, "w2_1_new": 0.5296, "w2_2_new": -0.3650, "b2_new": 0.2552,
              "b1_1_new": 0.1069, "b1_2_new": 0.0949, "o_new": 0.5772, "L_new": 0.0894}
    for key, expected in lesson.items():
        assert v[key] == pytest.approx(expected, abs=6e-5), key
    assert v["L_new"] < v["L"]


def test_backprop_gradients_equal_gradient_tape():
    tf = pytest.importorskip("tensorflow")
    p = ch03.BACKPROP_PARAMS
    x = tf.constant(p["x"], dtype=tf.float64)
    w1 = tf.Variable(p["W1"], dtype=tf.float64)
    b1 = tf.Variable(p["b1"], dtype=tf.float64)
    w2 = tf.Variable(p["w2"], dtype=tf.float64)
    b2 = tf.Variable(p["b2"], dtype=tf.float64)
    with tf.GradientTape() as tape:
        h = tf.sigmoid(tf.linalg.matvec(w1, x) + b1)
        o = tf.sigmoid(tf.reduce_sum(w2 * h) + b2)
        loss = 0.5 * (p["y"] - o) ** 2
    g_w1, g_b1, g_w2, g_b2 = (g.numpy() for g in tape.gradient(loss, [w1, b1, w2, b2]))
    v = ch03.backprop_2_2_1()
    assert v["L"] == pytest.approx(float(loss.numpy()), rel=1e-12)
    np.testing.assert_allclose(g_w1, [[v["dW1_11"], v["dW1_12"]], [v["dW1_21"], v["dW1_22"]]], rtol=1e-10)
    np.testing.assert_allclose(g_b1, [v["db1_1"], v["db1_2"]], rtol=1e-10)
    np.testing.assert_allclose(g_w2, [v["dw2_1"], v["dw2_2"]], rtol=1e-10)
    assert float(g_b2) == pytest.approx(v["db2"], rel=1e-10)


def test_backprop_figure_prints_the_described_numbers():
    style.style_apply()
    text = " ".join(_texts(ch03.backprop_net(FigureContext())))
    for value in ("0.15", "0.5374", "0.55", "0.6341", "0.2151", "0.5536", "0.0997", "−0.1103", "−0.0137", "0.0102",
                  "−0.3", "−0.4", "1.0", "0.5"):
        assert value in text, value


# --- ch03: fitting regimes -----------------------------------------------------------------------


def test_fit_regimes_data_is_fifteen_noisy_sine_samples():
    x, y = ch03.fit_regimes_data()
    np.testing.assert_allclose(x, np.linspace(0, 1, 15))
    noise = y - np.sin(2 * np.pi * x)
    assert 0.1 < noise.std() < 0.3


def test_polynomial_fits_underfit_fit_and_interpolate():
    x, y = ch03.fit_regimes_data()
    grid = np.linspace(0, 1, 1001)
    line = ch03.polynomial_fit(x, y, 1)
    np.testing.assert_allclose(line(x), np.polyval(np.polyfit(x, y, 1), x), atol=1e-10)
    train = {d: np.mean((ch03.polynomial_fit(x, y, d)(x) - y) ** 2) for d in (1, 3, 14)}
    assert train[1] > train[3] > train[14]
    assert train[14] < 1e-16  # passes through every point
    truth = np.sin(2 * np.pi * grid)
    err = {d: np.mean((ch03.polynomial_fit(x, y, d)(grid) - truth) ** 2) for d in (1, 3, 14)}
    assert err[3] < err[1] and err[3] < err[14]
    assert np.abs(ch03.polynomial_fit(x, y, 14)(grid)).max() > 2  # why the y axis is clipped to [-2, 2]
