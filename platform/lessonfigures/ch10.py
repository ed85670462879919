"""Chapter 10 figures: detection tasks, IoU, PR curve and AP, NMS, R-CNN family, YOLO, SSD.

No street photograph is bundled with the platform, so the scenes are drawn here with Pillow
(cars, pedestrians, a dog); drawing them also gives exact boxes and per-pixel masks, which the
detection and segmentation panels need. Every number printed on the figures (IoU, AP, NMS
decisions, anchor sizes, box counts) comes from the small pure functions below, which the tests
check against the values stated in the lessons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import ConnectionPatch, Polygon, Rectangle

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, PURPLE, RED, SKY, arrow, box, canvas, diagram, resize

Box = tuple[float, float, float, float]  # (xmin, ymin, xmax, ymax), image convention: y grows downwards


# ---------------------------------------------------------------- box arithmetic


def box_area(b: Box) -> float:
    """Area of a box; an inverted box (no overlap) counts as 0."""
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def box_intersection(a: Box, b: Box) -> Box | None:
    """The overlap rectangle of two boxes, or None when they do not overlap."""
    inter = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return inter if inter[2] > inter[0] and inter[3] > inter[1] else None


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (xmin, ymin, xmax, ymax) boxes."""
    inter = box_intersection(a, b)
    overlap = box_area(inter) if inter else 0.0
    return overlap / (box_area(a) + box_area(b) - overlap)


def union_outline(a: Box, b: Box) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Edge segments of the union of two axis-aligned boxes (each box's edges minus the parts inside the other)."""
    segments = []
    for this, other in ((a, b), (b, a)):
        x0, y0, x1, y1 = this
        ox0, oy0, ox1, oy1 = other
        for fixed, lo, hi, horizontal in ((y0, x0, x1, True), (y1, x0, x1, True), (x0, y0, y1, False), (x1, y0, y1, False)):
            # Part of the edge strictly inside the other box is interior to the union.
            inside_other = (oy0 < fixed < oy1) if horizontal else (ox0 < fixed < ox1)
            cut_lo, cut_hi = (ox0, ox1) if horizontal else (oy0, oy1)
            pieces = [(lo, hi)]
            if inside_other:
                pieces = [(lo, min(hi, cut_lo)), (max(lo, cut_hi), hi)]
            for p, q in pieces:
                if q > p:
                    segments.append(((p, fixed), (q, fixed)) if horizontal else ((fixed, p), (fixed, q)))
    return segments


# ---------------------------------------------------------------- NMS


NMS_BOXES: dict[str, tuple[Box, float]] = {
    "A": ((0, 0, 10, 10), 0.9),
    "B": ((1, 1, 11, 11), 0.8),
    "C": ((20, 20, 30, 30), 0.7),
    "D": ((21, 19, 31, 29), 0.6),
    "E": ((5, 5, 15, 15), 0.5),
}


@dataclass(frozen=True)
class NmsResult:
    keep: list[int]  # indices in the order they were selected
    suppressed: dict[int, tuple[int, float]]  # removed index -> (index of the kept box that removed it, their IoU)


def nms(boxes: Sequence[Box], scores: Sequence[float], iou_threshold: float = 0.5) -> NmsResult:
    """Greedy non-maximum suppression (as tf.image.non_max_suppression: remove IoU > threshold)."""
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep: list[int] = []
    suppressed: dict[int, tuple[int, float]] = {}
    while order:
        best = order.pop(0)
        keep.append(best)
        remaining = []
        for i in order:
            overlap = iou(boxes[best], boxes[i])
            if overlap > iou_threshold:
                suppressed[i] = (best, overlap)
            else:
                remaining.append(i)
        order = remaining
    return NmsResult(keep, suppressed)


# ---------------------------------------------------------------- precision-recall and AP

# Ranked detections of one class in the lesson's example: 5 ground-truth boxes.
PR_OUTCOMES = (True, True, False, True, False, True)
PR_GROUND_TRUTH = 5


def pr_points(outcomes: Sequence[bool], n_ground_truth: int) -> tuple[np.ndarray, np.ndarray]:
    """(recall, precision) after each ranked detection (True = TP, False = FP)."""
    tp = np.cumsum(np.asarray(outcomes, dtype=float))
    ranks = np.arange(1, len(outcomes) + 1)
    return tp / n_ground_truth, tp / ranks


def interpolated_envelope(recall: np.ndarray, precision: np.ndarray, *, merge: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """All-point interpolation: segment edges (0 … 1) and the precision on each (edge[i], edge[i+1]].

    The precision at recall r is the best precision at any recall ≥ r; beyond the highest recall
    reached it is 0. With ``merge``, adjacent segments with equal precision become one.
    """
    levels = np.unique(recall)
    heights = [float(precision[recall >= r].max()) for r in levels]
    edges = [0.0, *levels.tolist()]
    if edges[-1] < 1.0:
        edges.append(1.0)
        heights.append(0.0)
    if not merge:
        return np.array(edges), np.array(heights)
    merged_edges, merged_heights = [edges[0]], []
    for right, h in zip(edges[1:], heights):
        if merged_heights and np.isclose(merged_heights[-1], h):
            merged_edges[-1] = right
        else:
            merged_edges.append(right)
            merged_heights.append(h)
    return np.array(merged_edges), np.array(merged_heights)


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the all-point interpolated precision-recall curve (PASCAL VOC 2010+)."""
    edges, heights = interpolated_envelope(recall, precision)
    return float(np.sum(np.diff(edges) * heights))


def average_precision_11point(recall: np.ndarray, precision: np.ndarray) -> float:
    """VOC 2007 11-point AP: mean interpolated precision at recall 0, 0.1, …, 1.0."""
    values = [precision[recall >= t - 1e-12].max() if np.any(recall >= t - 1e-12) else 0.0 for t in np.linspace(0, 1, 11)]
    return float(np.mean(values))


# ---------------------------------------------------------------- YOLO, Faster R-CNN anchors, SSD


def yolo_output_shape(grid: int = 7, boxes_per_cell: int = 2, classes: int = 20) -> tuple[int, int, int]:
    """S × S × (B·5 + C): each box has x, y, w, h and a confidence; class probabilities are per cell."""
    return grid, grid, boxes_per_cell * 5 + classes


def rpn_anchor_sizes(scales: Sequence[int] = (128, 256, 512), ratios: Sequence[float] = (0.5, 1.0, 2.0)) -> list[tuple[float, float, int, float]]:
    """(width, height, scale, ratio) of the k = len(scales)·len(ratios) anchors; ratio = height / width, area = scale²."""
    anchors = []
    for scale in scales:
        for ratio in ratios:
            width = scale / sqrt(ratio)
            anchors.append((width, width * ratio, scale, ratio))
    return anchors


# SSD300 (Liu et al. 2016): feature map side and default boxes per location.
SSD_MAPS: tuple[tuple[int, int], ...] = ((38, 4), (19, 6), (10, 6), (5, 6), (3, 4), (1, 4))
SSD_CLASSES = 21  # 20 VOC classes + background
# Per map: (min_size, max_size, extra aspect ratios) of the original Caffe SSD300 prior boxes.
SSD_PRIORS: tuple[tuple[int, int, tuple[float, ...]], ...] = (
    (30, 60, (2,)),
    (60, 111, (2, 3)),
    (111, 162, (2, 3)),
    (162, 213, (2, 3)),
    (213, 264, (2,)),
    (264, 315, (2,)),
)


def ssd_box_counts(maps: Sequence[tuple[int, int]] = SSD_MAPS) -> list[int]:
    """Default boxes contributed by each feature map: side² × boxes per location."""
    return [side * side * per_location for side, per_location in maps]


def ssd_default_box_sizes(min_size: float, max_size: float, ratios: Sequence[float]) -> list[tuple[float, float]]:
    """(width, height) of one location's default boxes: two squares, then each ratio r and 1/r."""
    sizes = [(min_size, min_size), (sqrt(min_size * max_size),) * 2]
    for r in ratios:
        sizes += [(min_size * sqrt(r), min_size / sqrt(r)), (min_size / sqrt(r), min_size * sqrt(r))]
    return sizes


# ---------------------------------------------------------------- synthetic scenes


@dataclass(frozen=True)
class SceneObject:
    label: str  # class name in Chinese, as printed on the figures
    box: Box  # tight box in pixels, from the object's own mask


@dataclass(frozen=True)
class Scene:
    image: np.ndarray  # H × W × 3 uint8
    classes: np.ndarray  # H × W int: 0 background, else index into CLASS_NAMES
    objects: list[SceneObject]


CLASS_NAMES = ("背景", "汽车", "行人", "狗")
CLASS_COLOURS = {"汽车": BLUE, "行人": RED, "狗": ORANGE}

# (kind, x, ground_y, size, colour) in fractions of the image: x is the left end (car, dog) or
# the centre (person); size is the length (car, dog) or the height (person) as a fraction of width.
STREET = (
    ("car", 0.05, 0.86, 0.34, (176, 52, 48)),
    ("car", 0.57, 0.78, 0.26, (222, 178, 64)),
    ("person", 0.47, 0.83, 0.2, (70, 120, 80)),
)
SSD_STREET = (
    ("car", 0.1, 0.9, 0.66, (46, 104, 150)),
    ("person", 0.83, 0.62, 0.12, (176, 52, 48)),
)
DOG_PARK = (("dog", 0.24, 0.8, 0.46, (150, 98, 52)),)


def _ellipse(draw_sets: Sequence, xy: Sequence[float], fills: Sequence) -> None:
    """The same ellipse on the picture and on the instance mask (each with its own fill)."""
    for draw, fill in zip(draw_sets, fills):
        draw.ellipse(xy, fill=fill)


def scene_render(width: int, height: int, objects: Sequence[tuple[str, float, float, float, tuple[int, int, int]]] = STREET, *, park: bool = False, seed: int = 0) -> Scene:
    """Draw a deterministic scene with Pillow and return the image, the class map and tight boxes."""
    from PIL import Image, ImageDraw

    ss = 3  # supersampling for smooth edges; masks are taken at the same resolution
    w, h = width * ss, height * ss
    image = Image.new("RGB", (w, h), (205, 226, 240))
    instances = Image.new("L", (w, h), 0)
    draw, mask = ImageDraw.Draw(image), ImageDraw.Draw(instances)
    rng = np.random.default_rng(seed)
    horizon = int(0.45 * h)
    if park:
        draw.rectangle((0, horizon, w, h), fill=(142, 186, 110))
        for _ in range(40):
            cx, cy = rng.uniform(0, w), rng.uniform(horizon + 0.05 * h, h)
            draw.ellipse((cx - 0.02 * w, cy - 0.006 * w, cx + 0.02 * w, cy + 0.006 * w), fill=(128, 172, 98))
        for cx in (0.08, 0.9):
            draw.rectangle((cx * w - 0.012 * w, horizon - 0.12 * h, cx * w + 0.012 * w, horizon + 0.02 * h), fill=(110, 84, 60))
            draw.ellipse((cx * w - 0.08 * w, horizon - 0.32 * h, cx * w + 0.08 * w, horizon - 0.08 * h), fill=(96, 150, 92))
    else:
        x = 0
        while x < w:
            bw = int(rng.uniform(0.08, 0.16) * w)
            bh = int(rng.uniform(0.12, 0.3) * h)
            tone = int(rng.uniform(188, 212))
            draw.rectangle((x, horizon - bh, x + bw, horizon), fill=(tone, tone, tone + 6))
            x += bw + int(0.01 * w)
        draw.rectangle((0, horizon, w, int(0.52 * h)), fill=(196, 196, 190))
        draw.rectangle((0, int(0.52 * h), w, h), fill=(128, 130, 134))
        lane = int(0.74 * h)
        for x0 in np.arange(0.02, 1.0, 0.16):
            draw.rectangle((x0 * w, lane, (x0 + 0.08) * w, lane + 0.012 * h), fill=(232, 232, 226))

    for index, (kind, fx, fground, fsize, colour) in enumerate(objects, start=1):
        sets = (draw, mask)
        ground, size = fground * h, fsize * w
        dark = tuple(int(c * 0.6) for c in colour)
        if kind == "car":
            x0, r = fx * w, 0.09 * size
            body = (x0, ground - 0.6 * r - 0.22 * size, x0 + size, ground - 0.6 * r)
            for d, fill in zip(sets, (colour, index)):
                d.rounded_rectangle(body, radius=0.05 * size, fill=fill)
                d.polygon([(x0 + 0.2 * size, body[1] + 2), (x0 + 0.32 * size, body[1] - 0.16 * size), (x0 + 0.66 * size, body[1] - 0.16 * size), (x0 + 0.8 * size, body[1] + 2)], fill=fill)
            glass = (215, 232, 242)
            draw.polygon([(x0 + 0.25 * size, body[1]), (x0 + 0.34 * size, body[1] - 0.13 * size), (x0 + 0.48 * size, body[1] - 0.13 * size), (x0 + 0.48 * size, body[1])], fill=glass)
            draw.polygon([(x0 + 0.51 * size, body[1]), (x0 + 0.51 * size, body[1] - 0.13 * size), (x0 + 0.64 * size, body[1] - 0.13 * size), (x0 + 0.75 * size, body[1])], fill=glass)
            draw.rectangle((x0 + size - 0.05 * size, body[1] + 0.04 * size, x0 + size - 0.01 * size, body[1] + 0.08 * size), fill=(250, 222, 120))
            for cx in (x0 + 0.2 * size, x0 + 0.8 * size):
                _ellipse(sets, (cx - r, ground - 2 * r, cx + r, ground), ((40, 40, 44), index))
                draw.ellipse((cx - 0.45 * r, ground - 1.45 * r, cx + 0.45 * r, ground - 0.55 * r), fill=(170, 170, 176))
        elif kind == "person":
            cx, hp = fx * w, size
            head = 0.085 * hp
            _ellipse(sets, (cx - head, ground - hp, cx + head, ground - hp + 2 * head), ((236, 200, 170), index))
            torso = (cx - 0.14 * hp, ground - hp + 2 * head - 0.01 * hp, cx + 0.14 * hp, ground - 0.4 * hp)
            _ellipse(sets, torso, (colour, index))
            for dx in (-0.06, 0.06):
                for d, fill in zip(sets, ((50, 54, 70), index)):
                    d.line((cx + dx * 0.6 * hp, ground - 0.46 * hp, cx + dx * hp, ground), fill=fill, width=max(1, int(0.07 * hp)))
            for dx in (-0.15, 0.15):
                for d, fill in zip(sets, (dark, index)):
                    d.line((cx + dx * 0.7 * hp, ground - 0.72 * hp, cx + dx * hp, ground - 0.45 * hp), fill=fill, width=max(1, int(0.05 * hp)))
        elif kind == "dog":
            x0, L = fx * w, size
            for d, fill in zip(sets, (dark, index)):
                d.line((x0 + 0.14 * L, ground - 0.5 * L, x0 + 0.02 * L, ground - 0.68 * L), fill=fill, width=int(0.04 * L))
            for lx in (0.2, 0.3, 0.62, 0.72):
                for d, fill in zip(sets, (dark if lx in (0.3, 0.72) else colour, index)):
                    d.rectangle((x0 + lx * L, ground - 0.36 * L, x0 + (lx + 0.07) * L, ground), fill=fill)
            _ellipse(sets, (x0 + 0.1 * L, ground - 0.58 * L, x0 + 0.84 * L, ground - 0.28 * L), (colour, index))
            _ellipse(sets, (x0 + 0.7 * L, ground - 0.86 * L, x0 + 0.98 * L, ground - 0.56 * L), (colour, index))
            _ellipse(sets, (x0 + 0.86 * L, ground - 0.72 * L, x0 + 1.04 * L, ground - 0.6 * L), (colour, index))
            draw.ellipse((x0 + 1.0 * L, ground - 0.7 * L, x0 + 1.04 * L, ground - 0.66 * L), fill=(30, 30, 30))
            draw.ellipse((x0 + 0.885 * L, ground - 0.8 * L, x0 + 0.92 * L, ground - 0.765 * L), fill=(30, 30, 30))
            for d, fill in zip(sets, (dark, index)):
                d.polygon([(x0 + 0.71 * L, ground - 0.8 * L), (x0 + 0.79 * L, ground - 0.85 * L), (x0 + 0.77 * L, ground - 0.6 * L)], fill=fill)
        else:
            raise ValueError(f"unknown object kind {kind!r}")

    small = np.asarray(image.resize((width, height), Image.Resampling.LANCZOS))
    inst = np.asarray(instances.resize((width, height), Image.Resampling.NEAREST))
    kind_class = {"car": 1, "person": 2, "dog": 3}
    classes = np.zeros(inst.shape, dtype=np.int64)
    found = []
    for index, (kind, *_rest) in enumerate(objects, start=1):
        ys, xs = np.nonzero(inst == index)
        classes[inst == index] = kind_class[kind]
        found.append(SceneObject(CLASS_NAMES[kind_class[kind]], (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))))
    return Scene(small, classes, found)


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _show(ax: Axes, image: np.ndarray, extent: tuple[float, float, float, float] | None = None) -> None:
    """imshow in image coordinates (y down), or into a data-unit extent (left, right, bottom, top) on a diagram."""
    if extent is None:
        ax.imshow(image, interpolation="lanczos")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color(GREY)
            spine.set_linewidth(0.8)
    else:
        ax.imshow(image, extent=extent, interpolation="lanczos", zorder=2)
        x0, x1, y0, y1 = extent
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=GREY, lw=0.8, zorder=3))


def _tag(ax: Axes, x: float, y: float, text: str, colour: str, fontsize: float = 9, **kw) -> None:
    """A class tag (white text on the class colour) with its lower-left corner at (x, y)."""
    ax.text(x, y, text, color="white", fontsize=fontsize, ha=kw.pop("ha", "left"), va=kw.pop("va", "bottom"), zorder=6, bbox={"boxstyle": "square,pad=0.2", "facecolor": colour, "edgecolor": "none"}, **kw)


def _boxes_on(ax: Axes, objects: Sequence[SceneObject], *, lw: float = 2.2, tags: bool = True, fontsize: float = 9, scale: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """Detection boxes with class tags; ``scale``/``offset`` map image pixels onto a diagram axis (y up)."""
    for obj in objects:
        colour = CLASS_COLOURS[obj.label]
        x0, y0, x1, y1 = obj.box
        if scale == 1.0 and offset == (0.0, 0.0):
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=colour, lw=lw, zorder=5))
            if tags:
                _tag(ax, x0, y0, obj.label, colour, fontsize, va="bottom")
        else:
            ox, oy = offset
            ax.add_patch(Rectangle((ox + x0 * scale, oy - y1 * scale), (x1 - x0) * scale, (y1 - y0) * scale, fill=False, edgecolor=colour, lw=lw, zorder=5))
            if tags:
                _tag(ax, ox + x0 * scale, oy - y0 * scale, obj.label, colour, fontsize)


def _slab(ax: Axes, x: float, y: float, w: float, h: float, *, depth: int = 3, step: float = 0.22, fill: str = FILL["blue"], label: str = "", fontsize: float = 9) -> None:
    """A stack of offset rectangles standing for a feature map with channels; (x, y) is the front's lower-left."""
    for k in reversed(range(depth)):
        ax.add_patch(Rectangle((x + k * step, y + k * step), w, h, facecolor=fill, edgecolor=BLACK, lw=0.9, zorder=2))
    if label:
        ax.text(x + w / 2, y - 0.25, label, ha="center", va="top", fontsize=fontsize)


def _route(ax: Axes, points: Sequence[tuple[float, float]], *, color: str = BLACK, lw: float = 1.3, text: str = "", text_at: tuple[float, float] | None = None, fontsize: float = 9, dashed: bool = False) -> None:
    """A polyline with an arrow head on its last segment (for right-angled connectors)."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, ls="--" if dashed else "-", solid_capstyle="butt", zorder=1)
    arrow(ax, points[-2], points[-1], color=color, lw=lw, dashed=dashed)
    if text and text_at:
        ax.text(*text_at, text, fontsize=fontsize, color=color, ha="center", va="center")


# ---------------------------------------------------------------- figures


@figure("ch10-tasks")
def tasks(ctx: FigureContext) -> Figure:
    scene = scene_render(480, 300, STREET, seed=ctx.seed)
    fig, axes = canvas(12, 3.5, 1, 3)
    titles = ("图像分类", "目标检测", "语义分割")
    for ax, title in zip(axes[0], titles):
        _show(ax, scene.image)
        ax.set_title(title, fontsize=12)
    # Classification: one label for the whole picture, tagged in a corner.
    axes[0, 0].add_patch(Rectangle((1, 1), 477, 297, fill=False, edgecolor=BLUE, lw=3))
    _tag(axes[0, 0], 8, 10, "汽车", BLUE, 11, va="top")
    _boxes_on(axes[0, 1], scene.objects, fontsize=10)
    tinted = scene.image.astype(float)
    for class_id, name in enumerate(CLASS_NAMES):
        if name in CLASS_COLOURS:
            where = scene.classes == class_id
            tinted[where] = 0.2 * tinted[where] + 0.8 * _hex_rgb(CLASS_COLOURS[name])
    ax = axes[0, 2]
    ax.images[0].set_data(tinted.astype(np.uint8))
    for name in ("汽车", "行人"):
        ax.add_patch(Rectangle((0, 0), 0, 0, facecolor=CLASS_COLOURS[name], label=name))
    ax.legend(loc="upper right", fontsize=9, frameon=True, framealpha=0.9, handlelength=1.0)
    return fig


@figure("ch10-iou-boxes")
def iou_boxes(ctx: FigureContext) -> Figure:
    truth: Box = (50, 50, 150, 150)
    pred: Box = (70, 60, 170, 160)
    inter = box_intersection(truth, pred)
    assert inter is not None
    iw, ih = inter[2] - inter[0], inter[3] - inter[1]
    a_t, a_p, a_i = box_area(truth), box_area(pred), box_area(inter)
    union = a_t + a_p - a_i
    fig, axes = canvas(7.2, 7.0)
    ax = axes[0, 0]
    ax.set_xlim(0, 200)
    ax.set_ylim(200, 0)  # image convention: y downwards
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.spines["top"].set_visible(True)
    ax.spines["bottom"].set_visible(False)
    ax.set_xticks(range(0, 201, 50))
    ax.set_yticks(range(0, 201, 50))
    ax.set_xlabel("x")
    ax.set_ylabel("y", rotation=0, labelpad=8)
    ax.set_aspect("equal")
    ax.grid(True, color=LIGHT_GREY, lw=0.6)
    ax.set_axisbelow(True)
    ax.add_patch(Rectangle(inter[:2], iw, ih, facecolor=FILL["purple"], edgecolor=PURPLE, hatch="///", lw=0, zorder=1))
    ax.add_patch(Rectangle(truth[:2], truth[2] - truth[0], truth[3] - truth[1], fill=False, edgecolor=GREEN, lw=2.6, zorder=3))
    ax.add_patch(Rectangle(pred[:2], pred[2] - pred[0], pred[3] - pred[1], fill=False, edgecolor=RED, lw=2.6, zorder=3))
    pad = 4  # draw the union's outline just outside both boxes so it does not hide their edges
    grown = [(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) for b in (truth, pred)]
    for p, q in union_outline(*grown):
        ax.plot([p[0], q[0]], [p[1], q[1]], color=BLACK, lw=1.4, ls=(0, (4, 3)), zorder=4)
    ax.text(truth[0], truth[1] - 8, f"真实框 ({truth[0]:g}, {truth[1]:g})-({truth[2]:g}, {truth[3]:g})", color=GREEN, fontsize=10, ha="left", va="bottom")
    ax.text(pred[2], pred[3] + 8, f"预测框 ({pred[0]:g}, {pred[1]:g})-({pred[2]:g}, {pred[3]:g})", color=RED, fontsize=10, ha="right", va="top")
    ax.text((inter[0] + inter[2]) / 2, (inter[1] + inter[3]) / 2, f"交集\n{iw:g}×{ih:g} = {a_i:g}", ha="center", va="center", fontsize=11, color=PURPLE, zorder=5, bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": PURPLE, "lw": 0.8})
    ax.annotate(
        f"并集（虚线）{a_t:g} + {a_p:g} − {a_i:g} = {union:g}",
        xy=(grown[1][2], 120), xytext=(100, 188), fontsize=10, ha="center", va="center",
        arrowprops={"arrowstyle": "->", "color": BLACK, "lw": 1, "connectionstyle": "arc3,rad=0.25"},
    )
    ax.set_title(f"IoU = {a_i:g} / {union:g} = {a_i / union:.4f}", fontsize=13, pad=12)
    return fig


@figure("ch10-pr-curve")
def pr_curve(ctx: FigureContext) -> Figure:
    recall, precision = pr_points(PR_OUTCOMES, PR_GROUND_TRUTH)
    edges, heights = interpolated_envelope(recall, precision)
    ap = average_precision(recall, precision)
    fig, axes = canvas(10.5, 5.6)
    ax = axes[0, 0]
    step_x = np.repeat(edges, 2)[1:-1]
    step_y = np.repeat(heights, 2)
    ax.fill_between(step_x, step_y, color="#F8DFA8", lw=0, label="阴影面积 = AP")
    ax.plot(np.concatenate([[edges[0]], step_x]), np.concatenate([[heights[0]], step_y]), color=ORANGE, lw=3, label="填平后的阶梯（插值精确率）", zorder=3)
    ax.plot(recall, precision, color=GREY, lw=1, zorder=4, label="原始折线（按置信度排序）")
    tp = np.asarray(PR_OUTCOMES)
    ax.plot(recall[tp], precision[tp], "o", color=BLUE, ms=7, zorder=5, label="TP")
    ax.plot(recall[~tp], precision[~tp], "o", mfc="white", mec=RED, mew=1.6, ms=7, zorder=5, label="FP")
    for rank, (r, p) in enumerate(zip(recall, precision), start=1):
        dy = 0.045 if rank != 3 and rank != 5 else -0.06
        ax.text(r + 0.012, p + dy, f"#{rank}", fontsize=8, color=BLACK, ha="left", va="center", zorder=6)
    for left, right, h in zip(edges[:-1], edges[1:], heights):
        ax.text((left + right) / 2, h / 2 if h > 0 else 0.04, f"{h:.3g}" if h < 1 else "1.0", ha="center", va="center", fontsize=10, color=BLACK if h > 0 else GREY)
    # The sum is written per recall step (0.2 wide), as in the lesson.
    fine_edges, fine_heights = interpolated_envelope(recall, precision, merge=False)
    terms = " + ".join(f"{w:.1f}×{h:.3g}" if h < 1 else f"{w:.1f}×1" for w, h in zip(np.diff(fine_edges), fine_heights))
    ax.text(0.97, 0.86, f"AP ≈ {ap:.3f}", transform=ax.transAxes, ha="right", fontsize=15, color=BLACK)
    ax.text(0.97, 0.79, terms, transform=ax.transAxes, ha="right", fontsize=9, color=BLACK)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.1)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("召回率 recall")
    ax.set_ylabel("精确率 precision")
    ax.grid(True, color=LIGHT_GREY, lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    return fig


def _nms_panel(ax: Axes, title: str) -> None:
    # A small margin beyond 0 so that A's edges and tag are not cut by the frame.
    ax.set_xlim(-0.8, 35)
    ax.set_ylim(35, -2.2)
    ax.set_aspect("equal")
    ax.set_xticks(range(0, 36, 5))
    ax.set_yticks(range(0, 36, 5))
    ax.xaxis.tick_top()
    ax.spines["top"].set_visible(True)
    ax.spines["bottom"].set_visible(False)
    ax.grid(True, color=LIGHT_GREY, lw=0.5)
    ax.set_axisbelow(True)
    ax.set_title(title, fontsize=12, pad=10)


# Where each box's "letter score" tag sits, chosen so that no other box's edge runs through it.
_NMS_TAG_PLACE = {"A": "above", "B": "below", "C": "left", "D": "right", "E": "below"}
_NMS_COLOURS = {"A": BLUE, "B": ORANGE, "C": GREEN, "D": PURPLE, "E": RED}


def _nms_box(ax: Axes, name: str, b: Box, score: float, *, colour: str, dashed: bool = False) -> None:
    ax.add_patch(Rectangle(b[:2], b[2] - b[0], b[3] - b[1], fill=False, edgecolor=colour, lw=1.6 if dashed else 2.2, ls=(0, (4, 2.5)) if dashed else "-", zorder=3))
    x, y, ha, va = {
        "above": (b[0], b[1] - 0.3, "left", "bottom"),
        "below": (b[2], b[3] + 0.3, "right", "top"),
        "left": (b[0] - 0.3, b[1], "right", "top"),
        "right": (b[2] + 0.3, b[3], "left", "bottom"),
    }[_NMS_TAG_PLACE[name]]
    ax.text(x, y, f"{name} {score:g}", ha=ha, va=va, fontsize=10, color=colour, zorder=5)


@figure("ch10-nms")
def nms_figure(ctx: FigureContext) -> Figure:
    names = list(NMS_BOXES)
    boxes = [NMS_BOXES[n][0] for n in names]
    scores = [NMS_BOXES[n][1] for n in names]
    result = nms(boxes, scores, 0.5)
    fig, axes = canvas(11, 5.6, 1, 2)
    _nms_panel(axes[0, 0], "NMS 前")
    _nms_panel(axes[0, 1], "NMS 后（IoU 阈值 0.5）")
    for i, name in enumerate(names):
        _nms_box(axes[0, 0], name, boxes[i], scores[i], colour=_NMS_COLOURS[name])
        removed = i in result.suppressed
        _nms_box(axes[0, 1], name, boxes[i], scores[i], colour=GREY if removed else _NMS_COLOURS[name], dashed=removed)
    ax = axes[0, 1]
    for i, (by, overlap) in result.suppressed.items():
        b = boxes[i]
        text = f"{names[i]}：与 {names[by]} 的 IoU {overlap:.2f} > 0.5，删除"
        if b[1] < 15:
            ax.annotate(text, xy=(b[2], (b[1] + b[3]) / 2), xytext=(b[2] + 3.5, 3.2), fontsize=9, color=BLACK, ha="left", va="center", arrowprops={"arrowstyle": "->", "color": GREY})
        else:
            ax.annotate(text, xy=((b[0] + b[2]) / 2, b[3]), xytext=(19, 33), fontsize=9, color=BLACK, ha="center", va="center", arrowprops={"arrowstyle": "->", "color": GREY})
    e, a = names.index("E"), result.keep[0]
    ax.annotate(f"E：与 {names[a]} 的 IoU {iou(boxes[e], boxes[a]):.2f} < 0.5，保留", xy=(boxes[e][0] + 1, boxes[e][3]), xytext=(1, 21), fontsize=9, color=BLACK, ha="left", va="center", arrowprops={"arrowstyle": "->", "color": GREY})
    kept = "、".join(names[i] for i in result.keep)
    ax.text(0.5, 27, f"最终保留 {kept}", fontsize=11, ha="left", va="center", color=BLACK)
    return fig


def _proposals(rng: np.random.Generator, objects: Sequence[SceneObject], width: int, height: int, n_random: int = 45, per_object: int = 9) -> list[Box]:
    """Selective-search-like candidate boxes: jittered copies around each object plus random regions."""
    found: list[Box] = []
    for obj in objects:
        x0, y0, x1, y1 = obj.box
        bw, bh = x1 - x0, y1 - y0
        for _ in range(per_object):
            dx0, dx1 = rng.normal(0, 0.18 * bw, 2)
            dy0, dy1 = rng.normal(0, 0.18 * bh, 2)
            found.append((max(0, x0 + dx0), max(0, y0 + dy0), min(width, x1 + dx1), min(height, y1 + dy1)))
    for _ in range(n_random):
        bw, bh = rng.uniform(0.08, 0.45) * width, rng.uniform(0.08, 0.5) * height
        x0, y0 = rng.uniform(0, width - bw), rng.uniform(0, height - bh)
        found.append((x0, y0, x0 + bw, y0 + bh))
    return found


def _matrix_block(ax: Axes, x: float, y: float, w: float, h: float, rows: str, cols: str, *, fill: str, stripes: int = 9) -> None:
    """A matrix drawn as a block with faint rows; ``rows`` is written on the left side, ``cols`` on top."""
    ax.add_patch(Rectangle((x, y), w, h, facecolor=fill, edgecolor=BLACK, lw=1.0, zorder=2))
    for k in range(1, stripes):
        ax.plot([x, x + w], [y + k * h / stripes] * 2, color="white", lw=0.8, zorder=2)
    ax.text(x - 0.12, y + h / 2, rows, rotation=90, ha="right", va="center", fontsize=8.5)
    ax.text(x + w / 2, y + h + 0.1, cols, ha="center", va="bottom", fontsize=8.5)


@figure("ch10-rcnn-pipeline")
def rcnn_pipeline(ctx: FigureContext) -> Figure:
    scene = scene_render(320, 200, STREET, seed=ctx.seed)
    rng = np.random.default_rng(ctx.seed + 10)
    fig, ax = diagram(21.6, 10.4, scale=0.52)
    iw, ih = 4.0, 2.5
    scale = iw / 320
    # Two rows read left to right; a connector leads from the end of the first to the start of the second.
    top1, top2 = 9.6, 4.3
    mid1, mid2 = top1 - ih / 2, top2 - ih / 2

    def caption(cx: float, top: float, text: str) -> None:
        ax.text(cx, top - ih - 0.3, text, ha="center", va="top", fontsize=9.5)

    _show(ax, scene.image, (0.2, 0.2 + iw, top1 - ih, top1))
    caption(0.2 + iw / 2, top1, "输入图像")
    x = 5.1
    arrow(ax, (0.3 + iw, mid1), (x - 0.1, mid1))
    _show(ax, scene.image, (x, x + iw, top1 - ih, top1))
    colours = [BLUE, ORANGE, GREEN, RED, PURPLE, SKY]
    proposals = _proposals(rng, scene.objects, 320, 200)
    for k, (px0, py0, px1, py1) in enumerate(proposals):
        ax.add_patch(Rectangle((x + px0 * scale, top1 - py1 * scale), (px1 - px0) * scale, (py1 - py0) * scale, fill=False, edgecolor=colours[k % len(colours)], lw=0.6, alpha=0.9, zorder=4))
    caption(x + iw / 2, top1, "选择性搜索\n~2000 个候选区域")
    # Three proposals cropped and warped to one square size: the warping distorts their shapes.
    x = 10.0
    arrow(ax, (5.2 + iw, mid1), (x - 0.1, mid1))
    car, person = scene.objects[0].box, scene.objects[2].box
    partial = (car[0] + 0.35 * (car[2] - car[0]), car[1] - 10, car[2] + 12, car[3] - 0.2 * (car[3] - car[1]))
    side = 1.6
    for k, (px0, py0, px1, py1) in enumerate((partial, car, person)):
        crop = scene.image[int(py0) : int(py1), int(px0) : int(px1)]
        ox, oy = 0.72 * k, -0.45 * k
        _show(ax, resize(crop, 96, 96), (x + ox, x + ox + side, top1 + oy - side, top1 + oy))
    caption(x + 1.45, top1, "裁剪缩放到\n227×227")
    # CNN drawn as a funnel, then the 2000 × 4096 feature matrix.
    x = 13.9
    arrow(ax, (13.05, mid1), (x - 0.05, mid1))
    ax.add_patch(Polygon([(x, top1 - ih - 0.05), (x + 1.6, top1 - ih + 0.65), (x + 1.6, top1 - 0.65), (x, top1 + 0.05)], closed=True, facecolor=FILL["blue"], edgecolor=BLACK, lw=1.0))
    ax.text(x + 0.78, mid1, "CNN", ha="center", va="center", fontsize=10)
    arrow(ax, (x + 1.65, mid1), (x + 2.35, mid1))
    _matrix_block(ax, x + 2.9, top1 - ih, 2.4, ih, "2000", "4096", fill=FILL["blue"])
    caption(x + 2.6, top1, "CNN（AlexNet）→ 4096 维特征\n（特征矩阵 2000×4096）")
    _route(ax, [(x + 5.3, mid1), (x + 5.9, mid1), (x + 5.9, 5.1), (0.6, 5.1), (0.6, mid2), (1.3, mid2)])
    # Second row: SVM scores, NMS, box regression, result.
    x = 1.9
    _matrix_block(ax, x, top2 - ih, 0.7, ih, "2000", "20", fill=FILL["orange"])
    caption(x + 0.35, top2, "20 个类别的 SVM\n（得分 2000×20）")
    arrow(ax, (x + 0.8, mid2), (x + 2.1, mid2))
    box(ax, x + 3.25, mid2, 2.2, 1.2, "NMS", fill=FILL["green"], fontsize=10.5)
    caption(x + 3.25, top2, "每个类别去掉\n重叠的框")
    arrow(ax, (x + 4.4, mid2), (x + 5.6, mid2))
    box(ax, x + 6.85, mid2, 2.4, 1.2, "边框回归", fill=FILL["purple"], fontsize=10.5)
    caption(x + 6.85, top2, "微调框的位置")
    x = 11.1
    arrow(ax, (10.1, mid2), (x - 0.1, mid2))
    _show(ax, scene.image, (x, x + iw, top2 - ih, top2))
    _boxes_on(ax, scene.objects, lw=1.8, fontsize=8, scale=scale, offset=(x, top2))
    caption(x + iw / 2, top2, "检测结果")
    return fig


@figure("ch10-faster-rcnn")
def faster_rcnn(ctx: FigureContext) -> Figure:
    anchors = rpn_anchor_sizes()
    k = len(anchors)
    fig = plt.figure(figsize=(12.5, 6.2))
    ax = fig.add_axes((0.0, 0.0, 0.7, 1.0))
    ax.set_xlim(0, 22.5)
    ax.set_ylim(0.5, 14.8)
    ax.set_aspect("equal")
    ax.axis("off")
    scene = scene_render(320, 200, STREET, seed=ctx.seed)
    _show(ax, scene.image, (0.1, 3.3, 6.3, 8.3))
    ax.text(1.7, 6.0, "输入图像", ha="center", va="top", fontsize=9)
    arrow(ax, (3.4, 7.3), (4.0, 7.3))
    box(ax, 5.3, 7.3, 2.5, 1.3, "共享卷积层", fill=FILL["blue"], fontsize=10)
    arrow(ax, (6.6, 7.3), (7.25, 7.3))
    _slab(ax, 7.4, 6.4, 1.6, 1.6, fill=FILL["sky"])
    ax.text(9.65, 7.2, "特征图", ha="left", va="center", fontsize=9)
    # Branch 1: the region proposal network.
    box(ax, 15.45, 11.55, 13.7, 4.5, "", fill="none", dashed=True, edge=GREY, rounded=True)
    ax.text(8.9, 13.5, "RPN（区域建议网络）", ha="left", va="center", fontsize=10, color=BLACK)
    _route(ax, [(8.2, 8.7), (8.2, 11.4), (9.45, 11.4)])
    box(ax, 10.9, 11.4, 2.8, 1.3, "3×3 滑动窗口", fill=FILL["sky"], fontsize=10)
    _route(ax, [(12.3, 11.7), (12.9, 12.45), (13.4, 12.45)])
    _route(ax, [(12.3, 11.1), (12.9, 10.35), (13.4, 10.35)])
    box(ax, 14.9, 12.45, 2.9, 1.0, "前景/背景 2k", fill=FILL["green"], fontsize=9.5)
    box(ax, 14.9, 10.35, 2.9, 1.0, "边框回归 4k", fill=FILL["purple"], fontsize=9.5)
    ax.text(10.9, 10.25, f"k = {k}（每个位置的锚框数）", ha="center", va="top", fontsize=8.5, color=BLACK)
    _route(ax, [(16.35, 12.45), (16.9, 12.45), (16.9, 11.4), (17.5, 11.4)])
    ax.plot([16.35, 16.9], [10.35, 10.35], color=BLACK, lw=1.3)
    ax.plot([16.9, 16.9], [10.35, 11.4], color=BLACK, lw=1.3)
    box(ax, 19.6, 11.4, 4.0, 1.5, "候选框\n（NMS 后 ~2000）", fill=FILL["orange"], fontsize=9.5)
    # Branch 2: Fast R-CNN head on the same feature map.
    box(ax, 15.45, 3.3, 13.7, 4.4, "", fill="none", dashed=True, edge=GREY, rounded=True)
    ax.text(8.9, 1.4, "Fast R-CNN 检测头", ha="left", va="center", fontsize=10, color=BLACK)
    _route(ax, [(8.2, 6.3), (8.2, 3.6), (9.45, 3.6)])
    _route(ax, [(19.6, 10.6), (19.6, 6.2), (10.9, 6.2), (10.9, 4.3)], text="候选框", text_at=(15.2, 6.5), fontsize=9)
    box(ax, 10.9, 3.6, 2.8, 1.3, "RoI 池化 7×7", fill=FILL["sky"], fontsize=10)
    arrow(ax, (12.35, 3.6), (13.3, 3.6))
    box(ax, 14.4, 3.6, 2.1, 1.3, "全连接", fill=FILL["blue"], fontsize=10)
    _route(ax, [(15.5, 3.9), (16.2, 4.6), (17.2, 4.6)])
    _route(ax, [(15.5, 3.3), (16.2, 2.6), (17.2, 2.6)])
    box(ax, 19.4, 4.6, 4.3, 1.05, "类别 softmax (N+1)", fill=FILL["green"], fontsize=9.5)
    box(ax, 19.4, 2.6, 4.3, 1.05, "边框回归 (4N)", fill=FILL["purple"], fontsize=9.5)

    # Inset: the k anchors of one feature-map position, on an 1000 × 800 image.
    inset = fig.add_axes((0.72, 0.2, 0.27, 0.62))
    big = scene_render(500, 400, STREET, seed=ctx.seed)
    inset.imshow(big.image, extent=(0, 1000, 800, 0), interpolation="lanczos", alpha=0.55)
    cx, cy = 500, 400
    scale_colour = {128: GREEN, 256: ORANGE, 512: RED}
    for w, h, s, _ratio in anchors:
        inset.add_patch(Rectangle((cx - w / 2, cy - h / 2), w, h, fill=False, edgecolor=scale_colour[s], lw=1.8))
    inset.plot([cx], [cy], "o", color=BLACK, ms=5)
    inset.set_xlim(0, 1000)
    inset.set_ylim(800, 0)
    inset.set_xticks([0, 500, 1000])
    inset.set_yticks([0, 400, 800])
    inset.tick_params(labelsize=8)
    inset.set_title(f"一个位置上的 {k} 个锚框", fontsize=10)
    for s, colour in scale_colour.items():
        inset.plot([], [], color=colour, lw=2, label=f"面积 {s}²")
    inset.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8.5, handlelength=1.2, columnspacing=0.8)
    inset.text(0.5, -0.25, "长宽比 1:2、1:1、2:1（图像 1000×800 像素）", transform=inset.transAxes, ha="center", va="top", fontsize=8.5)
    return fig


@figure("ch10-yolo-grid")
def yolo_grid(ctx: FigureContext) -> Figure:
    size, grid = 448, 7
    s, _, depth = yolo_output_shape(grid, 2, 20)
    cell = size / s
    scene = scene_render(size, size, DOG_PARK, park=True, seed=ctx.seed)
    dog = scene.objects[0]
    x0, y0, x1, y1 = dog.box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    col, row = int(cx // cell), int(cy // cell)
    fig = plt.figure(figsize=(11, 6.4))
    ax = fig.add_axes((0.0, 0.06, 0.56, 0.9))
    _show(ax, scene.image)
    ax.add_patch(Rectangle((col * cell, row * cell), cell, cell, facecolor="#F0E442", alpha=0.55, lw=0, zorder=3))
    ax.add_patch(Rectangle((col * cell, row * cell), cell, cell, fill=False, edgecolor=BLACK, lw=2.0, zorder=3))
    for k in range(1, s):
        ax.axhline(k * cell, color="white", lw=1.1, zorder=2)
        ax.axvline(k * cell, color="white", lw=1.1, zorder=2)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=GREEN, lw=2.6, zorder=4))
    _tag(ax, x0, y0, "真实框：狗", GREEN, 9)
    ax.plot([cx], [cy], "o", color=GREEN, mec="white", ms=8, zorder=6)
    # Two boxes predicted by the responsible cell: both centres lie inside it, sizes differ.
    predicted = [((cx - 10, cy + 6), (x1 - x0) * 1.12, (y1 - y0) * 0.86, ORANGE, "框 1"), ((cx + 14, cy - 8), (x1 - x0) * 0.7, (y1 - y0) * 1.18, PURPLE, "框 2")]
    for k, ((px, py), w, h, colour, name) in enumerate(predicted):
        ax.add_patch(Rectangle((px - w / 2, py - h / 2), w, h, fill=False, edgecolor=colour, lw=2.0, ls=(0, (5, 3)), zorder=5))
        ax.plot([px], [py], "s", color=colour, ms=5, zorder=6)
        if k == 0:
            _tag(ax, px + w / 2, py + h / 2, f"预测{name}", colour, 9, ha="right", va="top")
        else:
            _tag(ax, px - w / 2, py - h / 2, f"预测{name}", colour, 9, ha="left", va="bottom")
    ax.set_title(f"{s}×{s} 网格：狗的中心落在第 {row + 1} 行第 {col + 1} 列的单元", fontsize=11)

    # The cell's output vector, 30 numbers.
    vec = fig.add_axes((0.6, 0.02, 0.4, 0.96))
    vec.set_xlim(0, 10)
    vec.set_ylim(-4.5, depth + 1.2)
    vec.axis("off")
    names = [f"${v}_{b}$" for b in (1, 2) for v in "xywhc"] + [f"p(类别 {i})" for i in range(1, 21)]
    fills = [FILL["orange"]] * 5 + [FILL["purple"]] * 5 + [FILL["green"]] * 20
    left, width = 1.2, 3.2
    for i, (name, colour) in enumerate(zip(names, fills)):
        top = depth - i
        vec.add_patch(Rectangle((left, top - 1), width, 1, facecolor=colour, edgecolor=BLACK, lw=0.7))
        vec.text(left + width / 2, top - 0.5, name, ha="center", va="center", fontsize=8)
    for first, last, label, colour in ((0, 4, "框 1：x, y, w, h, 置信度", ORANGE), (5, 9, "框 2：x, y, w, h, 置信度", PURPLE), (10, 29, "20 个类别概率", GREEN)):
        top, bottom = depth - first - 0.1, depth - last - 0.9
        bx = left + width + 0.25
        vec.plot([bx, bx + 0.3, bx + 0.3, bx], [top, top, bottom, bottom], color=colour, lw=1.6)
        vec.text(bx + 0.55, (top + bottom) / 2, label, ha="left", va="center", fontsize=9.5, color=BLACK)
    vec.text(left + width / 2, depth + 0.4, f"一个单元的输出（{depth} 个数）", ha="center", va="bottom", fontsize=10)
    vec.text(left + width / 2, -1.2, f"输出张量 {s}×{s}×{depth}", ha="center", va="top", fontsize=12)
    vec.text(left + width / 2, -2.6, f"{depth} = 2×5 + 20（S = {s}，B = 2，C = 20）", ha="center", va="top", fontsize=9, color=BLACK)
    link = ConnectionPatch(xyA=((col + 1) * cell, row * cell), coordsA=ax.transData, xyB=(left, depth), coordsB=vec.transData, color=BLACK, lw=1.0, ls="--")
    fig.add_artist(link)
    link = ConnectionPatch(xyA=((col + 1) * cell, (row + 1) * cell), coordsA=ax.transData, xyB=(left, 0), coordsB=vec.transData, color=BLACK, lw=1.0, ls="--")
    fig.add_artist(link)
    return fig


def _ssd_inset(ax: Axes, scene: Scene, obj: SceneObject, map_index: int, title: str, colour: str) -> None:
    """Default boxes of one feature-map cell (the cell holding the object's centre), with that map's grid."""
    side = SSD_MAPS[map_index][0]
    size = scene.image.shape[1]
    step = size / side
    _show(ax, scene.image)
    if side <= 10:
        for k in range(1, side):
            ax.axhline(k * step, color="white", lw=0.9)
            ax.axvline(k * step, color="white", lw=0.9)
    else:
        for k in range(1, side):
            ax.axhline(k * step, color="white", lw=0.35, alpha=0.8)
            ax.axvline(k * step, color="white", lw=0.35, alpha=0.8)
    x0, y0, x1, y1 = obj.box
    col, row = int(((x0 + x1) / 2) // step), int(((y0 + y1) / 2) // step)
    cx, cy = (col + 0.5) * step, (row + 0.5) * step
    ax.add_patch(Rectangle((col * step, row * step), step, step, facecolor="#F0E442", alpha=0.45, edgecolor=BLACK, lw=1.0, zorder=3))
    min_size, max_size, ratios = SSD_PRIORS[map_index]
    for w, h in ssd_default_box_sizes(min_size, max_size, ratios):
        ax.add_patch(Rectangle((cx - w / 2, cy - h / 2), w, h, fill=False, edgecolor=colour, lw=1.5, zorder=4))
    ax.plot([cx], [cy], "o", color=BLACK, ms=3.5, zorder=5)
    ax.set_xlim(0, size)
    ax.set_ylim(size, 0)
    ax.set_title(title, fontsize=9.5)


@figure("ch10-ssd")
def ssd(ctx: FigureContext) -> Figure:
    counts = ssd_box_counts()
    total = sum(counts)
    fig = plt.figure(figsize=(12.5, 6.4))
    ax = fig.add_axes((0.0, 0.0, 0.74, 1.0))
    ax.set_xlim(0, 24.5)
    ax.set_ylim(0, 14.5)
    ax.set_aspect("equal")
    ax.axis("off")
    scene = scene_render(300, 300, SSD_STREET, seed=ctx.seed + 1)
    top = 13.3
    _show(ax, scene.image, (0.2, 2.6, top - 2.4, top))
    ax.text(1.4, top - 2.6, "输入 300×300×3", ha="center", va="top", fontsize=9)
    ymid = top - 1.2
    arrow(ax, (2.7, ymid), (3.55, ymid))
    box(ax, 5.1, ymid, 3.0, 1.6, "VGG16\n（至 conv5）", fill=FILL["blue"], fontsize=9.5)
    arrow(ax, (6.65, ymid), (7.5, ymid))
    box(ax, 14.4, ymid, 13.6, 1.6, "追加的卷积层（特征图逐渐变小）", fill=FILL["sky"], fontsize=9.5)
    centres = (5.1, 9.0, 11.8, 14.3, 16.75, 19.2)
    fills = (FILL["blue"],) + (FILL["sky"],) * 5
    map_top = 9.4
    label_top = 0.0
    for (side, per_loc), count, cx, fill in zip(SSD_MAPS, counts, centres, fills):
        width = 0.8 + 2.5 * sqrt(side / 38)  # square root keeps the 1×1 map visible
        x, y = cx - width / 2, map_top - width
        _slab(ax, x, y, width, width, depth=2, step=0.15, fill=fill)
        if 1 < side <= 10:
            for k in range(1, side):
                ax.plot([x + k * width / side] * 2, [y, y + width], color=GREY, lw=0.5, zorder=3)
                ax.plot([x, x + width], [y + k * width / side] * 2, color=GREY, lw=0.5, zorder=3)
        arrow(ax, (cx, ymid - 0.85), (cx, map_top + 0.35))
        label_top = map_top - 3.3 - 0.2
        ax.text(cx, label_top, f"{side}×{side}\n每位置 {per_loc} 个框\n= {count}", ha="center", va="top", fontsize=8.5, linespacing=1.35)
    summary_y = 2.3
    for cx in centres:
        arrow(ax, (cx, label_top - 1.65), (cx, summary_y + 0.7))
    ax.text(0.2, label_top - 2.05, "3×3 卷积：\n位置 4 + 置信度 21\n（每个默认框）", ha="left", va="center", fontsize=8.5, color=BLACK, linespacing=1.3)
    box(ax, 12.1, summary_y, 15.4, 1.3, f"汇总 {' + '.join(str(c) for c in counts)} = {total} 个框", fill=FILL["orange"], fontsize=10)
    arrow(ax, (19.85, summary_y), (20.45, summary_y))
    box(ax, 21.35, summary_y, 1.7, 1.1, "NMS", fill=FILL["green"], fontsize=10)
    arrow(ax, (21.35, summary_y + 0.6), (21.35, 5.6))
    final = (20.15, 22.55, 5.7, 8.1)
    _show(ax, scene.image, final)
    _boxes_on(ax, scene.objects, lw=1.5, fontsize=8, scale=2.4 / 300, offset=(final[0], final[3]))
    ax.text(21.35, 8.25, "检测结果", ha="center", va="bottom", fontsize=9)

    car, person = scene.objects[0], scene.objects[1]
    small = fig.add_axes((0.75, 0.52, 0.24, 0.42))
    _ssd_inset(small, scene, person, 0, "38×38 特征图：小默认框（4 个）", RED)
    large = fig.add_axes((0.75, 0.04, 0.24, 0.42))
    _ssd_inset(large, scene, car, 3, "5×5 特征图：大默认框（6 个）", BLUE)
    return fig
