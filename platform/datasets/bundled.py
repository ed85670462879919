"""Bundled data sets, made offline and deterministically (seeded) once at set-up.

Nothing here downloads: scikit-learn ships the digits, the diabetes table and two photos, Pillow
draws the shapes and renders the Chinese characters with Debian's AR PL fonts.

On-disk layouts (relative to the set's folder):

* ``image_folder``: ``<class>/<file>.png|.jpg`` — what ``keras.utils.image_dataset_from_directory`` reads.
  digits-28 and hanzi-fonts are 8-bit grey PNGs (mode L, item_shape [..., 1]); the others are RGB.
* ``npz``: ``data.npz`` with ``x`` (N, H, W, C) uint8 and ``y`` (N,) int64 (imports add ``x_test``/``y_test``).
* ``tabular``: ``data.npz`` with ``x`` (N, F) float32, ``y`` (N,) float32 (a regression target) and
  ``feature_names`` (F,) str; class_names is empty.
* ``voc``: ``images/NNNN.png`` and ``annotations/NNNN.xml`` (PASCAL VOC as LabelImg writes it; see
  ``formats.voc_xml`` for the 1-based box convention).
"""

from __future__ import annotations

import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .formats import VocObject, npz_write, voc_box_from_extent, voc_xml

SHAPE_CLASSES = ("circle", "square", "triangle", "star")


@dataclass(frozen=True)
class BundledSpec:
    slug: str
    title_zh: str
    title_en: str
    description_zh: str
    format: str
    build: Callable[[Path], dict]


def _random_colour(rng: random.Random, avoid: tuple[int, int, int] | None = None) -> tuple[int, int, int]:
    while True:
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        if avoid is None or sum(abs(a - b) for a, b in zip(colour, avoid)) > 180:
            return colour  # type: ignore[return-value]


def _shape_points(kind: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    if kind == "square":
        corners = 4
        return [(cx + r * math.cos(angle + math.pi / 4 + k * math.pi / 2), cy + r * math.sin(angle + math.pi / 4 + k * math.pi / 2)) for k in range(corners)]
    if kind == "triangle":
        return [(cx + r * math.cos(angle + k * 2 * math.pi / 3), cy + r * math.sin(angle + k * 2 * math.pi / 3)) for k in range(3)]
    if kind == "star":
        points = []
        for k in range(10):
            radius = r if k % 2 == 0 else r * 0.45
            theta = angle + k * math.pi / 5
            points.append((cx + radius * math.cos(theta), cy + radius * math.sin(theta)))
        return points
    raise ValueError(kind)


def _shape_draw(kind: str, size: int, rng: random.Random, radius: tuple[float, float] = (0.18, 0.42)) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A shape image and the continuous extent (x0, y0, x1, y1) of the shape in it."""
    background = _random_colour(rng)
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    # Distractor lines make the task less trivial than "find the blob".
    for _ in range(rng.randint(0, 3)):
        draw.line([(rng.uniform(0, size), rng.uniform(0, size)), (rng.uniform(0, size), rng.uniform(0, size))],
                  fill=_random_colour(rng), width=rng.randint(1, max(1, size // 40)))
    r = rng.uniform(*radius) * size
    cx = rng.uniform(r, size - r)
    cy = rng.uniform(r, size - r)
    fill = _random_colour(rng, avoid=background)
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
        extent = (cx - r, cy - r, cx + r, cy + r)
    else:
        points = _shape_points(kind, cx, cy, r, rng.uniform(0, 2 * math.pi))
        draw.polygon(points, fill=fill)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        extent = (min(xs), min(ys), max(xs), max(ys))
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    noise = np.asarray(image, dtype=np.int16) + np.random.default_rng(rng.randint(0, 2**31)).integers(-12, 13, (size, size, 3))
    return Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8)), extent


def shape_image_draw(kind: str, size: int, rng: random.Random) -> Image.Image:
    """One RGB image of a shape with random size, position, rotation, colours and noise."""
    return _shape_draw(kind, size, rng)[0]


def shapes_build(dest: Path, *, per_class: int, size: int, classes: tuple[str, ...] = SHAPE_CLASSES, seed: int = 1234) -> dict:
    rng = random.Random(seed)
    for kind in classes:
        folder = dest / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            shape_image_draw(kind, size, rng).save(folder / f"{kind}_{i:04d}.png", optimize=False)
    return {"class_names": sorted(classes), "num_items": per_class * len(classes), "item_shape": [size, size, 3]}


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    # Pixel values are 0..16 in scikit-learn; scale to 0..255 so they look like ordinary images.
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return images, digits.target.astype(np.int64)


def digits_npz_build(dest: Path) -> dict:
    images, labels = _digits()
    dest.mkdir(parents=True, exist_ok=True)
    npz_write(dest / "data.npz", {"x": images[..., None], "y": labels})
    return {"class_names": [str(i) for i in range(10)], "num_items": int(len(labels)), "item_shape": [8, 8, 1]}


def digits_images_build(dest: Path, size: int = 32, mode: str = "RGB") -> dict:
    images, labels = _digits()
    counters = [0] * 10
    for image, label in zip(images, labels):
        folder = dest / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR).convert(mode).save(
            folder / f"{label}_{counters[label]:04d}.png"
        )
        counters[label] += 1
    channels = 1 if mode == "L" else 3
    return {"class_names": [str(i) for i in range(10)], "num_items": int(len(labels)), "item_shape": [size, size, channels]}


def diabetes_build(dest: Path) -> dict:
    """scikit-learn's diabetes table (442 patients, 10 features, disease progression after a year)
    as it ships: features already centred and scaled, the target in its own units (25–346)."""
    from sklearn.datasets import load_diabetes

    table = load_diabetes()
    dest.mkdir(parents=True, exist_ok=True)
    names = [str(n) for n in table.feature_names]
    npz_write(dest / "data.npz", {
        "x": table.data.astype(np.float32),
        "y": table.target.astype(np.float32),
        # A fixed-width unicode array, so np.load needs no pickle to read it.
        "feature_names": np.array(names, dtype=f"<U{max(map(len, names))}"),
    })
    return {"class_names": [], "num_items": int(table.data.shape[0]), "item_shape": [int(table.data.shape[1])]}


def linear_synthetic_build(dest: Path, *, count: int = 1000, seed: int = 0) -> dict:
    """Chapter 4's regression data: x drawn from N(2, 2²), y = 0.8·x + 0.7 plus N(0, 0.5²) noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 2.0, size=(count, 1)).astype(np.float32)
    y = (0.8 * x[:, 0] + 0.7 + rng.normal(0.0, 0.5, size=count)).astype(np.float32)
    dest.mkdir(parents=True, exist_ok=True)
    npz_write(dest / "data.npz", {"x": x, "y": y, "feature_names": np.array(["x"], dtype="<U1")})
    return {"class_names": [], "num_items": count, "item_shape": [1]}


# --- Kaiti vs Mingti ---------------------------------------------------------------------------

HANZI_FONT_DIR = Path("/usr/share/fonts/truetype/arphic")
HANZI_FONTS = {"kaiti": "ukai.ttc", "mingti": "uming.ttc"}  # class name -> AR PL font file
# Sixty of the most frequent characters: both classes draw the same ones, so a model has to learn
# the brush style, not which characters occur.
HANZI_CHARACTERS = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能"


class BundledSourceMissing(RuntimeError):
    """Something a bundled set is made from is not installed on this machine."""


def hanzi_fonts_require() -> dict[str, Path]:
    paths = {name: HANZI_FONT_DIR / file for name, file in HANZI_FONTS.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise BundledSourceMissing(
            "The hanzi-fonts data set is drawn with the AR PL UKai and AR PL UMing fonts, and "
            f"{', '.join(missing)} is missing. Install the Debian packages fonts-arphic-ukai and "
            "fonts-arphic-uming (sudo apt-get install fonts-arphic-ukai fonts-arphic-uming; ./dlc does this when run as root)."
        )
    return paths


def hanzi_image_draw(font_path: Path, character: str, rng: random.Random, size: int = 64, fonts: dict | None = None) -> Image.Image:
    """One grey image of ``character`` in the given font, with random size, position, slight
    rotation, ink and paper shades and noise."""
    font_size = rng.randint(32, 46)
    key = (str(font_path), font_size)
    font = fonts.get(key) if fonts is not None else None
    if font is None:
        font = ImageFont.truetype(str(font_path), font_size, index=0)  # index 0: the simplified-Chinese face
        if fonts is not None:
            fonts[key] = font
    # Draw on a larger canvas so rotation never cuts the glyph, then crop the centre with an offset.
    canvas = size * 3 // 2
    mask = Image.new("L", (canvas, canvas), 0)
    ImageDraw.Draw(mask).text((canvas / 2, canvas / 2), character, font=font, fill=255, anchor="mm")
    mask = mask.rotate(rng.uniform(-8, 8), resample=Image.Resampling.BICUBIC)
    dx, dy = rng.randint(-5, 5), rng.randint(-5, 5)
    left, top = (canvas - size) // 2 - dx, (canvas - size) // 2 - dy
    mask = mask.crop((left, top, left + size, top + size))
    paper, ink = rng.randint(190, 255), rng.randint(0, 80)
    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    pixels = paper * (1.0 - alpha) + ink * alpha
    pixels += np.random.default_rng(rng.randint(0, 2**31)).normal(0.0, rng.uniform(2.0, 10.0), pixels.shape)
    image = Image.fromarray(np.clip(np.round(pixels), 0, 255).astype(np.uint8), mode="L")
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    return image


def hanzi_fonts_build(dest: Path, *, per_class: int = 150, size: int = 64, seed: int = 2024) -> dict:
    """Two classes, ``kaiti`` and ``mingti``: the same characters in AR PL UKai and AR PL UMing.
    Stored as 8-bit grey PNG (mode L), so item_shape is [size, size, 1]; Keras reads them as RGB
    too (``color_mode="rgb"`` repeats the grey channel)."""
    paths = hanzi_fonts_require()
    fonts: dict = {}
    for index, (name, font_path) in enumerate(sorted(paths.items())):
        rng = random.Random(seed + index)
        order = list(HANZI_CHARACTERS)
        folder = dest / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            if i % len(order) == 0:
                rng.shuffle(order)
            hanzi_image_draw(font_path, order[i % len(order)], rng, size, fonts).save(folder / f"{name}_{i:04d}.png")
    return {"class_names": sorted(paths), "num_items": per_class * len(paths), "item_shape": [size, size, 1]}


# --- one shape per image with its box ----------------------------------------------------------


def shapes_boxes_build(dest: Path, *, count: int = 300, size: int = 96, classes: tuple[str, ...] = SHAPE_CLASSES, seed: int = 4321) -> dict:
    """Single-object detection: ``images/NNNN.png`` (RGB) and ``annotations/NNNN.xml`` (VOC).
    Classes take turns, so every class has count / len(classes) images."""
    rng = random.Random(seed)
    (dest / "images").mkdir(parents=True, exist_ok=True)
    (dest / "annotations").mkdir(parents=True, exist_ok=True)
    for i in range(count):
        kind = classes[i % len(classes)]
        image, extent = _shape_draw(kind, size, rng, radius=(0.12, 0.36))
        filename = f"{i:04d}.png"
        image.save(dest / "images" / filename)
        box = voc_box_from_extent(*extent, size, size)
        (dest / "annotations" / f"{i:04d}.xml").write_bytes(
            voc_xml(folder="images", filename=filename, width=size, height=size, depth=3, objects=[VocObject(kind, *box)])
        )
    return {"class_names": sorted(classes), "num_items": count, "item_shape": [size, size, 3]}


SAMPLE_PHOTOS = ("china", "flower")


def sample_photos_build(dest: Path) -> dict:
    """scikit-learn's two sample photos, copied byte for byte (427×640 JPEG), one folder each."""
    import sklearn.datasets

    source = Path(sklearn.datasets.__file__).parent / "images"
    for name in SAMPLE_PHOTOS:
        (dest / name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / f"{name}.jpg", dest / name / f"{name}.jpg")
    with Image.open(dest / SAMPLE_PHOTOS[0] / f"{SAMPLE_PHOTOS[0]}.jpg") as photo:
        width, height = photo.size
    return {"class_names": list(SAMPLE_PHOTOS), "num_items": len(SAMPLE_PHOTOS), "item_shape": [height, width, 3]}


BUNDLED: tuple[BundledSpec, ...] = (
    BundledSpec("shapes", "几何图形（4 类，600 张）", "Shapes (4 classes, 600 images)",
                "用 Pillow 生成的圆形、正方形、三角形、五角星彩色图片，128×128，每类 150 张，按类别分文件夹存放。",
                "image_folder", lambda d: shapes_build(d, per_class=150, size=128)),
    BundledSpec("shapes-mini", "几何图形迷你版（3 类，60 张）", "Shapes mini (3 classes, 60 images)",
                "小型图形数据集（64×64，每类 20 张），适合快速试跑。",
                "image_folder", lambda d: shapes_build(d, per_class=20, size=64, classes=("circle", "square", "triangle"), seed=99)),
    BundledSpec("digits-images", "手写数字图片（10 类，1797 张）", "Handwritten digits as images (10 classes)",
                "scikit-learn 自带的 8×8 手写数字，放大为 32×32 的图片并按类别分文件夹存放。",
                "image_folder", digits_images_build),
    BundledSpec("digits", "手写数字数组（8×8）", "Handwritten digits arrays (8×8)",
                "scikit-learn 自带的 1797 张 8×8 手写数字，保存为 NumPy 数组（x, y）。",
                "npz", digits_npz_build),
    BundledSpec("digits-28", "手写数字图片 28×28（10 类，1797 张）", "Handwritten digits 28×28 (10 classes)",
                "scikit-learn 自带的 8×8 手写数字，放大为 28×28 的灰度图片（与 MNIST 同样大小，供 LeNet-5 使用），按类别分文件夹存放。",
                "image_folder", lambda d: digits_images_build(d, size=28, mode="L")),
    BundledSpec("diabetes", "糖尿病病情表格（442 行，10 个特征）", "Diabetes table (442 rows, 10 features)",
                "scikit-learn 自带的糖尿病数据：10 个已标准化的特征（年龄、性别、BMI、血压和 6 项血清指标），目标是一年后的病情进展（回归）。",
                "tabular", diabetes_build),
    BundledSpec("linear-synthetic", "线性回归合成数据（1000 个点）", "Synthetic linear data (1000 points)",
                "按 y = 0.8x + 0.7 生成、加上标准差 0.5 的噪声的 1000 个点（x 服从均值 2、标准差 2 的正态分布），供第 4 章的线性回归实验使用。",
                "tabular", linear_synthetic_build),
    BundledSpec("hanzi-fonts", "楷体与明体汉字（2 类，300 张）", "Kaiti vs Mingti characters (2 classes, 300 images)",
                "用文鼎 AR PL UKai（楷体）和 AR PL UMing（明体）渲染的 60 个常用汉字，64×64 灰度图，大小、位置、角度和噪声随机，每类 150 张。",
                "image_folder", hanzi_fonts_build),
    BundledSpec("shapes-boxes", "图形目标检测（4 类，300 张，带边框）", "Shapes with boxes (4 classes, 300 images)",
                "每张 96×96 图片中有一个图形及其边界框，标注为 LabelImg 使用的 PASCAL VOC XML 格式。",
                "voc", shapes_boxes_build),
    BundledSpec("sample-photos", "示例照片（2 张）", "Sample photos (2 images)",
                "scikit-learn 自带的两张照片（中国的寺庙、花），用于预测演示和迁移学习实验。",
                "image_folder", sample_photos_build),
)


def bundled_build(spec: BundledSpec, root: Path) -> tuple[Path, dict]:
    """Build one bundled set into ``root/bundled/<slug>`` atomically (temp folder, then rename)."""
    final = root / "bundled" / spec.slug
    tmp = root / "bundled" / f".{spec.slug}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        info = spec.build(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    info["size_bytes"] = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final, info
