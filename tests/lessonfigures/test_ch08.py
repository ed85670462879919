"""Chapter 8 figures: the numbers they print match figures.yaml, NumPy/SciPy and Keras."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.optimize import minimize_scalar
from scipy.special import softmax as scipy_softmax

from lessonfigures import ch08


# --------------------------------------------------------------------------- prediction / confusion


def test_softmax_of_example_logits_gives_the_described_percentages():
    probs = ch08.softmax(ch08.EXAMPLE_LOGITS)
    assert np.round(probs * 100, 1).tolist() == [1.3, 4.2, 3.8, 76.7, 14.0]
    np.testing.assert_allclose(probs, scipy_softmax(ch08.EXAMPLE_LOGITS), rtol=1e-12)
    assert int(np.argmax(probs)) == ch08.FLOWER_CLASSES.index("sunflowers")


def test_softmax_is_stable_for_large_logits():
    probs = ch08.softmax(np.array([1000.0, 999.0]))
    np.testing.assert_allclose(probs, [1 / (1 + np.exp(-1)), 1 - 1 / (1 + np.exp(-1))])


def test_example_confusion_matrix_has_734_images_and_recalls():
    cm = ch08.EXAMPLE_CONFUSION
    assert cm.shape == (5, 5)
    assert cm.sum() == 734
    assert cm[0].tolist() == [98, 6, 8, 5, 9]
    assert cm[4].tolist() == [8, 5, 27, 9, 110]
    assert np.round(ch08.per_class_recall(cm) * 100, 1).tolist() == [77.8, 83.3, 71.9, 83.7, 69.2]


# --------------------------------------------------------------------------- dropout


def test_dropout_output_equals_the_described_matrix():
    out = ch08.dropout_apply(ch08.DROPOUT_X, ch08.DROPOUT_MASK, ch08.DROPOUT_RATE)
    expected = [[1.25, 0.625, 0, 0], [3.75, 1.875, 0.25, 5.0], [0, 2.75, 1.25, 0.75], [0, 1.5, 3.125, 0]]
    np.testing.assert_allclose(out, expected)
    assert out.shape == ch08.DROPOUT_X.shape


def test_dropout_keeps_the_expected_sum_on_average():
    # Inverted dropout: E[output] = input, which is why inference can skip the layer.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 200_000)
    mask = rng.uniform(0, 1, x.shape) >= 0.2
    assert ch08.dropout_apply(x, mask, 0.2).mean() == pytest.approx(x.mean(), rel=0.01)


# --------------------------------------------------------------------------- curves


def test_val_loss_minimum_is_at_epoch_4():
    assert ch08.val_loss_min_epoch() == 4
    losses = ch08.overfit_curves(ch08.EPOCHS)["val_loss"]
    assert losses[3] < losses[4] < losses[2]


def test_val_loss_continuous_minimum_lies_between_epochs_4_and_5():
    def val_loss(e: float) -> float:
        return float(ch08.overfit_curves(np.array([e]))["val_loss"][0])

    best = minimize_scalar(val_loss, bounds=(1, 15), method="bounded")
    assert 4 < best.x < 5


def test_curve_formulas_match_description_at_the_ends():
    e = ch08.EPOCHS
    over = ch08.overfit_curves(e)
    assert over["train_acc"][0] == pytest.approx(0.30)
    assert over["train_loss"][0] == pytest.approx(1.60)
    assert over["val_acc"][-1] == pytest.approx(0.30 + 0.32 * (1 - np.exp(-14 / 1.8)))
    assert over["val_loss"][-1] == pytest.approx(1.0 + 0.6 * np.exp(-14 / 1.5) + 0.04 * 11**1.5)
    aug = ch08.augmented_curves(e)
    assert aug["val_loss"][-1] == pytest.approx(1.05 * np.exp(-14 / 5) + 0.58)
    # With augmentation the validation loss keeps falling: no early-stopping point inside 15 epochs.
    assert np.all(np.diff(aug["val_loss"]) < 0)


def test_failed_training_pattern_stays_within_noise_of_024():
    train, val = ch08.curve_patterns(ch08.EPOCHS)["训练失败"]
    assert np.all(np.abs(train - 0.24) <= 0.01)
    assert np.all(np.abs(val - 0.24) <= 0.01)
    assert train.std() > 0  # noisy, not a flat line


# --------------------------------------------------------------------------- prefetch


def test_prefetch_runs_seven_steps_in_eight_units_instead_of_fourteen():
    assert ch08.pipeline_time(7, prefetch=False) == 14
    assert ch08.pipeline_time(7, prefetch=True) == 8
    assert ch08.pipeline_time(4, prefetch=False) == 8


def test_pipeline_never_trains_on_a_batch_before_it_is_read_and_rows_do_not_overlap():
    for prefetch in (False, True):
        blocks = ch08.pipeline_schedule(7, prefetch)
        read_end = {b.step: b.end for b in blocks if b.row == "cpu"}
        for b in blocks:
            if b.row == "gpu":
                assert b.start >= read_end[b.step]
        for row in ("cpu", "gpu"):
            spans = sorted((b.start, b.end) for b in blocks if b.row == row)
            assert all(prev[1] <= nxt[0] for prev, nxt in zip(spans, spans[1:]))


# --------------------------------------------------------------------------- flowers model


DESCRIBED_SHAPES = [
    (180, 180, 3), (180, 180, 3), (180, 180, 3),  # RandomFlip / RandomRotation / RandomZoom
    (180, 180, 3),  # Rescaling
    (180, 180, 16), (90, 90, 16), (90, 90, 32), (45, 45, 32), (45, 45, 64), (22, 22, 64),
    (22, 22, 64),  # Dropout
    (30976,), (128,), (5,),
]


def test_flowers_shapes_and_params_match_the_description():
    layers = ch08.flowers_layers(5)
    assert [layer.output_shape for layer in layers] == DESCRIBED_SHAPES
    counts, total = ch08.flowers_param_counts(5)
    assert counts == {"Conv2D_16": 448, "Conv2D_32": 4640, "Conv2D_64": 18496, "Dense_128": 3965056, "Dense_5": 645}
    assert total == 3_989_285
    assert round(ch08.param_share_of(counts, total, "Dense_128"), 1) == 99.4


def test_flowers_params_match_hand_formulas():
    counts, _ = ch08.flowers_param_counts(5)
    assert counts["Conv2D_16"] == (3 * 3 * 3 + 1) * 16
    assert counts["Conv2D_32"] == (3 * 3 * 16 + 1) * 32
    assert counts["Conv2D_64"] == (3 * 3 * 32 + 1) * 64
    assert counts["Dense_128"] == (22 * 22 * 64 + 1) * 128
    assert counts["Dense_5"] == (128 + 1) * 5


def test_flowers_shapes_and_params_match_keras():
    pytest.importorskip("keras")
    from modelspec import flowers_spec, spec_build_keras

    model = spec_build_keras(flowers_spec(5))
    layers = ch08.flowers_layers(5)
    assert len(model.layers) == len(layers)
    for keras_layer, row in zip(model.layers, layers):
        assert type(keras_layer).__name__ == row.type
        assert tuple(keras_layer.output.shape[1:]) == row.output_shape
        assert keras_layer.count_params() == row.params
    assert model.count_params() == 3_989_285


# --------------------------------------------------------------------------- batch grid loader


def _make_image_folder(root: Path) -> None:
    # Names chosen so that string order differs from "natural" order and from creation order.
    layout = {
        "b_cls": ["img10.png", "img2.png", "img1.PNG"],
        "a_cls": ["z.jpg", "a.jpeg", "notes.txt"],
        "A_upper": ["m.bmp"],
        "a_cls/nested": ["inner.png"],
        ".hidden": ["skip.png"],
    }
    for folder, names in layout.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for i, name in enumerate(names):
            path = root / folder / name
            if name.endswith(".txt"):
                path.write_text("not an image")
                continue
            fmt = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "bmp": "BMP"}[name.rsplit(".", 1)[1].lower()]
            Image.new("RGB", (8, 6), (i * 40, 100, 200)).save(path, format=fmt)


def test_keras_file_order_without_shuffle_is_class_by_class_sorted(tmp_path):
    _make_image_folder(tmp_path)
    paths, labels, class_names = ch08.keras_file_order(tmp_path)
    assert class_names == ["A_upper", "a_cls", "b_cls"]
    rel = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert rel == ["A_upper/m.bmp", "a_cls/a.jpeg", "a_cls/z.jpg", "a_cls/nested/inner.png",
                   "b_cls/img1.PNG", "b_cls/img10.png", "b_cls/img2.png"]
    assert labels == [0, 1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize("shuffle", [False, True])
def test_keras_file_order_matches_image_dataset_from_directory(tmp_path, shuffle):
    keras = pytest.importorskip("keras")
    _make_image_folder(tmp_path)
    dataset = keras.utils.image_dataset_from_directory(
        tmp_path, image_size=(6, 8), batch_size=4, shuffle=shuffle, seed=123 if shuffle else None, verbose=False)
    paths, _labels, class_names = ch08.keras_file_order(tmp_path, shuffle=shuffle, seed=123 if shuffle else None)
    assert class_names == dataset.class_names
    assert [str(p) for p in paths] == [str(Path(p)) for p in dataset.file_paths]


def test_batch_images_reads_the_first_files_of_the_seeded_order(tmp_path):
    _make_image_folder(tmp_path)
    images, names = ch08.batch_images(tmp_path, count=3, image_size=(10, 12), seed=123)
    paths, labels, class_names = ch08.keras_file_order(tmp_path, shuffle=True, seed=123)
    assert names == [class_names[label] for label in labels[:3]]
    assert all(image.shape == (10, 12, 3) for image in images)
    first = np.asarray(Image.open(paths[0]).convert("RGB"))
    # A flat-coloured source stays that colour after resizing.
    assert images[0][5, 6].tolist() == first[0, 0].tolist()


def test_batch_images_on_the_bundled_shapes_are_nine_180px_tiles():
    folder = Path("/tmp/dlc-data/datasets/bundled/shapes")
    if not folder.is_dir():
        pytest.skip("bundled shapes data set not built here")
    images, names = ch08.batch_images(folder)
    assert len(images) == 9 and all(image.shape == (180, 180, 3) for image in images)
    assert set(names) <= {"circle", "square", "star", "triangle"}
    assert len(set(names)) > 1  # a shuffled batch mixes classes


def test_batch_images_fallback_is_deterministic_and_uses_shape_classes():
    first_images, first_names = ch08.batch_images(None)
    second_images, second_names = ch08.batch_images(None)
    assert first_names == second_names
    assert all(np.array_equal(a, b) for a, b in zip(first_images, second_images))
    assert set(first_names) <= {"circle", "square", "star", "triangle"}
    assert all(image.shape == (180, 180, 3) and image.dtype == np.uint8 for image in first_images)
    # Same painter and seed → the first tile equals a direct call to the data set's drawing function.
    from datasets.bundled import SHAPE_CLASSES, shape_image_draw

    rng = random.Random(ch08.LESSON_SEED)
    kind = rng.choice(sorted(SHAPE_CLASSES))
    assert kind == first_names[0]
    direct = ch08.resize(np.asarray(shape_image_draw(kind, 128, rng)), 180, 180)
    assert np.array_equal(direct, first_images[0])


# --------------------------------------------------------------------------- resize distortion


def test_aspect_variants_stretch_crop_and_pad():
    # Synthetic 500×250 image with a filled circle of radius 100 in the middle (the description's fallback).
    yy, xx = np.mgrid[0:250, 0:500]
    image = np.zeros((250, 500, 3), dtype=np.uint8)
    image[(yy - 125) ** 2 + (xx - 250) ** 2 <= 100**2] = (220, 30, 30)
    variants = ch08.aspect_variants(image, 180)
    assert all(v.shape == (180, 180, 3) for v in variants.values())

    def extent(img: np.ndarray) -> tuple[int, int]:
        red = img[..., 0] > 110
        rows, cols = np.nonzero(red)
        return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1

    h, w = extent(variants["stretch"])
    assert h / w == pytest.approx(2.0, rel=0.05)  # twice as tall as wide
    h, w = extent(variants["crop"])
    assert h / w == pytest.approx(1.0, rel=0.05)
    assert h == pytest.approx(200 * 180 / 250, abs=2)
    h, w = extent(variants["pad"])
    assert h / w == pytest.approx(1.0, rel=0.05)
    assert w == pytest.approx(200 * 180 / 500, abs=2)
    assert variants["pad"][:30].max() == 0 and variants["pad"][-30:].max() == 0  # black bars


def test_flower_wide_is_500_by_250():
    assert ch08.flower_wide().shape == (250, 500, 3)


# --------------------------------------------------------------------------- augmentation (TensorFlow)


def test_augmentation_examples_are_seeded_within_the_layer_ranges_and_equal_calling_the_layers():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    first = ch08.augment_examples(image, [1, 2, 3])
    second = ch08.augment_examples(image, [1, 2, 3])
    for a, b in zip(first, second):
        assert np.array_equal(a.image, b.image)
        assert a.image.shape == image.shape and a.image.dtype == np.uint8
        assert abs(a.angle) <= 36.0 + 1e-6  # RandomRotation(0.1) = ±10 % of a full turn
        assert 0.9 - 1e-6 <= a.zoom <= 1.1 + 1e-6  # RandomZoom(0.1)
    assert len({round(a.angle, 3) for a in first}) == 3  # different seeds, different draws
    # Drawing the transformation explicitly gives what calling the real layers gives.
    seed = 2
    block = keras.Sequential([
        keras.layers.RandomFlip("horizontal", seed=seed),
        keras.layers.RandomRotation(0.1, fill_mode="reflect", seed=seed + 1000),
        keras.layers.RandomZoom(0.1, fill_mode="reflect", seed=seed + 2000),
    ])
    called = keras.ops.convert_to_numpy(block(image[None].astype("float32"), training=True))[0]
    np.testing.assert_allclose(first[1].image, np.clip(np.round(called), 0, 255), atol=1)


def test_augment_caption_reads_keras_conventions():
    image = np.zeros((2, 2, 3), dtype=np.uint8)
    assert ch08.augment_caption(ch08.Augmented(image, True, 12.4, 0.8)) == "翻转 · 逆时针 12° · 放大 ×1.25"
    assert ch08.augment_caption(ch08.Augmented(image, False, -5.0, 1.0 / 0.9)) == "顺时针 5° · 缩小 ×0.90"
