"""Chapter 10's detection lab in the trainer: VOC parsing (and refusing hostile XML), the box
conversion, IoU, and a short child run on a tiny generated VOC set."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from datasets.bundled import shapes_boxes_build
from datasets.formats import VocObject as FormatVocObject
from datasets.formats import voc_xml
from tests.trainer.test_child_process import run_child
from trainer.detection import (
    AnnotationError,
    VocObject,
    box_from_voc,
    box_to_voc,
    iou,
    voc_items_load,
    voc_parse,
)


def test_labelimg_xml_is_read_with_its_size_and_every_object():
    data = voc_xml(folder="images", filename="0007.png", width=96, height=80, depth=3,
                   objects=[FormatVocObject("star", 11, 5, 30, 40), FormatVocObject("circle", 1, 1, 96, 80)])
    annotation = voc_parse(data, "annotations/0007.xml")
    assert (annotation.filename, annotation.width, annotation.height) == ("0007.png", 96, 80)
    assert annotation.objects == (VocObject("star", 11, 5, 30, 40), VocObject("circle", 1, 1, 96, 80))


@pytest.mark.parametrize("hostile", [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;&x;">]><annotation><filename>&y;</filename></annotation>',
    b'<!DOCTYPE annotation SYSTEM "file:///etc/passwd"><annotation/>',
    b'<annotation><filename>a</filename></annotation><!ENTITY sneaky "late">',
])
def test_xml_with_a_doctype_or_entities_is_refused_before_parsing(hostile):
    with pytest.raises(AnnotationError, match=r"annotations/evil\.xml: declares a DOCTYPE or entities"):
        voc_parse(hostile, "annotations/evil.xml")


@pytest.mark.parametrize(("data", "reason"), [
    (b"<annotation><object><name>star</name>", "not well-formed XML"),
    (b"<html><body/></html>", "not a VOC annotation"),
    (b"<annotation><object><name>star</name><bndbox><xmin>a</xmin></bndbox></object></annotation>", "<xmin> is not a number"),
    (b"<annotation><object><name>star</name></object></annotation>", "has no <bndbox>"),
])
def test_a_malformed_annotation_is_reported_with_its_file_name(data, reason):
    with pytest.raises(AnnotationError) as excinfo:
        voc_parse(data, "annotations/0042.xml")
    assert str(excinfo.value).startswith("annotations/0042.xml: ") and reason in str(excinfo.value)


def test_one_based_inclusive_pixel_boxes_normalise_and_convert_back_exactly():
    # 1-based inclusive columns 11..30 are the continuous extent [10, 30) of a 96-pixel-wide image.
    assert box_from_voc(VocObject("square", 11, 5, 30, 40), 96, 80) == pytest.approx([10 / 96, 4 / 80, 30 / 96, 40 / 80])
    rng = np.random.default_rng(0)
    for _ in range(200):
        width, height = (int(v) for v in rng.integers(8, 700, size=2))
        xmin, xmax = sorted(int(v) for v in rng.integers(1, width + 1, size=2))
        ymin, ymax = sorted(int(v) for v in rng.integers(1, height + 1, size=2))
        box = box_from_voc(VocObject("x", xmin, ymin, xmax, ymax), width, height)
        assert np.all((0 <= box) & (box <= 1))
        assert box_to_voc(box, width, height) == (xmin, ymin, xmax, ymax)


def test_iou_matches_hand_computed_values():
    # The chapter's worked example: intersection 80×90 = 7200, union 10000 + 10000 − 7200 = 12800.
    assert float(iou([50, 50, 150, 150], [70, 60, 170, 160])) == pytest.approx(7200 / 12800) == pytest.approx(0.5625)
    assert float(iou([0, 0, 2, 2], [1, 1, 3, 3])) == pytest.approx(1 / 7)
    assert float(iou([0, 0, 1, 1], [0, 0, 1, 1])) == 1.0
    assert float(iou([0, 0, 1, 1], [2, 2, 3, 3])) == 0.0  # apart
    assert float(iou([0, 0, 1, 1], [1, 0, 2, 1])) == 0.0  # touching edges share no area
    assert float(iou([0.6, 0.2, 0.4, 0.8], [0.0, 0.0, 1.0, 1.0])) == 0.0  # xmax < xmin: an empty box
    batch = iou(np.array([[0, 0, 10, 10], [0, 0, 10, 10]]), np.array([[0, 0, 5, 10], [5, 5, 15, 15]]))
    assert batch == pytest.approx([0.5, 25 / 175])


def test_the_tf_iou_of_the_metric_and_loss_agrees_with_the_numpy_one():
    import keras

    from trainer.detection import _box_iou_tensor

    rng = np.random.default_rng(1)

    def boxes(n):
        xs, ys = np.sort(rng.uniform(0, 1, size=(n, 2)), axis=1), np.sort(rng.uniform(0, 1, size=(n, 2)), axis=1)
        return np.stack([xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], axis=1)

    a, b = boxes(50), boxes(50)
    assert np.count_nonzero(iou(a, b)) > 10  # enough overlapping pairs to compare
    got = np.asarray(_box_iou_tensor(keras.ops, keras.ops.convert_to_tensor(a, "float32"), keras.ops.convert_to_tensor(b, "float32")))
    assert got == pytest.approx(iou(a, b), abs=1e-5)


def _tiny_voc(root: Path, count: int) -> None:
    shapes_boxes_build(root, count=count, size=48, seed=7)


def test_images_without_exactly_one_object_are_skipped_and_counted(tmp_path):
    _tiny_voc(tmp_path, 8)
    (tmp_path / "annotations" / "0000.xml").write_bytes(voc_xml(folder="images", filename="0000.png", width=48, height=48, depth=3, objects=[]))
    (tmp_path / "annotations" / "0001.xml").write_bytes(voc_xml(folder="images", filename="0001.png", width=48, height=48, depth=3,
                                                                objects=[FormatVocObject("star", 1, 1, 10, 10), FormatVocObject("circle", 20, 20, 40, 40)]))
    Image.new("RGB", (96, 64)).save(tmp_path / "images" / "0002.jpg")  # an imported .jpg of another size
    (tmp_path / "images" / "0002.png").unlink()
    (tmp_path / "annotations" / "0002.xml").write_bytes(voc_xml(folder="images", filename="0002.jpg", width=96, height=64, depth=3,
                                                                objects=[FormatVocObject("square", 49, 17, 96, 64)]))
    items = voc_items_load(tmp_path, ["circle", "square", "star", "triangle"], 32)
    assert items.skipped == {"no_object": 1, "several_objects": 1, "unknown_class": 0}
    assert items.images.shape == (6, 32, 32, 3) and items.stems[0] == "0002"
    assert items.boxes[0] == pytest.approx([0.5, 0.25, 1.0, 1.0]) and items.class_names[items.labels[0]] == "square"


def test_an_annotation_whose_box_leaves_the_image_is_reported_with_its_file_name(tmp_path):
    _tiny_voc(tmp_path, 4)
    (tmp_path / "annotations" / "0003.xml").write_bytes(voc_xml(folder="images", filename="0003.png", width=48, height=48, depth=3,
                                                                objects=[FormatVocObject("star", 10, 10, 60, 20)]))
    with pytest.raises(AnnotationError, match=r"annotations/0003\.xml: the star box .* is not inside its 48×48 image"):
        voc_items_load(tmp_path, None, 32)


def test_a_short_child_run_reports_iou_every_epoch_and_draws_the_validation_boxes(tmp_path):
    data = tmp_path / "voc"
    _tiny_voc(data, 40)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": 9, "program": "detection_lite", "spec": {}, "compile": {}, "batch_events_per_second": 1000,
        "options": {"input_size": 32, "filters": [4, 8], "dense_units": 16},
        "dataset": {"format": "voc", "path": str(data), "class_names": ["circle", "square", "star", "triangle"]},
        "hyperparameters": {"epochs": 2, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.001, "seed": 5, "validation_split": 0.25},
    }))
    code, events = run_child(run_dir)
    assert code == 0, events[-1]
    epochs = [e for e in events if e["type"] == "epoch"]
    assert len(epochs) == 2
    for epoch in epochs:
        metrics = epoch["metrics"]
        assert {"loss", "val_loss", "iou", "val_iou", "accuracy", "val_accuracy"} <= set(metrics)
        assert 0 <= metrics["val_iou"] <= 1 and "box_iou" not in metrics
    assert any("skipped 0" in e.get("line", "") for e in events if e["type"] == "log")
    done = events[-1]
    assert done["type"] == "done" and 0 <= done["final_metrics"]["val_hit@0.5"] <= 1
    with open(run_dir / "history.csv", newline="") as handle:
        assert {"iou", "val_iou", "accuracy", "val_accuracy"} <= set(next(csv.reader(handle)))
    assert (run_dir / "model.keras").is_file() and any((run_dir / "tensorboard").rglob("events.out.tfevents.*"))

    insight = json.loads((run_dir / "insight" / "insight.json").read_text())["detection"]
    assert insight["class_names"] == ["circle", "square", "star", "triangle"] and insight["val_items"] == 10
    assert len(insight["per_class_accuracy"]) == 4 and 0 <= insight["mean_iou"] <= 1
    assert [b["file"] for b in insight["boxes"]] == [f"boxes/{i:02d}.png" for i in range(10)]
    first = insight["boxes"][0]
    assert first["iou"] == pytest.approx(float(iou(first["true_box"], first["pred_box"])), abs=1e-3)
    with Image.open(run_dir / "insight" / first["file"]) as drawn:
        pixels = np.asarray(drawn.convert("RGB"))
    # The true box is drawn in pure green somewhere on the picture.
    assert np.any(np.all(pixels == (0, 200, 0), axis=-1))
