"""Chapter 8 figures: image folders, input pipelines, the flowers CNN, training curves, prediction.

The teaching numbers (layer shapes and parameters, softmax percentages, dropout outputs, the
early-stopping epoch, pipeline timings) come from small pure functions below so the tests can
check them; the flowers model's numbers come from the model builder's own calculator.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon, Rectangle

from .registry import FigureContext, figure
from .style import (
    BLACK,
    BLUE,
    FILL,
    GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    PURPLE,
    RED,
    arrow,
    canvas,
    diagram,
    illustrative,
    matrix,
    resize,
    sample_photo,
)

FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")
IMAGE_SIZE = (180, 180)  # the lessons' image_size (height, width)
# keras.utils.image_dataset_from_directory only reads these extensions.
KERAS_IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# The lessons load with seed=123; keras shuffles the file list with this seed before batching.
LESSON_SEED = 123


def _footnote(fig: Figure, text: str) -> None:
    """Like style.note, but as a supxlabel so constrained layout keeps room for it below the axes."""
    fig.supxlabel(text, x=0.005, ha="left", fontsize=8, color=GREY)


# --------------------------------------------------------------------------- folder tree


@figure("ch08-folder-tree")
def folder_tree(ctx: FigureContext) -> Figure:
    # Flickr-style names as in the real flower_photos download (illustrative, not a listing).
    files = {
        "daisy": ["100080576_f52e8ee070_n.jpg", "10140303196_b88d3d6cec.jpg"],
        "dandelion": ["10043234166_e6dd915111_n.jpg", "10200780773_c6051a7d71_n.jpg"],
        "roses": ["10090824183_d02c613f10_m.jpg", "102501987_3cdb8e5394_n.jpg"],
        "sunflowers": ["1008566138_6927679c8a.jpg", "1022552002_2b93faf9e7_n.jpg"],
        "tulips": ["100930342_92e8746431_n.jpg", "10094729603_eeca3f2cb6.jpg"],
    }
    line = 0.5
    n_lines = 1 + sum(len(v) + 2 for v in files.values())
    width, height = 13.4, n_lines * line + 1.5
    label_col = 9.4
    fig, ax = diagram(width, height, scale=0.62)
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    mono = {"family": "monospace"}
    y = height - 0.4
    ax.text(0.3, y, "flower_photos/", fontsize=11, fontweight="bold", va="center", **mono)
    ax.text(label_col, y, "整数标签", fontsize=10, va="center", ha="center", color=GREY)
    trunk_x = 0.65
    previous = y - 0.25
    for index, name in enumerate(sorted(files)):
        y -= line
        # The trunk runs from the previous folder's elbow down to this one (├── … └──).
        ax.plot([trunk_x, trunk_x, trunk_x + 0.4], [previous, y, y], color=GREY, lw=1)
        previous = y
        label_x = trunk_x + 0.55
        text = ax.text(label_x, y, f"{name}/", fontsize=11, fontweight="bold", color=BLUE, va="center", **mono)
        name_end = to_data.transform(text.get_window_extent(renderer).corners()[-1])[0]
        arrow(ax, (name_end + 0.3, y), (label_col - 0.45, y), color=GREY, lw=1.0)
        ax.text(label_col, y, str(index), fontsize=13, color=RED, va="center", ha="center")
        child_x = label_x + 0.3
        top = y
        for child in [*files[name], "…"]:
            y -= line
            ax.plot([child_x, child_x + 0.3], [y, y], color=LIGHT_GREY, lw=1)
            ax.text(child_x + 0.45, y, child, fontsize=9, color="#555555", va="center", **mono)
        ax.plot([child_x, child_x], [top - 0.22, y], color=LIGHT_GREY, lw=1)
    caption = "class_names = [" + ", ".join(f"'{c}'" for c in sorted(files)) + "]"
    ax.text(width / 2, 0.45, caption, fontsize=10, ha="center", va="center", **mono,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": FILL["grey"], "edgecolor": GREY})
    ax.text(label_col + 0.9, height - 0.4 - line, "子文件夹按名称排序；\n排在第 i 位的文件夹里\n的图片，标签都是 i",
            fontsize=9.5, va="top", ha="left", color=BLACK, linespacing=1.5)
    return fig


# --------------------------------------------------------------------------- batch grid


def keras_file_order(folder: Path, *, shuffle: bool = False, seed: int | None = None) -> tuple[list[Path], list[int], list[str]]:
    """Files, labels and class names in the order ``image_dataset_from_directory`` indexes them.

    Mirrors keras' ``index_directory``: class folders sorted by name (hidden ones skipped),
    files of each class found by a sorted ``os.walk`` with sorted names; with ``shuffle`` the
    whole list is permuted with ``np.random.RandomState(seed)`` (the batch-level shuffle buffer
    of tf.data comes after this and is not reproduced).
    """
    class_names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    paths: list[Path] = []
    labels: list[int] = []
    for label, name in enumerate(class_names):
        for root, _dirs, names in sorted(os.walk(folder / name), key=lambda entry: entry[0]):
            for fname in sorted(names):
                if fname.lower().endswith(KERAS_IMAGE_FORMATS):
                    paths.append(Path(root) / fname)
                    labels.append(label)
    if shuffle:
        if seed is None:
            raise ValueError("a seed is needed for a reproducible shuffle")
        order_paths = list(paths)
        np.random.RandomState(seed).shuffle(order_paths)
        order_labels = np.array(labels)
        np.random.RandomState(seed).shuffle(order_labels)
        paths, labels = order_paths, [int(v) for v in order_labels]
    return paths, labels, class_names


def batch_images(folder: Path | None, count: int = 9, image_size: tuple[int, int] = IMAGE_SIZE,
                 seed: int = LESSON_SEED) -> tuple[list[np.ndarray], list[str]]:
    """The first ``count`` images (resized, bilinear) and class names of a seeded keras-order batch.

    Without the data set folder the same kind of images are drawn afresh with the data set's own
    shape painter, from a ``random.Random(seed)`` so the figure is still deterministic.
    """
    from PIL import Image

    height, width = image_size
    if folder is not None:
        paths, labels, class_names = keras_file_order(folder, shuffle=True, seed=seed)
        images = []
        for path in paths[:count]:
            with Image.open(path) as image:
                images.append(resize(np.asarray(image.convert("RGB")), width, height))
        return images, [class_names[label] for label in labels[:count]]
    from datasets.bundled import SHAPE_CLASSES, shape_image_draw

    rng = random.Random(seed)
    images, names = [], []
    for _ in range(count):
        kind = rng.choice(sorted(SHAPE_CLASSES))
        images.append(resize(np.asarray(shape_image_draw(kind, 128, rng)), width, height))
        names.append(kind)
    return images, names


@figure("ch08-batch-grid")
def batch_grid(ctx: FigureContext) -> Figure:
    folder = ctx.dataset_dir("shapes")
    images, names = batch_images(folder)
    fig, axes = canvas(7.6, 8.0, 3, 3)
    for ax, image, name in zip(axes.flat, images, names):
        ax.imshow(image)
        ax.set_title(name, fontsize=11)
        ax.axis("off")
    source = "内置 shapes 数据集" if folder is not None else "按 shapes 数据集的画法现场生成"
    fig.suptitle(f"第一个批次的前 9 张（{source}，image_size = (180, 180)）", fontsize=11)
    if folder is not None:
        _footnote(fig, "读取顺序同 image_dataset_from_directory(shuffle=True, seed=123) 打乱后的文件列表")
    else:
        _footnote(fig, "没有找到 shapes 数据集，图片用同样的画法按固定随机种子生成")
    return fig


# --------------------------------------------------------------------------- resize distortion


def flower_wide(width: int = 500, height: int = 250) -> np.ndarray:
    """scikit-learn's flower photo cut to a 2:1 strip around the flower head, resized to width × height."""
    photo = sample_photo("flower")
    # The dahlia's head is centred near row 222 of the 427×640 photo; a 640×320 strip keeps all of it.
    top = 222 - 160
    strip = photo[top:top + 320, :, :]
    return resize(np.ascontiguousarray(strip), width, height)


def flower_square(size: int = 180) -> np.ndarray:
    """scikit-learn's flower photo, the square around the flower head, resized to size × size."""
    photo = sample_photo("flower")
    left = 308 - 213
    return resize(np.ascontiguousarray(photo[:, left:left + 427, :]), size, size)


def aspect_variants(image: np.ndarray, size: int = 180) -> dict[str, np.ndarray]:
    """The three ways keras can bring a non-square image to size × size (stretch, crop, pad)."""
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    cropped = image[top:top + side, left:left + side]
    big = max(height, width)
    padded = np.zeros((big, big, image.shape[2]), dtype=image.dtype)
    top, left = (big - height) // 2, (big - width) // 2
    padded[top:top + height, left:left + width] = image
    return {
        "stretch": resize(image, size, size),
        "crop": resize(np.ascontiguousarray(cropped), size, size),
        "pad": resize(padded, size, size),
    }


@figure("ch08-resize-distortion")
def resize_distortion(ctx: FigureContext) -> Figure:
    wide = flower_wide()
    variants = aspect_variants(wide)
    fig, axes = canvas(11.5, 3.1, 1, 4, gridspec_kw={"width_ratios": [500, 180, 180, 180]})
    panels = [
        (wide, "原图 500×250", BLACK),
        (variants["stretch"], "默认：直接缩放（变形）", RED),
        (variants["crop"], "crop_to_aspect_ratio=True", BLACK),
        (variants["pad"], "pad_to_aspect_ratio=True", BLACK),
    ]
    for ax, (image, title, colour) in zip(axes.flat, panels):
        ax.imshow(image)
        ax.set_title(title, fontsize=10, color=colour)
        ax.set_xticks([])
        ax.set_yticks([])
    # Same pixel-to-inch scale for the original as for the 180×180 results: 500 px vs 180 px wide.
    axes[0, 0].set_xlabel("宽 500 × 高 250", fontsize=9)
    for ax, text in zip(axes[0, 1:], ["横向 ×0.36，纵向 ×0.72", "居中裁出 250×250 再缩放", "上下补黑边到 500×500 再缩放"]):
        ax.set_xlabel(text, fontsize=9)
    return fig


# --------------------------------------------------------------------------- prefetch


@dataclass(frozen=True)
class Block:
    row: str  # "cpu" | "gpu"
    start: float
    end: float
    step: int


def pipeline_schedule(steps: int, prefetch: bool) -> list[Block]:
    """Read/decode (CPU) and train (GPU) blocks of one time unit each, with or without prefetch."""
    blocks: list[Block] = []
    for n in range(1, steps + 1):
        if prefetch:
            # The CPU reads batch n+1 while the GPU trains on batch n.
            blocks.append(Block("cpu", n - 1, n, n))
            blocks.append(Block("gpu", n, n + 1, n))
        else:
            blocks.append(Block("cpu", 2 * n - 2, 2 * n - 1, n))
            blocks.append(Block("gpu", 2 * n - 1, 2 * n, n))
    return blocks


def pipeline_time(steps: int, prefetch: bool) -> float:
    """Time until the last training step of ``steps`` finishes."""
    return max(b.end for b in pipeline_schedule(steps, prefetch))


@figure("ch08-prefetch-timeline")
def prefetch_timeline(ctx: FigureContext) -> Figure:
    fig, axes = canvas(10.5, 4.9, 2, 1)
    rows = {"cpu": 1.0, "gpu": 0.0}
    panels = [(axes[0, 0], 4, False, "不使用 prefetch"), (axes[1, 0], 7, True, "使用 prefetch")]
    for ax, steps, prefetch, title in panels:
        blocks = pipeline_schedule(steps, prefetch)
        for b in blocks:
            y = rows[b.row]
            colour, fill = (ORANGE, FILL["orange"]) if b.row == "cpu" else (BLUE, FILL["blue"])
            ax.add_patch(Rectangle((b.start + 0.03, y - 0.34), b.end - b.start - 0.06, 0.68, facecolor=fill, edgecolor=colour, lw=1.4))
            text = f"读取/解码\nbatch {b.step}" if b.row == "cpu" else f"训练\nstep {b.step}"
            ax.text((b.start + b.end) / 2, y, text, ha="center", va="center", fontsize=8.5, linespacing=1.2)
        if not prefetch:
            for b in blocks:
                if b.row == "cpu":
                    ax.add_patch(Rectangle((b.start + 0.03, -0.34), 0.94, 0.68, facecolor="white", edgecolor=GREY, hatch="///", lw=0.8, ls="--"))
                    ax.text(b.start + 0.5, 0, "空闲", ha="center", va="center", fontsize=8.5, color=GREY,
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.set_xlim(0, 8.9)
        ax.set_ylim(-0.6, 1.6)
        ax.set_yticks([0, 1], ["GPU", "CPU"])
        ax.set_xticks(range(9))
        ax.set_title(title, loc="left", fontsize=11)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        done = pipeline_time(steps, prefetch)
        ax.axvline(done, color=RED, lw=1.2, ls=":")
        ax.text(done + 0.06, 1.35, f"{steps} 步完成\n(t = {done:g})", color=RED, fontsize=8.5, va="center", ha="left")
    axes[1, 0].set_xlabel("时间（单位：读一个批次或训练一步所需的时间）")
    n = 7
    slow, fast = pipeline_time(n, False), pipeline_time(n, True)
    four = pipeline_time(4, True)
    axes[1, 0].axvline(four, color="#666666", lw=1, ls=":")
    axes[1, 0].text(four, 1.52, f"第 4 步在 t = {four:g} 完成（不用 prefetch 要 {pipeline_time(4, False):g}）",
                    color="#555555", fontsize=9, ha="center", va="center",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    fig.text(0.5, -0.02, f"同样 {n} 步：不用 prefetch 需 {slow:g} 个时间单位，用 prefetch 只需 {fast:g} 个（约一半）——CPU 读数据与 GPU 训练重叠进行",
             ha="center", va="top", fontsize=10, color=BLACK,
             bbox={"boxstyle": "round,pad=0.4", "facecolor": FILL["grey"], "edgecolor": GREY})
    return fig


# --------------------------------------------------------------------------- flowers model


@dataclass(frozen=True)
class LayerRow:
    type: str
    args: dict
    output_shape: tuple[int, ...]
    params: int


def flowers_layers(num_classes: int = 5) -> list[LayerRow]:
    """Every layer of the course's flowers model with its per-sample output shape and parameters.

    Shapes and counts come from the model builder's calculator, so the figure shows what the
    platform tells learners (and what Keras builds; see the tests).
    """
    from modelspec import flowers_spec, spec_normalize
    from modelspec.calculator import ShapeProblem, layer_compute

    spec = spec_normalize(flowers_spec(num_classes))
    shape = tuple(spec["input_shape"])
    rows = []
    for layer in spec["layers"]:
        calc = layer_compute(layer["type"], layer["args"], shape)
        if isinstance(calc, ShapeProblem):
            raise ValueError(calc.message)
        rows.append(LayerRow(layer["type"], layer["args"], calc.output_shape, calc.trainable + calc.non_trainable))
        shape = calc.output_shape
    return rows


def flowers_param_counts(num_classes: int = 5) -> tuple[dict[str, int], int]:
    """Parameters of each weighted layer, named like ``Conv2D_16`` / ``Dense_128``, and the total."""
    counts: dict[str, int] = {}
    rows = flowers_layers(num_classes)
    for row in rows:
        if row.params:
            size = row.args.get("filters", row.args.get("units"))
            counts[f"{row.type}_{size}"] = row.params
    return counts, sum(row.params for row in rows)


def _shape_label(shape: tuple[int, ...]) -> str:
    return "(" + ",".join(str(d) for d in shape) + ")"


def _cuboid(ax: Axes, x: float, yc: float, w: float, h: float, d: float, *, face: str, edge: str, dashed: bool = False) -> None:
    """A box seen from the front-right: front face w × h, receding depth d drawn at 40° upwards."""
    dx, dy = d * math.cos(math.radians(40)), d * math.sin(math.radians(40))
    y0, y1 = yc - h / 2, yc + h / 2
    style = {"edgecolor": edge, "lw": 1.0, "ls": "--" if dashed else "-", "joinstyle": "round"}
    ax.add_patch(Polygon([(x, y1), (x + w, y1), (x + w + dx, y1 + dy), (x + dx, y1 + dy)], facecolor="white", **style))
    ax.add_patch(Polygon([(x + w, y0), (x + w + dx, y0 + dy), (x + w + dx, y1 + dy), (x + w, y1)], facecolor=edge, alpha=0.25, **style))
    ax.add_patch(Polygon([(x + w, y0), (x + w + dx, y0 + dy), (x + w + dx, y1 + dy), (x + w, y1)], facecolor="none", **style))
    ax.add_patch(Rectangle((x, y0), w, h, facecolor=face, **style))


@figure("ch08-flowers-architecture")
def flowers_architecture(ctx: FigureContext) -> Figure:
    rows = flowers_layers(5)
    # The three Random* layers form one "data augmentation" block in the lesson's model.
    aug = [r for r in rows if r.type.startswith("Random")]
    from modelspec import flowers_spec

    items: list[dict] = [{"kind": "Input", "shape": tuple(flowers_spec(5)["input_shape"]), "label": "Input"}]
    items.append({"kind": "Augment", "shape": aug[-1].output_shape, "label": "数据增强\nRandomFlip\nRandomRotation\nRandomZoom"})
    colours = {"Input": (FILL["grey"], GREY), "Augment": (FILL["orange"], ORANGE), "Rescaling": (FILL["grey"], "#666666"),
               "Conv2D": (FILL["blue"], BLUE), "MaxPooling2D": (FILL["green"], GREEN), "Dropout": (FILL["purple"], PURPLE),
               "Flatten": (FILL["sky"], BLUE), "Dense": (FILL["red"], RED)}
    for row in rows:
        if row.type.startswith("Random"):
            continue
        a = row.args
        if row.type == "Rescaling":
            label = f"Rescaling\n1/{round(1 / a['scale'])}"
        elif row.type == "Conv2D":
            k = a["kernel_size"] if isinstance(a["kernel_size"], int) else a["kernel_size"][0]
            label = f"Conv2D {a['filters']}\n{k}×{k} {a['activation']}"
        elif row.type == "MaxPooling2D":
            pool = a["pool_size"] if isinstance(a["pool_size"], int) else a["pool_size"][0]
            label = f"MaxPool\n{pool}×{pool}"
        elif row.type == "Dropout":
            label = f"Dropout\n{a['rate']:g}"
        elif row.type == "Dense":
            label = f"Dense {a['units']}\n{a['activation'] or 'logits'}"
        else:
            label = row.type
        items.append({"kind": row.type, "shape": row.output_shape, "label": label})

    first_row, second_row = items[:7], items[7:]
    scale_h = 1.9 / 180  # spatial size → front-face height
    scale_c = 0.0125  # channels → block thickness
    slot = 1.62
    width = slot * 7 + 0.4
    fig, ax = diagram(width, 8.2, scale=0.95)
    row_y = {0: 5.85, 1: 1.95}
    centres: list[tuple[float, float, float, float]] = []
    for r, group in enumerate((first_row, second_row)):
        yc = row_y[r]
        for i, item in enumerate(group):
            face, edge = colours[item["kind"]]
            shape = item["shape"]
            cx = 0.2 + slot * (i + 0.5)
            if len(shape) == 3:
                h = shape[0] * scale_h
                w = max(shape[2] * scale_c, 0.03)
                d = shape[1] * scale_h * 0.45
            else:
                # 1-D tensors: a thin column, length not to scale (30976 would not fit).
                h = {30976: 2.1, 128: 1.3}.get(shape[0], 0.35)
                w, d = 0.12, 0.12
            dx = d * math.cos(math.radians(40))
            x = cx - (w + dx) / 2
            _cuboid(ax, x, yc, w, h, d, face=face, edge=edge, dashed=item["kind"] == "Augment")
            if len(shape) == 1 and shape[0] > 1000:
                # Two slanted cuts mark the column as shortened.
                for cut in (0.1, 0.28):
                    ax.plot([x - 0.08, x + w + dx + 0.08], [yc + cut - 0.06, yc + cut + 0.06], color="white", lw=3.5, zorder=3)
                    ax.plot([x - 0.08, x + w + dx + 0.08], [yc + cut - 0.1, yc + cut + 0.02], color=edge, lw=0.9, zorder=3)
            top = yc + h / 2 + d * math.sin(math.radians(40))
            centres.append((x, x + w + dx, yc, top))
            label_y = yc - 1.25 if r == 0 else yc - 1.35
            ax.text(cx, label_y, item["label"], ha="center", va="top", fontsize=9.5, linespacing=1.25,
                    color=ORANGE if item["kind"] == "Augment" else BLACK)
            ax.text(cx, label_y + 0.08, _shape_label(shape), ha="center", va="bottom", fontsize=9.5, color=BLUE)
            if item["kind"] == "Augment":
                ax.text(cx, top + 0.12, "只在训练时生效", ha="center", va="bottom", fontsize=9.5, color=ORANGE,
                        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": ORANGE, "ls": "--"})
    for i in range(len(centres) - 1):
        if i == len(first_row) - 1:
            continue
        left, right = centres[i], centres[i + 1]
        arrow(ax, (left[1] + 0.05, left[2]), (right[0] - 0.05, right[2]), color=GREY, lw=1.0, head=8)
    # Wrap from the end of the first row to the start of the second.
    end, start = centres[len(first_row) - 1], centres[len(first_row)]
    y_mid = (row_y[0] - 1.25 - 0.75 + row_y[1] + 1.6) / 2
    ax.plot([end[1] + 0.05, width - 0.1, width - 0.1, 0.12, 0.12], [end[2], end[2], y_mid, y_mid, start[2]], color=GREY, lw=1.0)
    arrow(ax, (0.12, start[2]), (start[0] - 0.05, start[2]), color=GREY, lw=1.0, head=8)
    ax.text(width / 2, 8.05, "高度 ∝ 空间尺寸（高、宽），厚度 ∝ 通道数；一维向量的长度未按比例画", ha="center", va="top", fontsize=9.5, color=GREY)
    return fig


@figure("ch08-param-share")
def param_share(ctx: FigureContext) -> Figure:
    counts, total = flowers_param_counts(5)
    names = list(counts)
    labels = [f"{n} (outputs)" if i == len(names) - 1 else n for i, n in enumerate(names)]
    values = np.array([counts[n] for n in names], dtype=float)
    fig, axes = canvas(9.0, 3.6)
    ax = axes[0, 0]
    y = np.arange(len(names))[::-1]
    colours = [BLUE if n.startswith("Conv") else RED for n in names]
    # Bars start at 1 (log axis) and end exactly at the count.
    ax.barh(y, values - 1, color=colours, height=0.6, left=1)
    ax.legend(handles=[Patch(color=BLUE, label="卷积层"), Patch(color=RED, label="全连接层")], loc="upper right", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(1, 1e7)
    ax.set_yticks(y, labels)
    ax.set_xlabel("参数个数（对数坐标）")
    biggest = names[int(np.argmax(values))]
    for yi, name, value in zip(y, names, values):
        ax.text(value * 1.25, yi, f"{int(value):,}", va="center", fontsize=9.5, color=BLACK)
        if name == biggest:
            ax.text(math.sqrt(value), yi, f"占全部参数的 {param_share_of(counts, total, name):.1f}%", va="center", ha="center",
                    fontsize=10, color="white")
    ax.set_title(f"Total params: {total:,}", loc="left", fontsize=11)
    ax.grid(axis="x", color=LIGHT_GREY, lw=0.6)
    ax.set_axisbelow(True)
    return fig


def param_share_of(counts: dict[str, int], total: int, name: str) -> float:
    """A layer's share of all parameters, in percent."""
    return 100.0 * counts[name] / total


# --------------------------------------------------------------------------- training curves


def saturating(e: np.ndarray, start: float, gain: float, tau: float) -> np.ndarray:
    """start + gain·(1 − exp(−(e − 1)/tau)): an accuracy curve that levels off."""
    return start + gain * (1 - np.exp(-(e - 1) / tau))


def curve_patterns(epochs: np.ndarray, seed: int = 8) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(train, val) accuracy per epoch for the four typical patterns of the description."""
    rng = np.random.default_rng(seed)
    flat = np.full(epochs.shape, 0.24)
    return {
        "健康": (saturating(epochs, 0.3, 0.55, 4), saturating(epochs, 0.3, 0.52, 4)),
        "欠拟合": (saturating(epochs, 0.3, 0.15, 4), saturating(epochs, 0.3, 0.13, 4)),
        "过拟合": (saturating(epochs, 0.30, 0.68, 4), saturating(epochs, 0.30, 0.32, 1.8)),
        "训练失败": (flat + rng.uniform(-0.01, 0.01, epochs.shape), flat + rng.uniform(-0.01, 0.01, epochs.shape)),
    }


def overfit_curves(epochs: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy and loss per epoch of the model without augmentation or dropout (illustrative)."""
    return {
        "train_acc": saturating(epochs, 0.30, 0.68, 4),
        "val_acc": saturating(epochs, 0.30, 0.32, 1.8),
        "train_loss": 1.55 * np.exp(-(epochs - 1) / 4) + 0.05,
        "val_loss": 1.0 + 0.6 * np.exp(-(epochs - 1) / 1.5) + 0.04 * np.maximum(0, epochs - 4) ** 1.5,
    }


def augmented_curves(epochs: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy and loss per epoch with augmentation and dropout (illustrative)."""
    return {
        "train_acc": saturating(epochs, 0.30, 0.50, 5),
        "val_acc": saturating(epochs, 0.30, 0.47, 5),
        "train_loss": 1.1 * np.exp(-(epochs - 1) / 5) + 0.5,
        "val_loss": 1.05 * np.exp(-(epochs - 1) / 5) + 0.58,
    }


EPOCHS = np.arange(1, 16, dtype=float)


def val_loss_min_epoch(epochs: np.ndarray = EPOCHS) -> int:
    """The epoch (training happens in whole epochs) with the lowest validation loss: where early stopping would keep the weights."""
    losses = overfit_curves(epochs)["val_loss"]
    return int(epochs[int(np.argmin(losses))])


@figure("ch08-curve-patterns")
def curve_patterns_figure(ctx: FigureContext) -> Figure:
    e = np.linspace(1, 15, 141)
    smooth = curve_patterns(e)
    noisy = curve_patterns(EPOCHS)
    fig, axes = canvas(9.0, 6.4, 2, 2, sharex=True, sharey=True)
    for (title, (train, val)), ax, letter in zip(smooth.items(), axes.flat, "abcd"):
        if title == "训练失败":
            # Noise is per epoch, so draw the per-epoch values rather than a smooth curve.
            train, val = noisy[title]
            x = EPOCHS
        else:
            x = e
        ax.plot(x, train, color=BLUE, lw=2, label="训练")
        ax.plot(x, val, color=ORANGE, lw=2, ls="--", label="验证")
        ax.set_title(f"({letter}) {title}", loc="left")
        ax.set_ylim(0, 1)
        ax.set_xlim(1, 15)
        ax.grid(color=LIGHT_GREY, lw=0.6)
    axes[0, 0].legend(loc="lower right")
    for ax in axes[1, :]:
        ax.set_xlabel("epoch")
        ax.set_xticks([1, 5, 10, 15])
    for ax in axes[:, 0]:
        ax.set_ylabel("准确率")
    gap_ax = axes[1, 0]
    tr, va = smooth["过拟合"]
    gap_ax.annotate("", (15, tr[-1]), (15, va[-1]), arrowprops={"arrowstyle": "<->", "color": RED, "lw": 1.2})
    gap_ax.text(14.6, (tr[-1] + va[-1]) / 2, "差距越来越大", color=RED, ha="right", va="center", fontsize=9)
    axes[0, 1].text(8, 0.6, "两条曲线都停在低处", color=GREY, ha="center", fontsize=9)
    axes[1, 1].text(8, 0.45, "一直停在 0.24 左右，与 5 类瞎猜（0.2）差不多", color=GREY, ha="center", fontsize=9)
    illustrative(fig)
    return fig


def _curves_figure(curves: dict[str, np.ndarray], *, compare: dict[str, np.ndarray] | None, mark_min: bool) -> Figure:
    fig, axes = canvas(10.0, 3.9, 1, 2)
    acc, loss = axes[0, 0], axes[0, 1]
    for ax, key, title in ((acc, "acc", "准确率"), (loss, "loss", "损失")):
        ax.plot(EPOCHS, curves[f"train_{key}"], "o-", color=BLUE, lw=2, ms=3.5, label="训练")
        ax.plot(EPOCHS, curves[f"val_{key}"], "s--", color=ORANGE, lw=2, ms=3.5, label="验证")
        if compare is not None:
            ax.plot(EPOCHS, compare[f"val_{key}"], color=GREY, lw=1.3, ls="--", alpha=0.6, zorder=1, label="验证（无增强/Dropout）")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_xlim(0.5, 15.5)
        ax.set_xticks([1, 3, 5, 7, 9, 11, 13, 15])
        ax.grid(color=LIGHT_GREY, lw=0.6)
    acc.set_ylim(0, 1)
    # Both curve figures share this axis so they can be compared; the over-fitting val_loss reaches ≈ 2.46.
    loss.set_ylim(0, 2.6)
    acc.legend(loc="lower right", fontsize=9)
    loss.legend(loc="upper center" if compare is not None else "center right", fontsize=9)
    if mark_min:
        best = val_loss_min_epoch()
        loss.axvline(best, color=RED, lw=1.3, ls=":")
        loss.text(best + 0.3, 2.3, "验证损失最低点（早停位置）", color=RED, fontsize=9.5, va="center")
        loss.plot([best], [curves["val_loss"][best - 1]], "o", color=RED, ms=7, mfc="none", mew=1.5)
    illustrative(fig)
    return fig


@figure("ch08-curves-overfit")
def curves_overfit(ctx: FigureContext) -> Figure:
    return _curves_figure(overfit_curves(EPOCHS), compare=None, mark_min=True)


@figure("ch08-curves-augmented")
def curves_augmented(ctx: FigureContext) -> Figure:
    return _curves_figure(augmented_curves(EPOCHS), compare=overfit_curves(EPOCHS), mark_min=False)


# --------------------------------------------------------------------------- augmentation


@dataclass(frozen=True)
class Augmented:
    image: np.ndarray  # uint8, same size as the input
    flipped: bool
    angle: float  # degrees, positive = counter-clockwise (keras' convention)
    zoom: float  # keras' zoom factor: < 1 shows a smaller region, i.e. the content grows by 1/zoom


def augment_examples(image: np.ndarray, seeds: list[int]) -> list[Augmented]:
    """The lesson's augmentation block (flip → rotate → zoom, training=True) applied once per seed.

    Each layer draws its random transformation explicitly so the figure can print what was drawn;
    applying it with ``transform_images`` is what calling the layer does internally.
    """
    import keras

    batch = image[None].astype("float32")
    results = []
    for seed in seeds:
        flip = keras.layers.RandomFlip("horizontal", seed=seed)
        rotate = keras.layers.RandomRotation(0.1, fill_mode="reflect", seed=seed + 1000)
        zoom = keras.layers.RandomZoom(0.1, fill_mode="reflect", seed=seed + 2000)
        x = batch
        drawn = []
        for layer in (flip, rotate, zoom):
            transform = layer.get_random_transformation(x, training=True)
            x = layer.transform_images(x, transform, training=True)
            drawn.append(transform)
        out = np.clip(np.round(keras.ops.convert_to_numpy(x)[0]), 0, 255).astype(np.uint8)
        results.append(Augmented(
            image=out,
            flipped=bool(np.asarray(keras.ops.convert_to_numpy(drawn[0]["flips"])).reshape(-1)[0]),
            angle=float(np.asarray(keras.ops.convert_to_numpy(drawn[1]["angle"])).reshape(-1)[0]),
            zoom=float(np.asarray(keras.ops.convert_to_numpy(drawn[2]["height_zoom"])).reshape(-1)[0]),
        ))
    return results


def augment_caption(a: Augmented) -> str:
    """Short Chinese description of one drawn augmentation."""
    turn = f"逆时针 {a.angle:.0f}°" if a.angle >= 0 else f"顺时针 {-a.angle:.0f}°"
    scale = 1 / a.zoom
    size = f"放大 ×{scale:.2f}" if scale >= 1 else f"缩小 ×{scale:.2f}"
    return ("翻转 · " if a.flipped else "") + f"{turn} · {size}"


@figure("ch08-augmentation-examples", needs_tensorflow=True)
def augmentation_examples(ctx: FigureContext) -> Figure:
    image = flower_square(180)
    augmented = augment_examples(image, list(range(1, 9)))
    fig, axes = canvas(7.8, 8.3, 3, 3)
    for i, ax in enumerate(axes.flat):
        if i == 0:
            ax.imshow(image)
            ax.set_title("原图", fontsize=11, color=RED)
        else:
            ax.imshow(augmented[i - 1].image)
            ax.set_title(augment_caption(augmented[i - 1]), fontsize=9.5)
        ax.axis("off")
    _footnote(fig, 'RandomFlip("horizontal") → RandomRotation(0.1) → RandomZoom(0.1)，fill_mode="reflect"，training=True；每格一个随机种子')
    return fig


# --------------------------------------------------------------------------- dropout


DROPOUT_X = np.array([[1.0, 0.5, 2.0, 0.0], [3.0, 1.5, 0.2, 4.0], [0.8, 2.2, 1.0, 0.6], [0.0, 1.2, 2.5, 0.4]])
DROPOUT_MASK = np.array([[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 0]])
DROPOUT_RATE = 0.2


def dropout_apply(x: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """Inverted dropout during training: zero the dropped units, scale the rest by 1/(1 − rate)."""
    return x * mask / (1.0 - rate)


@figure("ch08-dropout-mask")
def dropout_mask(ctx: FigureContext) -> Figure:
    out = dropout_apply(DROPOUT_X, DROPOUT_MASK, DROPOUT_RATE)
    cell = 1.0
    fig, ax = diagram(17.2, 6.9, scale=0.6)
    top = 6.0
    dropped = DROPOUT_MASK == 0
    zero_out = out == 0
    grey_where = lambda cond: [[LIGHT_GREY if c else None for c in row] for row in cond]  # noqa: E731
    red_where = lambda cond: [[RED if c else BLACK for c in row] for row in cond]  # noqa: E731
    xs = [0.4, 6.4, 12.4]
    matrix(ax, DROPOUT_X, xs[0], top, cell=cell, fmt="{:g}", title="输入 x", title_size=11)
    matrix(ax, DROPOUT_MASK, xs[1], top, cell=cell, fmt="{:d}", fills=grey_where(dropped), title=f"掩码 m（rate = {DROPOUT_RATE:g}）",
           title_size=11, text_colors=red_where(dropped))
    # Dropped units are red; zeros that were already zero in x stay black, so the two causes differ.
    matrix(ax, out, xs[2], top, cell=cell, fmt="{:g}", fills=grey_where(zero_out), title="输出", title_size=11, fontsize=9.5,
           text_colors=red_where(dropped))
    mid = top - 2 * cell
    ax.text((xs[0] + 4 + xs[1]) / 2, mid, "⊙", ha="center", va="center", fontsize=22)
    ax.text((xs[1] + 4 + xs[2]) / 2, mid, f"÷ {1 - DROPOUT_RATE:g} =", ha="center", va="center", fontsize=15)
    below = top - 4 * cell - 0.3
    ax.text(xs[0] + 2, below, "逐元素相乘：x 的每个数乘以 m 的对应位", ha="center", va="top", fontsize=9, color="#555555")
    ax.text(xs[1] + 2, below, "0 = 这个神经元本次被丢弃（约 20%）", ha="center", va="top", fontsize=9, color=RED)
    ax.text(xs[2] + 2, below, f"保留的值放大 1/{1 - DROPOUT_RATE:g} = {1 / (1 - DROPOUT_RATE):g} 倍\n红色 0：被丢弃；黑色 0：输入本来就是 0",
            ha="center", va="top", fontsize=9, color=BLUE, linespacing=1.5)
    ax.text(8.6, 0.45, "形状不变：4×4 → 4×4；推理时输出 = 输入", ha="center", va="center", fontsize=11,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": FILL["grey"], "edgecolor": GREY})
    return fig


# --------------------------------------------------------------------------- prediction


EXAMPLE_LOGITS = np.array([-1.0, 0.2, 0.1, 3.1, 1.4])


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax with the max subtracted first (same result, no overflow)."""
    z = np.exp(logits - np.max(logits))
    return z / z.sum()


@figure("ch08-prediction-bars")
def prediction_bars(ctx: FigureContext) -> Figure:
    probs = softmax(EXAMPLE_LOGITS)
    best = int(np.argmax(probs))
    fig, axes = canvas(10.0, 3.6, 1, 2, gridspec_kw={"width_ratios": [1, 1.9]})
    left, right = axes[0, 0], axes[0, 1]
    left.imshow(flower_square(180))
    left.set_title("输入图片（180×180）", fontsize=10)
    left.set_xticks([0, 179], ["0", "179"])
    left.set_yticks([0, 179], ["0", "179"])
    y = np.arange(len(FLOWER_CLASSES))[::-1]
    colours = [RED if i == best else GREY for i in range(len(probs))]
    right.barh(y, probs * 100, color=colours, height=0.6)
    right.set_yticks(y, [f"{i} {name}" for i, name in enumerate(FLOWER_CLASSES)])
    right.set_xlim(0, 100)
    right.set_xlabel("softmax 概率（%）")
    for yi, p, logit, i in zip(y, probs, EXAMPLE_LOGITS, range(len(probs))):
        right.text(p * 100 + 1.2, yi, f"{p * 100:.1f}%", va="center", fontsize=10,
                   color=RED if i == best else BLACK)
        right.text(99, yi, f"logit {logit:+.1f}", va="center", ha="right", fontsize=8.5, color=GREY)
    right.set_title(f"示例预测：{FLOWER_CLASSES[best]}（{probs[best] * 100:.1f}%）", fontsize=11, color=RED)
    _footnote(fig, "示例数据：logits 为假设值，不是真实模型的输出；图片是 scikit-learn 自带的样例照片（大丽花，不属于这 5 类）")
    return fig


# --------------------------------------------------------------------------- confusion matrix


EXAMPLE_CONFUSION = np.array([
    [98, 6, 8, 5, 9],
    [7, 150, 4, 11, 8],
    [6, 3, 92, 4, 23],
    [3, 9, 5, 118, 6],
    [8, 5, 27, 9, 110],
])


def per_class_recall(cm: np.ndarray) -> np.ndarray:
    """Correct / all images of each true class (rows are true classes)."""
    return np.diag(cm) / cm.sum(axis=1)


@figure("ch08-confusion-matrix")
def confusion_matrix(ctx: FigureContext) -> Figure:
    cm = EXAMPLE_CONFUSION
    k = len(FLOWER_CLASSES)
    recall = per_class_recall(cm)
    fig, axes = canvas(9.6, 5.0, 1, 2, gridspec_kw={"width_ratios": [5, 2.3]})
    ax, side = axes[0, 0], axes[0, 1]
    ax.imshow(cm, cmap="Blues", vmin=0)
    threshold = cm.max() * 0.55
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=11,
                    color="white" if cm[i, j] > threshold else BLACK)
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=RED, lw=2.2))
    ax.set_xticks(range(k), FLOWER_CLASSES, rotation=20)
    ax.set_yticks(range(k), FLOWER_CLASSES)
    ax.set_xlabel("预测类别")
    ax.set_ylabel("真实类别")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    accuracy = np.trace(cm) / cm.sum()
    ax.set_title(f"共 {cm.sum()} 张验证图片，准确率 {np.trace(cm)}/{cm.sum()} = {accuracy * 100:.1f}%", fontsize=11)
    # Recall per row, drawn on the same rows as the matrix.
    rows = np.arange(k)
    side.barh(rows, recall * 100, height=0.55, color=BLUE)
    side.set_ylim(k - 0.5, -0.5)
    side.set_xlim(0, 100)
    side.set_yticks([])
    side.spines["left"].set_visible(False)
    for i in range(k):
        side.text(3, i - 0.36, f"{cm[i, i]}/{cm[i].sum()}", va="bottom", fontsize=8.5, color="#555555")
        side.text(recall[i] * 100 + 2, i, f"{recall[i] * 100:.1f}%", va="center", fontsize=9.5)
    side.set_title("每类召回率（对角线 ÷ 行和）", fontsize=10)
    side.set_xlabel("%")
    _footnote(fig, "示例数据（没有训练好的模型时的演示数字）")
    return fig


__all__ = [
    "aspect_variants",
    "augment_caption",
    "augment_examples",
    "batch_images",
    "dropout_apply",
    "flowers_layers",
    "flowers_param_counts",
    "keras_file_order",
    "per_class_recall",
    "pipeline_schedule",
    "pipeline_time",
    "softmax",
    "val_loss_min_epoch",
]
