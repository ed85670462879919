"""The numbers behind the chapter 4 and 5 lesson figures, checked against figures.yaml and references."""

from __future__ import annotations

import collections
import math

import numpy as np
import pytest

from lessonfigures import ch04, ch05

# ---------------------------------------------------------------- ch04-linreg-progress


def test_linreg_records_the_loss_before_each_update():
    run = ch04.linreg_run()
    assert run["x"].shape == (100,) and run["loss"].shape == (500,) and run["w"].shape == (501,)
    np.testing.assert_allclose(run["y"], 0.8 * run["x"] + 0.7)
    for step in (0, 19, 499):
        expected = np.mean((run["w"][step] * run["x"] + run["b"][step] - run["y"]) ** 2)
        assert run["loss"][step] == pytest.approx(expected)
    assert run["b"][0] == 0.0


def test_linreg_learns_back_the_true_line_as_the_lesson_says():
    run = ch04.linreg_run()
    assert run["w"][500] == pytest.approx(0.8, abs=0.01)
    assert run["b"][500] == pytest.approx(0.7, abs=0.02)
    assert run["loss"][-1] < 1e-3 < run["loss"][0]
    # After the first fast phase the loss falls at every step (straight line on the log axis).
    assert np.all(np.diff(run["loss"][30:]) < 0)


def test_linreg_step_equals_gradient_tape_with_keras_sgd():
    import keras
    import tensorflow as tf

    run = ch04.linreg_run(steps=3)
    x = tf.constant(run["x"].reshape(-1, 1), tf.float64)
    y = tf.constant(run["y"].reshape(-1, 1), tf.float64)
    w = tf.Variable([[run["w"][0]]], dtype=tf.float64)
    b = tf.Variable([0.0], dtype=tf.float64)
    optimizer = keras.optimizers.SGD(learning_rate=0.01)
    for step in range(1, 4):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(x @ w + b - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        # Keras keeps the learning rate in float32 (0.01 → 0.0099999998), hence 1e-6, not 1e-9.
        assert float(loss) == pytest.approx(run["loss"][step - 1], rel=1e-6)
        assert float(w[0, 0]) == pytest.approx(run["w"][step], rel=1e-6)
        assert float(b[0]) == pytest.approx(run["b"][step], rel=1e-6)


# ---------------------------------------------------------------- ch04-logreg-costs


def test_logreg_data_uses_the_columns_as_samples_layout():
    X, Y = ch04.logreg_data()
    assert X.shape == (5, 350) and Y.shape == (1, 350)
    assert set(np.unique(Y)) == {0, 1}


def test_logreg_costs_start_at_ln2_and_are_recorded_every_100_iterations():
    X, Y = ch04.logreg_data()
    for rate in ch04.LOGREG_RATES:
        costs = ch04.logreg_costs(X, Y, rate)
        assert len(costs) == 20
        assert costs[0] == pytest.approx(math.log(2))


def test_logreg_learning_rate_ordering_and_lesson_value():
    X, Y = ch04.logreg_data()
    finals = {rate: ch04.logreg_costs(X, Y, rate)[-1] for rate in ch04.LOGREG_RATES}
    assert finals[0.1] == pytest.approx(0.39, abs=0.01)  # "迅速下降到约 0.39"
    assert finals[0.1] <= finals[0.01] < finals[0.0001] < math.log(2)


def test_logreg_gradient_descent_approaches_the_maximum_likelihood_optimum():
    from sklearn.linear_model import LogisticRegression

    X, Y = ch04.logreg_data()
    fit = LogisticRegression(C=np.inf, max_iter=10_000, tol=1e-10).fit(X.T, Y.ravel())
    p = fit.predict_proba(X.T)[:, 1]
    optimum = -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))
    final = ch04.logreg_costs(X, Y, 0.1)[-1]
    assert optimum - 1e-9 <= final < optimum + 0.005


# ---------------------------------------------------------------- ch04-mnist-samples


def test_digit_samples_fallback_takes_the_first_image_of_each_label():
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = ch04.digits_first_per_class(None)
    assert len(images) == 10
    for d, image in enumerate(images):
        first = int(np.flatnonzero(digits.target == d)[0])
        np.testing.assert_allclose(image, digits.images[first] / 16.0)


def test_digit_samples_from_the_bundled_folder_match_the_fallback(tmp_path):
    from PIL import Image

    from datasets.bundled import digits_images_build

    folder = tmp_path / "digits-images"
    digits_images_build(folder)
    bundled = ch04.digits_first_per_class(folder)
    fallback = ch04.digits_first_per_class(None)
    for image, small in zip(bundled, fallback):
        assert image.shape == (32, 32) and 0.0 <= image.min() and image.max() <= 1.0
        # The bundled file is the same 8×8 digit, upscaled: shrinking it back must match.
        shrunk = np.asarray(Image.fromarray((image * 255).astype(np.uint8)).resize((8, 8), Image.Resampling.BOX), dtype=np.float32) / 255
        assert np.corrcoef(shrunk.ravel(), small.ravel())[0, 1] > 0.9


# ---------------------------------------------------------------- ch04-softmax-weights


def test_digits_28_are_mnist_shaped_and_scaled():
    x, labels = ch04.digits_28()
    assert x.shape == (1797, 28, 28) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == pytest.approx(1.0)
    assert sorted(collections.Counter(labels.tolist())) == list(range(10))


def test_softmax_templates_match_their_own_digit():
    x, labels = ch04.digits_28()
    kernel, bias, accuracy = ch04.softmax_train(x, labels)
    assert kernel.shape == (784, 10) and bias.shape == (10,)
    assert accuracy > 0.9
    means = np.stack([x[labels == d].reshape(-1, 784).mean(axis=0) for d in range(10)])
    scores = means @ kernel + bias
    # The class-mean image of every digit scores highest under that digit's template.
    assert np.array_equal(scores.argmax(axis=1), np.arange(10))


# ---------------------------------------------------------------- ch05-fashion-samples


def test_fashion_pictograms_are_ten_distinct_mnist_shaped_images():
    images = ch05.fashion_pictograms()
    assert len(images) == 10 == len(ch05.FASHION_CLASSES)
    assert ch05.FASHION_CLASSES == ("T恤", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")
    for image in images:
        assert image.shape == (28, 28) and image.dtype == np.uint8
        # Light object on a black background, like the data set's scans.
        assert image[0, 0] == 0 and 0.1 < (image > 30).mean() < 0.8
    flat = np.stack([im.ravel().astype(float) for im in images])
    distances = np.linalg.norm(flat[:, None] - flat[None], axis=2)
    assert distances[~np.eye(10, dtype=bool)].min() > 200


# ---------------------------------------------------------------- ch05-normalization-effect


def test_normalization_curves_are_the_described_values():
    curves = ch05.NORMALIZATION_CURVES
    assert curves["除以 255"][0] == 0.84 and curves["除以 255"][-1] == 0.89
    assert curves["原始像素 0~255"] == (0.55, 0.62, 0.60, 0.68, 0.66, 0.71, 0.69, 0.72, 0.70, 0.73)
    assert all(len(v) == 10 for v in curves.values())
    assert all(a > b for a, b in zip(curves["除以 255"], curves["原始像素 0~255"]))


# ---------------------------------------------------------------- ch05-wide-deep


def test_wide_deep_single_input_shapes_and_params_match_the_lesson():
    single = ch05.wide_deep_layers()["single"]
    assert [layer["shape"] for layer in single] == [(8,), (32,), (32,), (40,), (1,)]
    assert [layer["params"] for layer in single] == [0, 288, 1056, 0, 41]
    assert sum(layer["params"] for layer in single) == 1385


def test_wide_deep_models_agree_with_keras():
    import keras
    from keras import layers

    single = ch05.wide_deep_layers()["single"]
    inputs = keras.Input(shape=(8,))
    h1 = layers.Dense(32, activation="relu")(inputs)
    h2 = layers.Dense(32, activation="relu")(h1)
    concat = layers.concatenate([inputs, h2])
    out = layers.Dense(1)(concat)
    model = keras.Model(inputs, out)
    assert [tuple(t.shape[1:]) for t in (inputs, h1, h2, concat, out)] == [layer["shape"] for layer in single]
    assert model.count_params() == sum(layer["params"] for layer in single)

    multi = ch05.wide_deep_layers()["multi"]
    wide_in = keras.Input(shape=(5,), name="wide")
    deep_in = keras.Input(shape=(6,), name="deep")
    h1 = layers.Dense(32, activation="relu")(deep_in)
    h2 = layers.Dense(32, activation="relu")(h1)
    joined = layers.concatenate([wide_in, h2])
    main = layers.Dense(1, name="main")(joined)
    aux = layers.Dense(1, name="aux")(h2)
    model = keras.Model([wide_in, deep_in], [main, aux])
    assert [tuple(t.shape[1:]) for t in (wide_in, deep_in, h1, h2, joined, main, aux)] == [layer["shape"] for layer in multi]
    assert [layer["params"] for layer in multi] == [0, 0, 224, 1056, 0, 38, 33]
    assert model.count_params() == sum(layer["params"] for layer in multi) == 1351


# ---------------------------------------------------------------- ch05-early-stopping


def test_early_stopping_trace_matches_the_lesson_table():
    trace = ch05.early_stopping_trace(ch05.EARLY_STOPPING_VAL_LOSS)
    assert [e for e, ok in enumerate(trace["improved"], start=1) if ok] == [1, 2, 3, 5]
    assert trace["wait"] == [0, 0, 0, 1, 0, 1, 2, 3]
    assert trace["best_epoch"] == 5 and trace["stop_epoch"] == 8
    assert trace["threshold"][4] == pytest.approx(0.590)


def _keras_early_stopping(val_loss, min_delta=0.01, patience=3):
    """Drive a real EarlyStopping callback by hand, epoch by epoch, as model.fit would."""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=min_delta, patience=patience)
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    waits, bests, stop = [], [], None
    for epoch, value in enumerate(val_loss):
        callback.on_epoch_end(epoch, {"val_loss": value})
        waits.append(callback.wait)
        bests.append(float(callback.best))
        if model.stop_training:
            stop = epoch + 1
            break
    return waits, bests, callback.best_epoch + 1, stop


def test_early_stopping_simulation_agrees_with_the_keras_callback():
    sequences = [list(ch05.EARLY_STOPPING_VAL_LOSS)]
    rng = np.random.default_rng(3)
    for _ in range(5):
        # Noisy, slowly falling curves with steps both above and below min_delta.
        sequences.append(list(np.round(1.0 - np.cumsum(rng.uniform(-0.01, 0.03, size=15)), 3)))
    for values in sequences:
        trace = ch05.early_stopping_trace(values)
        waits, bests, best_epoch, stop = _keras_early_stopping(values)
        assert trace["wait"] == waits
        assert trace["best"] == pytest.approx(bests)
        assert trace["best_epoch"] == best_epoch
        assert trace["stop_epoch"] == stop


# ---------------------------------------------------------------- ch05-shuffle-buffer


def test_shuffle_with_buffer_one_keeps_the_input_order():
    rows = ch05.shuffle_rows()
    assert rows[1] == list(range(1, 13))
    for seed in range(5):
        assert ch05.shuffle_simulate(list(range(1, 13)), 1, np.random.default_rng(seed)) == list(range(1, 13))


def test_shuffle_with_full_buffer_emits_every_item_once():
    rows = ch05.shuffle_rows()
    assert sorted(rows[12]) == list(range(1, 13)) and rows[12] != list(range(1, 13))
    assert sorted(rows[4]) == list(range(1, 13))
    for seed in range(5):
        assert sorted(ch05.shuffle_simulate(list(range(1, 13)), 12, np.random.default_rng(seed))) == list(range(1, 13))


def test_shuffle_only_draws_from_the_items_that_fit_in_the_buffer():
    for seed in range(20):
        out = ch05.shuffle_simulate(list(range(12)), 4, np.random.default_rng(seed))
        assert all(item < position + 4 for position, item in enumerate(out))


def test_shuffle_simulation_has_the_same_order_distribution_as_tf_data():
    import tensorflow as tf

    n, buffer_size, epochs = 4, 2, 1500
    # repeat() after shuffle reshuffles every pass: one iterator yields all the epochs quickly.
    ds = tf.data.Dataset.range(n).shuffle(buffer_size, seed=7, reshuffle_each_iteration=True).repeat(epochs)
    stream = np.fromiter(ds.as_numpy_iterator(), dtype=np.int64).reshape(epochs, n)
    real = collections.Counter(tuple(int(v) for v in row) for row in stream)
    rng = np.random.default_rng(0)
    simulated = collections.Counter(tuple(ch05.shuffle_simulate(list(range(n)), buffer_size, rng)) for _ in range(epochs))
    # Each draw is uniform over the buffer, so what can differ is which orders are reachable
    # (8 of the 24 permutations here, each with probability 1/8) and their frequencies.
    assert set(real) == set(simulated) and len(real) == 8
    for order in real:
        assert abs(real[order] - simulated[order]) / epochs < 0.05


# ---------------------------------------------------------------- ch05-grid-vs-random


def test_grid_covers_only_three_values_of_the_important_parameter():
    grid = ch05.grid_points()
    assert grid.shape == (9, 2)
    assert sorted(set(grid[:, 0])) == [0.2, 0.5, 0.8] and sorted(set(grid[:, 1])) == [0.2, 0.5, 0.8]
    assert ch05.search_score(grid[:, 0]).max() < 0.5  # the grid misses the peak at 0.72


def test_random_search_tries_nine_values_one_near_the_peak():
    points = ch05.random_points()
    assert points.shape == (9, 2) and points.min() >= 0 and points.max() <= 1
    assert len(np.unique(points[:, 0])) == 9
    assert np.abs(points[:, 0] - 0.72).min() < 0.02
    assert ch05.search_score(0.72) == pytest.approx(1.0)
    assert ch05.search_score(0.80) == pytest.approx(math.exp(-1))
