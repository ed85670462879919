"""Chapter 3 figures: neurons, activations, gradient descent, fitting regimes."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from matplotlib.patches import Circle, Rectangle

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, ORANGE, RED, arrow, box, canvas, diagram


@figure("ch03-activations")
def activations(ctx: FigureContext) -> Figure:
    z = np.linspace(-5, 5, 801)
    sig = 1 / (1 + np.exp(-z))
    tanh = np.tanh(z)
    lam, alpha = 1.0507, 1.67326
    panels = [
        (r"sigmoid  $\sigma(z)=1/(1+e^{-z})$", sig, sig * (1 - sig), (-0.1, 1.1)),
        ("tanh", tanh, 1 - tanh**2, (-1.2, 1.2)),
        ("ReLU  max(0, z)", np.maximum(0, z), np.where(z > 0, 1.0, 0.0), (-0.5, 5.2)),
        ("Leaky ReLU  α = 0.1", np.where(z > 0, z, 0.1 * z), np.where(z > 0, 1.0, 0.1), (-0.8, 5.2)),
        ("SELU", lam * np.where(z > 0, z, alpha * (np.exp(z) - 1)), np.where(z > 0, lam, lam * alpha * np.exp(z)), (-2.0, 5.5)),
    ]
    fig, axes = canvas(10.5, 6.2, 2, 3)
    for ax, (title, f, df, ylim) in zip(axes.flat, panels):
        ax.axhline(0, color=GREY, lw=0.6)
        ax.axvline(0, color=GREY, lw=0.6)
        ax.plot(z, f, color=BLUE, lw=2, label="函数")
        # ReLU-like derivatives jump at 0: draw both sides without the vertical connector.
        step = np.abs(np.diff(df, prepend=df[0])) > 0.05
        ax.plot(z, np.where(step, np.nan, df), color=ORANGE, lw=1.8, ls="--", label="导数")
        ax.set_ylim(*ylim)
        ax.set_title(title)
        ax.set_xlabel("z")
    axes[0, 0].plot([0], [0.25], "o", color=RED)
    axes[0, 0].annotate("最大值 0.25（z = 0）", (0, 0.25), (0.6, 0.42), fontsize=9, color=RED, arrowprops={"arrowstyle": "->", "color": RED})
    axes[0, 0].legend(loc="upper left")
    ax = axes[1, 2]
    logits = np.stack([z, np.zeros_like(z), -np.ones_like(z)], axis=1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ax.plot(z, p[:, 0], color=BLUE, lw=2, label="p₁（分量 z）")
    ax.plot(z, p[:, 1], color=ORANGE, lw=1, label="p₂（分量 0）")
    ax.plot(z, p[:, 2], color=RED, lw=1, label="p₃（分量 −1）")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("softmax(z, 0, −1)")
    ax.set_xlabel("z")
    ax.legend(loc="center left", fontsize=8)
    return fig


# ---------------------------------------------------------------- ch03-mp-neuron


@figure("ch03-mp-neuron")
def mp_neuron(ctx: FigureContext) -> Figure:
    fig, ax = diagram(21, 9.4, scale=0.52)
    cx, cy, r = 9.3, 4.9, 2.0
    inputs = [("$x_1$", "$w_1$", 8.0), ("$x_2$", "$w_2$", 6.1), ("$x_n$", "$w_n$", 1.8)]
    for name, weight, y in inputs:
        ax.add_patch(Circle((1.4, y), 0.6, facecolor=FILL["blue"], edgecolor=BLACK, lw=1.2))
        ax.text(1.4, y, name, ha="center", va="center", fontsize=13)
        # Arrows end on the circle's rim, fanned over its left side rather than meeting at one point.
        end = np.array([cx, cy]) + r * np.array([-1.0, (y - cy) / 7.5]) / np.hypot(1.0, (y - cy) / 7.5)
        start = (2.05, y)
        arrow(ax, start, tuple(end))
        t = 0.38
        ax.text(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]) + 0.2, weight, ha="center",
                va="bottom", fontsize=13, color=BLUE)
    ax.text(1.4, 4.0, "…", rotation=90, ha="center", va="center", fontsize=16)  # the CJK font lacks U+22EE
    ax.add_patch(Circle((cx, cy), r, facecolor=FILL["orange"], edgecolor=BLACK, lw=1.5))
    ax.text(cx, cy, r"$\sum_i\, w_i x_i - \theta$", ha="center", va="center", fontsize=15)
    ax.text(cx, cy - r - 0.35, "权重与阈值由人设定", ha="center", va="top", fontsize=12, color=RED)

    # The step function drawn as an icon inside its box.
    bx, bw, bh = 15.0, 3.2, 2.6
    arrow(ax, (cx + r, cy), (bx - bw / 2, cy), "z", fontsize=12, text_offset=(0, 0.1))
    ax.add_patch(Rectangle((bx - bw / 2, cy - bh / 2), bw, bh, facecolor="white", edgecolor=BLACK, lw=1.3))
    x0, x1, base, high = bx - 1.25, bx + 1.25, cy - 0.75, cy + 0.65
    ax.plot([x0, x1], [base, base], color=GREY, lw=0.8)
    ax.plot([bx, bx], [base - 0.3, high + 0.35], color=GREY, lw=0.8)
    ax.plot([x0, bx], [base, base], color=BLUE, lw=2.6, solid_capstyle="butt")
    ax.plot([bx, x1], [high, high], color=BLUE, lw=2.6, solid_capstyle="butt")
    ax.plot([bx], [high], "o", color=BLUE, ms=5)
    ax.plot([bx], [base], "o", mfc="white", mec=BLUE, ms=5)
    ax.text(bx + 0.1, high + 0.15, "1", fontsize=9, color=GREY, va="bottom")
    ax.text(bx - bw / 2, cy + bh / 2 + 0.25, "阶跃函数 f(z)", fontsize=11, va="bottom")
    ax.text(bx, cy - bh / 2 - 0.3, "f(z) = 1（z ≥ 0）\nf(z) = 0（z < 0）", ha="center", va="top", fontsize=11)
    arrow(ax, (bx + bw / 2, cy), (20.4, cy), "y", fontsize=14, text_offset=(0, 0.1))
    return fig


# ---------------------------------------------------------------- ch03-and-xor

LOGIC_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def logic_outputs(kind: str) -> np.ndarray:
    """Targets of AND / XOR for ``LOGIC_INPUTS`` (rows (0,0), (0,1), (1,0), (1,1))."""
    a, b = LOGIC_INPUTS[:, 0], LOGIC_INPUTS[:, 1]
    return {"AND": a & b, "XOR": a ^ b}[kind]


@figure("ch03-and-xor")
def and_xor(ctx: FigureContext) -> Figure:
    fig, axes = canvas(10, 5.0, 1, 2)
    grid = np.linspace(-0.25, 1.25, 2)
    for ax, kind, title in zip(axes[0], ("AND", "XOR"), ("与（AND）：一条直线即可分开", "异或（XOR）：线性不可分")):
        out = logic_outputs(kind)
        zero, one = LOGIC_INPUTS[out == 0], LOGIC_INPUTS[out == 1]
        ax.scatter(zero[:, 0], zero[:, 1], s=130, facecolor="white", edgecolor=BLUE, lw=2.2, zorder=3, label="输出 0")
        ax.scatter(one[:, 0], one[:, 1], s=150, marker="X", color=RED, zorder=3, label="输出 1")
        if kind == "AND":
            ax.plot(grid, 1.5 - grid, color=BLACK, lw=1.6)
            ax.text(0.5, 1.06, "$x_1 + x_2 = 1.5$", fontsize=10, rotation=-45, rotation_mode="anchor", ha="center", va="bottom")
        else:
            ax.fill_between(grid, 0.5 - grid, 1.5 - grid, color=RED, alpha=0.12, lw=0)
            for c in (0.5, 1.5):
                ax.plot(grid, c - grid, color=BLACK, lw=1.4, ls="--")
            # Labels sit just off each line, on the side away from the shaded band.
            ax.text(0.0, 0.42, "$x_1 + x_2 = 0.5$", fontsize=10, rotation=-45, rotation_mode="anchor", ha="center", va="top")
            ax.text(0.65, 0.91, "$x_1 + x_2 = 1.5$", fontsize=10, rotation=-45, rotation_mode="anchor", ha="center", va="bottom")
            ax.text(0.5, -0.135, "一条直线做不到，两条（一个隐藏层）可以", transform=ax.transAxes, ha="center", va="top", fontsize=11, color=RED)
        for (x, y), o in zip(LOGIC_INPUTS, out):
            ax.text(x + 0.07, y - 0.07, f"({x},{y})→{o}", fontsize=9, color=GREY, va="top")
        ax.set_xlim(-0.25, 1.25)
        ax.set_ylim(-0.25, 1.25)
        ax.set_aspect("equal")
        ax.set_xticks([0, 0.5, 1])
        ax.set_yticks([0, 0.5, 1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(title)
    axes[0, 0].legend(loc="upper left", fontsize=9, handletextpad=0.3, borderaxespad=0.2)
    return fig


# ---------------------------------------------------------------- ch03-mlp

MLP_SIZES = (3, 4, 2)


def weight_shapes(sizes: tuple[int, ...] = MLP_SIZES) -> list[tuple[int, int]]:
    """Shape of W[l] in z[l] = W[l]·a[l−1] + b[l]: (units of layer l, units of layer l−1)."""
    return [(n_out, n_in) for n_in, n_out in zip(sizes, sizes[1:])]


@figure("ch03-mlp")
def mlp(ctx: FigureContext) -> Figure:
    fig, ax = diagram(17, 9.4, scale=0.55)
    xs = [2.8, 8.5, 14.2]
    names = ["x", "h", "o"]
    fills = [FILL["blue"], FILL["orange"], FILL["green"]]
    mid, gap, r = 4.8, 1.75, 0.55
    layers = [[mid + gap * ((n - 1) / 2 - k) for k in range(n)] for n in MLP_SIZES]
    for x0, x1, ys0, ys1 in zip(xs, xs[1:], layers, layers[1:]):
        for y0 in ys0:
            for y1 in ys1:
                ax.annotate("", (x1 - r, y1), (x0 + r, y0),
                            arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 0.9, "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})
    for x, ys, name, fill in zip(xs, layers, names, fills):
        for k, y in enumerate(ys):
            ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor=BLACK, lw=1.3, zorder=3))
            ax.text(x, y, f"${name}_{k + 1}$", ha="center", va="center", fontsize=13, zorder=4)
    for x, text in zip(xs, ("输入层（不计层数）", "隐藏层 = 第 1 层", "输出层 = 第 2 层")):
        ax.text(x, 1.05, text, ha="center", va="center", fontsize=12)
    top = max(layers[1]) + r + 0.5
    for l, ((n_out, n_in), x0, x1) in enumerate(zip(weight_shapes(), xs, xs[1:]), start=1):
        ax.text((x0 + x1) / 2, top, f"$W^{{[{l}]}}$: {n_out}×{n_in}", ha="center", va="bottom", fontsize=13, color=RED,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": RED, "lw": 0.8})
    return fig


# ---------------------------------------------------------------- ch03-learning-rates

LR_CURVATURE = np.array([1.0, 10.0])  # L(w1, w2) = w1² + 10·w2²
LR_START = (-2.5, 1.2)
LR_RATES = ((0.005, "过小"), (0.05, "合适"), (0.105, "过大"))


def bowl_loss(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    return LR_CURVATURE[0] * w1**2 + LR_CURVATURE[1] * w2**2


def gd_path(lr: float, steps: int = 20, start: tuple[float, float] = LR_START) -> np.ndarray:
    """Plain gradient descent on w1² + 10·w2²: ``steps + 1`` points including the start."""
    w = np.array(start, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * 2 * LR_CURVATURE * w
        path.append(w.copy())
    return np.array(path)


@figure("ch03-learning-rates")
def learning_rates(ctx: FigureContext) -> Figure:
    fig, axes = canvas(11.5, 4.6, 1, 2, gridspec_kw={"width_ratios": [2.3, 1]})
    ax, side = axes[0]
    w1, w2 = np.meshgrid(np.linspace(-3, 3, 301), np.linspace(-1.5, 1.5, 151))
    ax.contour(w1, w2, bowl_loss(w1, w2), levels=[0.25, 1, 2, 4, 7, 11, 16, 22], colors=GREY, linewidths=0.7)
    colours = (GREEN, BLUE, RED)
    for (lr, label), colour in zip(LR_RATES, colours):
        path = gd_path(lr)
        # Stop at the first point outside the frame: later segments would only cross the plot as
        # long vertical strokes. The side panel shows the whole run.
        outside = np.flatnonzero((np.abs(path[:, 0]) > 3) | (np.abs(path[:, 1]) > 1.5))
        shown = path[: outside[0] + 1] if outside.size else path
        ax.plot(shown[:, 0], shown[:, 1], "-o", color=colour, ms=3.5, lw=1.3, label=f"α = {lr}（{label}）")
        side.plot(np.arange(len(path)), path[:, 1], "-o", color=colour, ms=3, lw=1.2)
    ax.plot(*LR_START, "s", color=BLACK, ms=6, zorder=5)
    ax.text(LR_START[0], LR_START[1] + 0.12, "起点", ha="center", va="bottom", fontsize=9)
    ax.plot(0, 0, "*", color=BLACK, ms=11, zorder=5)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-1.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title("$L(w_1, w_2) = w_1^2 + 10\\,w_2^2$，各走 20 步")
    ax.legend(loc="lower right", fontsize=9, facecolor="white", framealpha=0.9, frameon=True, edgecolor="none")
    big = gd_path(LR_RATES[-1][0])
    factor = abs(1 - 2 * LR_CURVATURE[1] * LR_RATES[-1][0])
    exit_step = int(np.flatnonzero(np.abs(big[:, 1]) > 1.5)[0])
    ax.annotate(f"|1 − 2·10·0.105| = {factor:.1f} > 1：$w_2$ 每步反号并放大 {factor:.1f} 倍，\n第 {exit_step} 步冲出图外（全程见右图）",
                (big[exit_step - 1, 0], big[exit_step - 1, 1]), (-0.9, 1.2), fontsize=9, color=RED,
                arrowprops={"arrowstyle": "->", "color": RED, "lw": 0.9}, va="center", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})

    # Side panel: w2 alone, so the growing swings of the large rate stay visible after they leave the plot.
    side.axhline(0, color=GREY, lw=0.6)
    side.set_xlabel("步数")
    side.set_ylabel("$w_2$")
    side.set_xticks([0, 5, 10, 15, 20])
    side.set_title("$w_2$ 随步数变化")
    side.text(20, big[-1, 1], f"{big[-1, 1]:.2f}", color=RED, fontsize=9, ha="right", va="bottom")
    return fig


# ---------------------------------------------------------------- ch03-gd-variants

GD_START = (-0.3, 2.5)
GD_VARIANTS = (("批量", 200), ("小批量", 16), ("随机", 1))


def regression_data(n: int = 200, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [0, 10], y = 0.8x + 0.7 + N(0, 0.5²)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    return x, 0.8 * x + 0.7 + rng.normal(0, 0.5, n)


def mse_grad(a: float, b: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of mean((a·x + b − y)²) with respect to (a, b)."""
    err = a * x + b - y
    return np.array([2 * np.mean(err * x), 2 * np.mean(err)])


def gd_variant_paths(updates: int = 60, lr: float = 0.01, seed: int = 7) -> dict[str, np.ndarray]:
    """Parameter paths ``(updates + 1, 2)`` of batch, mini-batch (16) and single-sample GD.

    Batches are drawn like Keras' ``fit(shuffle=True)``: reshuffle every epoch, take consecutive
    slices, keep the short last batch.
    """
    x, y = regression_data(seed=seed)
    rng = np.random.default_rng(seed + 1)
    paths = {}
    for name, batch in GD_VARIANTS:
        order: list[np.ndarray] = []
        while len(order) < updates:
            perm = rng.permutation(len(x))
            order.extend(perm[k:k + batch] for k in range(0, len(x), batch))
        p = np.array(GD_START, dtype=float)
        path = [p.copy()]
        for idx in order[:updates]:
            p = p - lr * mse_grad(p[0], p[1], x[idx], y[idx])
            path.append(p.copy())
        paths[name] = np.array(path)
    return paths


@figure("ch03-gd-variants")
def gd_variants(ctx: FigureContext) -> Figure:
    x, y = regression_data()
    paths = gd_variant_paths()
    fig, axes = canvas(10, 5.6)
    ax = axes[0, 0]
    a, b = np.meshgrid(np.linspace(-0.5, 2, 251), np.linspace(-2, 3, 251))
    # Expanded MSE: mean((a x + b − y)²) from the data's moments, evaluated on the whole grid at once.
    mse = (a**2 * np.mean(x**2) + b**2 + np.mean(y**2) + 2 * a * b * np.mean(x) - 2 * a * np.mean(x * y) - 2 * b * np.mean(y))
    levels = np.geomspace(0.3, 150, 12)
    cs = ax.contour(a, b, mse, levels=levels, colors=GREY, linewidths=0.7)
    ax.clabel(cs, levels[::2], fmt="%.3g", fontsize=8)
    # The b direction is ~70× flatter than the a direction (x is not centred), so after 60 steps all
    # three runs have crossed the valley but are still creeping along its floor; the inset
    # enlarges that stretch, where the three kinds of noise are told apart.
    zoom = ax.inset_axes((0.03, 0.04, 0.5, 0.46))
    everything = np.concatenate(list(paths.values()))
    pad = 0.04
    x0, x1 = everything[:, 0].min() - pad, everything[:, 0].max() + pad
    y0, y1 = everything[3:, 1].min() - pad, everything[:, 1].max() + pad
    zoom.contour(a, b, mse, levels=levels, colors=GREY, linewidths=0.7)
    # Noisiest first, so the smooth batch path stays visible on top.
    styles = list(zip(GD_VARIANTS, (BLUE, ORANGE, RED), (2.4, 1.5, 1.0), (3.5, 2.5, 2.2)))
    for (name, batch), colour, lw, ms in reversed(styles):
        path = paths[name]
        for target in (ax, zoom):
            target.plot(path[:, 0], path[:, 1], "-o", color=colour, ms=ms, lw=lw, label=f"{name}（每步 {batch} 个样本）" if target is ax else None)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="lower right", fontsize=9, facecolor="white", framealpha=0.9, frameon=True, edgecolor="none")
    zoom.set_xlim(x0, x1)
    zoom.set_ylim(y0, y1)
    zoom.set_xticks([])
    zoom.set_yticks([])
    for side in zoom.spines.values():
        side.set_visible(True)
        side.set_color(GREY)
    zoom.set_facecolor("white")
    ax.indicate_inset_zoom(zoom, edgecolor=GREY)
    zoom.text(0.02, 0.03, "放大：b 方向很平缓，60 步后仍沿谷底缓慢挪向最小值", transform=zoom.transAxes, fontsize=8.5, color=BLACK,
              bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    best = np.polyfit(x, y, 1)
    ax.plot(*best, "*", color=BLACK, ms=13, zorder=5)
    ax.annotate(f"最小值 a = {best[0]:.2f}, b = {best[1]:.2f}", best, (best[0] + 0.1, best[1] + 0.05), fontsize=9)
    ax.plot(*GD_START, "s", color=BLACK, ms=6, zorder=5)
    ax.text(GD_START[0] + 0.04, GD_START[1] + 0.1, "起点", fontsize=9)
    ax.set_xlim(-0.5, 2)
    ax.set_ylim(-2, 3)
    ax.set_xlabel("斜率 a")
    ax.set_ylabel("截距 b")
    ax.set_title("y = a·x + b 的均方误差等高线：三种梯度下降各更新 60 次（学习率 0.01）")
    return fig


# ---------------------------------------------------------------- ch03-optimizer-paths

VALLEY_START = (-4.5, 1.5)
OPTIMIZERS = ("SGD", "SGD + 动量", "RMSprop", "Adam")


def valley_loss(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.1 * x**2 + 2 * y**2


def valley_grad(p: np.ndarray) -> np.ndarray:
    return np.array([0.2 * p[0], 4 * p[1]])


def optimizer_paths(steps: int = 50, start: tuple[float, float] = VALLEY_START) -> dict[str, np.ndarray]:
    """Trajectories ``(steps + 1, 2)`` on 0.1x² + 2y², with each update written as Keras 3 does it.

    * SGD(lr 0.1): p -= lr·g.
    * SGD(lr 0.1, momentum 0.9): m = 0.9m − lr·g; p += m (= the lesson's v = 0.9v + g, p −= lr·v).
    * RMSprop(lr 0.1, rho 0.9, epsilon 1e-7 = Keras' default): s = ρs + (1−ρ)g²; p −= lr·g/√(s + ε).
    * Adam(lr 0.1, β1 0.9, β2 0.999, ε 1e-8): Keras folds the bias corrections into the step size,
      α_t = lr·√(1−β2^t)/(1−β1^t), p −= α_t·m/(√v + ε), which equals the textbook form except that ε
      is added to the uncorrected √v (no visible difference at ε = 1e-8).
    """
    paths: dict[str, np.ndarray] = {}
    for name in OPTIMIZERS:
        p = np.array(start, dtype=float)
        m = np.zeros(2)
        v = np.zeros(2)
        path = [p.copy()]
        for t in range(1, steps + 1):
            g = valley_grad(p)
            if name == "SGD":
                p = p - 0.1 * g
            elif name == "SGD + 动量":
                m = 0.9 * m - 0.1 * g
                p = p + m
            elif name == "RMSprop":
                v = 0.9 * v + 0.1 * g**2
                p = p - 0.1 * g / np.sqrt(v + 1e-7)
            else:
                m = m + (g - m) * (1 - 0.9)
                v = v + (g**2 - v) * (1 - 0.999)
                alpha = 0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                p = p - alpha * m / (np.sqrt(v) + 1e-8)
            path.append(p.copy())
        paths[name] = np.array(path)
    return paths


@figure("ch03-optimizer-paths")
def optimizer_paths_figure(ctx: FigureContext) -> Figure:
    paths = optimizer_paths()
    fig, axes = canvas(10.5, 5.6)
    ax = axes[0, 0]
    # x reaches to 1.5, not 1: momentum overshoots the minimum to x ≈ 1.33 before swinging back.
    xs, ys = np.meshgrid(np.linspace(-5, 1.5, 326), np.linspace(-2, 2, 201))
    ax.contour(xs, ys, valley_loss(xs, ys), levels=[0.05, 0.2, 0.5, 1, 1.7, 2.6, 3.7, 5, 6.5], colors=GREY, linewidths=0.7)
    labels = {"SGD": "SGD（lr 0.1）", "SGD + 动量": "SGD + 动量 0.9（lr 0.1）", "RMSprop": "RMSprop（lr 0.1, ρ 0.9）", "Adam": "Adam（lr 0.1, β₁ 0.9, β₂ 0.999）"}
    for (name, path), colour, marker in zip(paths.items(), (BLACK, RED, GREEN, BLUE), ("o", "s", "^", "D")):
        ax.plot(path[:, 0], path[:, 1], "-", marker=marker, color=colour, ms=3.2, lw=1.3, label=labels[name])
    ax.plot(0, 0, "*", color=BLACK, ms=15, zorder=6, label="最小值 (0, 0)")
    ax.plot(*VALLEY_START, "s", color=BLACK, ms=6, zorder=6)
    ax.text(VALLEY_START[0], VALLEY_START[1] + 0.15, "起点", ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-5, 1.5)
    ax.set_ylim(-2, 2)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("$L(x, y) = 0.1\\,x^2 + 2\\,y^2$，从 (−4.5, 1.5) 出发各走 50 步")
    ax.legend(loc="upper right", fontsize=9, facecolor="white", framealpha=0.9, frameon=True, edgecolor="none")
    return fig


# ---------------------------------------------------------------- ch03-backprop-net

BACKPROP_PARAMS = {
    "x": (1.0, 0.5),
    "W1": ((0.2, -0.3), (0.4, 0.1)),  # row j = weights into h_j
    "b1": (0.1, 0.1),
    "w2": (0.5, -0.4),
    "b2": 0.2,
    "y": 1.0,
    "lr": 0.5,
}


def _sigmoid(z: np.ndarray | float) -> np.ndarray | float:
    return 1 / (1 + np.exp(-z))


def backprop_2_2_1(params: dict = BACKPROP_PARAMS) -> dict[str, float]:
    """Forward and backward pass of the lesson's 2-2-1 sigmoid network, L = ½(y − o)².

    Keys: z1, z2, h1, h2, zo, o, L (forward); delta_o, delta_1, delta_2 (∂L/∂z); gradients
    dw2_1, dw2_2, db2, dW1_11, dW1_12, dW1_21, dW1_22, db1_1, db1_2; and, after one step with the
    lesson's learning rate, w2_1_new, w2_2_new, b2_new, b1_1_new, b1_2_new, o_new, L_new.
    """
    x = np.array(params["x"])
    w1 = np.array(params["W1"])
    b1 = np.array(params["b1"])
    w2 = np.array(params["w2"])
    b2, y, lr = params["b2"], params["y"], params["lr"]

    def forward(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float) -> tuple[np.ndarray, np.ndarray, float, float]:
        z = w1 @ x + b1
        h = _sigmoid(z)
        zo = float(w2 @ h + b2)
        return z, h, zo, float(_sigmoid(zo))

    z, h, zo, o = forward(w1, b1, w2, b2)
    loss = 0.5 * (y - o) ** 2
    delta_o = (o - y) * o * (1 - o)
    delta_h = delta_o * w2 * h * (1 - h)
    d_w2, d_b2 = delta_o * h, delta_o
    d_w1, d_b1 = np.outer(delta_h, x), delta_h
    new = (w1 - lr * d_w1, b1 - lr * d_b1, w2 - lr * d_w2, b2 - lr * d_b2)
    *_, o_new = forward(*new)
    out = {"z1": z[0], "z2": z[1], "h1": h[0], "h2": h[1], "zo": zo, "o": o, "L": loss,
           "delta_o": delta_o, "delta_1": delta_h[0], "delta_2": delta_h[1],
           "dw2_1": d_w2[0], "dw2_2": d_w2[1], "db2": d_b2, "db1_1": d_b1[0], "db1_2": d_b1[1],
           "w2_1_new": new[2][0], "w2_2_new": new[2][1], "b2_new": new[3], "b1_1_new": new[1][0], "b1_2_new": new[1][1],
           "o_new": o_new, "L_new": 0.5 * (y - o_new) ** 2}
    for j in range(2):
        for i in range(2):
            out[f"dW1_{j + 1}{i + 1}"] = d_w1[j, i]
    return {k: float(v) for k, v in out.items()}


def _num(v: float) -> str:
    """4 decimals without trailing zeros (0.15, 0.5374) and a true minus sign."""
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return text.replace("-", "−")


@figure("ch03-backprop-net")
def backprop_net(ctx: FigureContext) -> Figure:
    v = backprop_2_2_1()
    p = BACKPROP_PARAMS
    fig, ax = diagram(23, 10.9, scale=0.5)
    r = 0.8
    pos = {"x1": (2.0, 8.2), "x2": (2.0, 3.2), "h1": (9.5, 8.2), "h2": (9.5, 3.2), "o": (16.0, 5.7)}
    for (a, b), w, frac, offset in (
        (("x1", "h1"), p["W1"][0][0], 0.5, (0, 0.3)),
        (("x2", "h1"), p["W1"][0][1], 0.22, (0.15, 0.25)),
        (("x1", "h2"), p["W1"][1][0], 0.22, (0.15, -0.3)),
        (("x2", "h2"), p["W1"][1][1], 0.5, (0, -0.3)),
        (("h1", "o"), p["w2"][0], 0.45, (-0.1, -0.4)),
        (("h2", "o"), p["w2"][1], 0.45, (-0.1, 0.4)),
    ):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        arrow(ax, (x0 + r * ux, y0 + r * uy), (x1 - r * ux, y1 - r * uy), color=GREY)
        ax.text(x0 + frac * (x1 - x0) + offset[0], y0 + frac * (y1 - y0) + offset[1], _num(w), ha="center", va="center", fontsize=11,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    fills = {"x": FILL["blue"], "h": FILL["orange"], "o": FILL["green"]}
    for name, (x, y) in pos.items():
        ax.add_patch(Circle((x, y), r, facecolor=fills[name[0]], edgecolor=BLACK, lw=1.3, zorder=3))
        label = {"x1": "$x_1$", "x2": "$x_2$", "h1": "$h_1$", "h2": "$h_2$", "o": "$o$"}[name]
        ax.text(x, y, label, ha="center", va="center", fontsize=14, zorder=4)
    ax.text(pos["x1"][0] - r - 0.2, pos["x1"][1], f"{p['x'][0]:.1f}", ha="right", va="center", fontsize=12)
    ax.text(pos["x2"][0] - r - 0.2, pos["x2"][1], f"{p['x'][1]:.1f}", ha="right", va="center", fontsize=12)

    # Forward values beside each node (above the top row, below the bottom row).
    hx, (h1y, h2y) = pos["h1"][0], (pos["h1"][1], pos["h2"][1])
    ax.text(hx, h1y + r + 0.2, f"$b_1$ = {_num(p['b1'][0])}", ha="center", va="bottom", fontsize=10, color=GREY)
    ax.text(hx, h1y + r + 0.75, f"$z_1$ = {_num(v['z1'])}    $h_1$ = σ($z_1$) = {_num(v['h1'])}", ha="center", va="bottom", fontsize=11, color=BLUE)
    ax.text(hx, h2y - r - 0.2, f"$b_1$ = {_num(p['b1'][1])}", ha="center", va="top", fontsize=10, color=GREY)
    ax.text(hx, h2y - r - 0.75, f"$z_2$ = {_num(v['z2'])}    $h_2$ = σ($z_2$) = {_num(v['h2'])}", ha="center", va="top", fontsize=11, color=BLUE)
    ox, oy = pos["o"]
    # Left-aligned from the node's centre so the δ1 arc leaving o's upper left stays clear of the text.
    ax.text(ox + 0.2, oy + r + 0.2, f"$b_2$ = {_num(p['b2'])}", ha="left", va="bottom", fontsize=10, color=GREY)
    ax.text(ox + 0.2, oy + r + 0.75, f"$z_o$ = {_num(v['zo'])}\n$o$ = σ($z_o$) = {_num(v['o'])}", ha="left", va="bottom", fontsize=11, color=BLUE)

    lx, ly = 21.2, oy
    arrow(ax, (ox + r, oy), (lx - 1.3, ly), color=GREY)
    box(ax, lx, ly, 2.6, 2.0, f"y = {p['y']:g}\nL = {_num(v['L'])}", fill=FILL["grey"], fontsize=11)
    ax.text(lx, ly + 1.15, r"$L = \frac{1}{2}(y - o)^2$", ha="center", va="bottom", fontsize=11, color=GREY)

    # Backward pass in red: error terms flow from the loss back to each node.
    arrow(ax, (lx - 1.3, ly - 0.55), (ox + r * 0.75, oy - r * 0.6), color=RED, curve=-0.25, lw=1.6)
    ax.text(ox + 0.2, oy - r - 0.4, f"$\\delta_o$ = {_num(v['delta_o'])}", ha="left", va="top", fontsize=12, color=RED)
    # δ1, δ2 arcs bulge outwards, away from the forward edges and their weight labels.
    c = np.cos(np.pi / 4) * r
    for node, key, sign in (("h1", "delta_1", 1), ("h2", "delta_2", -1)):
        x, y = pos[node]
        start, end = (ox - c, oy + sign * c), (x + c, y + sign * c)
        rad = 0.3 * sign
        arrow(ax, start, end, color=RED, curve=rad, lw=1.6)
        # Midpoint of matplotlib's arc3 curve: halfway from the chord's middle to its control point.
        dx, dy = end[0] - start[0], end[1] - start[1]
        mx, my = (start[0] + end[0]) / 2 + 0.5 * rad * dy, (start[1] + end[1]) / 2 - 0.5 * rad * dx
        ax.text(mx + 0.3, my + sign * 0.3, f"$\\delta_{node[1]}$ = {_num(v[key])}", ha="left",
                va="bottom" if sign > 0 else "top", fontsize=12, color=RED)
    ax.text(0.3, 0.35, "灰色：前向传播（权重、数值）   红色：反向传播的误差项 δ = ∂L/∂z", fontsize=10, color=GREY, va="bottom")
    return fig


# ---------------------------------------------------------------- ch03-fit-regimes

FIT_DEGREES = ((1, "欠拟合：直线"), (3, "合适：3 次多项式"), (14, "过拟合：14 次多项式"))


def fit_regimes_data(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """15 points, x evenly spaced in [0, 1], y = sin(2πx) + N(0, 0.2²)."""
    x = np.linspace(0, 1, 15)
    return x, np.sin(2 * np.pi * x) + np.random.default_rng(seed).normal(0, 0.2, x.size)


def polynomial_fit(x: np.ndarray, y: np.ndarray, degree: int) -> np.polynomial.Polynomial:
    """Least-squares polynomial; the scaled domain keeps the degree-14 system well conditioned."""
    return np.polynomial.Polynomial.fit(x, y, degree)


@figure("ch03-fit-regimes")
def fit_regimes(ctx: FigureContext) -> Figure:
    x, y = fit_regimes_data()
    grid = np.linspace(0, 1, 1001)
    fig, axes = canvas(11.5, 3.9, 1, 3, sharey=True)
    for ax, (degree, title), colour in zip(axes[0], FIT_DEGREES, (ORANGE, GREEN, RED)):
        ax.plot(grid, np.sin(2 * np.pi * grid), color=GREY, lw=1.2, alpha=0.6, label="真实函数 sin(2πx)")
        ax.plot(grid, polynomial_fit(x, y, degree)(grid), color=colour, lw=2, label="拟合曲线")
        ax.scatter(x, y, s=28, facecolor="white", edgecolor=BLUE, lw=1.5, zorder=3, label="数据点")
        ax.set_ylim(-2, 2)
        ax.set_xlim(-0.02, 1.02)
        ax.set_title(title)
        ax.set_xlabel("x")
    axes[0, 0].set_ylabel("y")
    axes[0, 0].legend(loc="lower left", fontsize=8.5)
    return fig
