"""Labeled image sets in and out of three standard archive layouts (pure Python and Pillow).

Coordinates. A :class:`Box` is in image pixels, 0-based and half-open: it covers columns
``x0 .. x1-1`` and rows ``y0 .. y1-1``, so a box over the whole image is ``(0, 0, width, height)``.
COCO's ``bbox`` is ``[x0, y0, x1 - x0, y1 - y0]`` in the same terms. VOC is 1-based and inclusive
(``xmin = x0 + 1, xmax = x1``, see ``datasets.formats``); reading it back rounds, and a 0 that
some tools write for the first pixel stays 0.

Layouts, all under one top folder named after the set:

* ``class_folders``: ``<class folder>/<image>`` (what ``keras.utils.image_dataset_from_directory``
  reads), ``classes.csv`` (``folder,class``: the exact class names, in order, since a class name
  may not be a valid folder name) and ``splits.csv`` (``path,split``). Unlabeled images are left
  out; "verified" cannot be written in this layout.
* ``voc``: ``JPEGImages/<image>``, ``Annotations/<stem>.xml`` in LabelImg's form (``verified="yes"``
  on the root for verified images), ``ImageSets/Main/{train,val}.txt`` and ``labels.txt`` (every
  class in order, also those without boxes).
* ``coco``: ``images/<image>`` and ``annotations.json``, with the splits and verified flags in the
  non-standard image keys ``dlc_split`` and ``dlc_verified``.

Reading also takes archives made elsewhere. ``auto`` picks COCO when there is an
``annotations.json`` or ``instances_*.json``, else VOC when there is any ``.xml`` (devkit,
``images``/``annotations`` or each XML beside its image), else class folders when there is a
``classes.csv`` or the images sit in two or more class folders, else ``images``: every image,
unlabeled (a plain archive of photos).

Reading trusts nothing: the archive goes through :class:`SafeArchive`, each side file has a size
limit, and a structural problem refuses the import with a message naming the file. Image bytes
are handed on unchecked: the caller decodes them and clips the boxes to the real image size.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from datasets.formats import VocObject, voc_xml
from datasets.importers.archive import Member, SafeArchive
from datasets.importers.base import ImportLimits, ImportRefused, Progress
from datasets.importers.class_folders import common_folder, member_is_image, member_is_junk
from datasets.importers.images import MAX_IMAGE_BYTES
from datasets.importers.voc import MAX_XML_BYTES, _image_for, voc_parse

EXPORT_FORMATS = ("class_folders", "voc", "coco")
IMPORT_FORMATS = ("auto", "images", *EXPORT_FORMATS)
SPLITS = ("train", "val")
MAX_CLASS_NAME = 100  # what voc_parse allows
MAX_JSON_BYTES = 50 * 1024 * 1024
_MAX_TEXT_BYTES = 4 * 1024 * 1024  # classes.csv, splits.csv, labels.txt, ImageSets lists
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNSAFE_IN_FOLDER = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# Windows device names, and names the class-folder layout or member_is_junk already use.
_RESERVED_FOLDER = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?|classes\.csv|splits\.csv|__macosx", re.IGNORECASE)
# Masks in the VOC devkit are PNGs next to the photos; they are not images of the set.
_VOC_MASK_FOLDERS = {"SegmentationClass", "SegmentationObject"}


@dataclass(frozen=True)
class Box:
    """Pixels, 0-based, half-open: columns x0 .. x1-1 and rows y0 .. y1-1."""

    label: str
    x0: int
    y0: int
    x1: int
    y1: int


@dataclass
class ExportImage:
    name: str  # file name in the export, unique (stem too, ignoring case), e.g. "0007-cat.jpg"
    path: Path  # the stored PNG or JPEG, copied as it is
    width: int
    height: int
    depth: int  # 1 or 3
    label: str | None  # the image's class (classification); None: not labeled
    boxes: list[Box]
    split: str  # "train", "val" or "" (not assigned)
    verified: bool


@dataclass
class ExportSummary:
    images: int
    boxes: int
    left_out: int  # images not written (unlabeled ones in class folders)
    notes: list[str]


@dataclass
class ImportedImage:
    name: str  # the member's path in the archive, for messages
    data: bytes  # not checked here: the caller decodes it
    label: str | None
    boxes: list[Box]  # as written, possibly outside the image: the caller clips them
    size: tuple[int, int] | None  # (width, height) the annotation declares
    split: str
    verified: bool


# --- writing ------------------------------------------------------------------------------------

def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", title).strip("-_")[:60] or "dataset"


def class_folder_names(class_names: list[str]) -> dict[str, str]:
    """A folder name for each class that every file system and unzip tool accepts, unique even on
    case-insensitive file systems."""
    folders: dict[str, str] = {}
    used: set[str] = set()
    for name in class_names:
        # 100 UTF-8 bytes stay well inside the 255 a file name may have.
        base = _UNSAFE_IN_FOLDER.sub("_", name).strip(" .").encode()[:100].decode("utf-8", "ignore").strip(" .") or "class"
        folder, n = base, 1
        while folder.lower() in used or _RESERVED_FOLDER.fullmatch(folder):
            n += 1
            folder = f"{base}-{n}"
        used.add(folder.lower())
        folders[name] = folder
    return folders


def _zip_info(name: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    return info


def _put_file(archive: zipfile.ZipFile, name: str, path: Path) -> None:
    info = _zip_info(name, zipfile.ZIP_STORED)  # PNG and JPEG are compressed already
    info.file_size = path.stat().st_size  # lets zipfile choose zip64 up front for a huge file
    with open(path, "rb") as source, archive.open(info, "w") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)


def _put_text(archive: zipfile.ZipFile, name: str, text: str | bytes) -> None:
    archive.writestr(_zip_info(name, zipfile.ZIP_DEFLATED), text.encode() if isinstance(text, str) else text)


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _checked(images: Iterable[ExportImage], class_names: list[str], total: int, report: Progress) -> Iterator[ExportImage]:
    """The images, with progress, refusing names that would clash or leave their folder and
    labels that are not classes: both are the caller's mistakes, not the user's."""
    names: set[str] = set()
    stems: set[str] = set()
    for done, image in enumerate(images, start=1):
        name, stem = image.name.casefold(), Path(image.name).stem.casefold()  # unzipping on macOS or Windows ignores case
        if not name or name.startswith(".") or "/" in name or "\\" in name or name in names or stem in stems:
            raise ValueError(f"export image name {image.name!r} is not a plain, unique file name")
        for label in {image.label, *(b.label for b in image.boxes)} - {None}:
            if label not in class_names:
                raise ValueError(f"label {label!r} of {image.name!r} is not one of the export's classes")
        names.add(name)
        stems.add(stem)
        yield image
        report(min(done / max(total, 1), 1.0))


def _write_class_folders(archive: zipfile.ZipFile, root: str, class_names: list[str], images: Iterator[ExportImage], summary: ExportSummary) -> None:
    folders = class_folder_names(class_names)
    splits = []
    for image in images:
        if image.label is None:
            summary.left_out += 1
            continue
        path = f"{folders[image.label]}/{image.name}"
        _put_file(archive, f"{root}/{path}", image.path)
        summary.images += 1
        if image.split:
            splits.append([path, image.split])
    _put_text(archive, f"{root}/classes.csv", _csv_text(["folder", "class"], [[folders[c], c] for c in class_names]))
    if splits:
        _put_text(archive, f"{root}/splits.csv", _csv_text(["path", "split"], splits))
    if summary.left_out:
        summary.notes.append(ngettext("%(n)d unlabeled image was left out.", "%(n)d unlabeled images were left out.", summary.left_out)
                             % {"n": summary.left_out})


def _write_voc(archive: zipfile.ZipFile, root: str, class_names: list[str], images: Iterator[ExportImage], summary: ExportSummary) -> None:
    splits: dict[str, list[str]] = {split: [] for split in SPLITS}
    for image in images:
        stem = Path(image.name).stem
        objects = [VocObject(b.label, b.x0 + 1, b.y0 + 1, b.x1, b.y1) for b in image.boxes]
        _put_file(archive, f"{root}/JPEGImages/{image.name}", image.path)
        _put_text(archive, f"{root}/Annotations/{stem}.xml",
                  voc_xml(folder="JPEGImages", filename=image.name, width=image.width, height=image.height, depth=image.depth,
                          objects=objects, verified=image.verified))
        summary.images += 1
        summary.boxes += len(objects)
        if image.split in splits:
            splits[image.split].append(stem)
    for split, stems in splits.items():
        if stems:
            _put_text(archive, f"{root}/ImageSets/Main/{split}.txt", "".join(f"{s}\n" for s in stems))
    _put_text(archive, f"{root}/labels.txt", "".join(f"{c}\n" for c in class_names))


def _write_coco(archive: zipfile.ZipFile, root: str, class_names: list[str], images: Iterator[ExportImage], summary: ExportSummary,
                title: str) -> None:
    entries, annotations = [], []
    category = {name: i + 1 for i, name in enumerate(class_names)}
    for image_id, image in enumerate(images, start=1):
        _put_file(archive, f"{root}/images/{image.name}", image.path)
        entries.append({"id": image_id, "file_name": image.name, "width": image.width, "height": image.height,
                        "dlc_split": image.split, "dlc_verified": image.verified})
        for box in image.boxes:
            width, height = box.x1 - box.x0, box.y1 - box.y0
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category[box.label],
                                "bbox": [box.x0, box.y0, width, height], "area": width * height, "iscrowd": 0, "segmentation": []})
        summary.images += 1
    summary.boxes = len(annotations)
    document = {"info": {"description": title, "version": "1.0", "year": datetime.date.today().year}, "licenses": [],
                "categories": [{"id": i + 1, "name": name, "supercategory": ""} for i, name in enumerate(class_names)],
                "images": entries, "annotations": annotations}
    _put_text(archive, f"{root}/annotations.json", json.dumps(document, ensure_ascii=False))


def export_write(fmt: str, out_zip: Path, *, title: str, class_names: list[str], images: Iterable[ExportImage], total: int,
                 report: Progress) -> ExportSummary:
    """Write ``images`` as a .zip in the layout ``fmt``; the same input gives the same bytes
    (COCO's ``info.year`` aside). ``images`` is read once, one file at a time."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    root, summary = _slug(title), ExportSummary(images=0, boxes=0, left_out=0, notes=[])
    checked = _checked(images, class_names, total, report)
    try:
        with zipfile.ZipFile(out_zip, "w") as archive:
            if fmt == "class_folders":
                _write_class_folders(archive, root, class_names, checked, summary)
            elif fmt == "voc":
                _write_voc(archive, root, class_names, checked, summary)
            else:
                _write_coco(archive, root, class_names, checked, summary, title)
    except BaseException:
        Path(out_zip).unlink(missing_ok=True)  # never leave half an archive that looks complete
        raise
    report(1.0)
    return summary


# --- reading ------------------------------------------------------------------------------------

# What a format's reader found: class names in order, the images to read by member index, notes.
_Plan = tuple[list[str], dict[int, ImportedImage], list[str]]


class ArchiveContents:
    """An opened archive and what it holds; :meth:`items` reads the images one by one."""

    def __init__(self, archive: SafeArchive, fmt: str, class_names: list[str], plan: dict[int, ImportedImage], notes: list[str]):
        self._archive, self._plan = archive, plan
        self._members = [m for m in archive.members if m.index in plan]
        self.format, self.class_names, self.notes, self.total = fmt, class_names, notes, len(plan)

    def items(self, report: Progress) -> Iterator[ImportedImage]:
        for done, (member, data) in enumerate(self._archive.iter_read(self._members, max_bytes=MAX_IMAGE_BYTES), start=1):
            yield replace(self._plan[member.index], data=data)
            report(done / self.total)

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _unlabeled(member: Member, split: str = "") -> ImportedImage:
    return ImportedImage(name=member.name, data=b"", label=None, boxes=[], size=None, split=split, verified=False)


def _text(archive: SafeArchive, member: Member) -> str:
    try:
        return archive.read(member, max_bytes=_MAX_TEXT_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("“%(name)s” in %(file)s is not UTF-8 text.") % {"name": member.name, "file": archive.label}) from None


def _csv_rows(archive: SafeArchive, member: Member, header: list[str]) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(_text(archive, member))))
    except csv.Error:  # a field over csv.field_size_limit(), a NUL
        rows = []
    if not rows or [c.strip().lower() for c in rows[0]] != header or any(len(row) != len(header) for row in rows[1:]):
        raise ImportRefused(_("“%(name)s” in %(file)s is not a table with the columns %(columns)s.")
                            % {"name": member.name, "file": archive.label, "columns": ", ".join(header)})
    return rows[1:]


def _class_name_checked(name: str, where: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_CLASS_NAME:
        raise ImportRefused(_("A class name in “%(name)s” is empty or longer than %(limit)d characters.") % {"name": where, "limit": MAX_CLASS_NAME})
    return name


def _shallowest(members: list[Member], basename: str) -> Member | None:
    found = [m for m in members if m.basename.lower() == basename]
    return min(found, key=lambda m: len(m.parts)) if found else None


def _left_out_note(count: int) -> list[str]:
    return [ngettext("%(n)d file that is not an image was left out.", "%(n)d files that are not images were left out.", count) % {"n": count}] if count else []


def _class_root(members: list[Member], images: list[Member]) -> tuple[str, ...]:
    """The folder whose subfolders are the classes: where classes.csv is, else as class_folders.py finds it."""
    table = _shallowest(members, "classes.csv")
    if table is not None:
        return table.parts[:-1]
    prefix = common_folder([m.parts for m in images])
    if all(len(m.parts) - 1 == len(prefix) for m in images):
        prefix = prefix[:-1]  # all images in one folder: that folder is the (only) class
    return prefix


def _class_folder_of(member: Member, root: tuple[str, ...]) -> str | None:
    return member.parts[len(root)] if member.parts[:len(root)] == root and len(member.parts) - len(root) >= 2 else None


def _plan_class_folders(archive: SafeArchive, members: list[Member], images: list[Member]) -> _Plan:
    root = _class_root(members, images)
    table, split_table = (next((m for m in members if m.parts == (*root, name)), None) for name in ("classes.csv", "splits.csv"))
    classes: dict[str, str] = {}
    if table is not None:
        for folder, name in _csv_rows(archive, table, ["folder", "class"]):
            classes[folder.strip()] = _class_name_checked(name, table.name)
    splits = {}
    if split_table is not None:
        splits = {path.strip(): split.strip() for path, split in _csv_rows(archive, split_table, ["path", "split"]) if split.strip() in SPLITS}
    plan = {}
    for member in images:
        folder = _class_folder_of(member, root)
        if folder is None:
            raise ImportRefused(_("“%(name)s” in %(file)s is not inside a class folder. Put each class's images in a folder named after the class.")
                                % {"name": member.name, "file": archive.label})
        label = classes.get(folder) or _class_name_checked(folder, member.name)
        plan[member.index] = replace(_unlabeled(member, splits.get("/".join(member.parts[len(root):]), "")), label=label)
    listed = list(dict.fromkeys(classes.values()))
    class_names = listed + sorted({p.label for p in plan.values()} - set(listed))
    return class_names, plan, _left_out_note(len(members) - len(images) - (table is not None) - (split_table is not None))


def _voc_box(obj: tuple, xml_name: str) -> Box:
    label, *coords = obj[:5]
    if not all(math.isfinite(v) for v in coords):
        raise ImportRefused(_("The %(label)s box in “%(name)s” has a coordinate that is not a finite number.") % {"label": label, "name": xml_name})
    xmin, ymin, xmax, ymax = (round(v) for v in coords)
    return Box(label, max(xmin - 1, 0), max(ymin - 1, 0), xmax, ymax)


def _plan_voc(archive: SafeArchive, members: list[Member], images: list[Member]) -> _Plan:
    images = [m for m in images if not _VOC_MASK_FOLDERS.intersection(m.parts[:-1])]
    by_stem = {(m.parts[:-1], Path(m.basename).stem): m for m in images}
    xmls = [m for m in members if m.name.lower().endswith(".xml")]
    if not xmls:
        raise ImportRefused(_("%(file)s contains no VOC annotations (.xml files).") % {"file": archive.label})
    pairs: dict[int, Member] = {}
    for xml in xmls:
        image = _image_for(xml, by_stem)
        if image is None:
            raise ImportRefused(_("“%(name)s” in %(file)s has no image with the same name next to it or in a JPEGImages folder.")
                                % {"name": xml.name, "file": archive.label})
        if image.index in pairs:
            raise ImportRefused(_("“%(name)s” in %(file)s has two annotations: %(a)s and %(b)s.")
                                % {"name": image.name, "file": archive.label, "a": pairs[image.index].name, "b": xml.name})
        pairs[image.index] = xml
    parsed = {xml.index: voc_parse(data, xml.name) for xml, data in archive.iter_read(xmls, max_bytes=MAX_XML_BYTES)}
    splits: dict[str, str] = {}
    for member in members:
        if member.parts[-3:-1] == ("ImageSets", "Main") and member.basename in ("train.txt", "val.txt"):
            splits.update((line.split()[0], member.basename[:-4]) for line in _text(archive, member).splitlines() if line.strip())
    labels = _shallowest(members, "labels.txt")
    listed = list(dict.fromkeys(_class_name_checked(line, labels.name) for line in _text(archive, labels).splitlines() if line.strip())) if labels else []
    plan = {}
    for member in images:
        item = _unlabeled(member, splits.get(Path(member.basename).stem, ""))
        xml = pairs.get(member.index)
        if xml is not None:
            annotation = parsed[xml.index]
            size = (annotation.width, annotation.height) if annotation.width > 0 and annotation.height > 0 else None
            item = replace(item, boxes=[_voc_box(obj, xml.name) for obj in annotation.objects], size=size, verified=annotation.verified)
        plan[member.index] = item
    unlabeled = len(plan) - len(pairs)
    notes = [ngettext("%(n)d image has no annotation; it was imported without boxes.", "%(n)d images have no annotation; they were imported without boxes.",
                      unlabeled) % {"n": unlabeled}] if unlabeled else []
    found = {b.label for p in plan.values() for b in p.boxes}
    return listed + sorted(found - set(listed)), plan, notes


def _coco_files(members: list[Member]) -> list[Member]:
    return [m for m in members if m.basename.lower() == "annotations.json" or re.fullmatch(r"instances_.*\.json", m.basename.lower())]


def _path_parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in name.split("/") if p not in ("", "."))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _coco_document(data: bytes, refuse: Callable[[str], ImportRefused]) -> tuple[dict, dict, list]:
    """(category id -> name, image id -> entry, annotations) after checking every type used."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise refuse(_("it is not valid JSON (%(error)s)") % {"error": str(exc)[:200]}) from None
    if not isinstance(document, dict):
        raise refuse(_("it is not a JSON object"))
    lists = {}
    for key in ("categories", "images", "annotations"):
        lists[key] = document.get(key)
        if not isinstance(lists[key], list):
            raise refuse(_("“%(key)s” is missing or is not a list") % {"key": key})
        ids = [entry.get("id") if isinstance(entry, dict) else None for entry in lists[key]]
        if not all(_is_int(i) for i in ids):
            raise refuse(_("an entry of “%(key)s” is not an object with a whole-number “id”") % {"key": key})
        if len(set(ids)) != len(ids):
            raise refuse(_("two entries of “%(key)s” have the same id") % {"key": key})
    categories = {}
    for entry in lists["categories"]:
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_CLASS_NAME or name.strip() in categories.values():
            raise refuse(_("category %(id)d has no name, a name longer than %(limit)d characters or the name of another category")
                         % {"id": entry["id"], "limit": MAX_CLASS_NAME})
        categories[entry["id"]] = name.strip()
    images = {}
    for entry in lists["images"]:
        if not isinstance(entry.get("file_name"), str) or not _path_parts(entry["file_name"]):
            raise refuse(_("image %(id)d has no “file_name”") % {"id": entry["id"]})
        images[entry["id"]] = entry
    for entry in lists["annotations"]:
        bbox = entry.get("bbox")
        if not (_is_int(entry.get("image_id")) and _is_int(entry.get("category_id"))) or entry["image_id"] not in images or entry["category_id"] not in categories:
            raise refuse(_("annotation %(id)d refers to an image or category that is not in the file") % {"id": entry["id"]})
        if not (isinstance(bbox, list) and len(bbox) == 4
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in bbox)):
            raise refuse(_("the “bbox” of annotation %(id)d is not four numbers ≥ 0 (x, y, width, height)") % {"id": entry["id"]})
    return categories, images, lists["annotations"]


def _plan_coco(archive: SafeArchive, members: list[Member], images: list[Member]) -> _Plan:
    found = _coco_files(members)
    if len(found) != 1:
        raise ImportRefused(_("%(file)s must contain one COCO annotation file (annotations.json or instances_….json); it has %(n)d.")
                            % {"file": archive.label, "n": len(found)})
    source = found[0]

    def refuse(reason: str) -> ImportRefused:
        return ImportRefused(_("“%(name)s” in %(file)s cannot be used: %(reason)s.") % {"name": source.name, "file": archive.label, "reason": reason})

    categories, entries, annotations = _coco_document(archive.read(source, max_bytes=MAX_JSON_BYTES), refuse)
    by_path = {m.parts: m for m in members}
    by_basename: dict[str, list[Member]] = {}
    for member in members:
        by_basename.setdefault(member.basename, []).append(member)
    folder = source.parts[:-1]
    plan: dict[int, ImportedImage] = {}
    member_of: dict[int, int] = {}  # image id -> member index
    for image_id, entry in entries.items():
        path = _path_parts(entry["file_name"])
        candidates = [by_path.get(folder + path), by_path.get((*folder, "images", *path)), by_path.get((*folder[:-1], "images", *path))]
        member = next((m for m in candidates if m is not None), None)
        if member is None and len(by_basename.get(path[-1], [])) == 1:
            member = by_basename[path[-1]][0]
        if member is None or member.index in plan:
            raise ImportRefused(_("“%(image)s”, listed in “%(name)s”, is missing from %(file)s (or is not the only file of that name).")
                                % {"image": entry["file_name"], "name": source.name, "file": archive.label})
        width, height = entry.get("width"), entry.get("height")
        size = (width, height) if _is_int(width) and _is_int(height) and width > 0 and height > 0 else None
        split = entry.get("dlc_split") if entry.get("dlc_split") in SPLITS else ""
        plan[member.index] = replace(_unlabeled(member, split), size=size, verified=entry.get("dlc_verified") is True)
        member_of[image_id] = member.index
    for entry in annotations:
        x, y, w, h = entry["bbox"]
        plan[member_of[entry["image_id"]]].boxes.append(Box(categories[entry["category_id"]], round(x), round(y), round(x + w), round(y + h)))
    unlisted = sum(1 for m in images if m.index not in plan)
    notes = [ngettext("%(n)d image not listed in %(name)s was left out.", "%(n)d images not listed in %(name)s were left out.", unlisted)
             % {"n": unlisted, "name": source.name}] if unlisted else []
    return list(categories.values()), plan, notes


def _detect(members: list[Member], images: list[Member]) -> str:
    if _coco_files(members):
        return "coco"
    if any(m.name.lower().endswith(".xml") for m in members):
        return "voc"
    if images and _shallowest(members, "classes.csv") is not None:
        return "class_folders"
    root = _class_root(members, images) if images else ()
    folders = {_class_folder_of(m, root) for m in images}
    return "class_folders" if None not in folders and len(folders) >= 2 else "images"


def archive_open(source: Path, fmt: str, limits: ImportLimits, *, label: str) -> ArchiveContents:
    """Check ``source`` (a .zip or .tar[.gz|.bz2|.xz] named ``label`` in messages) and read its
    annotations; close the result (or use it in ``with``) when done."""
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"unknown import format {fmt!r}")
    archive = SafeArchive(source, limits, label)
    try:
        members = [m for m in archive.members if not member_is_junk(m)]
        images = [m for m in members if member_is_image(m)]
        fmt = _detect(members, images) if fmt == "auto" else fmt
        if fmt == "coco":
            class_names, plan, notes = _plan_coco(archive, members, images)
        elif fmt == "voc":
            class_names, plan, notes = _plan_voc(archive, members, images)
        elif fmt == "class_folders" and images:
            class_names, plan, notes = _plan_class_folders(archive, members, images)
        else:
            class_names, plan, notes = [], {m.index: _unlabeled(m) for m in images}, _left_out_note(len(members) - len(images))
        if not plan:
            raise ImportRefused(_("%(file)s contains no PNG, JPEG, BMP or GIF images.") % {"file": label})
        return ArchiveContents(archive, fmt, class_names, plan, notes)
    except BaseException:
        archive.close()
        raise
