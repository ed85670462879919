"""A data set's own train/validation split, and the class-folder pipelines that honour it.

Sets labelled in the browser carry the split the learner chose, as ``split.json`` at the root of
the data-set folder::

    {"version": 1, "seed": 123, "validation_fraction": 0.2, "validation": ["cat/0007-cat.jpg"]}

``validation`` lists image paths relative to the root for ``image_folder`` sets and annotation
stems (``annotations/<stem>.xml``) for ``voc`` sets; every image not listed is a training image.
Without the file the trainer splits with ``validation_split`` and the seed, as it always did.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import numpy as np

SPLIT_FILE = "split.json"
SPLIT_VERSION = 1
# What keras.utils.image_dataset_from_directory reads (compared lower-cased).
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def stored_split_load(root: Path, kind: str | None = None) -> set[str] | None:
    """The validation entries of ``root/split.json``; None when the set has no such file.

    ``kind`` is ``"image_folder"`` (entries are files under root) or ``"voc"`` (entries are
    annotation stems); None guesses it from the layout. A malformed file is a ValueError that
    says what is wrong: training on a split other than the one the learner chose would be silent."""
    root = Path(root)
    path = root / SPLIT_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{SPLIT_FILE} of the data set is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{SPLIT_FILE} of the data set is not a JSON object")
    version = data.get("version")
    if isinstance(version, bool) or version != SPLIT_VERSION:
        raise ValueError(f"{SPLIT_FILE} of the data set has version {version!r}; this trainer reads version {SPLIT_VERSION}")
    entries = data.get("validation")
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise ValueError(f"{SPLIT_FILE} of the data set needs \"validation\": a list of strings")
    if kind is None:
        kind = "voc" if (root / "annotations").is_dir() and (root / "images").is_dir() else "image_folder"
    missing = [entry for entry in entries if not _entry_exists(root, entry, kind)]
    if missing:
        shown = ", ".join(repr(entry) for entry in missing[:3]) + (", …" if len(missing) > 3 else "")
        what = "annotation stems with no annotations/<stem>.xml" if kind == "voc" else "files that are not in the data set"
        raise ValueError(f"{SPLIT_FILE} of the data set lists {len(missing)} validation {what}: {shown}")
    return set(entries)


def _entry_exists(root: Path, entry: str, kind: str) -> bool:
    parts = PurePosixPath(entry).parts
    # Only names inside the set count: an absolute path or "..", even to a real file, is not one.
    if not entry or entry.startswith("/") or "\\" in entry or ".." in parts:
        return False
    if kind == "voc":
        return len(parts) == 1 and (root / "annotations" / f"{entry}.xml").is_file()
    return (root / entry).is_file()


def stored_split_indices(names: list[str], validation: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation) positions in ``names``, in the order of ``names``. Listed entries
    that are not in ``names`` (a class the lab leaves out, an image the loader skipped) are
    simply not used."""
    val_idx = np.array([i for i, name in enumerate(names) if name in validation], dtype=np.int64)
    train_idx = np.array([i for i, name in enumerate(names) if name not in validation], dtype=np.int64)
    if len(val_idx) == 0:
        raise ValueError(f"the data set's stored split ({SPLIT_FILE}) puts none of its {len(names)} usable images in validation")
    if len(train_idx) == 0:
        raise ValueError(f"the data set's stored split ({SPLIT_FILE}) puts all {len(names)} usable images in validation, none in training")
    return train_idx, val_idx


def image_folder_files(root: Path, class_names: list[str] | None) -> tuple[list[str], list[int], list[str]]:
    """(files relative to root, class indices, class names), listed the way
    ``image_dataset_from_directory`` lists them, so that a stored split and the computed one see
    the same images with the same labels."""
    root = Path(root)
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if class_names:
        absent = [name for name in class_names if name not in folders]
        if absent:
            raise ValueError(f"the data set has no folder for the classes {absent} (its folders: {folders})")
        folders = list(class_names)
    files, labels = [], []
    for index, name in enumerate(folders):
        for dirpath, _dirs, filenames in sorted(os.walk(root / name), key=lambda walked: walked[0]):
            for filename in sorted(filenames):
                if filename.lower().endswith(IMAGE_SUFFIXES):
                    files.append((Path(dirpath) / filename).relative_to(root).as_posix())
                    labels.append(index)
    return files, labels, folders


def _files_dataset(root: Path, files: list[str], labels: list[int], image_size: tuple[int, int], channels: int, batch_size: int, tf):
    """Batches of (float32 images, int32 labels) shaped as image_dataset_from_directory's."""
    paths = tf.constant([str(root / file) for file in files])
    ds = tf.data.Dataset.from_tensor_slices((paths, tf.constant(labels, dtype=tf.int32)))

    def load(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
        image = tf.image.resize(image, image_size, method="bilinear")
        image.set_shape((image_size[0], image_size[1], channels))
        return image, label

    # map keeps the element order (deterministic by default) even with parallel calls.
    return ds.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size)


def image_folder_datasets(root: Path, class_names: list[str] | None, image_size: tuple[int, int], channels: int, batch_size: int,
                          validation_split: float, seed: int, tf, keras) -> tuple[object, object, dict]:
    """(train_ds, val_ds, info) of a class-folder set, batched, not yet cached or shuffled.

    With a ``split.json`` the validation images are the listed ones and ``validation_split`` is
    not used; without one, ``image_dataset_from_directory`` splits as before. ``info`` has
    ``stored_split``, ``class_names`` and the item counts ``train_items`` and ``val_items``."""
    root = Path(root)
    validation = stored_split_load(root, "image_folder") if root.is_dir() else None
    if validation is None:
        train_ds, val_ds = keras.utils.image_dataset_from_directory(
            str(root),
            validation_split=validation_split,
            subset="both",
            seed=seed,
            image_size=tuple(image_size),
            batch_size=batch_size,
            color_mode="rgb" if channels == 3 else "grayscale",
            class_names=class_names or None,
        )
        return train_ds, val_ds, {"stored_split": False, "class_names": list(train_ds.class_names),
                                  "train_items": len(train_ds.file_paths), "val_items": len(val_ds.file_paths)}
    files, labels, names = image_folder_files(root, class_names)
    # Sorted listing, then one seeded permutation (as image_dataset_from_directory does): the
    # order is the same every run, and a batch mixes classes — the per-epoch shuffle after the
    # cache moves whole batches, so class-sorted files would make one-class batches.
    order = np.random.RandomState(seed).permutation(len(files))
    files = [files[i] for i in order]
    labels = [labels[i] for i in order]
    train_idx, val_idx = stored_split_indices(files, validation)
    train_ds = _files_dataset(root, [files[i] for i in train_idx], [labels[i] for i in train_idx], tuple(image_size), channels, batch_size, tf)
    val_ds = _files_dataset(root, [files[i] for i in val_idx], [labels[i] for i in val_idx], tuple(image_size), channels, batch_size, tf)
    return train_ds, val_ds, {"stored_split": True, "class_names": names, "train_items": len(train_idx), "val_items": len(val_idx)}
