"""Numbers printed on the chapter 10 and 11 figures: IoU, NMS, AP, detector output sizes, the
synthetic scenes, the word-vector PCA and the text model's parameter counts (checked against Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from lessonfigures import ch10, ch11

CH10_FIGURES = {"ch10-tasks", "ch10-iou-boxes", "ch10-pr-curve", "ch10-nms", "ch10-rcnn-pipeline", "ch10-faster-rcnn", "ch10-yolo-grid", "ch10-ssd"}
CH11_FIGURES = {"ch11-onehot-vs-embedding", "ch11-rnn-unrolled", "ch11-lstm-cell", "ch11-text-model"}


# --- IoU --------------------------------------------------------------------------------------


def test_lesson_boxes_intersect_in_80_by_90_and_iou_is_7200_over_12800():
    truth, pred = (50, 50, 150, 150), (70, 60, 170, 160)
    assert ch10.box_intersection(truth, pred) == (70, 60, 150, 150)
    assert ch10.box_area(ch10.box_intersection(truth, pred)) == 7200
    assert ch10.iou(truth, pred) == pytest.approx(7200 / 12800) == pytest.approx(0.5625)


def test_iou_is_zero_apart_one_when_identical_and_symmetric():
    a, b = (0, 0, 10, 10), (20, 20, 30, 30)
    assert ch10.box_intersection(a, b) is None
    assert ch10.iou(a, b) == 0.0
    assert ch10.iou(a, a) == 1.0
    assert ch10.iou((0, 0, 10, 10), (5, 5, 15, 15)) == pytest.approx(25 / 175)
    assert ch10.iou((0, 0, 10, 10), (5, 5, 15, 15)) == ch10.iou((5, 5, 15, 15), (0, 0, 10, 10))


def test_union_outline_has_the_perimeter_of_the_union():
    truth, pred = (50, 50, 150, 150), (70, 60, 170, 160)
    segments = ch10.union_outline(truth, pred)
    length = sum(abs(q[0] - p[0]) + abs(q[1] - p[1]) for p, q in segments)
    # Perimeter of a union of two crossing rectangles: P(A) + P(B) − P(A ∩ B) = 400 + 400 − 340.
    assert length == pytest.approx(460)
    # No outline segment runs through the inside of the other box.
    for p, q in segments:
        mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
        assert not (70 < mx < 170 and 60 < my < 160 and 50 < mx < 150 and 50 < my < 150)


# --- NMS --------------------------------------------------------------------------------------


def _nms_lesson():
    names = list(ch10.NMS_BOXES)
    boxes = [ch10.NMS_BOXES[n][0] for n in names]
    scores = [ch10.NMS_BOXES[n][1] for n in names]
    return names, boxes, scores


def test_nms_keeps_a_c_e_and_b_d_are_removed_with_iou_81_over_119():
    names, boxes, scores = _nms_lesson()
    result = ch10.nms(boxes, scores, 0.5)
    assert [names[i] for i in result.keep] == ["A", "C", "E"]
    removed = {names[i]: (names[by], overlap) for i, (by, overlap) in result.suppressed.items()}
    assert set(removed) == {"B", "D"}
    assert removed["B"][0] == "A" and removed["D"][0] == "C"
    # The lesson's "0.68" is 81/119 = 0.6807 for both pairs.
    assert removed["B"][1] == pytest.approx(81 / 119)
    assert removed["D"][1] == pytest.approx(81 / 119)
    assert round(removed["B"][1], 2) == 0.68
    assert ch10.iou(boxes[names.index("E")], boxes[names.index("A")]) == pytest.approx(25 / 175)


def test_nms_threshold_decides_what_survives():
    names, boxes, scores = _nms_lesson()
    assert [names[i] for i in ch10.nms(boxes, scores, 0.7).keep] == ["A", "B", "C", "D", "E"]
    assert [names[i] for i in ch10.nms(boxes, scores, 0.1).keep] == ["A", "C"]


def test_nms_agrees_with_tensorflow_non_max_suppression():
    tf = pytest.importorskip("tensorflow")
    _names, boxes, scores = _nms_lesson()
    yx = tf.constant([[b[1], b[0], b[3], b[2]] for b in boxes], tf.float32)
    for threshold in (0.1, 0.5, 0.7):
        keep = tf.image.non_max_suppression(yx, tf.constant(scores, tf.float32), max_output_size=10, iou_threshold=threshold)
        assert keep.numpy().tolist() == ch10.nms(boxes, scores, threshold).keep


# --- precision-recall and AP -------------------------------------------------------------------


def test_ranked_detections_give_the_described_precision_recall_points():
    recall, precision = ch10.pr_points(ch10.PR_OUTCOMES, ch10.PR_GROUND_TRUTH)
    np.testing.assert_allclose(recall, [0.2, 0.4, 0.4, 0.6, 0.6, 0.8])
    np.testing.assert_allclose(precision, [1.0, 1.0, 0.667, 0.75, 0.6, 0.667], atol=5e-4)


def test_interpolated_envelope_is_the_described_step_function():
    recall, precision = ch10.pr_points(ch10.PR_OUTCOMES, ch10.PR_GROUND_TRUTH)
    edges, heights = ch10.interpolated_envelope(recall, precision)
    np.testing.assert_allclose(edges, [0, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(heights, [1.0, 0.75, 2 / 3, 0.0])
    fine_edges, fine_heights = ch10.interpolated_envelope(recall, precision, merge=False)
    np.testing.assert_allclose(fine_edges, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(fine_heights, [1.0, 1.0, 0.75, 2 / 3, 0.0])


def test_all_point_ap_is_0_683_and_eleven_point_ap_is_0_712():
    recall, precision = ch10.pr_points(ch10.PR_OUTCOMES, ch10.PR_GROUND_TRUTH)
    ap = ch10.average_precision(recall, precision)
    assert ap == pytest.approx(0.2 + 0.2 + 0.2 * 0.75 + 0.2 * 2 / 3)
    assert round(ap, 3) == 0.683
    # VOC 2007: (5 × 1 + 2 × 0.75 + 2 × 2/3 + 2 × 0) / 11 = 0.712 (the lesson text says 0.705).
    assert ch10.average_precision_11point(recall, precision) == pytest.approx((5 + 1.5 + 4 / 3) / 11)


def test_ap_is_one_for_a_perfect_ranking_and_lower_when_a_true_box_is_missed():
    recall, precision = ch10.pr_points([True] * 4, 4)
    assert ch10.average_precision(recall, precision) == pytest.approx(1.0)
    recall, precision = ch10.pr_points([True] * 4, 5)
    assert ch10.average_precision(recall, precision) == pytest.approx(0.8)


# --- YOLO, anchors, SSD -------------------------------------------------------------------------


def test_yolo_output_is_7_by_7_by_30():
    shape = ch10.yolo_output_shape()
    assert shape == (7, 7, 30)
    assert int(np.prod(shape)) == 1470


def test_rpn_has_nine_anchors_with_the_three_areas_and_ratios():
    anchors = ch10.rpn_anchor_sizes()
    assert len(anchors) == 9
    for w, h, scale, ratio in anchors:
        assert w * h == pytest.approx(scale**2)
        assert h / w == pytest.approx(ratio)
    assert sorted({a[2] for a in anchors}) == [128, 256, 512]
    assert sorted({a[3] for a in anchors}) == [0.5, 1.0, 2.0]


def test_ssd300_has_8732_default_boxes():
    counts = ch10.ssd_box_counts()
    assert [side for side, _ in ch10.SSD_MAPS] == [38, 19, 10, 5, 3, 1]
    assert [per for _, per in ch10.SSD_MAPS] == [4, 6, 6, 6, 4, 4]
    assert counts == [5776, 2166, 600, 150, 36, 4]
    assert sum(counts) == 8732


def test_ssd_prior_settings_give_the_boxes_per_location():
    for (_side, per_location), (min_size, max_size, ratios) in zip(ch10.SSD_MAPS, ch10.SSD_PRIORS):
        sizes = ch10.ssd_default_box_sizes(min_size, max_size, ratios)
        assert len(sizes) == per_location
        assert sizes[0] == (min_size, min_size)
        for w, h in sizes[2:]:
            assert w * h == pytest.approx(min_size**2)


# --- synthetic scenes ----------------------------------------------------------------------------


def test_street_scene_has_two_cars_and_a_pedestrian_with_tight_boxes():
    scene = ch10.scene_render(320, 200, ch10.STREET)
    assert scene.image.shape == (200, 320, 3) and scene.image.dtype == np.uint8
    assert sorted(o.label for o in scene.objects) == ["汽车", "汽车", "行人"]
    for obj in scene.objects:
        x0, y0, x1, y1 = (int(v) for v in obj.box)
        assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 200
        class_id = ch10.CLASS_NAMES.index(obj.label)
        inside = scene.classes[y0:y1, x0:x1] == class_id
        # Tight: the mask touches all four sides of the box.
        assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
    again = ch10.scene_render(320, 200, ch10.STREET)
    np.testing.assert_array_equal(scene.image, again.image)


def test_dog_centre_falls_in_one_yolo_cell():
    scene = ch10.scene_render(448, 448, ch10.DOG_PARK, park=True)
    (dog,) = scene.objects
    assert dog.label == "狗"
    cx, cy = (dog.box[0] + dog.box[2]) / 2, (dog.box[1] + dog.box[3]) / 2
    assert 0 <= cx < 448 and 0 <= cy < 448


# --- chapter 11 -----------------------------------------------------------------------------------


def test_onehot_rows_show_ones_at_3_and_7_and_the_rest_beyond_column_12():
    shown = {w: ch11.onehot_prefix(i) for w, i in ch11.WORD_IDS.items()}
    assert shown["猫"][0].index(1) == 3 and not shown["猫"][1]
    assert shown["狗"][0].index(1) == 7 and not shown["狗"][1]
    for word in ("汽车", "卡车", "苹果"):
        assert sum(shown[word][0]) == 0 and shown[word][1]
    assert [ch11.WORD_IDS[w] for w in ("猫", "狗", "汽车", "卡车", "苹果")] == [3, 7, 15, 42, 99]


def test_pca_puts_cat_with_dog_and_car_with_truck():
    words = list(ch11.EMBEDDINGS)
    vectors = np.array([ch11.EMBEDDINGS[w] for w in words])
    coords, ratio = ch11.pca_2d(vectors)
    assert coords.shape == (5, 2)
    nearest = ch11.nearest_neighbours(coords, words)
    assert nearest["猫"] == "狗" and nearest["狗"] == "猫"
    assert nearest["汽车"] == "卡车" and nearest["卡车"] == "汽车"
    # The same pairs are nearest in the original 4-D space, so the projection did not invent them.
    assert ch11.nearest_neighbours(vectors, words)["猫"] == "狗"
    assert ch11.nearest_neighbours(vectors, words)["汽车"] == "卡车"
    assert 0 < ratio[1] <= ratio[0] and ratio.sum() <= 1 + 1e-12


def test_pca_equals_scikit_learn_up_to_sign():
    from sklearn.decomposition import PCA

    vectors = np.array(list(ch11.EMBEDDINGS.values()))
    coords, ratio = ch11.pca_2d(vectors)
    reference = PCA(n_components=2).fit(vectors)
    expected = reference.transform(vectors)
    for k in range(2):
        sign = np.sign(coords[:, k] @ expected[:, k])
        np.testing.assert_allclose(coords[:, k], sign * expected[:, k], atol=1e-10)
    np.testing.assert_allclose(ratio, reference.explained_variance_ratio_)


def test_onehot_vectors_are_orthogonal_but_embeddings_of_similar_words_are_close():
    e = ch11.EMBEDDINGS
    assert ch11.cosine([1, 0, 0], [0, 1, 0]) == 0.0
    assert ch11.cosine(e["猫"], e["狗"]) > 0.9
    assert ch11.cosine(e["猫"], e["汽车"]) < 0


def test_text_model_parameters_are_640000_12416_33_total_652449():
    rows = ch11.text_model_rows()
    assert [r.params for r in rows] == [0, 640_000, 12_416, 33]
    assert sum(r.params for r in rows) == 652_449
    assert [r.output_shape for r in rows] == [(200,), (200, 64), (32,), (1,)]


def test_lstm_formula_matches_the_lesson_examples():
    assert ch11.lstm_params(32, 64) == 4 * 32 * (32 + 64 + 1) == 12_416
    assert ch11.lstm_params(32, 100) == 17_024
    assert ch11.lstm_params(32, 32) == 8_320
    assert ch11.embedding_params(10_000, 64) == 640_000


def test_text_model_counts_equal_the_keras_model():
    keras = pytest.importorskip("keras")
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(200,), dtype="int32"),
            layers.Embedding(10_000, 64),
            layers.LSTM(32),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    rows = ch11.text_model_rows()[1:]
    assert [layer.count_params() for layer in model.layers] == [r.params for r in rows]
    assert [tuple(layer.output.shape[1:]) for layer in model.layers] == [r.output_shape for r in rows]
    assert model.count_params() == 652_449


# --- registry and drawing --------------------------------------------------------------------------


def test_chapters_ten_and_eleven_register_exactly_their_figures():
    from lessonfigures.registry import figures_load

    registry = figures_load()
    assert {n for n, s in registry.items() if s.module == "lessonfigures.ch10"} == CH10_FIGURES
    assert {n for n, s in registry.items() if s.module == "lessonfigures.ch11"} == CH11_FIGURES
    assert not any(registry[n].needs_tensorflow for n in CH10_FIGURES | CH11_FIGURES)


def test_every_chapter_ten_and_eleven_figure_draws():
    from matplotlib import pyplot as plt

    from lessonfigures.registry import FigureContext, figures_load
    from lessonfigures.style import style_apply

    registry = figures_load()
    for name in sorted(CH10_FIGURES | CH11_FIGURES):
        style_apply()
        fig = registry[name].draw(FigureContext())
        assert fig.get_axes(), name
        plt.close(fig)
