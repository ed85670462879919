"""Chapter 1 figures: where deep learning sits, hand-made versus learned features, a timeline."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, Rectangle

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, ORANGE, PURPLE, RED, arrow, box, canvas, diagram, illustrative

# Events of the timeline as (year, label, level, dx): level is the label's row (+ above the axis,
# − below) and dx shifts the label sideways, chosen by hand so that the crowded 1986–2017 labels
# neither overlap nor hide another event's stem. The lesson text cites the same years.
TIMELINE_EVENTS: tuple[tuple[int, str, int, float], ...] = (
    (1943, "M-P 神经元", 1, 1.0),
    (1957, "感知机", -1, 0.0),
    (1986, "反向传播推广", 1, 0.0),
    (1989, "卷积网络识别\n手写邮编", -1, 0.0),
    (1997, "LSTM", 1, 0.0),
    (1998, "LeNet-5", -1, 0.0),
    (2012, "AlexNet", 1, -1.0),
    (2014, "VGG、GoogLeNet", -1, -3.0),
    (2015, "ResNet", 2, 0.5),
    (2017, "MobileNet、\nDenseNet", -2, 1.0),
)
# (start, end, name); the last period is open-ended and drawn up to the axis end.
TIMELINE_PERIODS: tuple[tuple[int, int, str], ...] = ((1943, 1985, "萌芽期"), (1986, 2011, "发展期"), (2012, 2020, "爆发期"))


@figure("ch01-ai-ml-dl")
def ai_ml_dl(ctx: FigureContext) -> Figure:
    fig, ax = diagram(20, 12, scale=0.5)
    # Each inner set is pushed to the lower right so its parent keeps a free band for its label.
    rings = [
        ((10.0, 6.0), 19.4, 11.6, FILL["blue"], BLUE, "人工智能 AI", "规则系统、搜索、专家系统", (10.0, 10.5)),
        ((11.4, 5.0), 14.6, 8.6, FILL["orange"], ORANGE, "机器学习 ML", "逻辑回归、决策树、支持向量机、聚类", (11.4, 8.1)),
        ((12.4, 4.0), 9.2, 4.6, FILL["green"], GREEN, "深度学习 DL", "多层感知机、卷积网络、循环网络", (12.4, 4.45)),
    ]
    for (cx, cy), w, h, fill, edge, name, examples, (tx, ty) in rings:
        ax.add_patch(Ellipse((cx, cy), w, h, facecolor=fill, edgecolor=edge, linewidth=2))
        ax.text(tx, ty, name, ha="center", va="center", fontsize=15, color=edge)
        ax.text(tx, ty - 0.85, examples, ha="center", va="center", fontsize=11, color=BLACK)
    return fig


def _edge_patch(ax: Axes, cx: float, cy: float, size: float) -> None:
    """Short oriented strokes, the kind of detector a first conv layer learns."""
    rng = np.random.default_rng(1)
    cells = 3
    step = size / cells
    for i in range(cells):
        for j in range(cells):
            angle = rng.uniform(0, np.pi)
            x = cx - size / 2 + (j + 0.5) * step
            y = cy - size / 2 + (i + 0.5) * step
            dx, dy = 0.36 * step * np.cos(angle), 0.36 * step * np.sin(angle)
            ax.plot([x - dx, x + dx], [y - dy, y + dy], color=BLUE, lw=2.2, solid_capstyle="round")


def _texture_patch(ax: Axes, cx: float, cy: float, size: float) -> None:
    """A small repeated motif: a texture is the same local pattern tiled over an area."""
    cells = 4
    step = size / cells
    for i in range(cells):
        for j in range(cells):
            x = cx - size / 2 + (j + 0.5) * step
            y = cy - size / 2 + (i + 0.5) * step
            ax.add_patch(Circle((x, y), 0.22 * step, facecolor=ORANGE if (i + j) % 2 else "white", edgecolor=ORANGE, lw=1))
            ax.plot([x - 0.45 * step, x + 0.45 * step], [y - 0.45 * step, y + 0.45 * step], color=GREY, lw=0.7)


def _part_patch(ax: Axes, cx: float, cy: float, size: float) -> None:
    """An eye and a wheel: parts assembled from edges and textures."""
    ex, r = cx - size * 0.26, size * 0.22
    t = np.linspace(0, np.pi, 40)
    ax.plot(ex + r * np.cos(t), cy + 0.55 * r * np.sin(t), color=PURPLE, lw=1.8)
    ax.plot(ex + r * np.cos(t), cy - 0.55 * r * np.sin(t), color=PURPLE, lw=1.8)
    ax.add_patch(Circle((ex, cy), 0.32 * r, facecolor=PURPLE, edgecolor=PURPLE))
    wx = cx + size * 0.26
    ax.add_patch(Circle((wx, cy), r, facecolor="none", edgecolor=PURPLE, lw=1.8))
    ax.add_patch(Circle((wx, cy), 0.2 * r, facecolor=PURPLE, edgecolor=PURPLE))
    for a in np.arange(6) * np.pi / 3:
        ax.plot([wx, wx + r * np.cos(a)], [cy, cy + r * np.sin(a)], color=PURPLE, lw=1)


@figure("ch01-feature-pipelines")
def feature_pipelines(ctx: FigureContext) -> Figure:
    fig, ax = diagram(24, 12.2, scale=0.5)
    w, h, gap = 3.2, 1.9, 0.76
    xs = [0.5 + w / 2 + k * (w + gap) for k in range(6)]
    top_y, bottom_y = 9.6, 4.6

    ax.text(0.5, top_y + h / 2 + 0.35, "传统机器学习", fontsize=13, color=ORANGE, va="bottom")
    # The top row lines up with the bottom one: same input and output columns, the middle split in two.
    top = [
        (xs[0], w, "原始图片", FILL["grey"]),
        ((xs[1] + xs[2]) / 2, 2 * w, "人工设计特征\n（边缘直方图、颜色直方图）", FILL["orange"]),
        ((xs[3] + xs[4]) / 2, 2 * w, "浅层模型\n（SVM/逻辑回归）", FILL["orange"]),
        (xs[5], w, "类别", FILL["grey"]),
    ]
    for cx, bw, text, fill in top:
        box(ax, cx, top_y, bw, h, text, fill=fill, fontsize=11)
    for (x0, w0, *_), (x1, w1, *_) in zip(top, top[1:]):
        arrow(ax, (x0 + w0 / 2, top_y), (x1 - w1 / 2, top_y))
    ax.text((xs[1] + xs[2]) / 2, top_y - h / 2 - 0.25, "由人根据领域知识设计", ha="center", va="top", fontsize=10, color=GREY)

    ax.text(0.5, bottom_y + h / 2 + 1.55, "深度学习", fontsize=13, color=BLUE, va="bottom")
    bottom = ["原始图片", "第 1 层：边缘", "第 2 层：纹理", "第 3 层：部件", "输出层", "类别"]
    fills = [FILL["grey"], FILL["blue"], FILL["blue"], FILL["blue"], FILL["sky"], FILL["grey"]]
    for cx, text, fill in zip(xs, bottom, fills):
        box(ax, cx, bottom_y, w, h, text, fill=fill, fontsize=11)
    for x0, x1 in zip(xs, xs[1:]):
        arrow(ax, (x0 + w / 2, bottom_y), (x1 - w / 2, bottom_y))

    # Bracket over the three hidden layers: they are learned together, not designed one by one.
    left, right, yb = xs[1] - w / 2, xs[3] + w / 2, bottom_y + h / 2 + 0.3
    ax.plot([left, left, right, right], [yb, yb + 0.35, yb + 0.35, yb], color=BLUE, lw=1.5)
    ax.plot([(left + right) / 2] * 2, [yb + 0.35, yb + 0.6], color=BLUE, lw=1.5)
    ax.text((left + right) / 2, yb + 0.7, "训练中自动学习，联合优化", ha="center", va="bottom", fontsize=11, color=BLUE)

    size, py = 2.1, bottom_y - h / 2 - 1.55
    for cx, draw in zip(xs[1:4], (_edge_patch, _texture_patch, _part_patch)):
        ax.plot([cx, cx], [bottom_y - h / 2, py + size / 2 + 0.08], color=GREY, lw=0.8, ls=":")
        ax.add_patch(Rectangle((cx - size / 2 - 0.1, py - size / 2 - 0.1), size + 0.2, size + 0.2, facecolor="white", edgecolor=GREY, lw=0.8))
        draw(ax, cx, py, size)
    illustrative(fig)
    return fig


@figure("ch01-timeline")
def timeline(ctx: FigureContext) -> Figure:
    fig, axes = canvas(12, 4.6)
    ax = axes[0, 0]
    fills = (FILL["green"], FILL["blue"], FILL["orange"])
    colours = (GREEN, BLUE, ORANGE)
    top = 3.0
    for (start, end, name), fill, colour in zip(TIMELINE_PERIODS, fills, colours):
        ax.axvspan(start - 0.5, end + 0.5, color=fill, lw=0, zorder=0)
        ax.text((start + end) / 2, top - 0.05, name, ha="center", va="top", fontsize=13, color=colour)
        span = f"{start}–{end}" if end < TIMELINE_PERIODS[-1][1] else f"{start}–"
        ax.text((start + end) / 2, top - 0.5, span, ha="center", va="top", fontsize=9, color=colour)
    ax.axhline(0, color=BLACK, lw=1.6, zorder=1)
    for year in range(1940, 2021, 10):
        ax.plot([year, year], [-0.12, 0.12], color=BLACK, lw=1.2, zorder=2)
        ax.text(year, -0.2, str(year), ha="center", va="top", fontsize=9, color=GREY)
    for year, label, level, dx in TIMELINE_EVENTS:
        y = 0.8 * level
        ax.plot([year, year], [0, y], color=GREY, lw=0.9, zorder=1)
        ax.plot([year], [0], "o", color=RED, ms=5, zorder=3)
        ax.text(year + dx, y, f"{year}\n{label}", ha="center", va="bottom" if level > 0 else "top", fontsize=10,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": GREY, "lw": 0.6}, zorder=4)
    ax.set_xlim(1938, 2022)
    ax.set_ylim(-2.85, top)
    ax.axis("off")
    return fig
