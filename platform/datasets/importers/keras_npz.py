"""Keras' ``mnist.npz`` and Fashion-MNIST in the same layout: x_train, y_train, x_test, y_test."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from ..formats import npz_write
from .archive import SafeArchive
from .base import ImportLimits, ImportRefused, ImportResult, Progress

MNIST_CLASSES = [str(i) for i in range(10)]
FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _array_read(data: bytes, key: str, label: str) -> np.ndarray:
    """Read one .npy after checking its header, so a forged shape cannot make NumPy allocate
    more memory than the file holds, and object arrays (pickles) are never loaded."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = header(stream)
    except Exception as exc:  # noqa: BLE001 — NumPy raises ValueError and others for a bad header
        raise ImportRefused(_("%(key)s in %(file)s is not a NumPy array (%(error)s).") % {"key": key, "file": label, "error": exc}) from None
    if dtype.hasobject:
        raise ImportRefused(_("%(key)s in %(file)s holds Python objects; only numbers can be imported.") % {"key": key, "file": label})
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected != len(data) - stream.tell():
        raise ImportRefused(_("%(key)s in %(file)s says it has shape %(shape)s but holds a different amount of data; the file is damaged.")
                            % {"key": key, "file": label, "shape": tuple(shape)})
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


def keras_npz_import(source: Path, out: Path, limits: ImportLimits, report: Progress, *, label: str, class_names: list[str]) -> ImportResult:
    with SafeArchive(source, limits, label) as archive:
        by_key = {m.name.removesuffix(".npy"): m for m in archive.members if m.name.endswith(".npy")}
        missing = [k for k in _KEYS if k not in by_key]
        if missing:
            raise ImportRefused(_("%(file)s is not in the Keras MNIST layout: it lacks %(missing)s (it needs x_train, y_train, x_test and y_test).")
                                % {"file": label, "missing": ", ".join(missing)})
        arrays = {}
        for i, (member, data) in enumerate(archive.iter_read(by_key[k] for k in _KEYS)):
            key = member.name.removesuffix(".npy")
            arrays[key] = _array_read(data, key, label)
            report(0.1 + 0.6 * (i + 1) / len(_KEYS))
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.dtype != np.uint8 or not (x.ndim == 3 or (x.ndim == 4 and x.shape[3] == 1)) or x.shape[1:3] != (28, 28):
            raise ImportRefused(_("x_%(part)s in %(file)s has shape %(shape)s and type %(dtype)s; MNIST images are (N, 28, 28) uint8.")
                                % {"part": part, "file": label, "shape": tuple(x.shape), "dtype": x.dtype})
        if y.ndim != 1 or y.dtype.kind not in "iu":
            raise ImportRefused(_("y_%(part)s in %(file)s has shape %(shape)s and type %(dtype)s; MNIST labels are (N,) integers.")
                                % {"part": part, "file": label, "shape": tuple(y.shape), "dtype": y.dtype})
        if len(x) != len(y):
            raise ImportRefused(_("%(file)s has %(images)d images but %(labels)d labels in its %(part)s part.")
                                % {"file": label, "images": len(x), "labels": len(y), "part": part})
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= len(class_names)):
            raise ImportRefused(_("y_%(part)s in %(file)s has labels outside 0–%(top)d.") % {"part": part, "file": label, "top": len(class_names) - 1})
    if len(arrays["x_train"]) == 0:
        raise ImportRefused(_("%(file)s has no training images.") % {"file": label})
    out.mkdir(parents=True, exist_ok=True)
    npz_write(out / "data.npz", {
        "x": arrays["x_train"].reshape(-1, 28, 28, 1),
        "y": arrays["y_train"].astype(np.int64),
        "x_test": arrays["x_test"].reshape(-1, 28, 28, 1),
        "y_test": arrays["y_test"].astype(np.int64),
    })
    report(0.95)
    return ImportResult(format="npz", class_names=list(class_names), num_items=int(len(arrays["x_train"])), item_shape=[28, 28, 1])
