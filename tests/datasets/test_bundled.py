import hashlib
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from datasets.bundled import digits_npz_build, shapes_build


def digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.png")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_shapes_are_generated_deterministically_as_class_folders(tmp_path):
    info = shapes_build(tmp_path / "a", per_class=5, size=32, seed=3)
    shapes_build(tmp_path / "b", per_class=5, size=32, seed=3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert info["class_names"] == ["circle", "square", "star", "triangle"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == info["class_names"]
    image = Image.open(next((tmp_path / "a" / "circle").iterdir()))
    assert image.size == (32, 32) and image.mode == "RGB"


def test_shapes_vary_between_images(tmp_path):
    shapes_build(tmp_path, per_class=3, size=32, classes=("circle",), seed=1)
    arrays = [np.asarray(Image.open(p)) for p in sorted((tmp_path / "circle").iterdir())]
    assert not np.array_equal(arrays[0], arrays[1])


def test_digits_come_from_scikit_learn_offline(tmp_path):
    info = digits_npz_build(tmp_path)
    with np.load(tmp_path / "data.npz") as data:
        assert data["x"].shape == (1797, 8, 8, 1) and data["x"].dtype == np.uint8
        assert set(np.unique(data["y"])) == set(range(10))
    assert info["num_items"] == 1797


# --- the sets added for the P3 labs ----------------------------------------------------------


def test_digits_28_are_grey_28x28_class_folders_built_deterministically(tmp_path):
    from datasets.bundled import digits_images_build

    info = digits_images_build(tmp_path / "a", size=28, mode="L")
    digits_images_build(tmp_path / "b", size=28, mode="L")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert info == {"class_names": [str(i) for i in range(10)], "num_items": 1797, "item_shape": [28, 28, 1]}
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == info["class_names"]
    image = Image.open(next((tmp_path / "a" / "7").iterdir()))
    assert image.size == (28, 28) and image.mode == "L"


def test_diabetes_is_a_byte_identical_tabular_npz(tmp_path):
    from datasets.bundled import diabetes_build

    info = diabetes_build(tmp_path / "a")
    diabetes_build(tmp_path / "b")
    assert (tmp_path / "a" / "data.npz").read_bytes() == (tmp_path / "b" / "data.npz").read_bytes()
    with np.load(tmp_path / "a" / "data.npz") as data:  # no allow_pickle needed
        assert data["x"].shape == (442, 10) and data["x"].dtype == np.float32
        assert data["y"].shape == (442,) and data["y"].dtype == np.float32
        assert list(data["feature_names"]) == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    assert info == {"class_names": [], "num_items": 442, "item_shape": [10]}


def test_linear_synthetic_data_follows_y_equals_0_8x_plus_0_7_and_is_reproducible(tmp_path):
    from datasets.bundled import linear_synthetic_build

    info = linear_synthetic_build(tmp_path / "a")
    linear_synthetic_build(tmp_path / "b")
    assert (tmp_path / "a" / "data.npz").read_bytes() == (tmp_path / "b" / "data.npz").read_bytes()
    with np.load(tmp_path / "a" / "data.npz") as data:
        x, y = data["x"][:, 0].astype(np.float64), data["y"].astype(np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(slope - 0.8) < 0.03 and abs(intercept - 0.7) < 0.06
    assert abs(x.mean() - 2) < 0.2 and abs(x.std() - 2) < 0.2 and abs(np.std(y - (0.8 * x + 0.7)) - 0.5) < 0.05
    assert info == {"class_names": [], "num_items": 1000, "item_shape": [1]}


def test_hanzi_fonts_are_two_classes_of_grey_64px_images_built_deterministically(tmp_path):
    from datasets.bundled import hanzi_fonts_build

    info = hanzi_fonts_build(tmp_path / "a", per_class=12)
    hanzi_fonts_build(tmp_path / "b", per_class=12)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert info == {"class_names": ["kaiti", "mingti"], "num_items": 24, "item_shape": [64, 64, 1]}
    for cls in info["class_names"]:
        files = sorted((tmp_path / "a" / cls).iterdir())
        assert len(files) == 12
        image = Image.open(files[0])
        assert image.size == (64, 64) and image.mode == "L"
        assert np.asarray(image).std() > 20  # a character, not a blank page


def test_kaiti_and_mingti_render_the_same_character_differently():
    import random

    from datasets.bundled import HANZI_FONT_DIR, HANZI_FONTS, hanzi_image_draw

    # Same character, same random size/position/rotation/noise: only the font differs.
    kai, ming = (np.asarray(hanzi_image_draw(HANZI_FONT_DIR / HANZI_FONTS[c], "永", random.Random(5)), dtype=np.float32)
                 for c in ("kaiti", "mingti"))
    same_font_twice = np.asarray(hanzi_image_draw(HANZI_FONT_DIR / HANZI_FONTS["kaiti"], "永", random.Random(5)), dtype=np.float32)
    assert np.array_equal(kai, same_font_twice)
    ink_kai, ink_ming = kai < kai.mean() - 40, ming < ming.mean() - 40
    overlap = (ink_kai & ink_ming).sum() / (ink_kai | ink_ming).sum()
    assert overlap < 0.6, overlap


def test_hanzi_fonts_without_the_fonts_names_the_debian_packages(tmp_path, monkeypatch):
    from datasets import bundled

    monkeypatch.setattr(bundled, "HANZI_FONT_DIR", tmp_path / "no-fonts")
    with pytest.raises(bundled.BundledSourceMissing, match="fonts-arphic-ukai and fonts-arphic-uming"):
        bundled.hanzi_fonts_build(tmp_path / "out", per_class=2)


def test_shapes_boxes_are_voc_annotations_with_boxes_inside_their_images(tmp_path):
    from datasets.bundled import SHAPE_CLASSES, shapes_boxes_build

    info = shapes_boxes_build(tmp_path / "a", count=16)
    shapes_boxes_build(tmp_path / "b", count=16)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert [p.read_bytes() for p in sorted((tmp_path / "a" / "annotations").iterdir())] == \
        [p.read_bytes() for p in sorted((tmp_path / "b" / "annotations").iterdir())]
    assert info == {"class_names": sorted(SHAPE_CLASSES), "num_items": 16, "item_shape": [96, 96, 3]}
    names = []
    for xml in sorted((tmp_path / "a" / "annotations").iterdir()):
        root = ET.parse(xml).getroot()  # plain ElementTree, as a trainer would read it
        assert root.tag == "annotation" and root.findtext("folder") == "images"
        image = Image.open(tmp_path / "a" / "images" / root.findtext("filename"))
        width, height = int(root.findtext("size/width")), int(root.findtext("size/height"))
        assert image.size == (width, height) == (96, 96) and root.findtext("size/depth") == "3"
        [obj] = root.findall("object")
        names.append(obj.findtext("name"))
        xmin, ymin, xmax, ymax = (int(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax"))
        assert 1 <= xmin < xmax <= width and 1 <= ymin < ymax <= height
        # The shape is inside its box: the pixels just outside the box look like the background.
        pixels = np.asarray(image, dtype=np.float32)
        inside = pixels[ymin - 1:ymax, xmin - 1:xmax].reshape(-1, 3)
        assert (xmax - xmin) >= 8 and np.abs(inside - pixels[0, 0]).sum(axis=1).max() > 100
    assert sorted(set(names)) == sorted(SHAPE_CLASSES) and names.count("circle") == 4


def test_sample_photos_are_scikit_learns_two_jpegs(tmp_path):
    import sklearn.datasets

    from datasets.bundled import sample_photos_build

    info = sample_photos_build(tmp_path)
    source = Path(sklearn.datasets.__file__).parent / "images"
    for name in ("china", "flower"):
        assert (tmp_path / name / f"{name}.jpg").read_bytes() == (source / f"{name}.jpg").read_bytes()
    assert info == {"class_names": ["china", "flower"], "num_items": 2, "item_shape": [427, 640, 3]}


NEW_SETS = ["digits-28", "diabetes", "hanzi-fonts", "shapes-boxes", "sample-photos"]


def test_bootstrap_records_each_new_set_once_and_skips_it_when_present(db, settings, tmp_path):
    from datasets.models import Dataset
    from datasets.services import datasets_bootstrap

    settings.DATASET_ROOT = tmp_path
    first = datasets_bootstrap(only=NEW_SETS)
    assert [(d.slug, built) for d, built in first] == [(s, True) for s in NEW_SETS]
    rows = {d.slug: d for d in Dataset.objects.filter(slug__in=NEW_SETS)}
    expected = {
        "digits-28": ("image_folder", 1797, [28, 28, 1], 10),
        "diabetes": ("tabular", 442, [10], 0),
        "hanzi-fonts": ("image_folder", 300, [64, 64, 1], 2),
        "shapes-boxes": ("voc", 300, [96, 96, 3], 4),
        "sample-photos": ("image_folder", 2, [427, 640, 3], 2),
    }
    for slug, (fmt, items, shape, classes) in expected.items():
        row = rows[slug]
        assert (row.kind, row.format, row.num_items, row.item_shape, row.num_classes) == ("bundled", fmt, items, shape, classes)
        assert row.size_bytes == sum(p.stat().st_size for p in row.path.rglob("*") if p.is_file()) > 0
    assert [built for _d, built in datasets_bootstrap(only=NEW_SETS)] == [False] * len(NEW_SETS)


def test_bootstrap_skips_hanzi_fonts_with_a_warning_when_the_fonts_are_missing(db, settings, tmp_path, monkeypatch, caplog):
    from datasets import bundled
    from datasets.services import datasets_bootstrap

    settings.DATASET_ROOT = tmp_path
    monkeypatch.setattr(bundled, "HANZI_FONT_DIR", tmp_path / "no-fonts")
    monkeypatch.setattr(bundled, "BUNDLED", tuple(s for s in bundled.BUNDLED if s.slug in ("hanzi-fonts", "diabetes")))
    monkeypatch.setattr("datasets.services.BUNDLED", bundled.BUNDLED)
    assert [d.slug for d, _built in datasets_bootstrap()] == ["diabetes"]
    assert "fonts-arphic-ukai" in caplog.text
    assert not (tmp_path / "bundled" / ".hanzi-fonts.tmp").exists()
    with pytest.raises(bundled.BundledSourceMissing):
        datasets_bootstrap(only=["hanzi-fonts"])
