"""Chapter 9 figures: transfer learning (feature hierarchy, three strategies, the model, two-phase training).

The transfer model's shapes and parameter counts come from walking its layers through
:func:`modelspec.calculator.layer_compute` (via :mod:`lessonfigures.ch07`, which holds VGG16's layer
list); only ``vgg16.preprocess_input``, which modelspec does not know, is computed here by formula.

No pre-trained weights exist offline, so ``ch09-feature-hierarchy`` draws the schematic variant:
every icon is rendered procedurally from signed-distance shapes and Gabor patterns.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Arc, FancyArrowPatch, Rectangle

from .ch07 import VGG16_BLOCKS, VGG16_INPUT, LayerStep, layers_walk, shape_label, vgg16_conv_layers, vgg16_group_params
from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, RED, arrow, box, canvas, diagram, illustrative

# --- numbers -----------------------------------------------------------------------------------

NUM_CLASSES = 5


def preprocess_step(shape: tuple[int, ...]) -> LayerStep:
    """``keras.applications.vgg16.preprocess_input`` (not a modelspec layer): RGB→BGR and mean
    subtraction work pixel by pixel, so the shape is unchanged and nothing is learned."""
    return LayerStep("preprocess_input", {}, shape, shape, 0)


def transfer_steps(num_classes: int = NUM_CLASSES) -> list[LayerStep]:
    """Lesson 3's model: RandomFlip → preprocess_input → frozen VGG16 base → GAP → Dropout → Dense.

    The whole convolutional base is folded into one step named "VGG16" (its 13 conv and 5 pool
    layers are walked through the calculator and their parameters summed).
    """
    (flip,) = layers_walk(VGG16_INPUT, [("RandomFlip", {"mode": "horizontal"})])
    pre = preprocess_step(flip.output_shape)
    base_layers = layers_walk(pre.output_shape, vgg16_conv_layers())
    base = LayerStep("VGG16", {}, pre.output_shape, base_layers[-1].output_shape, sum(s.params for s in base_layers))
    head = layers_walk(base.output_shape, [
        ("GlobalAveragePooling2D", {}),
        ("Dropout", {"rate": 0.2}),
        ("Dense", {"units": num_classes, "activation": "softmax"}),
    ])
    return [flip, pre, base, *head]


def flatten_head_params(num_classes: int = NUM_CLASSES) -> int:
    """Parameters of Dense(num_classes) if Flatten replaced GlobalAveragePooling2D."""
    base_out = transfer_steps(num_classes)[2].output_shape
    return layers_walk(base_out, [("Flatten", {}), ("Dense", {"units": num_classes})])[-1].params


STRATEGIES = ("①", "②", "③")


def strategy_trainable() -> dict[str, list[bool]]:
    """Which of conv1..conv5 and the new head train under each strategy (True = trainable)."""
    return {
        "①": [True] * 5 + [True],
        "②": [False] * 4 + [True] + [True],
        "③": [False] * 5 + [True],
    }


def strategy_trainable_params(num_classes: int = NUM_CLASSES) -> dict[str, int]:
    """Trainable parameters of each strategy for VGG16 with a Dense(num_classes) head on GAP."""
    groups = vgg16_group_params()
    head = transfer_steps(num_classes)[-1].params
    blocks = [groups[f"block{i}"] for i in range(1, 6)]
    return {name: sum(p for p, on in zip([*blocks, head], mask) if on) for name, mask in strategy_trainable().items()}


PHASE1_TRAIN = (0.60, 0.75, 0.80, 0.83, 0.84)
PHASE1_VAL = (0.70, 0.78, 0.81, 0.82, 0.83)


def two_phase_curves(phase2_epochs: int = 10) -> dict[str, np.ndarray]:
    """Illustrative accuracies for epochs 1..15: the given head-only phase, then fine-tuning.

    Phase 2 uses saturating exponentials pinned to the described end points: training accuracy
    climbs steadily from 0.86 to 0.95; validation accuracy rises from 0.85 to 0.89 and flattens
    (a larger rate, so most of its gain comes early).
    """
    t = np.linspace(0.0, 1.0, phase2_epochs)

    def rise(start: float, end: float, rate: float) -> np.ndarray:
        return start + (end - start) * (1 - np.exp(-rate * t)) / (1 - np.exp(-rate))

    train = np.concatenate([PHASE1_TRAIN, rise(0.86, 0.95, 1.2)])
    val = np.concatenate([PHASE1_VAL, rise(0.85, 0.89, 4.5)])
    return {"epoch": np.arange(1, len(train) + 1), "train": train, "val": val}


# --- procedural icons for the feature hierarchy ------------------------------------------------


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1], y upwards."""
    c = (np.arange(size) + 0.5) / size * 2 - 1
    x, y = np.meshgrid(c, -c)
    return x, y


def _ink(distance: np.ndarray, size: int) -> np.ndarray:
    """Anti-aliased coverage of a shape from its signed distance (negative inside)."""
    pixel = 2.0 / size
    return np.clip(0.5 - distance / pixel, 0.0, 1.0)


def _paint(image: np.ndarray, coverage: np.ndarray, colour: tuple[float, float, float]) -> None:
    image[:] = image * (1 - coverage[..., None]) + np.asarray(colour) * coverage[..., None]


def _segment_distance(x: np.ndarray, y: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    ax_, ay = a
    bx, by = b
    dx, dy = bx - ax_, by - ay
    t = np.clip(((x - ax_) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(x - ax_ - t * dx, y - ay - t * dy)


def gabor_tile(angle_deg: float, size: int = 48, colour: tuple[float, float, float] = (1.0, 1.0, 1.0), frequency: float = 1.6, phase: float = np.pi / 2) -> np.ndarray:
    """An oriented edge/stripe detector like a first-layer kernel: stripes run along ``angle_deg``.

    ``colour`` is the RGB direction the pattern swings along around mid-grey ((1, 1, 1) gives a
    black/white edge, (1, -1, 0) a red/green one). Returns float RGB in [0, 1].
    """
    x, y = _grid(size)
    theta = np.deg2rad(angle_deg)
    # Distance across the stripes (perpendicular to angle_deg).
    across = -x * np.sin(theta) + y * np.cos(theta)
    envelope = np.exp(-(x**2 + y**2) / (2 * 0.45**2))
    g = envelope * np.cos(2 * np.pi * frequency * across / 2 + phase)
    direction = np.asarray(colour, dtype=float)
    direction = direction / np.abs(direction).max()
    return np.clip(0.5 + 0.45 * g[..., None] * direction, 0, 1)


def blob_tile(colour: tuple[float, float, float], size: int = 48, surround: tuple[float, float, float] | None = None) -> np.ndarray:
    """A centre-surround colour blob on mid-grey (optionally with an opponent-colour ring)."""
    x, y = _grid(size)
    r2 = x**2 + y**2
    image = np.full((size, size, 3), 0.5)
    centre = np.exp(-r2 / (2 * 0.3**2))
    image += centre[..., None] * (np.asarray(colour) - 0.5)
    if surround is not None:
        ring = np.exp(-((np.sqrt(r2) - 0.72) ** 2) / (2 * 0.12**2))
        image += 0.6 * ring[..., None] * (np.asarray(surround) - 0.5)
    return np.clip(image, 0, 1)


def edge_orientation(tile: np.ndarray) -> float:
    """Dominant stripe direction of a tile in degrees [0, 180), from the luminance structure tensor."""
    lum = tile[..., :3].mean(axis=2) if tile.ndim == 3 else tile
    d_row, gx = np.gradient(lum)
    gy = -d_row  # rows grow downwards, y points up
    jxx, jyy, jxy = (gx * gx).sum(), (gy * gy).sum(), (gx * gy).sum()
    gradient_angle = 0.5 * np.degrees(np.arctan2(2 * jxy, jxx - jyy))
    return float((gradient_angle + 90.0) % 180.0)  # stripes run perpendicular to the gradient


def texture_tile(kind: str, size: int = 64, colour: tuple[float, float, float] = (0.2, 0.35, 0.7)) -> np.ndarray:
    """Mid-level patterns: repeated textures and simple shapes on a light background."""
    x, y = _grid(size)
    image = np.full((size, size, 3), 0.93)
    pixel = 2.0 / size
    if kind == "stripes":
        d = (np.abs(((x + y) * 3.0) % 1.0 - 0.5) - 0.22) / 3.0
    elif kind == "checker":
        d = np.where((np.floor(x * 3) + np.floor(y * 3)) % 2 == 0, -1.0, 1.0) * pixel
    elif kind == "dots":
        d = np.hypot((x * 3.5) % 1.0 - 0.5, (y * 3.5) % 1.0 - 0.5) / 3.5 - 0.09
    elif kind == "rings":
        d = (np.abs((np.hypot(x, y) * 4.0) % 1.0 - 0.5) - 0.2) / 4.0
    elif kind == "grid":
        to_line = np.minimum(0.5 - np.abs((x * 3) % 1.0 - 0.5), 0.5 - np.abs((y * 3) % 1.0 - 0.5))
        d = to_line / 3.0 - 0.025
    elif kind == "waves":
        d = (np.abs(((y + 0.15 * np.sin(x * 7)) * 3.0) % 1.0 - 0.5) - 0.25) / 3.0
    elif kind == "zigzag":
        d = (np.abs(((y + 0.25 * np.abs((x * 3) % 2 - 1)) * 3.0) % 1.0 - 0.5) - 0.25) / 3.0
    elif kind == "honeycomb":
        q = np.stack([x * 4.0, y * 4.0 / np.sqrt(3)])
        row = np.floor(q[1])
        shifted = q[0] + 0.5 * (row % 2)
        d = np.hypot(shifted % 1.0 - 0.5, (q[1] % 1.0 - 0.5) * np.sqrt(3)) / 4.0 - 0.11
    elif kind == "bricks":
        fy = (y * 4) % 1.0
        fx = (x * 2 + 0.5 * (np.floor(y * 4) % 2)) % 1.0
        d = np.minimum(np.minimum(fy, 1 - fy) / 4, np.minimum(fx, 1 - fx) / 2) - 0.03
    elif kind == "circle":
        d = np.abs(np.hypot(x, y) - 0.6) - 0.09
    elif kind == "triangle":
        corners = [(0.0, 0.7), (-0.65, -0.5), (0.65, -0.5)]
        d = np.min([_segment_distance(x, y, corners[i], corners[(i + 1) % 3]) for i in range(3)], axis=0) - 0.08
    elif kind == "corner":
        d = np.minimum(_segment_distance(x, y, (-0.5, 0.6), (-0.5, -0.5)), _segment_distance(x, y, (-0.5, -0.5), (0.6, -0.5))) - 0.1
    elif kind == "cross":
        d = np.minimum(_segment_distance(x, y, (-0.6, -0.6), (0.6, 0.6)), _segment_distance(x, y, (-0.6, 0.6), (0.6, -0.6))) - 0.09
    elif kind == "arc":
        r = np.hypot(x, y + 0.45)
        d = np.where(y > -0.45, np.abs(r - 0.8) - 0.09, 1.0)
    elif kind == "star":
        angle = np.arctan2(y, x)
        radius = 0.45 + 0.22 * np.cos(5 * angle)
        d = np.hypot(x, y) - radius
    elif kind == "scales":
        row = np.floor(y * 3)
        shifted = x * 3 + 0.5 * (row % 2)
        d = np.abs(np.hypot(shifted % 1.0 - 0.5, (y * 3) % 1.0) - 0.5) / 3.0 - 0.03
    else:
        raise KeyError(kind)
    _paint(image, _ink(d, size), colour)
    return image


def part_tile(kind: str, size: int = 64) -> np.ndarray:
    """Deep-layer 'object part' icons (eye, wheel, petals, window, feather, face) drawn from shapes."""
    x, y = _grid(size)
    r = np.hypot(x, y)
    image = np.full((size, size, 3), 0.95)
    if kind == "eye":
        image[:] = (0.93, 0.80, 0.68)  # skin
        almond = np.maximum(np.hypot(x, y + 0.75) - 1.15, np.hypot(x, y - 0.75) - 1.15)
        _paint(image, _ink(almond, size), (0.98, 0.98, 0.98))
        _paint(image, _ink(r - 0.36, size), (0.35, 0.55, 0.30))
        _paint(image, _ink(r - 0.16, size), (0.05, 0.05, 0.05))
        _paint(image, _ink(np.hypot(x - 0.09, y - 0.1) - 0.05, size), (1.0, 1.0, 1.0))
        _paint(image, _ink(np.abs(almond) - 0.025, size), (0.35, 0.2, 0.15))
    elif kind == "wheel":
        _paint(image, _ink(np.abs(r - 0.78) - 0.13, size), (0.12, 0.12, 0.12))
        _paint(image, _ink(np.abs(r - 0.6) - 0.05, size), (0.65, 0.65, 0.68))
        spokes = np.min([_segment_distance(x, y, (0, 0), (0.6 * np.cos(a), 0.6 * np.sin(a))) for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)], axis=0)
        _paint(image, _ink(spokes - 0.025, size), (0.6, 0.6, 0.63))
        _paint(image, _ink(r - 0.14, size), (0.45, 0.45, 0.5))
    elif kind == "petals":
        image[:] = (0.78, 0.9, 0.72)
        petal = np.full_like(x, 9.0)
        for a in np.linspace(0, 2 * np.pi, 6, endpoint=False):
            u = x * np.cos(a) + y * np.sin(a) - 0.45
            v = -x * np.sin(a) + y * np.cos(a)
            petal = np.minimum(petal, np.hypot(u / 0.45, v / 0.22) - 1.0)
        _paint(image, _ink(petal * 0.22, size), (0.93, 0.45, 0.62))
        _paint(image, _ink(np.abs(petal * 0.22) - 0.012, size), (0.75, 0.25, 0.42))
        _paint(image, _ink(r - 0.2, size), (0.98, 0.8, 0.15))
    elif kind == "window":
        bricks = texture_tile("bricks", size, (0.62, 0.3, 0.22))
        image[:] = bricks * 0.6 + np.array([0.85, 0.6, 0.5]) * 0.4
        frame = np.maximum(np.abs(x) - 0.55, np.abs(y) - 0.7)
        _paint(image, _ink(frame, size), (0.95, 0.95, 0.95))
        for sx in (-1, 1):
            for sy in (-1, 1):
                pane = np.maximum(np.abs(x - sx * 0.25) - 0.2, np.abs(y - sy * 0.32) - 0.26)
                _paint(image, _ink(pane, size), (0.55, 0.78, 0.95))
    elif kind == "feather":
        image[:] = (0.9, 0.93, 0.97)

        def shaft(t: float) -> tuple[float, float]:
            return -0.75 + 1.5 * t, -0.75 + 1.5 * t + 0.25 * np.sin(np.pi * t)

        vane = np.full_like(x, 9.0)
        for t in np.linspace(0.08, 0.92, 15):
            px, py = shaft(t)
            length = 0.5 * np.sin(np.pi * t) + 0.1
            for side in (-1, 1):
                a = np.pi / 4 + side * np.pi / 2 + side * 0.5
                vane = np.minimum(vane, _segment_distance(x, y, (px, py), (px + length * np.cos(a), py + length * np.sin(a))))
        _paint(image, _ink(vane - 0.03, size), (0.25, 0.45, 0.75))
        ts = np.linspace(0, 1, 30)
        pts = [shaft(t) for t in ts]
        shaft_d = np.min([_segment_distance(x, y, pts[i], pts[i + 1]) for i in range(len(pts) - 1)], axis=0)
        _paint(image, _ink(shaft_d - 0.025, size), (0.2, 0.2, 0.25))
    elif kind == "face":
        _paint(image, _ink(r - 0.8, size), (0.96, 0.82, 0.62))
        for sx in (-1, 1):
            _paint(image, _ink(np.hypot(x - sx * 0.3, y - 0.2) - 0.1, size), (0.15, 0.15, 0.15))
        smile = np.where(y < -0.1, np.abs(np.hypot(x, y + 0.05) - 0.45) - 0.04, 1.0)
        _paint(image, _ink(smile, size), (0.7, 0.25, 0.25))
    else:
        raise KeyError(kind)
    return image


def _mosaic(tiles: list[np.ndarray], cols: int, gap: int = 3) -> np.ndarray:
    size = tiles[0].shape[0]
    rows = -(-len(tiles) // cols)
    out = np.ones((rows * size + (rows - 1) * gap, cols * size + (cols - 1) * gap, 3))
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        out[r * (size + gap): r * (size + gap) + size, c * (size + gap): c * (size + gap) + size] = tile
    return out


def feature_icons() -> dict[str, list[np.ndarray]]:
    """The three panels' icons: oriented edges and colour blobs; textures and shapes; object parts."""
    grey = (1.0, 1.0, 1.0)
    edges = [gabor_tile(a, colour=c) for a, c in [(0, grey), (45, grey), (90, grey), (135, grey),
                                                 (22.5, (1.0, -1.0, 0.0)), (112.5, (1.0, -1.0, 0.0)),
                                                 (67.5, (-0.3, -0.3, 1.0)), (157.5, (-0.3, -0.3, 1.0)),
                                                 (0, (1.0, 0.6, -1.0)), (90, (0.2, 1.0, -0.4))]]
    blobs = [blob_tile((0.95, 0.2, 0.15), surround=(0.2, 0.75, 0.3)), blob_tile((0.15, 0.4, 0.95), surround=(0.95, 0.85, 0.2)),
             blob_tile((0.2, 0.75, 0.3)), blob_tile((0.95, 0.85, 0.2), surround=(0.25, 0.3, 0.9)),
             blob_tile((0.1, 0.1, 0.1), surround=(0.95, 0.95, 0.95)), blob_tile((0.9, 0.4, 0.8))]
    level1 = [edges[0], blobs[0], edges[1], edges[4], blobs[1], edges[2], edges[6], blobs[4],
              edges[3], edges[8], blobs[2], edges[5], blobs[3], edges[7], edges[9], blobs[5]]
    palette = [(0.2, 0.35, 0.7), (0.75, 0.35, 0.1), (0.1, 0.5, 0.35), (0.55, 0.2, 0.5)]
    kinds = ["stripes", "checker", "dots", "rings", "honeycomb", "circle", "waves", "triangle",
             "grid", "zigzag", "corner", "scales", "star", "bricks", "cross", "arc"]
    level3 = [texture_tile(k, colour=palette[i % 4]) for i, k in enumerate(kinds)]
    level5 = [part_tile(k) for k in ("eye", "wheel", "petals", "window", "feather", "face")]
    return {"block1": level1, "block3": level3, "block5": level5}


PART_NAMES = ("眼睛", "车轮", "花瓣", "窗户", "羽毛", "脸")


# --- figures -----------------------------------------------------------------------------------


@figure("ch09-feature-hierarchy")
def feature_hierarchy(ctx: FigureContext) -> Figure:
    from matplotlib import pyplot as plt

    icons = feature_icons()
    fig = plt.figure(figsize=(12.0, 5.4))
    panels = [
        ("浅层（block1）", "各方向的边缘与色块", _mosaic(icons["block1"], 4, gap=6), None),
        ("中层（block3）", "重复的纹理与简单形状", _mosaic(icons["block3"], 4, gap=8), None),
        ("深层（block5）", "物体部件", _mosaic(icons["block5"], 3, gap=14), PART_NAMES),
    ]
    width = 0.28
    for i, (title, subtitle, image, names) in enumerate(panels):
        ax = fig.add_axes((0.04 + i * 0.325, 0.24, width, 0.62))
        ax.imshow(image, interpolation="antialiased")
        ax.set_anchor("N")  # top-align so the three titles line up
        ax.set_title(title, fontsize=12, pad=22)
        ax.text(0.5, 1.02, subtitle, transform=ax.transAxes, ha="center", va="bottom", fontsize=9.5, color=GREY)
        ax.axis("off")
        if names:
            size = icons["block5"][0].shape[0]
            for k, name in enumerate(names):
                r, c = divmod(k, 3)
                ax.text(c * (size + 14) + size / 2, r * (size + 14) + size + 1, name, ha="center", va="top", fontsize=9)
    # The arrow underneath: generic features on the left, task-specific on the right.
    ax = fig.add_axes((0.04, 0.02, 0.93, 0.14))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ax.add_patch(FancyArrowPatch((0.02, 0.6), (0.98, 0.6), arrowstyle="simple,head_width=1.1,head_length=1.1,tail_width=0.45", mutation_scale=14, color=ORANGE, alpha=0.85))
    ax.text(0.5, 0.12, "越往后越与原任务相关", ha="center", va="center", fontsize=11.5)
    ax.text(0.02, 0.12, "通用：几乎所有图像都需要", ha="left", va="center", fontsize=9, color=GREY)
    ax.text(0.98, 0.12, "专门：与原来的类别密切相关", ha="right", va="center", fontsize=9, color=GREY)
    fig.text(0.995, 0.995, "示意图：图案由程序绘制，并非真实网络的可视化", ha="right", va="top", fontsize=8, color=GREY)
    return fig


def _lock(ax: Axes, cx: float, cy: float, s: float = 0.32) -> None:
    """A small padlock icon centred at (cx, cy)."""
    ax.add_patch(Arc((cx, cy + s * 0.35), s * 0.7, s * 0.9, theta1=0, theta2=180, color=BLACK, lw=1.4))
    ax.plot([cx - s * 0.35, cx - s * 0.35], [cy + s * 0.05, cy + s * 0.35], color=BLACK, lw=1.4)
    ax.plot([cx + s * 0.35, cx + s * 0.35], [cy + s * 0.05, cy + s * 0.35], color=BLACK, lw=1.4)
    ax.add_patch(Rectangle((cx - s * 0.5, cy - s * 0.45), s, s * 0.55, facecolor="#5A5A5A", edgecolor=BLACK, lw=1.0))


@figure("ch09-three-strategies")
def three_strategies(ctx: FigureContext) -> Figure:
    masks = strategy_trainable()
    trainable = strategy_trainable_params()
    fig, ax = diagram(24.0, 9.0, scale=0.46)
    rows = [
        ("①", "训练全部参数", "多"),
        ("②", "只训练最后几层", "中等"),
        ("③", "只训练新分类头", "很少"),
    ]
    names = [f"conv{i}" for i in range(1, len(VGG16_BLOCKS) + 1)] + ["新分类头"]
    bw, bh, step = 1.55, 1.3, 1.85
    x0 = 6.2
    for r, (mark, title, data) in enumerate(rows):
        cy = 8.0 - r * 2.6
        ax.text(0.2, cy, f"{mark} {title}", ha="left", va="center", fontsize=11.5)
        for i, (name, on) in enumerate(zip(names, masks[mark])):
            cx = x0 + i * step + (0.35 if i == len(names) - 1 else 0.0)
            head = i == len(names) - 1
            if on:
                fill, edge = (FILL["orange"], ORANGE) if head else (FILL["blue"], BLUE)
            else:
                fill, edge = FILL["grey"], GREY
            box(ax, cx, cy, bw + (0.35 if head else 0), bh, fill=fill, edge=edge, lw=1.6 if on else 1.0)
            ax.text(cx, cy + 0.25, name, ha="center", va="center", fontsize=10, color=BLACK if on else "#666666")
            if on:
                ax.text(cx, cy - 0.28, "可训练", ha="center", va="center", fontsize=8.5, color=edge)
            else:
                _lock(ax, cx, cy - 0.27, 0.36)
            if i:
                prev = x0 + (i - 1) * step
                arrow(ax, (prev + bw / 2 + 0.02, cy), (cx - (bw + (0.35 if head else 0)) / 2 - 0.02, cy), lw=1.0, head=7)
        ax.text(x0 + 5 * step + 1.6, cy + 0.25, f"适合：数据{data}", ha="left", va="center", fontsize=11)
        ax.text(x0 + 5 * step + 1.6, cy - 0.35, f"可训练参数 {trainable[mark]:,}", ha="left", va="center", fontsize=9, color=GREY)
    # Legend.
    ly = 0.55
    box(ax, 6.6, ly, 0.9, 0.55, fill=FILL["grey"], edge=GREY)
    _lock(ax, 6.6, ly, 0.3)
    ax.text(7.25, ly, "冻结（预训练权重不变）", ha="left", va="center", fontsize=9.5)
    box(ax, 12.2, ly, 0.9, 0.55, fill=FILL["blue"], edge=BLUE)
    ax.text(12.85, ly, "可训练的预训练层", ha="left", va="center", fontsize=9.5)
    box(ax, 16.9, ly, 0.9, 0.55, fill=FILL["orange"], edge=ORANGE)
    ax.text(17.55, ly, "新加的分类头（随机初始化）", ha="left", va="center", fontsize=9.5)
    ax.text(0.2, ly, "参数以 VGG16 + Dense(5) 为例", ha="left", va="center", fontsize=8.5, color=GREY)
    return fig


@figure("ch09-transfer-model")
def transfer_model(ctx: FigureContext) -> Figure:
    steps = transfer_steps()
    flip, pre, base, gap_, drop, dense = steps
    fig, ax = diagram(28.6, 8.4, scale=0.42)
    cy = 5.2

    def shape_text(shape: tuple[int, ...]) -> str:
        return "(" + ", ".join(str(d) for d in shape) + ")"

    items: list[tuple[float, float, str, str, str, str]] = [
        # (width, height, label, shape under it, fill, edge)
        (2.2, 1.6, "Input", shape_text(VGG16_INPUT), FILL["grey"], BLACK),
        (2.3, 1.6, "RandomFlip\n(\"horizontal\")", shape_text(flip.output_shape), FILL["green"], GREEN),
        (2.9, 1.6, "vgg16.\npreprocess_input", shape_text(pre.output_shape), FILL["green"], GREEN),
        (4.6, 3.4, f"VGG16 卷积基（冻结）\n{base.params:,} 参数", shape_text(base.output_shape), "#D5D5D5", "#777777"),
        (3.2, 1.6, "GlobalAverage\nPooling2D", shape_text(gap_.output_shape), FILL["blue"], BLUE),
        (2.2, 1.6, f"Dropout {drop.args['rate']}", shape_text(drop.output_shape), "white", BLUE),
        (2.5, 1.6, f"Dense({dense.args['units']})\n{dense.params:,} 参数", shape_text(dense.output_shape), FILL["orange"], ORANGE),
    ]
    x = 0.3
    gap = 0.85
    centres = []
    for k, (w, h, label, shape, fill, edge) in enumerate(items):
        cx = x + w / 2
        box(ax, cx, cy, w, h, fill=fill, edge=edge, lw=1.8 if k in (3, 6) else 1.2, dashed=k == 5)
        ax.text(cx, cy, label, ha="center", va="center", fontsize=11 if k == 3 else 9.5, linespacing=1.3)
        ax.text(cx, cy - h / 2 - 0.3, shape, ha="center", va="top", fontsize=9, color="#555555")
        if k == 3:
            _lock(ax, cx + w / 2 - 0.45, cy + h / 2 - 0.45, 0.42)
        if centres:
            arrow(ax, (x - gap + 0.05, cy), (x - 0.05, cy), lw=1.1, head=8)
        centres.append(cx)
        x += w + gap
    # Softmax probabilities as a small bar chart (made-up values, only the shape matters).
    probs = np.array([0.06, 0.71, 0.12, 0.04, 0.07])
    arrow(ax, (x - gap + 0.05, cy), (x - 0.05, cy), lw=1.1, head=8)
    for i, p in enumerate(probs):
        ax.add_patch(Rectangle((x + i * 0.42, cy - 0.8), 0.32, 1.9 * p, facecolor=ORANGE if i == probs.argmax() else FILL["orange"], edgecolor=ORANGE, lw=0.8))
    ax.plot([x - 0.1, x + 5 * 0.42], [cy - 0.8, cy - 0.8], color=BLACK, lw=0.8)
    ax.text(x + 1.0, cy - 1.1, "softmax 概率\n（5 类）", ha="center", va="top", fontsize=9, linespacing=1.25)
    ax.text(0.3, 8.1, "冻结部分（灰色）不参与训练；只有彩色的 Dense 层可训练", ha="left", va="top", fontsize=9.5, color=GREY)
    # Comparison box: Flatten instead of GAP.
    flat = flatten_head_params()
    box(ax, centres[5], 1.15, 9.6, 1.25, f"若用 Flatten：Dense({dense.args['units']}) 需要 {flat:,} 参数\n"
        f"（{shape_label(base.output_shape).replace('×', '·')} = {int(np.prod(base.output_shape)):,} 个输入，而 GAP 后只有 {gap_.output_shape[0]} 个）",
        fill=FILL["red"], edge=RED, fontsize=9.5, dashed=True)
    return fig


@figure("ch09-two-phase-curves")
def two_phase_curves_figure(ctx: FigureContext) -> Figure:
    curves = two_phase_curves()
    epoch = curves["epoch"]
    split = len(PHASE1_TRAIN) + 0.5
    fig, axes = canvas(9.0, 5.0)
    ax = axes[0, 0]
    ax.axvspan(0.5, split, color=FILL["grey"], alpha=0.6, lw=0)
    ax.axvspan(split, epoch[-1] + 0.5, color=FILL["blue"], alpha=0.45, lw=0)
    ax.plot(epoch, curves["train"], "-o", color=BLUE, lw=2, ms=5, label="训练准确率")
    ax.plot(epoch, curves["val"], "-s", color=ORANGE, lw=2, ms=5, label="验证准确率")
    ax.axvline(split, color=BLACK, ls="--", lw=1.3)
    ax.text(split + 0.2, 0.66, "解冻最后几层，学习率\n1e-3 → 1e-5", fontsize=10, ha="left", va="center", linespacing=1.3)
    ax.text((0.5 + split) / 2, 0.965, "阶段 1：只训练新分类头\n（卷积基冻结，lr 1e-3）", ha="center", va="top", fontsize=9.5, linespacing=1.3)
    ax.text((split + epoch[-1] + 0.5) / 2, 0.965, "阶段 2：微调最后一个卷积块\n（lr 1e-5）", ha="center", va="top", fontsize=9.5, linespacing=1.3)
    ax.set_xlim(0.5, epoch[-1] + 0.5)
    ax.set_ylim(0.55, 0.98)
    ax.set_xticks(epoch)
    ax.set_xlabel("epoch")
    ax.set_ylabel("准确率")
    ax.legend(loc="lower right")
    ax.grid(axis="y", color=LIGHT_GREY, lw=0.6)
    illustrative(fig)
    return fig

