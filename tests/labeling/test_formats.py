"""Labeled image-set archives: each export layout read back exactly, read by the plain tools the
course notes use, and hostile or malformed archives refused with a message naming the file."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

from datasets.importers.base import ImportLimits, ImportRefused
from labeling.formats import Box, ExportImage, archive_open, class_folder_names, export_write

LIMITS = ImportLimits(max_upload_bytes=10**8, max_unpacked_bytes=10**8, max_files=1000, max_ratio=100, max_image_pixels=10**7)
CLASSES = ["猫/狗", "<b>x</b>", "dog", "..", "no images yet"]


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"


def image_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 90 if mode == "L" else (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def tar_of(path: Path, entries: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def zip_of(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


@pytest.fixture
def export_images(tmp_path) -> list[ExportImage]:
    specs = [  # name, size, format, mode, label, boxes, split, verified
        ("0001-a.png", (40, 30), "PNG", "RGB", "猫/狗",
         [Box("猫/狗", 0, 0, 40, 30), Box("<b>x</b>", 5, 5, 15, 12)], "train", True),  # the whole image, and a box inside it
        ("0002-b.jpg", (20, 16), "JPEG", "RGB", "<b>x</b>", [Box("dog", 3, 4, 20, 16)], "val", False),  # touches the right and bottom edge
        ("0003-c.png", (10, 10), "PNG", "RGB", "dog", [], "", True),  # verified as empty, as LabelImg allows
        ("0004-d.png", (12, 9), "PNG", "L", "..", [Box("..", 1, 1, 2, 2)], "train", False),
        ("0005-e.png", (12, 9), "PNG", "RGB", None, [], "", False),  # not labeled yet
    ]
    images = []
    for name, size, fmt, mode, label, boxes, split, verified in specs:
        path = tmp_path / "store" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(image_bytes(size, fmt, mode))
        images.append(ExportImage(name=name, path=path, width=size[0], height=size[1], depth=1 if mode == "L" else 3,
                                  label=label, boxes=boxes, split=split, verified=verified))
    return images


def exported(tmp_path, export_images, fmt: str) -> Path:
    out = tmp_path / f"{fmt}.zip"
    progress: list[float] = []
    summary = export_write(fmt, out, title="Pets & boxes 2", class_names=CLASSES, images=iter(export_images),
                           total=len(export_images), report=progress.append)
    assert progress == sorted(progress) and progress[-1] == 1.0
    if fmt == "class_folders":
        assert (summary.images, summary.boxes, summary.left_out, summary.notes) == (4, 0, 1, ["1 unlabeled image was left out."])
    else:
        assert (summary.images, summary.boxes, summary.left_out, summary.notes) == (5, 4, 0, [])
    return out


@pytest.mark.parametrize("fmt", ["class_folders", "voc", "coco"])
def test_an_export_reads_back_exactly(tmp_path, export_images, fmt):
    with archive_open(exported(tmp_path, export_images, fmt), "auto", LIMITS, label="export.zip") as contents:
        assert (contents.format, contents.class_names, contents.notes) == (fmt, CLASSES, [])
        read = {Path(item.name).name: item for item in contents.items(lambda fraction: None)}
    assert contents.total == len(read)
    written = [i for i in export_images if i.label is not None] if fmt == "class_folders" else export_images
    assert sorted(read) == sorted(i.name for i in written)
    for image in written:
        item = read[image.name]
        assert item.data == image.path.read_bytes()
        assert item.split == image.split
        if fmt == "class_folders":  # neither boxes nor "verified" exist in this layout
            assert (item.label, item.boxes, item.size) == (image.label, [], None)
        else:  # nor an image-level class in VOC or COCO
            assert (item.label, item.boxes, item.size, item.verified) == (None, image.boxes, (image.width, image.height), image.verified)


def test_the_same_images_give_the_same_archive_bytes(tmp_path, export_images):
    first = exported(tmp_path, export_images, "voc").read_bytes()
    assert exported(tmp_path, export_images, "voc").read_bytes() == first


def test_voc_annotations_read_with_elementtree_as_the_course_notes_do(tmp_path, export_images):
    with zipfile.ZipFile(exported(tmp_path, export_images, "voc")) as archive:
        names = archive.namelist()
        with archive.open("Pets-boxes-2/Annotations/0001-a.xml") as f:
            tree = ET.parse(f)
        labels = archive.read("Pets-boxes-2/labels.txt").decode()
        train = archive.read("Pets-boxes-2/ImageSets/Main/train.txt").decode()
    root = tree.getroot()
    assert (root.find("filename").text, root.find("size/width").text, root.find("size/height").text) == ("0001-a.png", "40", "30")
    assert root.get("verified") == "yes"
    found = []
    for obj in root.iter("object"):
        name = obj.find("name").text
        bb = obj.find("bndbox")
        found.append((name, *(int(bb.find(key).text) for key in ("xmin", "ymin", "xmax", "ymax"))))
    assert found == [("猫/狗", 1, 1, 40, 30), ("<b>x</b>", 6, 6, 15, 12)]  # 1-based, inclusive
    assert labels.splitlines() == CLASSES
    assert train.splitlines() == ["0001-a", "0004-d"]
    assert "Pets-boxes-2/ImageSets/Main/val.txt" in names
    assert sum(n.startswith("Pets-boxes-2/Annotations/") for n in names) == 5  # also for images without boxes


def test_class_folders_export_is_one_folder_of_images_per_class(tmp_path, export_images):
    with zipfile.ZipFile(exported(tmp_path, export_images, "class_folders")) as archive:
        names = archive.namelist()
        table = archive.read("Pets-boxes-2/classes.csv").decode()
    assert all(n.startswith("Pets-boxes-2/") for n in names)
    inside = [n.split("/")[1:] for n in names]
    assert sorted(p[0] for p in inside if len(p) == 1) == ["classes.csv", "splits.csv"]  # files: not taken for classes
    folders = {p[0] for p in inside if len(p) > 1}
    assert folders == {"猫_狗", "_b_x__b_", "dog", "class"}
    assert all(len(p) == 2 and p[1].endswith((".png", ".jpg")) for p in inside if len(p) > 1)
    assert table.splitlines()[0] == "folder,class" and "class,.." in table.splitlines()


def test_class_folder_names_are_safe_and_unique():
    names = ["a/b", "a\\b", "A_B", ".hidden", "..", "", "x" * 300, "CON", "classes.csv", "ok"]
    folders = class_folder_names(names)
    assert list(folders.values()) == ["a_b", "a_b-2", "A_B-3", "hidden", "class", "class-2", "x" * 100, "CON-2", "classes.csv-2", "ok"]


def test_coco_annotations_are_plain_json(tmp_path, export_images):
    with zipfile.ZipFile(exported(tmp_path, export_images, "coco")) as archive:
        document = json.loads(archive.read("Pets-boxes-2/annotations.json"))
    assert [c["name"] for c in document["categories"]] == CLASSES
    assert document["images"][1] == {"id": 2, "file_name": "0002-b.jpg", "width": 20, "height": 16, "dlc_split": "val", "dlc_verified": False}
    assert document["annotations"][2] == {"id": 3, "image_id": 2, "category_id": 3, "bbox": [3, 4, 17, 12], "area": 204,
                                          "iscrowd": 0, "segmentation": []}


def test_unknown_export_format_or_label_is_a_programming_error(tmp_path, export_images):
    with pytest.raises(ValueError):
        export_write("yolo", tmp_path / "x.zip", title="x", class_names=CLASSES, images=[], total=0, report=lambda f: None)
    with pytest.raises(ValueError, match="not one of the export's classes"):
        export_write("coco", tmp_path / "x.zip", title="x", class_names=["dog"], images=export_images, total=5, report=lambda f: None)
    assert not (tmp_path / "x.zip").exists()


def test_a_plain_archive_of_photos_is_read_as_unlabeled_images(tmp_path):
    source = zip_of(tmp_path / "photos.zip", {
        "photos/a.jpg": image_bytes((8, 8), "JPEG"), "photos/2023/b.png": image_bytes((9, 9)),
        "photos/2023/summer/c.PNG": image_bytes((7, 7)), "photos/README.txt": b"my holiday",
        "photos/.DS_Store": b"junk", "__MACOSX/photos/._a.jpg": b"junk",
    })
    with archive_open(source, "auto", LIMITS, label="photos.zip") as contents:
        assert (contents.format, contents.class_names, contents.total) == ("images", [], 3)
        assert contents.notes == ["1 file that is not an image was left out."]
        items = list(contents.items(lambda fraction: None))
    assert [i.name for i in items] == ["photos/a.jpg", "photos/2023/b.png", "photos/2023/summer/c.PNG"]
    assert all((i.label, i.boxes, i.size, i.split, i.verified) == (None, [], None, "", False) for i in items)


def test_auto_detection_of_hand_made_archives(tmp_path):
    png = image_bytes((10, 8))
    xml = (b'<annotation><size><width>10</width><height>8</height></size>'
           b'<object><name>cat</name><bndbox><xmin>0</xmin><ymin>2</ymin><xmax>9.6</xmax><ymax>8</ymax></bndbox></object></annotation>')
    devkit = zip_of(tmp_path / "voc.zip", {"VOC2007/JPEGImages/1.png": png, "VOC2007/JPEGImages/2.png": png,
                                           "VOC2007/Annotations/1.xml": xml, "VOC2007/SegmentationClass/1.png": png,
                                           "VOC2007/ImageSets/Main/val.txt": b"1\n"})
    with archive_open(devkit, "auto", LIMITS, label="voc.zip") as contents:
        assert (contents.format, contents.class_names, contents.total) == ("voc", ["cat"], 2)
        assert contents.notes == ["1 image has no annotation; it was imported without boxes."]
        first, second = contents.items(lambda fraction: None)
    assert (first.boxes, first.size, first.split, first.verified) == ([Box("cat", 0, 1, 10, 8)], (10, 8), "val", False)
    assert (second.name, second.boxes) == ("VOC2007/JPEGImages/2.png", [])

    folders = tar_of(tmp_path / "flowers.tar.gz", {"flowers/tulip/1.png": png, "flowers/rose/2.png": png, "flowers/rose/x/3.png": png})
    with archive_open(folders, "auto", LIMITS, label="flowers.tar.gz") as contents:
        assert (contents.format, contents.class_names) == ("class_folders", ["rose", "tulip"])
        assert [i.label for i in contents.items(lambda fraction: None)] == ["tulip", "rose", "rose"]

    one_class = zip_of(tmp_path / "one.zip", {"tulip/1.png": png, "tulip/2.png": png})
    with archive_open(one_class, "class_folders", LIMITS, label="one.zip") as contents:
        assert (contents.class_names, contents.total) == (["tulip"], 2)

    coco = {"categories": [{"id": 7, "name": "cat"}], "images": [{"id": 3, "file_name": "a.png", "width": 10, "height": 8}],
            "annotations": [{"id": 1, "image_id": 3, "category_id": 7, "bbox": [1.2, 2, 3.5, 4]}]}
    found_by_basename = zip_of(tmp_path / "coco.zip", {"annotations/instances_val2017.json": json.dumps(coco).encode(),
                                                       "val2017/a.png": png, "val2017/extra.png": png})
    with archive_open(found_by_basename, "auto", LIMITS, label="coco.zip") as contents:
        assert (contents.format, contents.class_names, contents.total) == ("coco", ["cat"], 1)
        assert contents.notes == ["1 image not listed in annotations/instances_val2017.json was left out."]
        (item,) = contents.items(lambda fraction: None)
    assert (item.name, item.boxes, item.size, item.split) == ("val2017/a.png", [Box("cat", 1, 2, 5, 6)], (10, 8), "")


def coco_zip(tmp_path, document: bytes | dict, files: tuple[str, ...] = ("set/images/a.png",)) -> Path:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return zip_of(tmp_path / "coco.zip", {"set/annotations.json": data, **{name: image_bytes((10, 8)) for name in files}})


def coco_document(**changes) -> dict:
    document = {"categories": [{"id": 1, "name": "cat"}], "images": [{"id": 1, "file_name": "a.png"}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4]}]}
    return {**document, **changes}


@pytest.mark.parametrize(("source", "fmt", "message"), [
    (lambda p: coco_zip(p, b"{not json"), "auto", "“set/annotations.json” in bad.zip cannot be used: it is not valid JSON"),
    (lambda p: coco_zip(p, b"[" * 100_000), "auto", "it is not valid JSON"),
    (lambda p: coco_zip(p, coco_document(images={"a": 1})), "auto", "“images” is missing or is not a list"),
    (lambda p: coco_zip(p, coco_document(annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": ["0", "0", "4", "4"]}])),
     "auto", "the “bbox” of annotation 1 is not four numbers"),
    (lambda p: coco_zip(p, coco_document(annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4]}])),
     "auto", "the “bbox” of annotation 1 is not four numbers"),
    (lambda p: coco_zip(p, coco_document(annotations=[{"id": 1, "image_id": 9, "category_id": 1, "bbox": [0, 0, 4, 4]}])),
     "auto", "annotation 1 refers to an image or category that is not in the file"),
    (lambda p: coco_zip(p, coco_document(annotations=[{"id": 1, "image_id": [1], "category_id": 1, "bbox": [0, 0, 4, 4]}])),
     "auto", "annotation 1 refers to an image or category"),
    (lambda p: coco_zip(p, coco_document(images=[{"id": 1, "file_name": "a.png"}, {"id": 2, "file_name": "b.png"}])),
     "auto", "“b.png”, listed in “set/annotations.json”, is missing from bad.zip"),
    (lambda p: zip_of(p / "voc.zip", {"a.png": image_bytes((4, 4)), "a.xml": b'<!DOCTYPE a [<!ENTITY x "y">]><annotation/>'}),
     "auto", "“a.xml” declares a DOCTYPE or entities"),
    (lambda p: zip_of(p / "voc.zip", {"a.png": image_bytes((4, 4)),
                                      "a.xml": b"<annotation><object><name>c</name><bndbox><xmin>nan</xmin><ymin>0</ymin>"
                                               b"<xmax>1</xmax><ymax>1</ymax></bndbox></object></annotation>"}),
     "auto", "The c box in “a.xml” has a coordinate that is not a finite number"),
    (lambda p: zip_of(p / "voc.zip", {"a.png": image_bytes((4, 4)), "b.xml": b"<annotation/>"}), "auto", "“b.xml” in bad.zip has no image"),
    (lambda p: zip_of(p / "evil.zip", {"cats/a.png": image_bytes((4, 4)), "../evil.png": image_bytes((4, 4))}),
     "auto", "points outside the archive's folder"),
    (lambda p: zip_of(p / "cf.zip", {"cats/a.png": image_bytes((4, 4)), "dogs/b.png": image_bytes((4, 4)), "c.png": image_bytes((4, 4))}),
     "class_folders", "“c.png” in bad.zip is not inside a class folder"),
    (lambda p: zip_of(p / "cf.zip", {"set/cats/a.png": image_bytes((4, 4)), "set/classes.csv": b"name\ncats\n"}),
     "auto", "“set/classes.csv” in bad.zip is not a table with the columns folder, class"),
    (lambda p: zip_of(p / "empty.zip", {"README.txt": b"nothing here"}), "auto", "bad.zip contains no PNG, JPEG, BMP or GIF images"),
])
def test_malformed_or_hostile_archives_are_refused_with_the_file_named(tmp_path, source, fmt, message):
    with pytest.raises(ImportRefused) as refused:
        archive_open(source(tmp_path), fmt, LIMITS, label="bad.zip")
    assert message in str(refused.value)
