"""CIFAR-10 and CIFAR-100, python version (cifar-10-python.tar.gz, cifar-100-python.tar.gz).

The batches are Python pickles, and unpickling runs whatever the file tells it to call: one
GLOBAL opcode naming ``os.system`` is enough to run a command. ``_RestrictedUnpickler`` therefore
resolves only the few callables a pickled NumPy array needs (``_reconstruct``, ``dtype``,
``_frombuffer`` and, for pickles written by Python 3 with protocol 2, latin-1 ``_codecs.encode``),
each wrapped to refuse object arrays and absurd sizes. Any other global stops loading before it
is called, so a hostile file is refused without anything in it being executed. Everything else
in a CIFAR batch is plain dicts, lists, ints and bytes, which pickle builds without globals.
"""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from ..formats import npz_write
from .archive import SafeArchive
from .base import ImportLimits, ImportRefused, ImportResult, Progress

try:  # NumPy 2 moved the module; pickles written by NumPy 1 still name numpy.core
    from numpy._core.multiarray import _reconstruct as _np_reconstruct
    from numpy._core.numeric import _frombuffer as _np_frombuffer
except ImportError:  # pragma: no cover - NumPy 1
    from numpy.core.multiarray import _reconstruct as _np_reconstruct
    from numpy.core.numeric import _frombuffer as _np_frombuffer

_MAX_ELEMENTS = 400 * 1024 * 1024  # far above the 50000×3072 bytes of the largest CIFAR batch
_NDARRAY = object()  # what "numpy.ndarray" resolves to: usable only as _reconstruct's first argument


def _dtype(*args):
    dtype = np.dtype(*args)
    if dtype.hasobject:
        raise pickle.UnpicklingError("arrays of Python objects are not allowed")
    return dtype


def _shape_check(shape) -> None:
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape) or int(np.prod(shape, dtype=np.int64)) > _MAX_ELEMENTS:
        raise pickle.UnpicklingError("array shape is not acceptable")


def _reconstruct(subtype, shape, dtype):
    if subtype is not _NDARRAY:
        raise pickle.UnpicklingError("only plain NumPy arrays are allowed")
    _shape_check(shape)
    return _np_reconstruct(np.ndarray, shape, _dtype(dtype))


def _frombuffer(buffer, dtype, shape, order):
    _shape_check(shape)
    return _np_frombuffer(buffer, _dtype(dtype), shape, order)


def _latin1_encode(text, encoding="utf-8", errors="strict"):
    if not isinstance(text, str) or codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError("only latin-1 text may be turned into bytes")
    return text.encode("latin-1", errors)


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _dtype,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _latin1_encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed") from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("persistent ids are not allowed")


def pickle_load_restricted(data: bytes):
    # encoding="bytes": the CIFAR files were written by Python 2, whose str is bytes.
    return _RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()


def _batch_load(data: bytes, name: str, label: str) -> dict:
    try:
        batch = pickle_load_restricted(data)
    except Exception as exc:  # noqa: BLE001 — any failure means this is not a CIFAR batch
        raise ImportRefused(_("“%(name)s” in %(file)s is not a CIFAR batch that can be read safely (%(error)s); nothing in it was run or imported.")
                            % {"name": name, "file": label, "error": exc}) from None
    if not isinstance(batch, dict):
        raise ImportRefused(_("“%(name)s” in %(file)s is not a CIFAR batch (it holds no dictionary).") % {"name": name, "file": label})
    return {(k.decode("latin-1") if isinstance(k, bytes) else str(k)): v for k, v in batch.items()}


def _names(values, key: str, name: str, label: str) -> list[str]:
    if not isinstance(values, list) or not values or not all(isinstance(v, (bytes, str)) for v in values):
        raise ImportRefused(_("“%(name)s” in %(file)s has no list %(key)s.") % {"name": name, "file": label, "key": key})
    names = [(v.decode("utf-8", "replace") if isinstance(v, bytes) else v).strip()[:100] for v in values]
    if len(set(names)) != len(names):
        raise ImportRefused(_("%(key)s in “%(name)s” of %(file)s has repeated names.") % {"key": key, "name": name, "file": label})
    return names


def _images_labels(batch: dict, label_key: str, num_classes: int, name: str, label: str) -> tuple[np.ndarray, np.ndarray]:
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        shape = getattr(data, "shape", None)
        raise ImportRefused(_("“data” in “%(name)s” of %(file)s has shape %(shape)s; CIFAR images are (N, 3072) uint8.")
                            % {"name": name, "file": label, "shape": shape})
    try:
        y = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        y = np.zeros(0)
    if y.ndim != 1 or len(y) != len(data) or (len(y) and (y.min() < 0 or y.max() >= num_classes)):
        raise ImportRefused(_("“%(key)s” in “%(name)s” of %(file)s must be %(count)d labels between 0 and %(top)d.")
                            % {"key": label_key, "name": name, "file": label, "count": len(data), "top": num_classes - 1})
    # Rows are stored channel by channel (1024 red, 1024 green, 1024 blue): to (N, 32, 32, 3).
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y


def cifar_import(source: Path, out: Path, limits: ImportLimits, report: Progress, *, label: str) -> ImportResult:
    with SafeArchive(source, limits, label) as archive:
        by_base: dict[str, list] = {}
        for member in archive.members:
            by_base.setdefault(member.basename, []).append(member)
        if "data_batch_1" in by_base:
            variant, train, test, meta = 10, [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], "batches.meta"
        elif {"train", "test", "meta"} <= by_base.keys():
            variant, train, test, meta = 100, ["train"], ["test"], "meta"
        else:
            raise ImportRefused(_("%(file)s is not the python version of CIFAR-10 or CIFAR-100: it has neither data_batch_1 … data_batch_5, test_batch and batches.meta nor train, test and meta.")
                                % {"file": label})
        wanted = train + test + [meta]
        for base in wanted:
            if base not in by_base:
                raise ImportRefused(_("%(file)s lacks %(name)s, which CIFAR-%(variant)d needs.") % {"file": label, "name": base, "variant": variant})
            if len(by_base[base]) > 1:
                raise ImportRefused(_("%(file)s contains more than one %(name)s.") % {"file": label, "name": base})
        batches = {}
        for i, (member, data) in enumerate(archive.iter_read(by_base[b][0] for b in wanted)):
            batches[member.basename] = _batch_load(data, member.name, label)
            del data
            report(0.05 + 0.6 * (i + 1) / len(wanted))
    if variant == 10:
        class_names = _names(batches[meta].get("label_names"), "label_names", meta, label)
        coarse_names: list[str] = []
        label_key = "labels"
    else:
        class_names = _names(batches[meta].get("fine_label_names"), "fine_label_names", meta, label)
        coarse_names = _names(batches[meta].get("coarse_label_names"), "coarse_label_names", meta, label)
        label_key = "fine_labels"
    arrays: dict[str, np.ndarray] = {}
    for part, names in (("", train), ("_test", test)):
        pieces = [_images_labels(batches[n], label_key, len(class_names), n, label) for n in names]
        arrays[f"x{part}"] = np.concatenate([p[0] for p in pieces])
        arrays[f"y{part}"] = np.concatenate([p[1] for p in pieces])
        if coarse_names:
            coarse = [_images_labels(batches[n], "coarse_labels", len(coarse_names), n, label)[1] for n in names]
            arrays[f"y{part}_coarse"] = np.concatenate(coarse)
    if coarse_names:
        arrays["coarse_class_names"] = np.array(coarse_names, dtype=f"<U{max(map(len, coarse_names))}")
    report(0.75)
    out.mkdir(parents=True, exist_ok=True)
    # Stored, not deflated: 180 MB of photos barely compress and deflating them takes seconds.
    npz_write(out / "data.npz", arrays, compress=False)
    report(0.95)
    return ImportResult(format="npz", class_names=class_names, num_items=int(len(arrays["y"])), item_shape=[32, 32, 3])
