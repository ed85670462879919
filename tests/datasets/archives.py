"""Small valid and hostile data-set files, built in memory for the import tests."""

from __future__ import annotations

import io
import pickle
import tarfile
import zipfile

import numpy as np
from PIL import Image

from datasets.formats import VocObject, voc_xml


def png_bytes(size: tuple[int, int] = (12, 10), colour=(200, 30, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else colour[0]).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (40, 30), colour=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.putpixel((3, 3), (255, 255, 255))
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_with_symlink(name: str, target: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cats/a.png", png_bytes())
        archive.writestr("dogs/b.png", png_bytes())
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o120777) << 16  # S_IFLNK
        archive.writestr(info, target)
    return buffer.getvalue()


def tar_bytes(entries: dict[str, bytes], *, mode: str = "w:gz", links: dict[str, tuple[bytes, str]] | None = None) -> bytes:
    """``links``: name -> (tarfile.SYMTYPE or LNKTYPE, target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
        for name, (kind, target) in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def class_folder_entries(prefix: str = "", per_class: int = 3) -> dict[str, bytes]:
    entries = {}
    for cls, colour in (("cats", (200, 30, 30)), ("dogs", (30, 200, 30))):
        for i in range(per_class):
            entries[f"{prefix}{cls}/{i}.png"] = png_bytes(colour=colour)
    return entries


def npz_bytes(arrays: dict[str, np.ndarray], allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, array in arrays.items():
            with archive.open(f"{key}.npy", "w") as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=allow_pickle)
    return buffer.getvalue()


def mnist_arrays(n_train: int = 20, n_test: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }


def cifar_archive(variant: int = 10, *, per_batch: int = 4, protocol: int = 2, replace: dict[str, bytes] | None = None) -> bytes:
    """A CIFAR python archive in the real layout, with tiny batches. Keys are bytes, like the
    Python 2 originals read with encoding="bytes"."""
    rng = np.random.default_rng(variant)

    def batch(n: int, **labels) -> bytes:
        content = {b"batch_label": b"batch", b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                   b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
        content.update({k.encode(): v for k, v in labels.items()})
        return pickle.dumps(content, protocol=protocol)

    if variant == 10:
        folder = "cifar-10-batches-py"
        entries = {f"{folder}/data_batch_{i}": batch(per_batch, labels=[int(v) for v in rng.integers(0, 10, per_batch)]) for i in range(1, 6)}
        entries[f"{folder}/test_batch"] = batch(per_batch, labels=list(range(per_batch)))
        names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
        entries[f"{folder}/batches.meta"] = pickle.dumps({b"label_names": names, b"num_vis": 3072}, protocol=protocol)
        entries[f"{folder}/readme.html"] = b"<html></html>"
    else:
        folder = "cifar-100-python"
        entries = {}
        for part, n in (("train", per_batch * 2), ("test", per_batch)):
            entries[f"{folder}/{part}"] = batch(n, fine_labels=[int(v) for v in rng.integers(0, 100, n)],
                                                coarse_labels=[int(v) for v in rng.integers(0, 20, n)])
        entries[f"{folder}/meta"] = pickle.dumps({b"fine_label_names": [f"fine{i}".encode() for i in range(100)],
                                                  b"coarse_label_names": [f"coarse{i}".encode() for i in range(20)]}, protocol=protocol)
    for name, data in (replace or {}).items():
        entries[f"{folder}/{name}"] = data
    return tar_bytes(entries)


def voc_entries(layout: str = "devkit", count: int = 3) -> dict[str, bytes]:
    """VOC files: 'devkit' (VOCdevkit/VOC2007/JPEGImages + Annotations + ImageSets) or 'side'
    (image and xml next to each other, as LabelImg saves them)."""
    entries = {}
    for i in range(count):
        stem = f"{i:06d}"
        name = ("dog", "cat")[i % 2]
        xml = voc_xml(folder="JPEGImages", filename=f"{stem}.jpg", width=40, height=30, depth=3,
                      objects=[VocObject(name, 2, 3, 20 + i, 25), VocObject("person", 1, 1, 40, 30)])
        if layout == "devkit":
            entries[f"VOCdevkit/VOC2007/JPEGImages/{stem}.jpg"] = jpeg_bytes()
            entries[f"VOCdevkit/VOC2007/Annotations/{stem}.xml"] = xml
        else:
            entries[f"labelled/{stem}.jpg"] = jpeg_bytes()
            entries[f"labelled/{stem}.xml"] = xml
    if layout == "devkit":
        entries["VOCdevkit/VOC2007/ImageSets/Main/train.txt"] = b"000000\n000001\n"
        entries["VOCdevkit/VOC2007/JPEGImages/999999.jpg"] = jpeg_bytes()  # no annotation: left out
    return entries


def py2_cifar_batch(data: np.ndarray, labels: list[int]) -> bytes:
    """A CIFAR batch byte for byte as Python 2's cPickle (protocol 2) wrote the real files: str
    as BINSTRING, the array through numpy.core.multiarray._reconstruct. Python 3 cannot write
    this, so the opcodes are spelled out."""
    import struct

    assert data.dtype == np.uint8 and data.shape[1] == 3072 and len(data) < 256 and max(labels) < 256
    raw = data.tobytes()
    out = b"\x80\x02}("
    out += b"U\x04data"
    out += b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01b\x87R"
    out += b"(K\x01K" + bytes([len(data)]) + b"M\x00\x0c\x86" + b"cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R"
    out += b"(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    out += b"\x89T" + struct.pack("<I", len(raw)) + raw + b"tb"
    out += b"U\x06labels](" + b"".join(b"K" + bytes([v]) for v in labels) + b"e"
    out += b"U\x0bbatch_labelU\x05batchu."
    return out


def tar_gz_with_huge_pax_header(size: int = 40 * 1024 * 1024) -> bytes:
    """A forged pax header that claims to be ``size`` bytes long (tarfile would read it in one go)."""
    import gzip

    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = size
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1) as stream:
        stream.write(info.tobuf(format=tarfile.USTAR_FORMAT))
        for _ in range(size // (1024 * 1024)):
            stream.write(bytes(1024 * 1024))
        stream.write(bytes(1024))
    return buffer.getvalue()
