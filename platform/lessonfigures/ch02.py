"""Chapter 2 figures: tensor ranks, data layouts, broadcasting, matmul, the paper-ball picture, ragged tensors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, RED, arrow, canvas, diagram, matrix, resize, sample_photo, vdots

MONO = "DejaVu Sans Mono"  # bundled with matplotlib; keeps the right-aligned shape columns aligned


# ---------------------------------------------------------------- ch02-tensor-ranks


def rank_examples() -> list[tuple[str, np.ndarray]]:
    """The four tensors drawn, scalar to rank 3, as NumPy arrays (their ndim/shape are printed)."""
    m = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [2, 4, 6, 8, 10]])
    return [
        ("标量", np.array(7)),
        ("向量", np.array([3, 1, 4, 1, 5])),
        ("矩阵", m),
        ("3 阶张量", np.stack([m, m + 10, m + 20])),
    ]


@figure("ch02-tensor-ranks")
def tensor_ranks(ctx: FigureContext) -> Figure:
    fig, ax = diagram(25.5, 6.9, scale=0.45)
    examples = rank_examples()
    top, label_y = 5.55, 1.3
    lefts = [0.8, 3.8, 10.8, 17.8]
    fills = [FILL["orange"], FILL["blue"], FILL["green"], FILL["purple"]]
    for (name, t), x, fill in zip(examples, lefts, fills):
        if t.ndim == 0:
            box_w = 1
            matrix(ax, [[int(t)]], x, top - 1, fill=fill, fontsize=12)
        elif t.ndim == 1:
            box_w = t.shape[0]
            matrix(ax, [t.tolist()], x, top - 1, fill=fill, fontsize=12)
        elif t.ndim == 2:
            box_w = t.shape[1]
            matrix(ax, t.tolist(), x, top, fill=fill, fontsize=12)
        else:
            depth, rows, cols = t.shape
            box_w = cols
            d = 0.55
            # Back sheets first so the front sheet (index 0 along axis 0) covers them; their
            # numbers are left out because text would show through the sheets in front.
            for k in reversed(range(depth)):
                values = t[k].tolist() if k == 0 else [[None] * cols] * rows
                matrix(ax, values, x + k * d, top + k * d, fill=fill if k == 0 else FILL["grey"], fontsize=12)
            tip = (x + cols + (depth - 1) * d + 0.45, top + (depth - 1) * d - 0.3)
            ax.annotate("", tip, (x + cols + 0.45, top - 0.3), arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 1.2})
            ax.text(tip[0] + 0.1, tip[1] - 0.35, "轴 0：3 个\n3×5 矩阵", fontsize=9, color=GREY, va="top")
        cx = x + box_w / 2
        ax.text(cx, label_y + 0.25, name, ha="center", va="bottom", fontsize=13)
        ax.text(cx, label_y, f"ndim = {t.ndim}\nshape = {t.shape}", ha="center", va="top", fontsize=11, family=MONO, linespacing=1.5)
    return fig


# ---------------------------------------------------------------- ch02-data-layouts


def _photo_cards(count: int, size: int) -> list[np.ndarray]:
    """Distinct square crops of the two bundled photos, to stand in for a batch of images."""
    china, flower = sample_photo("china"), sample_photo("flower")
    crops = [china[40:400, 60:420], flower[30:420, 120:510], china[50:410, 260:620], flower[20:400, 250:630]]
    return [resize(np.ascontiguousarray(crops[k % len(crops)]), size, size) for k in range(count)]


def _image(ax: Axes, img: np.ndarray, x: float, y: float, w: float, h: float, edge: str = BLACK, lw: float = 1.0, z: float = 3) -> None:
    """An image with its top-left corner at (x, y), framed; ``z`` orders overlapping cards."""
    ax.imshow(img, extent=(x, x + w, y - h, y), interpolation="bilinear", zorder=z)
    ax.add_patch(Rectangle((x, y - h), w, h, fill=False, edgecolor=edge, lw=lw, zorder=z + 0.01))


def _axis_arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    text: str = "",
    colour: str = RED,
    at: tuple[float, float] | None = None,
    **text_kw,
) -> None:
    """An axis arrow with its name at ``at`` (default: the arrow's middle)."""
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.6, "mutation_scale": 12}, zorder=30)
    if text:
        tx, ty = at if at is not None else ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(tx, ty, text, color=colour, fontsize=10, zorder=30, **text_kw)



@figure("ch02-data-layouts")
def data_layouts(ctx: FigureContext) -> Figure:
    fig, ax = diagram(26, 19.2, scale=0.44)
    title_kw = {"fontsize": 13, "ha": "left", "va": "bottom"}
    shape_kw = {"fontsize": 12, "family": MONO, "ha": "left", "va": "top", "color": BLUE}

    # (1) vector data: one row per person.
    x0, y0 = 1.6, 17.3
    ax.text(0.3, y0 + 0.7, "① 向量数据 (samples, features)", **title_kw)
    header = ["年龄", "邮编", "收入"]
    rows = [["35", "100871", "8500"], ["28", "200433", "6200"], ["52", "310027", "12000"], None, ["41", "510275", "9300"]]
    names = ["第 1 人", "第 2 人", "第 3 人", "", "第 10000 人"]
    cw = [1.6, 2.3, 2.1]
    tx = x0 + 1.9
    for j, (text, w) in enumerate(zip(header, cw)):
        xj = tx + sum(cw[:j])
        ax.add_patch(Rectangle((xj, y0 - 0.8), w, 0.8, facecolor=FILL["blue"], edgecolor=BLACK, lw=1))
        ax.text(xj + w / 2, y0 - 0.4, text, ha="center", va="center", fontsize=10)
        for i, row in enumerate(rows):
            yi = y0 - 0.8 - (i + 1) * 0.8
            ax.add_patch(Rectangle((xj, yi), w, 0.8, facecolor="white", edgecolor=BLACK, lw=0.8))
            if row is None:
                vdots(ax, xj + w / 2, yi + 0.4, fontsize=10)
            else:
                ax.text(xj + w / 2, yi + 0.4, row[j], ha="center", va="center", fontsize=9.5)
    for i, name in enumerate(names):
        ax.text(tx - 0.15, y0 - 0.8 - (i + 1.5) * 0.8 + 0.8, name, ha="right", va="center", fontsize=9, color=GREY)
    _axis_arrow(ax, (x0 - 0.6, y0 - 0.9), (x0 - 0.6, y0 - 4.8), "样本轴", at=(x0 - 0.95, y0 - 2.85), ha="center", va="center", rotation=90)
    ax.text(tx + sum(cw) + 0.3, y0 - 0.4, "特征", fontsize=9, color=GREY, va="center")
    ax.text(tx, y0 - 5.6, "(10000, 3)", **shape_kw)

    # (2) sequences: a stack of timesteps × features sheets, one sheet per sample, receding up-right.
    x0, y0 = 15.6, 15.6
    ax.text(13.6, 17.3 + 0.7, "② 序列数据 (samples, timesteps, features)", **title_kw)
    sheets, d, cw2, rh, steps = 4, 0.42, 1.1, 0.55, 7
    rng = np.random.default_rng(2)
    price = 20 + np.cumsum(rng.normal(0, 0.15, steps))
    for k in reversed(range(sheets)):
        ox, oy = x0 + k * d, y0 + k * d
        front = k == 0
        for i in range(steps):
            for j in range(3):
                ax.add_patch(Rectangle((ox + j * cw2, oy - (i + 1) * rh), cw2, rh, facecolor="white" if front else FILL["grey"],
                                       edgecolor=BLACK if front else GREY, lw=0.8))
    for i in range(steps):
        for j, v in enumerate((price[i], price[i] + 0.2, price[i] - 0.2)):
            ax.text(x0 + (j + 0.5) * cw2, y0 - (i + 0.5) * rh, f"{v:.1f}", ha="center", va="center", fontsize=8)
    for j, text in enumerate(["当前价", "最高价", "最低价"]):
        ax.text(x0 + (j + 0.5) * cw2, y0 - steps * rh - 0.12, text, ha="center", va="top", fontsize=8.5, color=GREY)
    ax.text(x0 + 1.5 * cw2, y0 - steps * rh - 0.65, "3 个特征", ha="center", va="top", fontsize=9, color=GREY)
    _axis_arrow(ax, (x0 - 0.35, y0 - 0.1), (x0 - 0.35, y0 - steps * rh), "时间", colour=GREEN,
                at=(x0 - 0.55, y0 - steps * rh / 2), ha="right", va="center")
    ax.text(x0 - 0.55, y0 - steps * rh / 2 - 0.6, "390 步", fontsize=9, color=GREY, ha="right", va="top")
    last = (sheets - 1) * d
    corner = (x0 + 3 * cw2, y0 - steps * rh)
    _axis_arrow(ax, (corner[0] + 0.2, corner[1] - 0.05), (corner[0] + last + 0.8, corner[1] + last + 0.55), "样本轴（250 个）",
                at=(corner[0] + last + 0.9, corner[1] + last + 0.4), ha="left", va="center")
    ax.text(x0, y0 - steps * rh - 1.45, "(250, 390, 3)", **shape_kw)

    # (3) images: a stack of RGB cards (receding up-right), the front one split into R, G, B planes.
    x0, y0, s, d, n_cards = 1.2, 6.9, 3.6, 0.45, 4
    ax.text(0.3, 9.2, "③ 图像 (samples, height, width, channels)", **title_kw)
    cards = _photo_cards(n_cards, 96)
    for k in reversed(range(n_cards)):
        _image(ax, cards[k], x0 + k * d, y0 + k * d, s, s, z=10 - k)
    last = (n_cards - 1) * d
    _axis_arrow(ax, (x0 + s + 0.15, y0 + 0.15), (x0 + s + last + 0.7, y0 + last + 0.7), "样本轴",
                at=(x0 + s + last + 0.8, y0 + last + 0.55), ha="left", va="center")
    ax.text(x0 + s / 2, y0 - s - 0.15, "宽 256", ha="center", va="top", fontsize=9, color=GREY)
    ax.text(x0 - 0.15, y0 - s / 2, "高\n256", ha="right", va="center", fontsize=9, color=GREY)
    px = x0 + s + 2.8
    arrow(ax, (x0 + s + last + 0.4, y0 - s / 2 - 0.2), (px - 0.25, y0 - s / 2 - 0.2), "拆开", fontsize=9)
    ps, pd = 2.5, 0.85
    front = cards[0].astype(np.float32) / 255.0
    for c in reversed(range(3)):
        # Each plane is one channel's intensity in its own hue: black where the channel is 0.
        tinted = np.zeros_like(front)
        tinted[..., c] = front[..., c]
        cx, cy = px + c * pd, y0 - 0.6 + c * pd
        _image(ax, tinted, cx, cy, ps, ps, z=10 - c)
        ax.text(cx + ps + 0.12, cy - ps + 0.3, "RGB"[c], fontsize=11, color=[RED, GREEN, BLUE][c], va="center", zorder=20)
    ax.text(px + ps / 2, y0 - 0.6 - ps - 0.15, "3 个通道", fontsize=9, color=GREY, ha="center", va="top")
    ax.text(x0, y0 - s - 0.85, "(128, 256, 256, 3)", **shape_kw)

    # (4) video: one film strip per sample, frames along the strip.
    x0, y0 = 15.3, 8.1
    ax.text(13.6, 9.2, "④ 视频 (samples, frames, height, width, channels)", **title_kw)
    fw, fh, nf, strip_gap = 1.65, 1.2, 5, 0.45
    strip_h = fh + 0.6
    photo = sample_photo("china")
    for k in range(3):
        sy = y0 - k * (strip_h + strip_gap)
        ax.add_patch(Rectangle((x0, sy - strip_h), nf * (fw + 0.15) + 0.15, strip_h, facecolor="#333333", edgecolor="none", zorder=2))
        for j in range(nf):
            fx = x0 + 0.15 + j * (fw + 0.15)
            # Frames slide across the photo so the strip reads as motion over time.
            left = 40 + 45 * j + 120 * k
            frame = resize(np.ascontiguousarray(photo[60 + 30 * k:300 + 30 * k, left:left + 330]), 70, 50)
            _image(ax, frame, fx, sy - 0.3, fw, fh, edge="#333333", lw=0.5)
            for hx in np.linspace(fx + 0.2, fx + fw - 0.2, 4):
                for hy in (sy - 0.15, sy - strip_h + 0.15):
                    ax.add_patch(Rectangle((hx - 0.07, hy - 0.06), 0.14, 0.12, facecolor="white", edgecolor="none", zorder=5))
        ax.text(x0 + nf * (fw + 0.15) + 0.4, sy - strip_h / 2, "…", fontsize=14, va="center")
    bottom = y0 - 3 * strip_h - 2 * strip_gap
    vdots(ax, x0 + 2.4, bottom - 0.45, fontsize=12, color=GREY)
    ax.text(x0 + 2.8, bottom - 0.45, "共 4 段视频；每帧 144×256 像素、3 个通道", fontsize=9, color=GREY, va="center")
    _axis_arrow(ax, (x0 - 0.35, y0), (x0 - 0.35, bottom - 0.6), "样本轴", at=(x0 - 0.7, (y0 + bottom) / 2), ha="center", va="center", rotation=90)
    strip_w = nf * (fw + 0.15) + 0.15
    _axis_arrow(ax, (x0 + 0.15, y0 + 0.3), (x0 + strip_w, y0 + 0.3), "帧（240 帧 / 段）", colour=GREEN,
                at=(x0 + strip_w / 2, y0 + 0.38), ha="center", va="bottom")
    ax.text(x0, bottom - 1.1, "(4, 240, 144, 256, 3)", **shape_kw)
    ax.set_xlim(0, 26)
    ax.set_ylim(0, 19.2)
    return fig


# ---------------------------------------------------------------- ch02-broadcasting

BROADCAST_A = np.array([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]])
BROADCAST_B = np.array([100, 200, 300, 400])


def broadcast_shapes_text(left: Sequence[int], right: Sequence[int]) -> tuple[str, str, str]:
    """Right-aligned comparison of two shapes, as printed under the broadcasting figure.

    Returns the two shape lines padded on the left to the same width (``"(3, 4)"`` over
    ``"(   4)"``) and the verdict: the broadcast shape, or ``"✗ a ≠ b"`` for the first
    (right-most) axis pair that is neither equal nor 1.
    """
    inner = [", ".join(str(v) for v in shape) for shape in (left, right)]
    width = max(len(text) for text in inner)
    lines = tuple("(" + text.rjust(width) + ")" for text in inner)
    n = max(len(left), len(right))
    full_left = [1] * (n - len(left)) + list(left)
    full_right = [1] * (n - len(right)) + list(right)
    out: list[int] = []
    for a, b in zip(reversed(full_left), reversed(full_right)):
        if a != b and 1 not in (a, b):
            return lines[0], lines[1], f"✗ {a} ≠ {b}"
        out.append(max(a, b))
    return lines[0], lines[1], "(" + ", ".join(str(v) for v in reversed(out)) + ")"


@figure("ch02-broadcasting")
def broadcasting(ctx: FigureContext) -> Figure:
    fig, ax = diagram(25.5, 9.9, scale=0.45)
    a, b = BROADCAST_A, BROADCAST_B
    result = a + b
    top = 9.0
    fs = 11
    matrix(ax, a.tolist(), 0.5, top, fill=FILL["blue"], fontsize=fs, title="A   shape (3, 4)", title_size=11)
    ax.text(5.05, top - 1.5, "+", fontsize=20, ha="center", va="center")
    matrix(ax, [b.tolist()], 5.6, top - 1, fill=FILL["orange"], fontsize=fs, title="b   shape (4,)", title_size=11)

    arrow(ax, (9.9, top - 1.5), (11.6, top - 1.5), "广播", fontsize=10)

    # b as a (1, 4) row, then its two implicit copies in dashed cells.
    fills = [[FILL["orange"]] * 4] + [[None] * 4] * 2
    dashed = [[False] * 4] + [[True] * 4] * 2
    colours = [[BLACK] * 4] + [[GREY] * 4] * 2
    matrix(ax, np.broadcast_to(b, a.shape).tolist(), 12.0, top, fills=fills, dashed=dashed, text_colors=colours, fontsize=fs,
           title="b：(4,) → (1, 4) → (3, 4)", title_size=11)
    ax.text(16.15, top - 0.5, "(1, 4)", fontsize=9, color=ORANGE, va="center")
    ax.annotate("", (16.45, top - 2.85), (16.45, top - 1.05), arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 1.1, "ls": "--"})
    ax.text(16.65, top - 1.95, "复制\n3 行", fontsize=9, color=GREY, va="center")

    arrow(ax, (17.9, top - 1.5), (20.3, top - 1.5), "与 A 相加", fontsize=10)
    matrix(ax, result.tolist(), 20.7, top, fill=FILL["green"], fontsize=fs, title="A + b   shape (3, 4)", title_size=11)

    # Shape rule below: right-align the shapes and compare axis by axis from the right.
    ax.text(0.5, 4.45, "形状比较：右对齐，从最后一轴往前逐轴比较（相等或其中一个为 1 才能广播）", fontsize=11, va="center")
    examples = [((3, 4), (4,), BLACK, 1.5), ((3, 4), (3,), RED, 13.0)]
    for left, right, colour, x in examples:
        l1, l2, verdict = broadcast_shapes_text(left, right)
        ax.text(x, 3.2, l1, fontsize=14, family=MONO, va="center", color=colour)
        ax.text(x, 2.2, l2, fontsize=14, family=MONO, va="center", color=colour)
        ax.annotate("", (x + 5.0, 2.7), (x + 3.4, 2.7), arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3})
        ax.text(x + 5.3, 2.7, verdict, fontsize=14, family=MONO, va="center", color=colour)
    ax.text(1.5, 0.9, "4 = 4；b 缺的轴当作 1，扩展为 3", fontsize=10, color=GREY, va="center")
    ax.text(13.0, 0.9, "最后一轴 4 ≠ 3，且都不是 1：报错", fontsize=10, color=RED, va="center")
    return fig


# ---------------------------------------------------------------- ch02-matmul

MATMUL_LEFT = np.array([[1, 2, 3], [4, 5, 6]])


def matmul_cell_text(left: np.ndarray, right: np.ndarray, i: int, j: int) -> str:
    """The written-out dot product for result cell (i, j), e.g. ``"1×4 + 2×5 + 3×6 = 32"``."""
    terms = " + ".join(f"{a}×{b}" for a, b in zip(left[i], right[:, j]))
    return f"{terms} = {int(left[i] @ right[:, j])}"


@figure("ch02-matmul")
def matmul(ctx: FigureContext) -> Figure:
    fig, ax = diagram(18.6, 7.0, scale=0.55)
    left = MATMUL_LEFT
    right = left.T
    product = left @ right
    i, j = 0, 1
    cell = 1.2
    top = 4.75
    fs = 13
    shape_kw = {"ha": "center", "va": "top", "fontsize": 12, "family": MONO, "color": GREY}

    lx = 0.5
    fills = [[FILL["orange"] if r == i else None for _ in range(3)] for r in range(2)]
    matrix(ax, left.tolist(), lx, top - cell / 2, cell=cell, fills=fills, fontsize=fs)
    ax.text(lx + 1.5 * cell, top - 3 * cell - 0.2, "(2, 3)", **shape_kw)
    ax.text(lx + 3 * cell + 0.55, top - 1.5 * cell, "@", ha="center", va="center", fontsize=18)

    rx = lx + 3 * cell + 1.1
    fills = [[FILL["sky"] if c == j else None for c in range(2)] for _ in range(3)]
    matrix(ax, right.tolist(), rx, top, cell=cell, fills=fills, fontsize=fs)
    ax.text(rx + cell, top - 3 * cell - 0.2, "(3, 2)", **shape_kw)
    ax.text(rx + 2 * cell + 0.55, top - 1.5 * cell, "=", ha="center", va="center", fontsize=18)

    px = rx + 2 * cell + 1.1
    fills = [[FILL["green"] if (r, c) == (i, j) else None for c in range(2)] for r in range(2)]
    matrix(ax, product.tolist(), px, top - cell / 2, cell=cell, fills=fills, fontsize=fs)
    ax.text(px + cell, top - 3 * cell - 0.2, "(2, 2)", **shape_kw)
    # Frame the three highlighted pieces so they stand out even in greyscale print.
    ax.add_patch(Rectangle((lx, top - cell / 2 - cell), 3 * cell, cell, fill=False, edgecolor=ORANGE, lw=2.5))
    ax.add_patch(Rectangle((rx + j * cell, top - 3 * cell), cell, 3 * cell, fill=False, edgecolor=BLUE, lw=2.5))
    ax.add_patch(Rectangle((px + j * cell, top - cell / 2 - cell), cell, cell, fill=False, edgecolor=GREEN, lw=2.5))

    # The written-out dot product, pointing at the result cell it fills.
    ex, ey = px + 2 * cell + 0.9, top - cell
    ax.text(ex, ey + 0.35, f"结果 ({i}, {j}) = 左第 {i} 行 · 右第 {j} 列", fontsize=11, va="bottom", color=GREEN)
    ax.text(ex, ey - 0.05, matmul_cell_text(left, right, i, j), fontsize=14, va="top")
    ax.annotate("", (px + 2 * cell + 0.05, ey), (ex - 0.15, ey), arrowprops={"arrowstyle": "-|>", "color": GREEN, "lw": 1.3})

    # The shape rule above the matrices, piece by piece so the two b's can be joined.
    pieces = [("(a, ", BLACK), ("b", RED), (") @ (", BLACK), ("b", RED), (", c) → (a, c)", BLACK)]
    x, y = 2.2, 5.85
    renderer = fig.canvas.get_renderer()
    b_centres = []
    for text, colour in pieces:
        t = ax.text(x, y, text, fontsize=17, family=MONO, color=colour, va="baseline")
        bb = t.get_window_extent(renderer).transformed(ax.transData.inverted())
        if text == "b":
            b_centres.append(((bb.x0 + bb.x1) / 2, bb.y1))
        x = bb.x1
    (b1x, b1y), (b2x, _) = b_centres
    ax.annotate("", (b2x, b1y + 0.1), (b1x, b1y + 0.1),
                arrowprops={"arrowstyle": "<->", "color": RED, "lw": 1.4, "connectionstyle": "arc3,rad=-0.45"})
    ax.text((b1x + b2x) / 2, b1y + 0.62, "必须相等", ha="center", va="bottom", fontsize=10, color=RED)
    ax.text(x + 0.4, y + 0.05, "例：(2, 3) @ (3, 2) → (2, 2)", fontsize=11, color=GREY, va="baseline")
    return fig


# ---------------------------------------------------------------- ch02-uncrumpling


def uncrumple_stages(n: int = 100, fractions: Sequence[float] = (0.0, 1 / 3, 2 / 3, 1.0)) -> list[tuple[np.ndarray, np.ndarray]]:
    """Red and blue point sets (each ``n × 2``) at each stage of the paper-ball picture.

    Stage 0 is the two interleaved spirals r = t, angle = t (red) and t + π (blue), t in
    [0.5, 3π]. The last stage puts red in the left half and blue in the right half. Stages in
    between interpolate radius and angle (not x, y), so each stage is a partly unwound spiral
    rather than a squashed one; blue's target angle is taken one turn up so red and blue stay on
    opposite sides throughout.
    """
    t = np.linspace(0.5, 3 * np.pi, n)
    height = 1.8 * (t - t.mean())
    wobble = 4.8 + 1.8 * np.sin(1.3 * t)
    targets = {"red": np.stack([-wobble, height], axis=1), "blue": np.stack([wobble, height], axis=1)}
    start_angle = {"red": t, "blue": t + np.pi}
    target_r = {k: np.hypot(v[:, 0], v[:, 1]) for k, v in targets.items()}
    target_angle = {
        "red": np.mod(np.arctan2(targets["red"][:, 1], targets["red"][:, 0]), 2 * np.pi),
        "blue": np.arctan2(targets["blue"][:, 1], targets["blue"][:, 0]) + 2 * np.pi,
    }
    stages = []
    for s in fractions:
        pair = []
        for key in ("red", "blue"):
            r = (1 - s) * t + s * target_r[key]
            angle = (1 - s) * start_angle[key] + s * target_angle[key]
            pair.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        stages.append((pair[0], pair[1]))
    return stages


@figure("ch02-uncrumpling")
def uncrumpling(ctx: FigureContext) -> Figure:
    stages = uncrumple_stages()
    fig, axes = canvas(12, 3.1, 1, 7, gridspec_kw={"width_ratios": [4, 1, 4, 1, 4, 1, 4]})
    plot_axes = axes[0, ::2]
    titles = ["原始数据：交织的两条螺旋", "1 层之后", "2 层之后", "3 层之后：一条直线可分"]
    for ax, (red, blue), title in zip(plot_axes, stages, titles):
        ax.scatter(red[:, 0], red[:, 1], s=9, color=RED, label="类别 A")
        ax.scatter(blue[:, 0], blue[:, 1], s=9, color=BLUE, marker="s", label="类别 B")
        lim = 10.2
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        ax.set_title(title, fontsize=10)
    plot_axes[-1].axvline(0, color=BLACK, lw=1.5, ls="--")
    for k, ax in enumerate(axes[0, 1::2]):
        ax.axis("off")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.annotate("", (0.95, 0.5), (0.05, 0.5), arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 2, "mutation_scale": 16})
        ax.text(0.5, 0.58, f"第 {k + 1} 层", ha="center", va="bottom", fontsize=10)
    return fig


# ---------------------------------------------------------------- ch02-ragged-to-dense

RAGGED_ROWS: tuple[tuple[int, ...], ...] = ((11, 12), (21, 22, 23), (), (41,))


def ragged_to_dense(rows: Sequence[Sequence[int]], default: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pad ragged rows on the right to the longest length, as ``RaggedTensor.to_tensor()`` does.

    Returns the dense array and a boolean mask that is True where a value was padded in.
    """
    width = max((len(r) for r in rows), default=0)
    dense = np.full((len(rows), width), default, dtype=np.int64)
    padded = np.ones((len(rows), width), dtype=bool)
    for i, row in enumerate(rows):
        dense[i, : len(row)] = row
        padded[i, : len(row)] = False
    return dense, padded


@figure("ch02-ragged-to-dense")
def ragged_dense(ctx: FigureContext) -> Figure:
    fig, ax = diagram(17.5, 6.3, scale=0.55)
    top = 5.1
    fs = 13
    for i, row in enumerate(RAGGED_ROWS):
        y = top - i
        ax.text(0.9, y - 0.5, f"行 {i}", ha="right", va="center", fontsize=10, color=GREY)
        if row:
            matrix(ax, [list(row)], 1.2, y, fill=FILL["blue"], fontsize=fs)
        else:
            ax.text(1.35, y - 0.5, "（空行）", ha="left", va="center", fontsize=10, color=GREY)
    ax.text(2.7, top - 4.35, "shape (4, None)", ha="center", va="top", fontsize=12, family=MONO)
    ax.text(2.7, top + 0.35, "不规则张量", ha="center", va="bottom", fontsize=12)

    arrow(ax, (5.8, top - 2), (9.6, top - 2), "to_tensor()", fontsize=12, head=14)
    ax.text(7.7, top - 2.3, "在右侧补 0", ha="center", va="top", fontsize=10, color=GREY)

    dense, padded = ragged_to_dense(RAGGED_ROWS)
    fills = [[LIGHT_GREY if p else FILL["blue"] for p in row] for row in padded]
    colours = [[GREY if p else BLACK for p in row] for row in padded]
    matrix(ax, dense.tolist(), 11.0, top, fills=fills, text_colors=colours, fontsize=fs)
    ax.text(12.5, top - 4.35, f"shape {dense.shape}", ha="center", va="top", fontsize=12, family=MONO)
    ax.text(12.5, top + 0.35, "普通张量", ha="center", va="bottom", fontsize=12)
    ax.add_patch(Rectangle((14.6, top - 3.3), 0.5, 0.5, facecolor=LIGHT_GREY, edgecolor=BLACK, lw=0.8))
    ax.text(15.25, top - 3.05, "补出来的 0", va="center", fontsize=10, color=GREY)
    return fig
