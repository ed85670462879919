"""Bundled data sets, made offline and deterministically (seeded) once at set-up.

Nothing here downloads: scikit-learn ships the digits, Pillow draws the shapes.
"""

from __future__ import annotations

import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

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


def shape_image_draw(kind: str, size: int, rng: random.Random) -> Image.Image:
    """One RGB image of a shape with random size, position, rotation, colours and noise."""
    background = _random_colour(rng)
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    # Distractor lines make the task less trivial than "find the blob".
    for _ in range(rng.randint(0, 3)):
        draw.line([(rng.uniform(0, size), rng.uniform(0, size)), (rng.uniform(0, size), rng.uniform(0, size))],
                  fill=_random_colour(rng), width=rng.randint(1, max(1, size // 40)))
    r = rng.uniform(0.18, 0.42) * size
    cx = rng.uniform(r, size - r)
    cy = rng.uniform(r, size - r)
    fill = _random_colour(rng, avoid=background)
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    else:
        draw.polygon(_shape_points(kind, cx, cy, r, rng.uniform(0, 2 * math.pi)), fill=fill)
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    noise = np.asarray(image, dtype=np.int16) + np.random.default_rng(rng.randint(0, 2**31)).integers(-12, 13, (size, size, 3))
    return Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8))


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
    np.savez_compressed(dest / "data.npz", x=images[..., None], y=labels)
    return {"class_names": [str(i) for i in range(10)], "num_items": int(len(labels)), "item_shape": [8, 8, 1]}


def digits_images_build(dest: Path, size: int = 32) -> dict:
    images, labels = _digits()
    counters = [0] * 10
    for image, label in zip(images, labels):
        folder = dest / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR).convert("RGB").save(
            folder / f"{label}_{counters[label]:04d}.png"
        )
        counters[label] += 1
    return {"class_names": [str(i) for i in range(10)], "num_items": int(len(labels)), "item_shape": [size, size, 3]}


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
)


def bundled_build(spec: BundledSpec, root: Path) -> tuple[Path, dict]:
    """Build one bundled set into ``root/bundled/<slug>`` atomically (temp folder, then rename)."""
    final = root / "bundled" / spec.slug
    tmp = root / "bundled" / f".{spec.slug}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    info = spec.build(tmp)
    info["size_bytes"] = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final, info
