"""A data set's own train/validation split (split.json): read and checked, honoured by the
class-folder pipeline every image program uses and by the detection lab, ignored when absent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from datasets.bundled import shapes_boxes_build
from datasets.formats import voc_xml
from tests.trainer.test_child_process import run_child, write_config
from trainer.detection import detection_split, voc_items_load
from trainer.splits import image_folder_datasets, image_folder_files, stored_split_load


def _image_set(root: Path, per_class: int = 5, classes: tuple[str, ...] = ("cat", "dog")) -> dict[str, int]:
    """Tiny grey PNGs, each one flat value that says which file it is: {relative path: value}."""
    values = {}
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            value = 10 * (c * per_class + i) + 5
            relative = f"{name}/{i:04d}-{name}.png"
            Image.fromarray(np.full((8, 8), value, np.uint8)).save(root / relative)
            values[relative] = value
    # One in a subfolder and one with an upper-case suffix: image_dataset_from_directory reads both.
    (root / classes[0] / "more").mkdir()
    for relative, value in ((f"{classes[0]}/more/extra.png", 201), (f"{classes[-1]}/LOUD.PNG", 211)):
        Image.fromarray(np.full((8, 8), value, np.uint8)).save(root / relative)
        values[relative] = value
    (root / classes[0] / "notes.txt").write_text("not an image")
    return values


def _split_write(root: Path, validation, **extra) -> None:
    (root / "split.json").write_text(json.dumps({"version": 1, "seed": 123, "validation_fraction": 0.2, "validation": validation, **extra}))


def _pixel_values(ds) -> list[int]:
    return [int(round(float(v))) for x, _y in ds for v in np.asarray(x)[:, 0, 0, 0]]


def _helper(root: Path, class_names=None, validation_split: float = 0.5, batch_size: int = 4):
    import keras
    import tensorflow as tf

    return image_folder_datasets(root, class_names, (8, 8), 1, batch_size, validation_split, 3, tf, keras)


# --- stored_split_load ---------------------------------------------------------------------------


def test_a_valid_split_file_gives_its_validation_entries(tmp_path):
    _image_set(tmp_path)
    _split_write(tmp_path, ["cat/0001-cat.png", "dog/0003-dog.png", "cat/more/extra.png", "dog/0003-dog.png"])
    assert stored_split_load(tmp_path) == {"cat/0001-cat.png", "dog/0003-dog.png", "cat/more/extra.png"}


def test_no_split_file_means_no_stored_split(tmp_path):
    _image_set(tmp_path)
    assert stored_split_load(tmp_path) is None
    assert stored_split_load(tmp_path / "nonexistent") is None


@pytest.mark.parametrize("content, message", [
    ("{not json", r"split\.json of the data set is not valid JSON"),
    (b"\xff\xfe\x00", r"not valid JSON"),
    ("[1, 2]", r"not a JSON object"),
    ({"version": 2, "validation": []}, r"has version 2; this trainer reads version 1"),
    ({"version": "1", "validation": []}, r"has version '1'"),
    ({"version": True, "validation": []}, r"has version True"),
    ({"validation": []}, r"has version None"),
    ({"version": 1}, r"needs \"validation\": a list of strings"),
    ({"version": 1, "validation": "cat/0001-cat.png"}, r"a list of strings"),
    ({"version": 1, "validation": ["cat/0001-cat.png", 7]}, r"a list of strings"),
    ({"version": 1, "validation": ["cat/0001-cat.png", "cat/9999-cat.png"]}, r"lists 1 validation files that are not in the data set: 'cat/9999-cat\.png'"),
    ({"version": 1, "validation": ["cat"]}, r"lists 1 validation files that are not in the data set: 'cat'"),
    ({"version": 1, "validation": ["../outside.png"]}, r"not in the data set: '\.\./outside\.png'"),
])
def test_a_malformed_split_file_is_a_clear_error(tmp_path, content, message):
    root = tmp_path / "set"
    _image_set(root)
    (tmp_path / "outside.png").write_bytes(b"a real file, but outside the set")
    if isinstance(content, bytes):
        (root / "split.json").write_bytes(content)
    else:
        (root / "split.json").write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ValueError, match=message):
        stored_split_load(root)


def test_voc_entries_are_annotation_stems(tmp_path):
    shapes_boxes_build(tmp_path, count=4, size=24, seed=1)
    _split_write(tmp_path, ["0001", "0003"])
    assert stored_split_load(tmp_path) == stored_split_load(tmp_path, "voc") == {"0001", "0003"}
    _split_write(tmp_path, ["0001", "images/0003.png", "0009"])
    with pytest.raises(ValueError, match=r"lists 2 validation annotation stems with no annotations/<stem>\.xml: 'images/0003\.png', '0009'"):
        stored_split_load(tmp_path, "voc")


# --- the class-folder pipeline -------------------------------------------------------------------


def test_the_files_are_listed_as_image_dataset_from_directory_lists_them(tmp_path):
    values = _image_set(tmp_path)
    (tmp_path / ".hidden").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / ".hidden" / "x.png")
    files, labels, names = image_folder_files(tmp_path, None)
    assert names == ["cat", "dog"] and sorted(files) == sorted(values) and len(labels) == len(files)
    assert all(names[label] == file.split("/")[0] for file, label in zip(files, labels, strict=True))
    assert image_folder_files(tmp_path, ["dog"])[2] == ["dog"]
    with pytest.raises(ValueError, match=r"no folder for the classes \['bird'\]"):
        image_folder_files(tmp_path, ["dog", "bird"])


def test_with_a_stored_split_exactly_the_listed_images_are_validation(tmp_path):
    values = _image_set(tmp_path)
    listed = ["cat/0001-cat.png", "cat/more/extra.png", "dog/0000-dog.png", "dog/LOUD.PNG"]
    _split_write(tmp_path, listed)
    train_ds, val_ds, info = _helper(tmp_path, validation_split=0.5)  # 0.5 would be 6 images: not used
    assert info == {"stored_split": True, "class_names": ["cat", "dog"], "train_items": 8, "val_items": 4}
    assert sorted(_pixel_values(val_ds)) == sorted(values[f] for f in listed)
    assert sorted(_pixel_values(train_ds)) == sorted(v for f, v in values.items() if f not in listed)
    # Labels are the class folder's index, for every image.
    by_value = {v: f.split("/")[0] for f, v in values.items()}
    for ds in (train_ds, val_ds):
        for x, y in ds:
            assert [["cat", "dog"][int(label)] for label in np.asarray(y)] == [by_value[int(round(float(v)))] for v in np.asarray(x)[:, 0, 0, 0]]
    # The same order every time (the per-epoch shuffle comes later), with the classes mixed: the
    # shuffle after the cache moves whole batches, so it cannot mix one-class batches.
    assert _pixel_values(train_ds) == _pixel_values(_helper(tmp_path)[0])
    labels = [int(label) for _x, y in train_ds for label in np.asarray(y)]
    assert labels != sorted(labels)


def test_the_stored_split_pipeline_yields_what_image_dataset_from_directory_yields(tmp_path):
    _image_set(tmp_path)
    plain_train, _plain_val, plain_info = _helper(tmp_path)
    _split_write(tmp_path, ["cat/0001-cat.png"])
    train_ds, val_ds, _info = _helper(tmp_path)
    assert train_ds.element_spec == plain_train.element_spec  # (None, 8, 8, 1) float32, (None,) int32
    x, _y = next(iter(val_ds))
    assert x.dtype.name == "float32" and tuple(x.shape) == (1, 8, 8, 1)
    assert plain_info["stored_split"] is False and plain_info["train_items"] + plain_info["val_items"] == 12


def test_without_a_split_file_the_computed_split_is_unchanged(tmp_path):
    import keras

    _image_set(tmp_path)
    train_ds, val_ds, info = _helper(tmp_path, validation_split=0.25)
    want_train, want_val = keras.utils.image_dataset_from_directory(
        str(tmp_path), validation_split=0.25, subset="both", seed=3, image_size=(8, 8), batch_size=4, color_mode="grayscale")
    assert info == {"stored_split": False, "class_names": ["cat", "dog"], "train_items": 9, "val_items": 3}
    assert sorted(_pixel_values(val_ds)) == sorted(_pixel_values(want_val))
    assert sorted(_pixel_values(train_ds)) == sorted(_pixel_values(want_train))


def test_a_stored_split_that_leaves_a_side_empty_is_refused(tmp_path):
    values = _image_set(tmp_path)
    # The lab trains on dogs only; the listed cats are not in the set it reads.
    _split_write(tmp_path, ["cat/0001-cat.png", "cat/0002-cat.png"])
    with pytest.raises(ValueError, match=r"stored split \(split\.json\) puts none of its 6 usable images in validation"):
        _helper(tmp_path, class_names=["dog"])
    _split_write(tmp_path, sorted(values))
    with pytest.raises(ValueError, match=r"puts all 12 usable images in validation, none in training"):
        _helper(tmp_path)


def test_a_child_run_trains_on_the_stored_split_and_says_so(tmp_path):
    data = tmp_path / "images"
    values = _image_set(data, per_class=6)
    listed = ["cat/0002-cat.png", "dog/0004-dog.png", "dog/0005-dog.png"]
    _split_write(data, listed)
    spec = {"input_shape": [8, 8, 1], "layers": [{"type": "Rescaling", "args": {"scale": 1 / 255}}, {"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 2}}]}
    # validation_split 0.25 in the config would be 4 of the 14 images; the stored split has 3.
    write_config(tmp_path / "run", {"format": "image_folder", "path": str(data), "class_names": ["cat", "dog"]}, spec, epochs=1)
    code, events = run_child(tmp_path / "run")
    assert code == 0, events[-1]
    lines = [e["line"] for e in events if e["type"] == "log"]
    assert f"using the data set's stored split: {len(values) - 3} training / 3 validation images" in lines
    insight = json.loads((tmp_path / "run" / "insight" / "insight.json").read_text())
    assert insight["val_items"] == 3 and np.array(insight["confusion_matrix"]).sum(axis=1).tolist() == [1, 2]
    assert events[-1]["type"] == "done"


# --- the detection lab ---------------------------------------------------------------------------


def test_the_detection_lab_validates_on_the_listed_stems_that_it_can_use(tmp_path):
    shapes_boxes_build(tmp_path, count=8, size=24, seed=2)
    # 0000 has no object: the lab skips it, so listing it adds nothing to validation.
    (tmp_path / "annotations" / "0000.xml").write_bytes(voc_xml(folder="images", filename="0000.png", width=24, height=24, depth=3, objects=[]))
    items = voc_items_load(tmp_path, None, 16)
    assert len(items.stems) == 7

    computed_train, computed_val, stored = detection_split(tmp_path, items.stems, 0.25, 5)
    assert stored is False and len(computed_val) == 2 and len(computed_train) == 5
    order = np.random.default_rng(5).permutation(7)  # the seeded split the lab always made
    assert computed_val.tolist() == order[:2].tolist() and computed_train.tolist() == order[2:].tolist()

    _split_write(tmp_path, ["0000", "0003", "0006"])
    train_idx, val_idx, stored = detection_split(tmp_path, items.stems, 0.25, 5)
    assert stored is True
    assert [items.stems[i] for i in val_idx] == ["0003", "0006"]
    assert [items.stems[i] for i in train_idx] == ["0001", "0002", "0004", "0005", "0007"]

    _split_write(tmp_path, ["0000"])
    with pytest.raises(ValueError, match=r"puts none of its 7 usable images in validation"):
        detection_split(tmp_path, items.stems, 0.25, 5)
    _split_write(tmp_path, [f"{i:04d}" for i in range(8)])
    with pytest.raises(ValueError, match=r"puts all 7 usable images in validation, none in training"):
        detection_split(tmp_path, items.stems, 0.25, 5)
    _split_write(tmp_path, ["0003", "0042"])
    with pytest.raises(ValueError, match=r"'0042'"):
        detection_split(tmp_path, items.stems, 0.25, 5)
