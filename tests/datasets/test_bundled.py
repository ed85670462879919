import hashlib

import numpy as np
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
