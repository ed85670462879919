"""Chapter 6 figures: convolution, padding and stride, channels, pooling, Flatten vs GAP, filters.

Every convolution and pooling number is computed with the platform's own widget calculator
(:mod:`courseware.image_ops`, tested against ``tf.nn.conv2d`` / ``max_pool2d`` / ``avg_pool2d``),
and parameter counts come from :mod:`modelspec.calculator`, so the figures cannot drift from what
TensorFlow and the model builder report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Polygon, Rectangle

from courseware.image_ops import conv2d, output_size, pool2d
from modelspec.calculator import layer_compute

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
    SKY,
    arrow,
    blank,
    canvas,
    diagram,
    matrix,
    outline,
    resize,
    sample_photo,
)

MINUS = "\u2212"


def num(value: float) -> str:
    """A number as printed in the lessons: no trailing zeros, a real minus sign, no '-0'."""
    text = f"{float(value) + 0.0:g}"
    return text.replace("-", MINUS)


def conv2d_any(image: np.ndarray, kernel: np.ndarray | list, padding: str = "valid") -> np.ndarray:
    """Stride-1 cross-correlation with a rectangular kernel (e.g. the 1×2 kernel [-1, 1]).

    ``image_ops.conv2d`` only takes square kernels, so the kernel is embedded in a square one with
    zero rows/columns placed where TensorFlow's padding puts them: for "same" the extra zeros go
    before the kernel exactly when TF pads the smaller kernel less on the top/left, and for "valid"
    the image is zero-padded at the bottom/right so the output keeps TF's R − F + 1 size.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    size = max(kh, kw)
    if padding == "same":
        top = (size - 1) // 2 - (kh - 1) // 2
        left = (size - 1) // 2 - (kw - 1) // 2
        square = np.zeros((size, size))
        square[top : top + kh, left : left + kw] = kernel
        return conv2d(image, square, 1, "same")
    square = np.zeros((size, size))
    square[:kh, :kw] = kernel
    padded = np.pad(image.astype(np.float64), ((0, size - kh), (0, size - kw)))
    return conv2d(padded, square, 1, "valid")


# ------------------------------------------------------------------ sparse connectivity


def dense_edges(n: int = 5) -> list[tuple[int, int]]:
    """(output, input) pairs of a fully connected layer with n inputs and n outputs."""
    return [(i, j) for i in range(n) for j in range(n)]


def conv_edges(n: int = 5, width: int = 3) -> list[tuple[int, int, int]]:
    """(output, input, offset) of a 1-D same convolution of kernel ``width``: s_i sees x_{i+offset}."""
    half = width // 2
    return [(i, i + d, d) for i in range(n) for d in range(-half, half + 1) if 0 <= i + d < n]


def _node(ax: Axes, x: float, y: float, label: str, *, fill: str = "white", edge: str = BLACK) -> None:
    ax.add_patch(Circle((x, y), 0.3, facecolor=fill, edgecolor=edge, lw=1.4, zorder=5))
    ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=6)


def _edge(ax: Axes, j: int, i: int, y0: float, y1: float, r: float = 0.3, **kw) -> None:
    """Line from input node j (bottom) to output node i (top), stopping at the circles."""
    dx, dy = i - j, y1 - y0
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    ax.plot([j + ux * r, i - ux * r], [y0 + uy * r, y1 - uy * r], solid_capstyle="round", **kw)


@figure("ch06-sparse-connectivity")
def sparse_connectivity(ctx: FigureContext) -> Figure:
    n, target = 5, 2  # s3 is index 2
    y0, y1 = 0.0, 2.4
    fig, axes = canvas(10.5, 3.9, 1, 2)
    weight_colours = {-1: BLUE, 0: GREEN, 1: PURPLE}

    ax = blank(axes[0, 0])
    edges = dense_edges(n)
    for i, j in edges:
        if i != target:
            _edge(ax, j, i, y0, y1, color=GREY, lw=0.9, zorder=1)
    for i, j in edges:
        if i == target:
            _edge(ax, j, i, y0, y1, color=ORANGE, lw=2.6, zorder=3)
    ax.set_title("全连接（矩阵乘法）", fontsize=12)
    ax.text(2, -0.85, f"{len(edges)} 条连线，{len(edges)} 个不同的权重", ha="center", va="center", fontsize=10)

    ax = blank(axes[0, 1])
    edges3 = conv_edges(n, 3)
    for i, j, d in edges3:
        if i == target:
            # Orange halo marks s3's inputs while the line colour keeps its shared weight.
            _edge(ax, j, i, y0, y1, color=ORANGE, lw=7, alpha=0.55, zorder=2)
        _edge(ax, j, i, y0, y1, color=weight_colours[d], lw=2.0 if i == target else 1.4, zorder=3)
    ax.set_title("卷积（核宽 3）", fontsize=12)
    ax.text(2, -0.85, f"{len(edges3)} 条连线，只有 3 个不同的权重（参数共享）", ha="center", va="center", fontsize=10)
    handles = [Line2D([], [], color=weight_colours[d], lw=2, label=label) for d, label in ((-1, "$w_{-1}$"), (0, "$w_0$"), (1, "$w_{+1}$"))]
    handles.append(Line2D([], [], color=ORANGE, lw=6, alpha=0.55, label="$s_3$ 的输入"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10, handlelength=1.8)

    for ax in (axes[0, 0], axes[0, 1]):
        for k in range(n):
            hot = k == target
            _node(ax, k, y1, f"$s_{k + 1}$", fill=FILL["orange"] if hot else "white", edge=ORANGE if hot else BLACK)
            _node(ax, k, y0, f"$x_{k + 1}$", fill=FILL["blue"])
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylim(-1.15, y1 + 0.45)
    return fig


# ------------------------------------------------------------------ edge detection


def edge_detection_costs(width: int = 320, height: int = 280, kernel_width: int = 2) -> dict[str, int]:
    """Operation counts of the lesson's vertical-edge example (a 1×k kernel along each row).

    Convolution: k multiplications + (k − 1) additions per output pixel. Row-wise dense matrix:
    each output pixel of a row is a dense unit over the whole row (W multiplications, W − 1
    additions), computed for every output pixel of every row.
    """
    out_width = output_size(width, kernel_width, 1, "valid")
    per_output = kernel_width + (kernel_width - 1)
    conv = out_width * height * per_output
    dense = height * (width + width - 1) * out_width
    return {"out_width": out_width, "out_height": height, "per_output": per_output, "conv": conv, "dense": dense, "ratio": round(dense / conv)}


def edge_image(width: int = 320, height: int = 280) -> tuple[np.ndarray, np.ndarray]:
    """The greyscale sample photo at width × height and its valid [-1, 1] convolution."""
    full = sample_photo("china", grey=True)
    # Crop from the left to the target aspect first so the pagoda is not stretched.
    crop_width = round(full.shape[0] * width / height)
    photo = resize(full[:, :crop_width], width, height)
    return photo, conv2d_any(photo, [[-1.0, 1.0]], "valid")


@figure("ch06-edge-detection")
def edge_detection(ctx: FigureContext) -> Figure:
    photo, edges = edge_image(320, 280)
    costs = edge_detection_costs(photo.shape[1], photo.shape[0], 2)
    fig, axes = canvas(10.5, 4.9, 1, 2)
    ax = axes[0, 0]
    ax.imshow(photo, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"灰度照片 {photo.shape[1]}×{photo.shape[0]}")
    ax.axis("off")
    ax = axes[0, 1]
    # Symmetric limits put 0 (no change) at mid-grey; a high percentile keeps faint edges visible.
    peak = float(np.percentile(np.abs(edges), 99.5))
    im = ax.imshow(edges, cmap="gray", vmin=-peak, vmax=peak)
    ax.set_title(f"与卷积核 [{MINUS}1, 1] 做 valid 卷积：{edges.shape[1]}×{edges.shape[0]}")
    ax.axis("off")
    bar = fig.colorbar(im, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.tick_params(labelsize=8)
    bar.set_label("右减左（0 = 无变化）", fontsize=9)
    w, h, ow = photo.shape[1], photo.shape[0], costs["out_width"]
    fig.supxlabel(
        f"卷积：{ow}×{h}×{costs['per_output']} = {costs['conv']:,} 次运算\n"
        f"逐行全连接：{h}×({w}+{ow})×{ow} = {costs['dense']:,} 次运算（约 {costs['ratio']} 倍）",
        fontsize=11,
    )
    return fig


# ------------------------------------------------------------------ receptive field


def receptive_field_sizes(input_size: int = 7, kernel: int = 3, layers: int = 3) -> tuple[list[int], list[int]]:
    """Grid sizes bottom-up (input first) and the top cell's receptive field on each of them.

    Going down one valid stride-1 layer widens the field by kernel − 1.
    """
    sizes = [input_size]
    for _ in range(layers):
        sizes.append(output_size(sizes[-1], kernel, 1, "valid"))
    fields = [1]
    for _ in range(layers):
        fields.append(fields[-1] + kernel - 1)
    return sizes, fields[::-1]


def _project(u: float, v: float, z: float) -> tuple[float, float]:
    """Oblique projection of a horizontal grid point (u right, v backwards) at height z."""
    return u + 0.62 * v, z + 0.36 * v


@figure("ch06-receptive-field")
def receptive_field(ctx: FigureContext) -> Figure:
    sizes, fields = receptive_field_sizes(7, 3, 3)
    gap = 2.7
    half_in = sizes[0] / 2
    ox, oy = 8.3, 1.5
    fig, ax = diagram(18.6, 11.0, scale=0.55)

    def at(u: float, v: float, z: float) -> tuple[float, float]:
        x, y = _project(u, v, z)
        return x + ox, y + oy

    fills = [FILL["blue"], FILL["green"], FILL["orange"], ORANGE]
    edges = [BLUE, GREEN, ORANGE, RED]
    names = ["输入", "第 1 层输出", "第 2 层输出", "第 3 层输出"]
    label_x = at(half_in, half_in, 0)[0] + 0.9
    arrow_x = at(-half_in, -half_in, 0)[0] - 0.5
    for level, n in enumerate(sizes):
        z = level * gap
        h = n / 2
        quad = [at(-h, -h, z), at(h, -h, z), at(h, h, z), at(-h, h, z)]
        ax.add_patch(Polygon(quad, closed=True, facecolor=fills[level], edgecolor="none", zorder=2 * level))
        for k in range(n + 1):
            t = -h + k
            ax.plot(*zip(at(t, -h, z), at(t, h, z)), color=edges[level], lw=0.8, zorder=2 * level)
            ax.plot(*zip(at(-h, t, z), at(h, t, z)), color=edges[level], lw=0.8, zorder=2 * level)
        ax.add_patch(Polygon(quad, closed=True, fill=False, edgecolor=edges[level], lw=2.2, zorder=2 * level))
        if level + 1 < len(sizes):
            # Translucent frustum from this layer's region up to the next layer's region.
            hu = sizes[level + 1] / 2
            zu = z + gap
            upper = [at(-hu, -hu, zu), at(hu, -hu, zu), at(hu, hu, zu), at(-hu, hu, zu)]
            for a in range(4):
                b = (a + 1) % 4
                face = [quad[a], quad[b], upper[b], upper[a]]
                ax.add_patch(Polygon(face, closed=True, facecolor=ORANGE, alpha=0.08, edgecolor=ORANGE, lw=0.8, zorder=2 * level + 1))
            arrow(ax, (arrow_x, oy + z + 0.35), (arrow_x, oy + zu - 0.35), color=GREY, lw=1.2)
            ax.text(arrow_x - 0.25, oy + z + gap / 2, "3×3 卷积\nvalid", ha="right", va="center", fontsize=10)
        label = f"{names[level]} {n}×{n}"
        if level < len(sizes) - 1:
            label += f"：感受野 {fields[level]}×{fields[level]}"
        corner = at(h, 0, z)
        ax.plot([corner[0] + 0.15, label_x - 0.15], [corner[1], oy + z], color=edges[level], lw=0.8, ls=":")
        ax.text(label_x, oy + z, label, ha="left", va="center", fontsize=11, color=edges[level])
    ax.text(ox, 10.5, "顶端的一个单元看到：第 2 层 3×3、第 1 层 5×5、输入 7×7", ha="center", va="center", fontsize=12)
    return fig


# ------------------------------------------------------------------ convolution steps

CONV_X = np.array([[1, 0, 2, 3], [4, 6, 6, 8], [3, 1, 1, 0], [1, 2, 2, 4]], dtype=np.float64)
CONV_K = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float64)


@dataclass(frozen=True)
class ConvStep:
    row: int
    col: int
    products: np.ndarray  # 3×3 element-wise products of the window and the kernel
    total: float


def conv_steps(x: np.ndarray = CONV_X, k: np.ndarray = CONV_K) -> tuple[list[ConvStep], np.ndarray]:
    """Each window's products and sum, in scan order, and the valid output from image_ops.conv2d."""
    out = conv2d(x, k, 1, "valid")
    f = k.shape[0]
    steps = []
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            products = x[i : i + f, j : j + f] * k + 0.0
            steps.append(ConvStep(i, j, products, float(products.sum())))
    return steps, out


@figure("ch06-conv-steps")
def conv_steps_figure(ctx: FigureContext) -> Figure:
    steps, out = conv_steps()
    c = 0.62
    pw, ph = 11.4, 4.6
    fig, ax = diagram(2 * pw, 2 * ph + 0.2, scale=0.5)
    for n, step in enumerate(steps):
        px = (n % 2) * pw + 0.3
        top = (2 - n // 2) * ph - 0.7
        window = [[step.row <= r < step.row + 3 and step.col <= q < step.col + 3 for q in range(4)] for r in range(4)]
        x_fills = [[FILL["orange"] if window[r][q] else None for q in range(4)] for r in range(4)]
        x0 = px
        matrix(ax, CONV_X, x0, top, cell=c, fills=x_fills, fontsize=10, title="X", title_size=10)
        outline(ax, x0 + step.col * c, top - step.row * c, 3 * c, 3 * c, color=ORANGE, lw=2.4)
        y_mid = top - 2 * c
        k0 = x0 + 4 * c + 0.8
        ax.text(k0 - 0.4, y_mid, "⊙", ha="center", va="center", fontsize=14)
        matrix(ax, [[num(v) for v in row] for row in CONV_K], k0, top - 0.5 * c, cell=c, fill=FILL["blue"], fontsize=10, title="K", title_size=10)
        p0 = k0 + 3 * c + 0.8
        ax.text(p0 - 0.4, y_mid, "=", ha="center", va="center", fontsize=14)
        products = [[num(v) for v in row] for row in step.products]
        matrix(ax, products, p0, top - 0.5 * c, cell=c, fill=FILL["grey"], fontsize=10, title="逐元素相乘", title_size=9)
        o0 = p0 + 3 * c + 1.2
        arrow(ax, (p0 + 3 * c + 0.15, y_mid), (o0 - 0.15, y_mid), color=BLACK)
        ax.text((p0 + 3 * c + o0) / 2, y_mid + 0.12, "Σ", ha="center", va="bottom", fontsize=11)
        o_values: list[list[str | None]] = [[None, None], [None, None]]
        o_fills: list[list[str | None]] = [[None, None], [None, None]]
        for m, done in enumerate(steps[: n + 1]):
            o_values[done.row][done.col] = num(out[done.row, done.col])
            o_fills[done.row][done.col] = ORANGE if m == n else FILL["grey"]
        matrix(ax, o_values, o0, top - c, cell=c, fills=o_fills, fontsize=10, title="输出", title_size=9)
        terms = " + ".join(f"({num(v)})" if v < 0 else num(v) for v in step.products.ravel())
        ax.text(px + 0.1, top - 4 * c - 0.45, f"窗口 ({step.row}, {step.col})：{terms} = {num(step.total)}", ha="left", va="center", fontsize=9.5)
    ax.plot([pw, pw], [0.1, 2 * ph - 0.1], color=LIGHT_GREY, lw=1)
    ax.plot([0.2, 2 * pw - 0.2], [ph, ph], color=LIGHT_GREY, lw=1)
    return fig


# ------------------------------------------------------------------ same vs valid


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" zeros before and after (the odd one goes after)."""
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def window_starts(size: int, window: int, stride: int, padding: str) -> list[int]:
    """First input index of every window (negative = starts in the zero padding)."""
    before = same_padding(size, window, stride)[0] if padding == "same" else 0
    return [-before + k * stride for k in range(output_size(size, window, stride, padding))]


def _window_panel(ax: Axes, left: float, top: float, size: int, window: int, stride: int, padding: str, c: float) -> tuple[float, float]:
    """Input grid (with dashed zero ring for same), faint windows, centre dots and the output grid."""
    starts = window_starts(size, window, stride, padding)
    pad_before, pad_after = same_padding(size, window, stride) if padding == "same" else (0, 0)
    n_total = size + pad_before + pad_after
    values = [["0" if not (pad_before <= r < pad_before + size and pad_before <= q < pad_before + size) else None for q in range(n_total)] for r in range(n_total)]
    dashed = [[values[r][q] is not None for q in range(n_total)] for r in range(n_total)]
    colours = [[LIGHT_GREY if dashed[r][q] else None for q in range(n_total)] for r in range(n_total)]
    matrix(ax, values, left, top, cell=c, fills=colours, dashed=dashed, fontsize=8, text_colors=[[GREY] * n_total] * n_total, lw=0.8)
    origin_x, origin_y = left + pad_before * c, top - pad_before * c
    for r0 in starts:
        for q0 in starts:
            # Faint translucent windows: cells shared by overlapping windows come out darker.
            ax.add_patch(Rectangle((origin_x + q0 * c, origin_y - (r0 + window) * c), window * c, window * c, facecolor=SKY, alpha=0.13, edgecolor="none", zorder=2))
            ax.add_patch(Circle((origin_x + (q0 + window / 2) * c, origin_y - (r0 + window / 2) * c), 0.09, color=BLUE, zorder=4))
    outline(ax, origin_x + starts[0] * c, origin_y - starts[0] * c, window * c, window * c, color=BLUE, lw=2.6)
    outline(ax, origin_x + starts[1] * c + 0.05, origin_y - starts[0] * c - 0.05, window * c - 0.1, window * c - 0.1, color=ORANGE, lw=2.0, dashed=True)
    n_out = len(starts)
    grid_h = n_total * c
    o_left = left + n_total * c + 1.3
    o_top = top - (grid_h - n_out * c) / 2
    arrow(ax, (left + n_total * c + 0.2, top - grid_h / 2), (o_left - 0.2, top - grid_h / 2), color=BLACK)
    o_fills = [[{(0, 0): FILL["blue"], (0, 1): FILL["orange"]}.get((a, b), "white") for b in range(n_out)] for a in range(n_out)]
    matrix(ax, [[None] * n_out] * n_out, o_left, o_top, cell=c, fills=o_fills)
    for a in range(n_out):
        for b in range(n_out):
            ax.add_patch(Circle((o_left + (b + 0.5) * c, o_top - (a + 0.5) * c), 0.09, color=BLUE, zorder=4))
    ax.text(o_left + n_out * c / 2, o_top + 0.2, f"输出 {n_out}×{n_out}", ha="center", va="bottom", fontsize=10)
    return o_left + n_out * c, top - grid_h


@figure("ch06-same-vs-valid")
def same_vs_valid(ctx: FigureContext) -> Figure:
    size, window, stride = 7, 3, 2
    c = 0.5
    fig, ax = diagram(19.4, 7.6, scale=0.55)
    top = 6.3
    n_valid = output_size(size, window, stride, "valid")
    n_same = output_size(size, window, stride, "same")
    before, after = same_padding(size, window, stride)
    # Left panel is vertically centred on the right one, which is one zero ring taller.
    _window_panel(ax, 0.4, top - c, size, window, stride, "valid", c)
    ax.text(0.4 + size * c / 2, top + 0.35, "valid（不填充）", ha="center", va="bottom", fontsize=12)
    starts_v = ", ".join(str(s) for s in window_starts(size, window, stride, "valid"))
    ax.text(3.3, 1.25, f"窗口起点 {starts_v}", ha="center", va="center", fontsize=10, color=BLUE)
    ax.text(3.3, 0.45, f"⌊({size}−{window})/{stride}⌋+1 = {n_valid}", ha="center", va="center", fontsize=12)
    left2 = 9.6
    _window_panel(ax, left2, top, size, window, stride, "same", c)
    ax.text(left2 + (size + before + after) * c / 2, top + 0.35, "same（四周补一圈 0，虚线格）", ha="center", va="bottom", fontsize=12)
    starts_s = ", ".join(num(s) for s in window_starts(size, window, stride, "same"))
    ax.text(left2 + 4.0, 1.25, f"窗口起点 {starts_s}；P = ({n_same}−1)·{stride}+{window}−{size} = {before + after}，每侧 {before}", ha="center", va="center", fontsize=10, color=BLUE)
    ax.text(left2 + 4.0, 0.45, f"⌈{size}/{stride}⌉ = {n_same}", ha="center", va="center", fontsize=12)
    ax.text(9.7 / 2 + 4.5, 7.35, f"{size}×{size} 输入，{window}×{window} 卷积核，步长 {stride}（蓝框：第一个窗口，橙色虚线框：右移 2 格后的窗口；圆点：窗口中心 ↔ 输出格）", ha="center", va="center", fontsize=10, color=GREY)
    return fig


# ------------------------------------------------------------------ multichannel convolution


@dataclass(frozen=True)
class MultichannelExample:
    x: np.ndarray  # (5, 5, 3) input, values 0..2
    k: np.ndarray  # (3, 3, 3) kernel, values −1/0/1
    bias: float
    per_channel: np.ndarray  # (3, 3, 3): channel c convolved with kernel slice c
    output: np.ndarray  # (3, 3): sum over channels + bias


def multichannel_example(seed: int = 6) -> MultichannelExample:
    """Small integer 5×5×3 input and 3×3×3 kernel; per-channel valid convolutions with image_ops."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(5, 5, 3)).astype(np.float64)
    k = rng.integers(-1, 2, size=(3, 3, 3)).astype(np.float64)
    bias = 1.0
    per_channel = np.stack([conv2d(x[:, :, ch], k[:, :, ch], 1, "valid") for ch in range(3)], axis=-1)
    return MultichannelExample(x, k, bias, per_channel, per_channel.sum(axis=-1) + bias)


@figure("ch06-multichannel-conv")
def multichannel_conv(ctx: FigureContext) -> Figure:
    ex = multichannel_example()
    c = 0.5
    fig, ax = diagram(16.6, 10.5, scale=0.64)
    tints = [FILL["red"], FILL["green"], FILL["blue"]]
    names = ["R", "G", "B"]
    edge_colours = [RED, GREEN, BLUE]
    top0, row_h = 9.6, 3.0
    xi, xk, xm = 1.0, 4.7, 7.6
    plus_x, plus_y = 11.0, top0 - row_h - 1.25
    for ch in range(3):
        top = top0 - ch * row_h
        matrix(ax, ex.x[:, :, ch], xi, top, cell=c, fill=tints[ch], fontsize=9)
        outline(ax, xi, top, 5 * c, 5 * c, color=edge_colours[ch], lw=1.8)
        ax.text(xi - 0.3, top - 2.5 * c, names[ch], ha="right", va="center", fontsize=13, color=edge_colours[ch])
        mid = top - 2.5 * c
        ax.text((xi + 5 * c + xk) / 2, mid, r"$\circledast$", ha="center", va="center", fontsize=16)
        matrix(ax, [[num(v) for v in row] for row in ex.k[:, :, ch]], xk, top - c, cell=c, fill=tints[ch], fontsize=9)
        outline(ax, xk, top - c, 3 * c, 3 * c, color=edge_colours[ch], lw=1.8)
        ax.text((xk + 3 * c + xm) / 2, mid, "=", ha="center", va="center", fontsize=16)
        matrix(ax, [[num(v) for v in row] for row in ex.per_channel[:, :, ch]], xm, top - c, cell=c, fill="white", fontsize=9)
        outline(ax, xm, top - c, 3 * c, 3 * c, color=edge_colours[ch], lw=1.8)
        arrow(ax, (xm + 3 * c + 0.15, mid), (plus_x - 0.4, plus_y + (1 - ch) * 0.3), color=edge_colours[ch], lw=1.4)
    ax.add_patch(Circle((plus_x, plus_y), 0.38, facecolor="white", edgecolor=BLACK, lw=1.4))
    ax.text(plus_x, plus_y, "+", ha="center", va="center", fontsize=18)
    xo = plus_x + 1.9
    arrow(ax, (plus_x + 0.42, plus_y), (xo - 0.15, plus_y), f"+ b (b = {num(ex.bias)})", color=BLACK, fontsize=10, text_offset=(0, 0.12))
    # The first window, traced through every stage to the first output value.
    for ch in range(3):
        top = top0 - ch * row_h
        outline(ax, xi, top, 3 * c, 3 * c, color=BLACK, lw=1.8, dashed=True)
        outline(ax, xm, top - c, c, c, color=BLACK, lw=1.8, dashed=True)
    matrix(ax, [[num(v) for v in row] for row in ex.output], xo, plus_y + 1.5 * c, cell=c, fill=FILL["orange"], fontsize=10)
    outline(ax, xo, plus_y + 1.5 * c, 3 * c, 3 * c, color=ORANGE, lw=2)
    outline(ax, xo, plus_y + 1.5 * c, c, c, color=BLACK, lw=1.8, dashed=True)
    heads = [(xi + 2.5 * c, "输入 5×5×3"), (xk + 1.5 * c, "卷积核 3×3×3"), (xm + 1.5 * c, "逐通道 valid 卷积")]
    for x, text in heads:
        ax.text(x, top0 + 0.35, text, ha="center", va="bottom", fontsize=11)
    ax.text(xo + 1.5 * c, plus_y + 1.5 * c + 0.3, "输出 3×3×1", ha="center", va="bottom", fontsize=11)
    ax.text(8.2, 0.45, "卷积核通道数 = 输入通道数 = 3；一个卷积核 → 一个输出通道", ha="center", va="center", fontsize=12)
    terms = " + ".join(f"({num(v)})" if v < 0 else num(v) for v in ex.per_channel[0, 0, :])
    ax.text(xo + 1.5 * c, plus_y - 1.5 * c - 0.35, f"虚线框：第一个窗口\n{terms} + {num(ex.bias)} = {num(ex.output[0, 0])}", ha="center", va="top", fontsize=9.5)
    return fig


# ------------------------------------------------------------------ depthwise vs standard


def _conv_args(filters: int | None, kernel: int, kind: str) -> dict[str, object]:
    args: dict[str, object] = {"kernel_size": kernel, "strides": 1, "padding": "valid", "use_bias": True, "activation": None}
    if kind in ("Conv2D", "SeparableConv2D"):
        args["filters"] = filters
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        args["depth_multiplier"] = 1
    return args


def depthwise_param_counts(channels: int = 3, filters: int = 4, kernel: int = 3) -> dict[str, int]:
    """Parameters (with biases) of the figure's layers on a channels-deep input, from the calculator."""
    shape = (8, 8, channels)

    def params(kind: str, f: int | None, k: int) -> int:
        return layer_compute(kind, _conv_args(f, k, kind), shape).trainable

    return {
        "standard": params("Conv2D", filters, kernel),
        "depthwise": params("DepthwiseConv2D", None, kernel),
        "pointwise": params("Conv2D", filters, 1),
        "separable": params("SeparableConv2D", filters, kernel),
    }


def _slab(ax: Axes, x: float, y: float, s: float, fill: str, edge: str, grid: int = 0, lw: float = 1.2) -> None:
    """A square feature map / kernel slice with lower-left corner (x, y), optional grid lines."""
    ax.add_patch(Rectangle((x, y), s, s, facecolor=fill, edgecolor=edge, lw=lw, zorder=3))
    for g in range(1, grid):
        t = g * s / grid
        ax.plot([x + t, x + t], [y, y + s], color=edge, lw=0.5, alpha=0.6, zorder=3)
        ax.plot([x, x + s], [y + t, y + t], color=edge, lw=0.5, alpha=0.6, zorder=3)


def _stack(ax: Axes, x: float, y: float, s: float, fills: list[str], edges: list[str], step: float, grid: int = 0) -> None:
    """Slices drawn back to front, each shifted up-right by ``step``: the first slice is in front."""
    for n in reversed(range(len(fills))):
        _slab(ax, x + n * step, y + n * step, s, fills[n], edges[n], grid)


@figure("ch06-depthwise-vs-standard")
def depthwise_vs_standard(ctx: FigureContext) -> Figure:
    counts = depthwise_param_counts(3, 4, 3)
    fig, ax = diagram(23.0, 17.2, scale=0.5)
    in_fills = [FILL["red"], FILL["green"], FILL["blue"]]
    in_edges = [RED, GREEN, BLUE]
    k_colours = [ORANGE, PURPLE, SKY, GREY]
    k_fills = [FILL["orange"], FILL["purple"], FILL["sky"], FILL["grey"]]

    def row_title(y: float, text: str) -> None:
        ax.text(0.3, y, text, ha="left", va="center", fontsize=12)

    def input_stack(y_mid: float, label: str = "输入 3 通道") -> None:
        _stack(ax, 0.8, y_mid - 1.1, 2.0, in_fills, in_edges, 0.35, grid=5)
        ax.text(2.15, y_mid - 1.6, label, ha="center", va="top", fontsize=10)

    # Row 1: standard convolution.
    y1 = 13.6
    row_title(16.6, "标准卷积")
    input_stack(y1)
    ax.text(4.25, y1, r"$\circledast$", ha="center", va="center", fontsize=16)
    kx = 5.2
    for f in range(4):
        ky = y1 + 1.6 - f * 1.05
        for ch in reversed(range(3)):
            _slab(ax, kx + ch * 0.2, ky - 0.55 + ch * 0.2, 0.7, in_fills[ch], k_colours[f], grid=3, lw=1.6)
        ax.text(kx + 1.45, ky - 0.2, f"卷积核 {f + 1}：3×3×3", ha="left", va="center", fontsize=9.5, color=k_colours[f] if f < 3 else BLACK)
    arrow(ax, (9.4, y1), (12.6, y1), "每个卷积核：3 个通道\n逐通道相乘后相加 (+b)", fontsize=9.5, text_offset=(0, 0.15))
    for f in range(4):
        _slab(ax, 13.0, y1 + 1.6 - f * 1.05 - 0.45, 0.85, k_fills[f], k_colours[f], grid=4)
    ax.text(14.3, y1 + 0.1, "→ 4 个输出通道\n（每个卷积核 1 个）", ha="left", va="center", fontsize=10)
    ax.text(17.7, y1 + 0.1, f"参数 (3·3·3+1)·4\n= {counts['standard']}", ha="left", va="center", fontsize=11, color=RED)

    # Row 2: depthwise convolution.
    y2 = 8.4
    ax.plot([0.3, 22.7], [11.25, 11.25], color=LIGHT_GREY, lw=1)
    row_title(10.6, "深度卷积")
    input_stack(y2)
    for ch in range(3):
        ky = y2 + 1.0 - ch * 1.2
        arrow(ax, (3.4, y2 + 0.2 - ch * 0.5), (5.0, ky), color=in_edges[ch], lw=1.2)
        _slab(ax, 5.2, ky - 0.4, 0.8, in_fills[ch], in_edges[ch], grid=3, lw=1.6)
        ax.text(6.15, ky, r"$\circledast$ " + f"通道 {'RGB'[ch]} 自己的 3×3 卷积核", ha="left", va="center", fontsize=9.5, color=in_edges[ch])
        arrow(ax, (10.2, ky), (12.8, ky), color=in_edges[ch], lw=1.2)
        _slab(ax, 13.0, ky - 0.45, 0.9, in_fills[ch], in_edges[ch], grid=4)
    ax.text(11.5, y2 + 1.2, "各自输出，不相加", ha="center", va="bottom", fontsize=10)
    ax.text(14.3, y2, "→ 3 个输出通道", ha="left", va="center", fontsize=10)
    ax.text(17.7, y2, f"参数 3·3·3 + 3\n= {counts['depthwise']}", ha="left", va="center", fontsize=11, color=RED)

    # Row 3: depthwise separable = depthwise + 1×1 convolution.
    y3 = 2.6
    ax.plot([0.3, 22.7], [5.55, 5.55], color=LIGHT_GREY, lw=1)
    row_title(4.9, "深度可分离 = 深度卷积 + 1×1 卷积")
    input_stack(y3, "深度卷积的 3 个输出通道")
    ax.text(4.25, y3, r"$\circledast$", ha="center", va="center", fontsize=16)
    for f in range(4):
        ky = y3 + 1.4 - f * 1.0
        for ch in reversed(range(3)):
            _slab(ax, kx + 0.2 + ch * 0.18, ky - 0.2 + ch * 0.18, 0.36, in_fills[ch], k_colours[f], lw=1.6)
        ax.text(kx + 1.2, ky, f"1×1×3 卷积核 {f + 1}", ha="left", va="center", fontsize=9.5, color=k_colours[f] if f < 3 else BLACK)
    arrow(ax, (9.4, y3), (12.6, y3), "每个位置上 3 个通道\n加权相加 (+b)", fontsize=9.5, text_offset=(0, 0.15))
    for f in range(4):
        _slab(ax, 13.0, y3 + 1.5 - f * 1.0 - 0.4, 0.75, k_fills[f], k_colours[f], grid=4)
    ax.text(14.3, y3 + 0.1, "→ 4 个输出通道", ha="left", va="center", fontsize=10)
    ax.text(
        17.7,
        y3 + 0.1,
        f"1×1 卷积参数 (1·1·3+1)·4 = {counts['pointwise']}\n"
        f"合计 {counts['depthwise']} + {counts['pointwise']} = {counts['depthwise'] + counts['pointwise']}\n"
        f"（SeparableConv2D 只有一组偏置：\n3·3·3 + 3·4 + 4 = {counts['separable']}）",
        ha="left",
        va="center",
        fontsize=10,
        color=RED,
    )
    return fig


# ------------------------------------------------------------------ pooling invariance

POOL_SIGNAL = np.array([0.1, 1.0, 0.2, 0.1, 0.8, 0.3, 0.2, 0.9])


def max_pool_1d(signal: np.ndarray, window: int = 3, stride: int = 1) -> np.ndarray:
    """Valid 1-D max pooling through image_ops.pool2d: the signal repeated on ``window`` identical
    rows gives exactly one row of square windows, each the max over ``window`` neighbours."""
    rows = np.tile(np.asarray(signal, dtype=np.float64), (window, 1))
    return pool2d(rows, "max", window, stride, "valid")[0]


def shift_right(signal: np.ndarray, by: int = 1, fill: float = 0.0) -> np.ndarray:
    """The signal moved right by ``by`` places; the first places get ``fill``, the last drop out."""
    return np.concatenate([np.full(by, fill), np.asarray(signal, dtype=np.float64)[:-by]])


@figure("ch06-pooling-invariance")
def pooling_invariance(ctx: FigureContext) -> Figure:
    signal = POOL_SIGNAL
    shifted = shift_right(signal, 1)
    pooled, pooled_shifted = max_pool_1d(signal), max_pool_1d(shifted)
    input_changed = ~np.isclose(signal, shifted)
    output_same = np.isclose(pooled, pooled_shifted)
    fig, axes = canvas(10.0, 8.2, 4, 1, sharex=True)
    xs_in = np.arange(len(signal))
    xs_out = np.arange(len(pooled)) + 1  # each output under its window's centre
    rows = [
        (axes[0, 0], xs_in, signal, [BLUE] * len(signal), "输入信号"),
        (axes[1, 0], xs_out, pooled, [SKY] * len(pooled), "最大池化（窗口 3，步长 1，valid；每个输出画在其窗口中心）"),
        (axes[2, 0], xs_in, shifted, [ORANGE if ch else BLUE for ch in input_changed], f"输入整体右移一格：{int(input_changed.sum())} 个值全部改变（橙色）"),
        (axes[3, 0], xs_out, pooled_shifted, [GREEN if same else RED for same in output_same], f"右移后的池化输出：{int(output_same.sum())}/{len(pooled)} 个值不变（绿色），{int((~output_same).sum())} 个改变（红色）"),
    ]
    for ax, xs, values, colours, title in rows:
        ax.bar(xs, values, width=0.62, color=colours, edgecolor=BLACK, lw=0.6)
        for x, v in zip(xs, values):
            ax.text(x, v + 0.04, f"{v:.1f}", ha="center", va="bottom", fontsize=9.5)
        ax.set_ylim(0, 1.35)
        ax.set_yticks([0, 0.5, 1.0])
        ax.set_title(title, fontsize=11, loc="left")
        ax.tick_params(labelsize=9)
    for x, same in zip(xs_out, output_same):
        axes[3, 0].text(x, 0.1, "不变" if same else "变了", ha="center", va="bottom", fontsize=10, color="white")
    # Bracket of the first window over the input, matching the first pooled output below.
    ax = axes[0, 0]
    ax.plot([-0.35, -0.35, 2.35, 2.35], [1.16, 1.24, 1.24, 1.16], color=SKY, lw=1.6)
    ax.text(2.5, 1.2, "窗口 1 → max = 1.0", ha="left", va="center", fontsize=9, color=BLUE)
    axes[3, 0].set_xticks(xs_in)
    axes[3, 0].set_xlabel("位置")
    return fig


# ------------------------------------------------------------------ same max pooling

POOL_X = np.arange(1, 10, dtype=np.float64).reshape(3, 3)


def maxpool_same_example() -> tuple[np.ndarray, np.ndarray]:
    """2×2 / stride 2 / same max and average pooling of [[1,2,3],[4,5,6],[7,8,9]] (image_ops)."""
    return pool2d(POOL_X, "max", 2, 2, "same"), pool2d(POOL_X, "avg", 2, 2, "same")


@figure("ch06-maxpool-same")
def maxpool_same(ctx: FigureContext) -> Figure:
    max_out, avg_out = maxpool_same_example()
    before, after = same_padding(3, 2, 2)
    n_out = output_size(3, 2, 2, "same")
    c = 1.0
    fig, ax = diagram(11.6, 5.55, scale=0.75)
    n_total = 3 + before + after
    inside = [[before <= r < before + 3 and before <= q < before + 3 for q in range(n_total)] for r in range(n_total)]
    values = [[num(POOL_X[r - before, q - before]) if inside[r][q] else None for q in range(n_total)] for r in range(n_total)]
    dashed = [[not inside[r][q] for q in range(n_total)] for r in range(n_total)]
    fills: list[list[str | None]] = [[FILL["grey"] if dashed[r][q] else None for q in range(n_total)] for r in range(n_total)]
    colours = [BLUE, ORANGE, GREEN, PURPLE]
    pale = [FILL["blue"], FILL["orange"], FILL["green"], FILL["purple"]]
    left, top = 0.6, 4.3
    o_left, o_top = 8.0, top - 1.0
    for a in range(n_out):
        for b in range(n_out):
            n = a * n_out + b
            # Tint the real cell that wins each window, in the window's colour.
            cells = [(r, q) for r in range(2 * a, 2 * a + 2) for q in range(2 * b, 2 * b + 2) if inside[r][q]]
            r_max, q_max = max(cells, key=lambda rq: POOL_X[rq[0] - before, rq[1] - before])
            fills[r_max][q_max] = pale[n]
            ax.add_patch(Rectangle((o_left + b * c, o_top - (a + 1) * c), c, c, facecolor=pale[n], edgecolor=colours[n], lw=2.4, zorder=2))
            ax.text(o_left + (b + 0.5) * c, o_top - (a + 0.5) * c, num(max_out[a, b]), ha="center", va="center", fontsize=15, zorder=3)
    matrix(ax, values, left, top, cell=c, fills=fills, dashed=dashed, fontsize=14)
    inset = 0.08
    for a in range(n_out):
        for b in range(n_out):
            wx, wy = left + 2 * b * c + inset, top - 2 * a * c - inset
            outline(ax, wx, wy, 2 * c - 2 * inset, 2 * c - 2 * inset, color=colours[a * n_out + b], lw=2.6)
    ax.text(left + n_total * c / 2, top + 0.2, "输入 3×3（虚线格：填充）", ha="center", va="bottom", fontsize=11)
    mid_y = o_top - n_out * c / 2
    arrow(ax, (left + n_total * c + 0.4, mid_y), (o_left - 0.4, mid_y), "每个窗口取最大值", fontsize=10.5, lw=1.6, head=14)
    ax.text(o_left + n_out * c / 2, o_top + 0.2, f"输出 {n_out}×{n_out}", ha="center", va="bottom", fontsize=11)
    total = before + after
    ax.text(5.8, 5.15, f"最大池化：窗口 2×2，步长 2，same：输出 ⌈3/2⌉ = {n_out}，补 P = {total}（在下方和右侧）", ha="center", va="center", fontsize=11.5)
    avg_text = "[" + ", ".join("[" + ", ".join(num(v) for v in row) + "]" for row in avg_out) + "]"
    ax.text(o_left + n_out * c / 2, o_top - n_out * c - 0.45, f"平均池化（不计填充）\n→ {avg_text}", ha="center", va="top", fontsize=10.5)
    return fig


# ------------------------------------------------------------------ Flatten vs GAP


def flatten_vs_gap_weights(shape: tuple[int, int, int] = (8, 8, 2048), classes: int = 1000) -> dict[str, int]:
    """Vector lengths and Dense weights (no biases) after Flatten and after GAP, from the calculator."""
    flat = layer_compute("Flatten", {}, shape).output_shape[0]
    gap = layer_compute("GlobalAveragePooling2D", {}, shape).output_shape[0]
    dense = {"units": classes, "use_bias": False, "activation": None}
    return {
        "flatten_length": flat,
        "gap_length": gap,
        "flatten_weights": layer_compute("Dense", dense, (flat,)).trainable,
        "gap_weights": layer_compute("Dense", dense, (gap,)).trainable,
    }


def _block(ax: Axes, x: float, y: float, face: float, depth: float, *, grid: int = 8, colour: str = BLUE, fill: str = FILL["blue"]) -> None:
    """A feature-map block: square front face (H×W) and an oblique depth for the channels."""
    dx, dy = depth * 0.75, depth * 0.5
    ax.add_patch(Polygon([(x, y + face), (x + dx, y + face + dy), (x + face + dx, y + face + dy), (x + face, y + face)], facecolor=FILL["sky"], edgecolor=colour, lw=1.2))
    ax.add_patch(Polygon([(x + face, y), (x + face + dx, y + dy), (x + face + dx, y + face + dy), (x + face, y + face)], facecolor="#BFD8EC", edgecolor=colour, lw=1.2))
    _slab(ax, x, y, face, fill, colour, grid=grid)


def _vector(ax: Axes, x: float, y_lo: float, y_hi: float, n_dots: int, label: str, *, colour: str = BLUE, coloured: dict[int, str] | None = None) -> list[float]:
    """A tall bar standing for a vector, with sample nodes; returns the nodes' y positions."""
    ax.add_patch(Rectangle((x - 0.22, y_lo), 0.44, y_hi - y_lo, facecolor=FILL["grey"], edgecolor=colour, lw=1.2))
    ys = list(np.linspace(y_hi - 0.25, y_lo + 0.25, n_dots))
    for k, y in enumerate(ys):
        face = (coloured or {}).get(k, "white")
        ax.add_patch(Circle((x, y), 0.1, facecolor=face, edgecolor=colour, lw=0.8, zorder=4))
    ax.text(x, y_lo - 0.25, label, ha="center", va="top", fontsize=11)
    return ys


def _fan(ax: Axes, x0: float, ys0: list[float], x1: float, ys1: list[float]) -> None:
    for a in ys0:
        for b in ys1:
            ax.plot([x0 + 0.1, x1 - 0.1], [a, b], color=GREY, lw=0.35, alpha=0.5, zorder=1)


@figure("ch06-flatten-vs-gap")
def flatten_vs_gap(ctx: FigureContext) -> Figure:
    shape = (8, 8, 2048)
    w = flatten_vs_gap_weights(shape, 1000)
    fig, ax = diagram(24.0, 10.6, scale=0.46)
    h, wd, ch = shape
    size_text = f"{h}×{wd}×{ch}"

    # Left: Flatten.
    ax.text(5.4, 10.1, "Flatten + 全连接", ha="center", va="center", fontsize=13)
    _block(ax, 0.4, 4.2, 2.2, 2.2)
    ax.text(2.3, 3.8, size_text, ha="center", va="top", fontsize=11)
    arrow(ax, (4.4, 5.8), (5.9, 5.8), "Flatten", fontsize=10)
    ys_flat = _vector(ax, 6.4, 1.6, 9.4, 30, f"{w['flatten_length']}")
    ys_out = _vector(ax, 10.2, 3.1, 7.9, 14, "1000")
    _fan(ax, 6.4, ys_flat, 10.2, ys_out)
    ax.text(5.4, 0.45, f"权重 {h}×{wd}×{ch}×1000 = {w['flatten_weights']:,}", ha="center", va="center", fontsize=12, color=RED)

    ax.plot([12.2, 12.2], [0.3, 10.3], color=LIGHT_GREY, lw=1)

    # Right: global average pooling.
    x0 = 12.8
    ax.text(x0 + 5.6, 10.1, "全局平均池化 + 全连接", ha="center", va="center", fontsize=13)
    _block(ax, x0, 4.2, 2.2, 2.2)
    ax.text(x0 + 1.9, 3.8, size_text, ha="center", va="top", fontsize=11)
    slice_colours = [(BLUE, FILL["blue"]), (GREEN, FILL["green"]), (PURPLE, FILL["purple"])]
    sx, cx = x0 + 5.0, x0 + 7.3
    ys_slices = [8.3, 6.6, 4.9]
    for (colour, fill), y in zip(slice_colours, ys_slices):
        _slab(ax, sx, y - 0.55, 1.1, fill, colour, grid=8)
        arrow(ax, (sx + 1.2, y), (cx - 0.3, y), color=colour, lw=1.2)
        ax.add_patch(Rectangle((cx - 0.22, y - 0.22), 0.44, 0.44, facecolor=colour, edgecolor=BLACK, lw=0.8))
    ax.text(sx + 0.55, 3.9, r"$\vdots$", ha="center", va="center", fontsize=14, color=GREY)
    ax.text((sx + 1.2 + cx - 0.3) / 2, 8.8, "求均值", ha="center", va="bottom", fontsize=10)
    ax.text(sx + 0.55, 9.4, "每个通道 8×8", ha="center", va="bottom", fontsize=10)
    arrow(ax, (x0 + 3.4, 6.6), (sx - 0.2, 6.6), color=GREY, lw=1.2)
    vx = x0 + 8.3
    ys_gap = _vector(ax, vx, 3.1, 8.9, 12, f"{w['gap_length']}", coloured={0: BLUE, 1: GREEN, 2: PURPLE})
    ys_out2 = _vector(ax, vx + 2.6, 3.1, 7.9, 14, "1000")
    _fan(ax, vx, ys_gap, vx + 2.6, ys_out2)
    for k, ((colour, _fill), y) in enumerate(zip(slice_colours, ys_slices)):
        ax.plot([cx + 0.25, vx - 0.12], [y, ys_gap[k]], color=colour, lw=1.0, ls="--")
    ax.text(x0 + 5.6, 0.45, f"权重 {ch}×1000 = {w['gap_weights']:,}", ha="center", va="center", fontsize=12, color=RED)
    return fig


# ------------------------------------------------------------------ filter gallery

GALLERY_KERNELS: dict[str, list[list[float]]] = {
    "均值": [[1 / 9] * 3] * 3,
    "高斯": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "拉普拉斯": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "水平差分": [[-1, 1]],
}


def filter_gallery(image: np.ndarray) -> dict[str, np.ndarray]:
    """The four lesson filters applied with stride 1 and "same" padding (as tf.nn.conv2d)."""
    return {name: conv2d_any(image, kernel, "same") for name, kernel in GALLERY_KERNELS.items()}


@figure("ch06-filter-gallery")
def filter_gallery_figure(ctx: FigureContext) -> Figure:
    photo = sample_photo("china", grey=True).astype(np.float64)
    results = filter_gallery(photo)
    fig, axes = canvas(11.5, 5.6, 2, 3)
    panels = [("原图", photo, 0.0, 1.0, "")]
    panels += [(name, results[name], 0.0, 1.0, "") for name in ("均值", "高斯")]
    lap = np.abs(results["拉普拉斯"])
    panels.append(("拉普拉斯", lap, 0.0, float(np.percentile(lap, 99.5)), "（显示绝对值）"))
    diff = results["水平差分"]
    peak = float(np.percentile(np.abs(diff), 99.5))
    panels.append(("水平差分", diff, -peak, peak, "（灰 = 0）"))
    for ax, (title, data, lo, hi, extra) in zip(axes.flat, panels):
        ax.imshow(data, cmap="gray", vmin=lo, vmax=hi)
        ax.set_title(title + extra, fontsize=11)
        ax.axis("off")
    ax = blank(axes[1, 2])
    ax.set_title("卷积核（步长 1，same）", fontsize=11)
    mats = [
        ("均值", [["1"] * 3] * 3, "× 1/9"),
        ("高斯", [["1", "2", "1"], ["2", "4", "2"], ["1", "2", "1"]], "× 1/16"),
        ("拉普拉斯", [[num(v) for v in row] for row in GALLERY_KERNELS["拉普拉斯"]], ""),
        ("水平差分", [[num(v) for v in row] for row in GALLERY_KERNELS["水平差分"]], ""),
    ]
    c = 0.62
    spots = [(0.3, 4.6), (3.5, 4.6), (0.3, 1.9), (3.5, 1.9)]
    for (name, values, factor), (x, y) in zip(mats, spots):
        matrix(ax, values, x, y, cell=c, fill=FILL["blue"], fontsize=9, title=name, title_size=9.5)
        if factor:
            ax.text(x + 3 * c + 0.1, y - 1.5 * c, factor, ha="left", va="center", fontsize=9)
    ax.set_xlim(0, 6.4)
    ax.set_ylim(-0.2, 5.3)
    return fig
