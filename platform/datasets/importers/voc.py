"""Images with PASCAL VOC annotations, from a .zip or .tar(.gz) archive.

Accepted layouts: the VOC devkit's ``…/JPEGImages/<id>.jpg`` with ``…/Annotations/<id>.xml``
(also ``images``/``annotations``, the layout of the bundled shapes-boxes set), or each XML file
next to its image with the same name (what LabelImg writes). Other devkit folders (ImageSets,
SegmentationClass, …) and images without an annotation are left out.

The result has the bundled layout: ``images/<id>.<ext>`` and ``annotations/<id>.xml``. Each
annotation is parsed, checked against its image (size, boxes inside it) and written again in
LabelImg's form with 1-based pixel boxes (see ``datasets.formats``); a 0 coordinate, which some
tools write, becomes 1.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..formats import VocObject, voc_xml
from .archive import Member, SafeArchive
from .base import ImportLimits, ImportRefused, ImportResult, Progress, file_write_new
from .class_folders import member_is_junk, shape_summary
from .images import IMAGE_SUFFIXES, MAX_IMAGE_BYTES, image_check

MAX_XML_BYTES = 1024 * 1024
_IMAGE_FOLDERS = ("JPEGImages", "images", "Images")


class VocAnnotation:
    def __init__(self, width: int, height: int, objects: list[tuple[str, float, float, float, float, bool, bool]], verified: bool = False):
        self.width, self.height, self.objects, self.verified = width, height, objects, verified


def _number(node, path: str, name: str, required: bool = True) -> float | None:
    text = node.findtext(path)
    if text is None or not text.strip():
        if required:
            raise ImportRefused(_("“%(name)s” has no <%(tag)s>.") % {"name": name, "tag": path.rsplit("/", 1)[-1]})
        return None
    try:
        return float(text)
    except ValueError:
        raise ImportRefused(_("<%(tag)s> in “%(name)s” is not a number: %(text)s") % {"tag": path.rsplit("/", 1)[-1], "name": name, "text": text.strip()[:40]}) from None


def voc_parse(data: bytes, name: str) -> VocAnnotation:
    """Read one annotation. XML with a DOCTYPE is refused: LabelImg and the VOC files never have
    one, and entity declarations are how XML bombs and external-file tricks work."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ImportRefused(_("“%(name)s” declares a DOCTYPE or entities, which VOC annotations never do; it was not read.") % {"name": name})
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ImportRefused(_("“%(name)s” is not well-formed XML (%(error)s).") % {"name": name, "error": exc}) from None
    if root.tag != "annotation":
        raise ImportRefused(_("“%(name)s” is not a VOC annotation: its root element is <%(tag)s>, not <annotation>.") % {"name": name, "tag": root.tag[:40]})
    width = int(_number(root, "size/width", name, required=False) or 0)
    height = int(_number(root, "size/height", name, required=False) or 0)
    objects = []
    for node in root.findall("object"):
        label = (node.findtext("name") or "").strip()
        if not label or len(label) > 100:
            raise ImportRefused(_("An object in “%(name)s” has no class name (or one longer than 100 characters).") % {"name": name})
        box = node.find("bndbox")
        if box is None:
            raise ImportRefused(_("The %(label)s object in “%(name)s” has no <bndbox>.") % {"label": label, "name": name})
        coords = [_number(box, key, name) for key in ("xmin", "ymin", "xmax", "ymax")]
        flags = [(node.findtext(key) or "0").strip() == "1" for key in ("difficult", "truncated")]
        objects.append((label, *coords, *flags))
    return VocAnnotation(width, height, objects, verified=root.get("verified") == "yes")


def _objects_checked(annotation: VocAnnotation, height: int, width: int, xml_name: str, image_name: str) -> list[VocObject]:
    if annotation.width and annotation.height and (annotation.width, annotation.height) != (width, height):
        raise ImportRefused(_("“%(xml)s” says its image is %(aw)d×%(ah)d pixels, but “%(image)s” is %(w)d×%(h)d.")
                            % {"xml": xml_name, "aw": annotation.width, "ah": annotation.height, "image": image_name, "w": width, "h": height})
    objects = []
    for label, x0, y0, x1, y1, difficult, truncated in annotation.objects:
        xmin, ymin, xmax, ymax = (int(round(v)) for v in (x0, y0, x1, y1))
        if xmin < 0 or ymin < 0 or xmax > width or ymax > height or xmin > xmax or ymin > ymax:
            raise ImportRefused(_("The %(label)s box (%(box)s) in “%(xml)s” is not inside its %(w)d×%(h)d image.")
                                % {"label": label, "box": f"{xmin}, {ymin}, {xmax}, {ymax}", "xml": xml_name, "w": width, "h": height})
        objects.append(VocObject(label, max(xmin, 1), max(ymin, 1), max(xmax, 1), max(ymax, 1), difficult, truncated))
    return objects


def _image_for(xml: Member, images: dict[tuple[tuple[str, ...], str], Member]) -> Member | None:
    folder, stem = xml.parts[:-1], xml.basename[: -len(".xml")]
    candidates = [folder]
    if folder and folder[-1].lower() == "annotations":
        candidates += [folder[:-1] + (name,) for name in _IMAGE_FOLDERS]
    for candidate in candidates:
        if (candidate, stem) in images:
            return images[(candidate, stem)]
    return None


def voc_import(source: Path, out: Path, limits: ImportLimits, report: Progress, *, label: str) -> ImportResult:
    with SafeArchive(source, limits, label) as archive:
        members = [m for m in archive.members if not member_is_junk(m)]
        images: dict[tuple[tuple[str, ...], str], Member] = {}
        for member in members:
            stem, dot, suffix = member.basename.rpartition(".")
            if dot and f".{suffix.lower()}" in IMAGE_SUFFIXES:
                images[(member.parts[:-1], stem)] = member
        xmls = [m for m in members if m.name.lower().endswith(".xml")]
        if not xmls:
            raise ImportRefused(_("%(file)s contains no VOC annotations (.xml files).") % {"file": label})
        pairs: dict[int, Member] = {}  # image member index -> its annotation
        stems: set[str] = set()
        for xml in xmls:
            image = _image_for(xml, images)
            if image is None:
                raise ImportRefused(_("“%(name)s” in %(file)s has no image with the same name next to it or in a JPEGImages folder.")
                                    % {"name": xml.name, "file": label})
            stem = xml.basename[: -len(".xml")]
            if stem in stems:
                raise ImportRefused(_("%(file)s has two annotations named %(stem)s.xml; the images' names must be unique.") % {"file": label, "stem": stem})
            stems.add(stem)
            pairs[image.index] = xml
        for xml in xmls:
            if xml.size > MAX_XML_BYTES:
                raise ImportRefused(_("“%(name)s” in %(file)s is too big for an annotation.") % {"name": xml.name, "file": label})
        wanted = [m for m in members if m.index in pairs] + xmls
        parsed: dict[str, tuple[VocAnnotation, str]] = {}
        sizes: dict[str, tuple[int, int, int]] = {}
        image_names: dict[str, str] = {}
        for done, (member, data) in enumerate(archive.iter_read(wanted, max_bytes=MAX_IMAGE_BYTES), start=1):
            if member.index in pairs:
                stem = pairs[member.index].basename[: -len(".xml")]
                sizes[stem] = image_check(data, member.name, limits)
                image_names[stem] = member.name
                file_write_new(out / "images" / (stem + Path(member.basename).suffix.lower()), data)
            else:
                parsed[member.basename[: -len(".xml")]] = (voc_parse(data, member.name), member.name)
            report(0.05 + 0.85 * done / len(wanted))
    names: Counter = Counter()
    for stem, (annotation, xml_name) in sorted(parsed.items()):
        height, width, channels = sizes[stem]
        objects = _objects_checked(annotation, height, width, xml_name, image_names[stem])
        names.update(o.name for o in objects)
        filename = stem + Path(image_names[stem]).suffix.lower()
        file_write_new(out / "annotations" / f"{stem}.xml",
                       voc_xml(folder="images", filename=filename, width=width, height=height, depth=channels, objects=objects))
    if not names:
        raise ImportRefused(_("The annotations in %(file)s contain no objects.") % {"file": label})
    unused = sum(1 for m in images.values() if m.index not in pairs)
    notes = [ngettext("%(n)d image without an annotation was left out.", "%(n)d images without an annotation were left out.", unused) % {"n": unused}] if unused else []
    return ImportResult(format="voc", class_names=sorted(names), num_items=len(parsed), item_shape=shape_summary(Counter(sizes.values())), notes=notes)
