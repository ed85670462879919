"""On-disk formats shared by the bundled builders and the importers (pure Python, no Django).

``npz_write`` writes a NumPy ``.npz`` whose bytes depend only on the arrays: ``np.savez`` stamps
every member with the current time, which would give a rebuilt data set a new content hash and
so a new snapshot although nothing changed.

``voc_xml`` writes one PASCAL VOC annotation the way LabelImg does (same elements, tab indent, no
XML declaration). Boxes are in pixels, **1-based and inclusive** like the original VOC data: a
box covering 0-based pixel columns 10..29 is written xmin=11, xmax=30. In 0-based half-open terms
a box is ``[xmin - 1, xmax) × [ymin - 1, ymax)``.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def npz_write(path: Path, arrays: dict[str, np.ndarray], *, compress: bool = True) -> None:
    """Write ``arrays`` like ``np.savez[_compressed]``, but byte-for-byte reproducibly."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_EPOCH)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


@dataclass(frozen=True)
class VocObject:
    name: str
    xmin: int
    ymin: int
    xmax: int
    ymax: int
    difficult: bool = False
    truncated: bool = False


def voc_box_from_extent(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> tuple[int, int, int, int]:
    """The 1-based inclusive pixel box that covers the continuous extent [x0, x1] × [y0, y1]."""
    xmin = min(max(math.floor(x0) + 1, 1), width)
    ymin = min(max(math.floor(y0) + 1, 1), height)
    xmax = min(max(math.ceil(x1), xmin), width)
    ymax = min(max(math.ceil(y1), ymin), height)
    return xmin, ymin, xmax, ymax


def voc_xml(*, folder: str, filename: str, width: int, height: int, depth: int, objects: list[VocObject],
            verified: bool = False) -> bytes:
    """``verified`` marks the image as checked by a person, as LabelImg's verify button does."""
    root = ET.Element("annotation", verified="yes") if verified else ET.Element("annotation")
    ET.SubElement(root, "folder").text = folder
    ET.SubElement(root, "filename").text = filename
    # LabelImg writes the absolute path of the image on the labeller's machine; a path relative
    # to the data set keeps the file the same wherever the set lives.
    ET.SubElement(root, "path").text = f"{folder}/{filename}"
    ET.SubElement(ET.SubElement(root, "source"), "database").text = "Unknown"
    size = ET.SubElement(root, "size")
    ET.SubElement(size, "width").text = str(width)
    ET.SubElement(size, "height").text = str(height)
    ET.SubElement(size, "depth").text = str(depth)
    ET.SubElement(root, "segmented").text = "0"
    for obj in objects:
        node = ET.SubElement(root, "object")
        ET.SubElement(node, "name").text = obj.name
        ET.SubElement(node, "pose").text = "Unspecified"
        ET.SubElement(node, "truncated").text = "1" if obj.truncated else "0"
        ET.SubElement(node, "difficult").text = "1" if obj.difficult else "0"
        box = ET.SubElement(node, "bndbox")
        for key in ("xmin", "ymin", "xmax", "ymax"):
            ET.SubElement(box, key).text = str(getattr(obj, key))
    ET.indent(root, space="\t")
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
