"""Importers of the standard data-set files users already have. Each one reads an upload that it
does not trust, writes a data set into an empty output folder and returns what it wrote; any
problem raises ImportRefused with a message for the person who uploaded the file."""

from __future__ import annotations

from pathlib import Path

from .base import ImportLimits, ImportRefused, ImportResult, Progress
from .cifar import cifar_import
from .class_folders import class_folders_import
from .keras_npz import FASHION_MNIST_CLASSES, MNIST_CLASSES, keras_npz_import
from .voc import voc_import

__all__ = ["ImportLimits", "ImportRefused", "ImportResult", "Progress", "import_build"]


def import_build(kind: str, source: Path, out: Path, limits: ImportLimits, report: Progress, *, label: str) -> ImportResult:
    """Import ``source`` (an upload of the given ImportJob kind) into the empty folder ``out``."""
    if kind == "mnist":
        return keras_npz_import(source, out, limits, report, label=label, class_names=MNIST_CLASSES)
    if kind == "fashion_mnist":
        return keras_npz_import(source, out, limits, report, label=label, class_names=FASHION_MNIST_CLASSES)
    if kind == "cifar":
        return cifar_import(source, out, limits, report, label=label)
    if kind == "image_folder":
        return class_folders_import(source, out, limits, report, label=label)
    if kind == "voc":
        return voc_import(source, out, limits, report, label=label)
    raise ValueError(f"unknown import kind {kind!r}")
