"""Chapter 5 figures: Keras models, callbacks, tf.data and hyperparameter search.

Fashion-MNIST cannot be downloaded where figures are built, so its class figure shows simple
drawn pictograms of the 10 classes and says so on the figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, PURPLE, RED, arrow, box, canvas, diagram, illustrative, note, room_for_note

# ---------------------------------------------------------------- Fashion-MNIST classes (pictograms)

FASHION_CLASSES = ("T恤", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")

# Drawn on a 4× canvas, then area-averaged to 28×28 so edges are soft like the real scans.
_SCALE = 4


def _garment(draw, body: list[tuple[float, float]], tone: int) -> None:
    draw.polygon([(x * _SCALE, y * _SCALE) for x, y in body], fill=tone)


def _line(draw, points: list[tuple[float, float]], tone: int, width: float = 1.0) -> None:
    draw.line([(x * _SCALE, y * _SCALE) for x, y in points], fill=tone, width=max(1, round(width * _SCALE)))


def _ellipse(draw, x0: float, y0: float, x1: float, y1: float, tone: int, outline: int | None = None, width: float = 1.0) -> None:
    draw.ellipse((x0 * _SCALE, y0 * _SCALE, x1 * _SCALE, y1 * _SCALE), fill=tone, outline=outline, width=max(1, round(width * _SCALE)))


def fashion_pictograms() -> list[np.ndarray]:
    """Ten 28×28 uint8 greyscale silhouettes (light object on black), one per Fashion-MNIST label 0-9.

    Coordinates are in 28×28 pixel units; these are drawings, not images from the data set.
    """
    from PIL import Image, ImageDraw

    def canvas_new() -> tuple[Image.Image, ImageDraw.ImageDraw]:
        image = Image.new("L", (28 * _SCALE, 28 * _SCALE), 0)
        return image, ImageDraw.Draw(image)

    drawings = []

    # 0 T-shirt: short sleeves, round neck.
    image, d = canvas_new()
    _garment(d, [(9, 3.5), (12, 4.5), (16, 4.5), (19, 3.5), (25, 7), (23.5, 11.5), (20.5, 10.5), (20.5, 25), (7.5, 25), (7.5, 10.5), (4.5, 11.5), (3, 7)], 190)
    _ellipse(d, 11, 1.5, 17, 6, 0)
    _line(d, [(4.2, 10.2), (7.5, 9.2)], 120, 0.6)
    _line(d, [(23.8, 10.2), (20.5, 9.2)], 120, 0.6)
    drawings.append(image)

    # 1 Trouser: waistband and two legs.
    image, d = canvas_new()
    _garment(d, [(8.5, 2), (19.5, 2), (20.5, 26), (15.5, 26), (14, 9), (12.5, 26), (7.5, 26)], 170)
    _line(d, [(8.5, 4), (19.5, 4)], 110, 0.6)
    drawings.append(image)

    # 2 Pullover: long sleeves, ribbed hem and cuffs.
    image, d = canvas_new()
    _garment(d, [(9, 3.5), (19, 3.5), (24, 7), (26, 24), (22.5, 24.5), (20.5, 11), (20.5, 25), (7.5, 25), (7.5, 11), (5.5, 24.5), (2, 24), (4, 7)], 160)
    _ellipse(d, 11, 1.8, 17, 5.5, 0)
    _line(d, [(7.5, 23.5), (20.5, 23.5)], 100, 0.7)
    _line(d, [(2.2, 22.5), (5.7, 23)], 100, 0.6)
    _line(d, [(25.8, 22.5), (22.3, 23)], 100, 0.6)
    drawings.append(image)

    # 3 Dress: straps, fitted waist, flared skirt.
    image, d = canvas_new()
    _garment(d, [(10.5, 2), (12, 2), (12.5, 4.5), (15.5, 4.5), (16, 2), (17.5, 2), (18, 8), (16.5, 12), (23, 26), (5, 26), (11.5, 12), (10, 8)], 180)
    _line(d, [(11.5, 12), (16.5, 12)], 110, 0.6)
    drawings.append(image)

    # 4 Coat: long sleeves, longer body, open front with buttons and a collar.
    image, d = canvas_new()
    _garment(d, [(9, 2.5), (19, 2.5), (24, 6), (26, 25), (22.5, 25.5), (20.5, 10), (21, 27), (7, 27), (7.5, 10), (5.5, 25.5), (2, 25), (4, 6)], 140)
    _garment(d, [(11, 2.5), (14, 8), (17, 2.5), (15, 2.5), (14, 5), (13, 2.5)], 60)
    _line(d, [(14, 8), (14, 27)], 60, 0.7)
    for y in (11, 15, 19, 23):
        _ellipse(d, 15, y - 0.6, 16.2, y + 0.6, 230)
    drawings.append(image)

    # 5 Sandal: thin sole with a heel and open straps (side view, toe to the left).
    image, d = canvas_new()
    _garment(d, [(2, 19), (26, 17.5), (26, 21.5), (23, 21.5), (22.5, 23.5), (19.5, 23.5), (19, 21.5), (3, 21.5), (1.5, 20.5)], 190)
    _line(d, [(3.5, 19), (7, 14.5), (10.5, 18.5)], 175, 1.6)
    _line(d, [(8, 18.5), (12.5, 13), (17, 18)], 175, 1.6)
    _line(d, [(15, 18), (19.5, 11.5), (24.5, 17.5)], 175, 1.6)
    _line(d, [(19.5, 11.5), (25, 13.5)], 175, 1.2)
    drawings.append(image)

    # 6 Shirt: long sleeves, pointed collar, button placket.
    image, d = canvas_new()
    _garment(d, [(9, 3.5), (19, 3.5), (24, 7), (25.5, 24), (22, 24.5), (20.5, 11), (20.5, 25.5), (7.5, 25.5), (7.5, 11), (6, 24.5), (2.5, 24), (4, 7)], 120)
    _garment(d, [(10.5, 3), (14, 7.5), (17.5, 3), (16, 3), (14, 5), (12, 3)], 220)
    _line(d, [(14, 7.5), (14, 25.5)], 70, 0.6)
    for y in (10, 14, 18, 22):
        _ellipse(d, 13.4, y - 0.5, 14.6, y + 0.5, 230)
    drawings.append(image)

    # 7 Sneaker: low shoe with a thick light sole and laces (toe to the left).
    image, d = canvas_new()
    _garment(d, [(1.5, 18), (3, 15), (10, 13.5), (15, 9.5), (19, 10.5), (23, 9.5), (26, 12), (26.5, 21), (1.5, 21)], 150)
    _garment(d, [(1.5, 19.5), (26.5, 19.5), (26.5, 22.5), (2.5, 22.5)], 235)
    for x in (11, 13, 15):
        _line(d, [(x, 13.8 - (x - 11) * 0.9), (x + 1.6, 15.5 - (x - 11) * 0.9)], 240, 0.5)
    drawings.append(image)

    # 8 Bag: trapezoid body with a handle arc.
    image, d = canvas_new()
    d.arc((8 * _SCALE, 3 * _SCALE, 20 * _SCALE, 17 * _SCALE), 180, 360, fill=170, width=round(1.5 * _SCALE))
    _garment(d, [(4, 10), (24, 10), (26, 25), (2, 25)], 175)
    _line(d, [(4, 13.5), (24, 13.5)], 110, 0.6)
    _garment(d, [(12.5, 12.5), (15.5, 12.5), (15.5, 15), (12.5, 15)], 235)
    drawings.append(image)

    # 9 Ankle boot: shaft at the back, heel, toe to the left.
    image, d = canvas_new()
    _ellipse(d, 1.5, 16, 14, 25, 130)
    _garment(d, [(14.5, 2.5), (25, 2.5), (25.5, 22), (26, 25), (6, 25), (6, 16.5), (11, 15.5), (14.5, 12)], 130)
    _garment(d, [(1.6, 22.5), (26, 22.5), (26, 25.5), (2.5, 25.5)], 60)
    _line(d, [(14.5, 4.5), (25, 4.5)], 200, 0.7)
    drawings.append(image)

    return [np.asarray(im.resize((28, 28), Image.Resampling.BOX)) for im in drawings]


@figure("ch05-fashion-samples")
def fashion_samples(ctx: FigureContext) -> Figure:
    fig, axes = canvas(9, 4.2, 2, 5)
    for label, (ax, image) in enumerate(zip(axes.flat, fashion_pictograms())):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(f"{label} {FASHION_CLASSES[label]}", fontsize=11)
        ax.axis("off")
    note(fig, "注意：这些是用 Pillow 画的 28×28 示意简笔图，不是 Fashion-MNIST 数据集里的图片（本平台无法联网下载该数据集）")
    illustrative(fig, "示意图形")
    room_for_note(fig, 0.06)
    return fig



# ---------------------------------------------------------------- normalisation (illustrative)

NORMALIZATION_CURVES = {
    "除以 255": (0.84, 0.86, 0.87, 0.875, 0.88, 0.883, 0.885, 0.887, 0.888, 0.89),
    "原始像素 0~255": (0.55, 0.62, 0.60, 0.68, 0.66, 0.71, 0.69, 0.72, 0.70, 0.73),
}


@figure("ch05-normalization-effect")
def normalization_effect(ctx: FigureContext) -> Figure:
    fig, axes = canvas(8, 4.4)
    ax = axes[0, 0]
    epochs = np.arange(1, 11)
    for (label, values), colour, marker in zip(NORMALIZATION_CURVES.items(), (BLUE, RED), ("o", "s")):
        ax.plot(epochs, values, color=colour, lw=2, marker=marker, ms=5, label=label)
        ax.text(10.2, values[-1], label, color=colour, va="center", fontsize=10)
    ax.set_xlim(0.5, 11.6)
    ax.set_ylim(0, 1)
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("验证准确率")
    ax.grid(True, axis="y", color="#EEEEEE", lw=0.8)
    ax.set_title("示意：同一 MLP、同一优化器设置", fontsize=10, color=GREY)
    illustrative(fig)
    return fig


# ---------------------------------------------------------------- wide & deep


def wide_deep_layers() -> dict[str, list[dict]]:
    """Output shapes and parameter counts of the lesson's two wide & deep models.

    Dense layers go through the platform's shape calculator; concatenate (not in its catalogue)
    is done here: it joins the last axes and has no weights.
    """
    from modelspec.calculator import layer_compute

    def dense(units: int, shape: tuple[int, ...], activation: str | None) -> dict:
        calc = layer_compute("Dense", {"units": units, "activation": activation, "use_bias": True}, shape)
        return {"shape": calc.output_shape, "params": calc.trainable}

    def concat(*shapes: tuple[int, ...]) -> dict:
        return {"shape": (sum(s[-1] for s in shapes),), "params": 0}

    single: list[dict] = [{"name": "Input", "shape": (8,), "params": 0}]
    single.append({"name": "Dense(32, relu)", **dense(32, single[-1]["shape"], "relu")})
    single.append({"name": "Dense(32, relu)", **dense(32, single[-1]["shape"], "relu")})
    single.append({"name": "concatenate", **concat(single[0]["shape"], single[-1]["shape"])})
    single.append({"name": "Dense(1)", **dense(1, single[-1]["shape"], None)})

    wide = {"name": "Input wide", "shape": (5,), "params": 0}
    deep = {"name": "Input deep", "shape": (6,), "params": 0}
    h1 = {"name": "Dense(32, relu)", **dense(32, deep["shape"], "relu")}
    h2 = {"name": "Dense(32, relu)", **dense(32, h1["shape"], "relu")}
    joined = {"name": "concatenate", **concat(wide["shape"], h2["shape"])}
    main = {"name": 'Dense(1) "main"', **dense(1, joined["shape"], None)}
    aux = {"name": 'Dense(1) "aux"', **dense(1, h2["shape"], None)}
    return {"single": single, "multi": [wide, deep, h1, h2, joined, main, aux]}


def _shape(shape: tuple[int, ...]) -> str:
    return "(None, " + ", ".join(str(d) for d in shape) + ")"


@figure("ch05-wide-deep")
def wide_deep(ctx: FigureContext) -> Figure:
    layers = wide_deep_layers()
    fig, ax = diagram(22, 12.6, scale=0.5)
    bw, bh = 4.6, 1.1

    def layer_box(cx: float, cy: float, spec: dict, fill: str, label: str | None = None, side: str = "right") -> None:
        box(ax, cx, cy, bw, bh, label or spec["name"], fill=fill, fontsize=10)
        text = f"{_shape(spec['shape'])}\n参数 {spec['params']:,}"
        if side == "right":
            ax.text(cx + bw / 2 + 0.2, cy, text, ha="left", va="center", fontsize=8.5, color=BLACK, linespacing=1.2)
        else:
            ax.text(cx - bw / 2 - 0.2, cy, text, ha="right", va="center", fontsize=8.5, color=BLACK, linespacing=1.2)

    # Left: one input, the wide path skips the two hidden layers.
    single = layers["single"]
    ax.text(5.0, 12.2, "单输入", ha="center", va="center", fontsize=12)
    x, ys = 4.2, [10.8, 8.6, 6.4, 4.2, 2.0]
    fills = [FILL["grey"], FILL["blue"], FILL["blue"], FILL["orange"], FILL["green"]]
    labels = ["Input(8)", None, None, None, None]
    for spec, y, fill, label in zip(single, ys, fills, labels):
        layer_box(x, y, spec, fill, label)
    for y0, y1 in zip(ys, ys[1:]):
        arrow(ax, (x, y0 - bh / 2), (x, y1 + bh / 2))
    arrow(ax, (x - bw / 2, ys[0]), (x - bw / 2, ys[3]), color=ORANGE, curve=0.55, lw=1.6)
    ax.text(0.55, (ys[0] + ys[3]) / 2, "wide", ha="center", va="center", fontsize=10, color=ORANGE, rotation=90)
    ax.text(x - 1.3, (ys[1] + ys[2]) / 2, "deep", ha="center", va="center", fontsize=10, color=BLUE, rotation=90)
    total = sum(spec["params"] for spec in single)
    ax.text(5.0, 11.55, f"合计 {total:,} 个参数", ha="center", va="center", fontsize=9.5, color=GREY)

    # Right: two inputs, two outputs.
    wide_in, deep_in, h1, h2, joined, main, aux = layers["multi"]
    ax.text(16.0, 12.2, "多输入多输出", ha="center", va="center", fontsize=12)
    xw, xd = 13.0, 18.4
    layer_box(xw, 10.8, wide_in, FILL["grey"], 'Input "wide"(5)', side="left")
    layer_box(xd, 10.8, deep_in, FILL["grey"], 'Input "deep"(6)')
    layer_box(xd, 8.6, h1, FILL["blue"])
    layer_box(xd, 6.4, h2, FILL["blue"])
    layer_box(xw, 4.2, joined, FILL["orange"], side="left")
    layer_box(xw, 2.0, main, FILL["green"], side="left")
    layer_box(xd, 2.0, aux, FILL["purple"])
    arrow(ax, (xd, 10.8 - bh / 2), (xd, 8.6 + bh / 2))
    arrow(ax, (xd, 8.6 - bh / 2), (xd, 6.4 + bh / 2))
    arrow(ax, (xw, 10.8 - bh / 2), (xw, 4.2 + bh / 2), color=ORANGE, lw=1.6)
    arrow(ax, (xd - bw / 2, 6.4), (xw + bw / 2, 4.2 + 0.2))
    arrow(ax, (xd, 6.4 - bh / 2), (xd, 2.0 + bh / 2))
    arrow(ax, (xw, 4.2 - bh / 2), (xw, 2.0 + bh / 2))
    ax.text(xd - 0.3, 7.5, "deep", ha="right", va="center", fontsize=10, color=BLUE, rotation=90)
    ax.text(xw - 0.25, 7.5, "wide", ha="right", va="center", fontsize=10, color=ORANGE, rotation=90)
    ax.text(xw, 0.75, "loss_weights 0.9", ha="center", va="center", fontsize=10, color=GREEN)
    ax.text(xd, 0.75, "loss_weights 0.1", ha="center", va="center", fontsize=10, color=PURPLE)
    total = sum(spec["params"] for spec in layers["multi"])
    ax.text(16.0, 11.55, f"合计 {total:,} 个参数", ha="center", va="center", fontsize=9.5, color=GREY)
    ax.plot([10.3, 10.3], [0.4, 12.4], color=LIGHT_GREY, lw=1)
    return fig


# ---------------------------------------------------------------- EarlyStopping

EARLY_STOPPING_VAL_LOSS = (0.900, 0.700, 0.620, 0.615, 0.600, 0.605, 0.598, 0.601)


def early_stopping_trace(val_loss: tuple[float, ...] | list[float], min_delta: float = 0.01, patience: int = 3) -> dict:
    """Replay keras.callbacks.EarlyStopping(monitor="val_loss", mode="min") epoch by epoch.

    Keras counts an epoch as an improvement when ``current < best - min_delta`` (the first epoch
    always is), resets ``wait`` to 0 then, else increments it, and stops once ``wait >= patience``.
    Returns per-epoch lists ``improved``, ``wait``, ``best`` (best value after that epoch) and
    ``threshold`` (the value the next epoch must beat: best − min_delta), plus ``best_epoch`` and
    ``stop_epoch`` (1-based; None if training would not stop).
    """
    best: float | None = None
    wait = 0
    trace: dict = {"improved": [], "wait": [], "best": [], "threshold": [], "best_epoch": None, "stop_epoch": None}
    for epoch, current in enumerate(val_loss, start=1):
        wait += 1
        improved = best is None or current < best - min_delta
        if improved:
            best, wait = current, 0
            trace["best_epoch"] = epoch
        trace["improved"].append(bool(improved))
        trace["wait"].append(wait)
        trace["best"].append(best)
        trace["threshold"].append(best - min_delta)
        if not improved and wait >= patience and epoch > 1:
            trace["stop_epoch"] = epoch
            break
    return trace


@figure("ch05-early-stopping")
def early_stopping(ctx: FigureContext) -> Figure:
    values = np.array(EARLY_STOPPING_VAL_LOSS)
    trace = early_stopping_trace(values)
    epochs = np.arange(1, len(trace["improved"]) + 1)
    values = values[: len(epochs)]
    improved = np.array(trace["improved"])
    best_epoch, stop_epoch = trace["best_epoch"], trace["stop_epoch"]
    fig, axes = canvas(11, 4.6, 1, 2, width_ratios=(1, 1.55))

    def points(ax) -> None:
        ax.plot(epochs, values, color=BLUE, lw=1.6, zorder=2)
        ax.plot(epochs[improved], values[improved], "o", ms=9, color=GREEN, zorder=3, label="算作改善")
        ax.plot(epochs[~improved], values[~improved], "o", ms=9, mfc="white", mec=GREY, mew=1.8, zorder=3, label="不算改善")
        ax.axvline(stop_epoch + 0.3, color=RED, lw=1.8)
        ax.set_xticks(epochs)
        ax.set_xlabel("epoch")

    ax = axes[0, 0]
    points(ax)
    ax.set_ylim(0.55, 0.95)
    ax.set_xlim(0.5, 9.0)
    ax.set_ylabel("val_loss")
    ax.set_title("整个训练过程")
    lo, hi = 0.585, 0.632
    ax.add_patch(Rectangle((2.6, lo), 6.1, hi - lo, fill=False, ec=GREY, lw=1, ls="--"))
    ax.text(5.6, hi + 0.006, "右图放大此区域", ha="center", va="bottom", fontsize=9, color=GREY)
    for e, v in zip(epochs[:3], values[:3]):
        ax.text(e + 0.18, v + 0.012, f"{v:.3f}", fontsize=9, ha="left", va="bottom")
    ax.legend(loc="upper right", fontsize=9)

    ax = axes[0, 1]
    points(ax)
    ax.set_xlim(2.6, 9.0)
    ax.set_ylim(0.575, hi)
    ax.set_title("放大：min_delta = 0.01，patience = 3")
    # Value labels sit above peaks and below dips so they never sit on the line.
    for i in range(2, len(epochs)):
        e, v = epochs[i], values[i]
        dip = 0 < i < len(values) - 1 and v < values[i - 1] and v < values[i + 1] and e != best_epoch
        if dip:
            ax.text(e, v - 0.0016, f"{v:.3f}", fontsize=9, ha="center", va="top")
        else:
            ax.text(e - 0.12, v + 0.0012, f"{v:.3f}", fontsize=9, ha="right", va="bottom")
    # The threshold each later epoch must beat: best − min_delta, redrawn after every improvement.
    for i, e in enumerate(epochs):
        if e < 3 or not improved[i]:
            continue
        later = [k for k in epochs if k > e and improved[k - 1]]
        end = later[0] if later else stop_epoch + 0.3
        level = trace["threshold"][i]
        ax.plot([e, end], [level, level], color=GREEN if e == best_epoch else GREY, lw=1.3, ls="--")
        if e == best_epoch:
            ax.text(end - 0.05, level - 0.0012, f"需低于 {level:.3f} 才算改善", ha="right", va="top", fontsize=9, color=GREEN)
        else:
            ax.text(e + 0.05, level - 0.0012, f"需低于 {level:.3f}\n才算改善", ha="left", va="top", fontsize=9, color=GREY)
    # Keras' wait counter as a row along the bottom, for the epochs after the first non-improvement.
    ax.text(2.68, 0.5795, "patience 计数：", ha="left", va="center", fontsize=9, color=RED)
    for i, e in enumerate(epochs):
        if e >= 4:
            ax.text(e, 0.5795, str(trace["wait"][i]), ha="center", va="center", fontsize=11, color=RED if trace["wait"][i] else BLACK)
    ax.annotate("最佳（restore_best_weights 恢复到这里）", (best_epoch, values[best_epoch - 1]), (best_epoch - 0.15, 0.5945), fontsize=9, color=GREEN,
                ha="right", va="center", arrowprops={"arrowstyle": "->", "color": GREEN, "shrinkB": 6})
    ax.text(stop_epoch + 0.4, 0.62, "patience=3，停止", rotation=90, ha="left", va="center", fontsize=10, color=RED)
    return fig


# ---------------------------------------------------------------- tf.data shuffle


def shuffle_simulate(items: list[int], buffer_size: int, rng: np.random.Generator) -> list[int]:
    """One epoch of ``tf.data.Dataset.shuffle(buffer_size)`` with ``rng`` standing in for TF's random source.

    Mirrors ShuffleDatasetOp: the buffer is filled up to ``buffer_size`` from upstream, a uniformly
    random buffered element is emitted, the oldest element moves into the freed slot and the next
    upstream element is appended; at the end of the input the buffer drains the same way.
    """
    upstream = iter(items)
    buffer: list[int] = []
    out: list[int] = []
    exhausted = False
    while True:
        while not exhausted and len(buffer) < buffer_size:
            try:
                buffer.append(next(upstream))
            except StopIteration:
                exhausted = True
        if not buffer:
            return out
        index = int(rng.integers(len(buffer)))
        out.append(buffer[index])
        # tf.data swaps the chosen slot with the ring buffer's start, then advances the start.
        buffer[index] = buffer[0]
        buffer.pop(0)


SHUFFLE_SIZES = (1, 4, 12)
# Any seed shows the effect; this one gives a B = 4 row whose colours stay visibly grouped.
SHUFFLE_SEED = 86


def shuffle_rows(seed: int = SHUFFLE_SEED) -> dict[int, list[int]]:
    """The figure's output rows: items 1..12 shuffled with buffer sizes 1, 4 and 12."""
    return {b: shuffle_simulate(list(range(1, 13)), b, np.random.default_rng(seed)) for b in SHUFFLE_SIZES}


def _item_colour(item: int) -> str:
    return (RED, GREEN, BLUE)[(item - 1) // 4]


@figure("ch05-shuffle-buffer")
def shuffle_buffer(ctx: FigureContext) -> Figure:
    rows = shuffle_rows()
    fig, ax = diagram(20, 9.4, scale=0.52)
    x0, cell = 3.8, 1.0

    def squares(items: list[int], y: float) -> None:
        for k, item in enumerate(items):
            ax.add_patch(Rectangle((x0 + k * cell + 0.06, y), cell - 0.12, cell - 0.12, facecolor=_item_colour(item), edgecolor="white"))
            ax.text(x0 + k * cell + cell / 2, y + (cell - 0.12) / 2, str(item), ha="center", va="center", fontsize=10, color="white")

    ax.text(x0 - 0.3, 8.74, "上游数据（按顺序）", ha="right", va="center", fontsize=10)
    squares(list(range(1, 13)), 8.3)
    arrow(ax, (x0 + 6, 8.2), (x0 + 6, 7.4))
    box(ax, x0 + 6, 6.85, 7.5, 1.0, "缓冲区 (buffer_size = B)", fill=FILL["yellow"], fontsize=10.5)
    ax.text(x0 + 10.0, 6.85, "随机取出一个元素输出，\n再从上游补入下一个", ha="left", va="center", fontsize=9, color=GREY)
    arrow(ax, (x0 + 6, 6.3), (x0 + 6, 5.5))
    ax.text(x0 + 6.2, 5.9, "输出顺序", ha="left", va="center", fontsize=9, color=GREY)
    captions = {1: "不打乱，与输入相同", 4: "局部打乱，颜色仍大致成组", 12: "完全打乱，颜色混在一起"}
    for i, b in enumerate(SHUFFLE_SIZES):
        y = 4.35 - i * 1.5
        ax.text(x0 - 0.3, y + 0.44, f"B = {b}", ha="right", va="center", fontsize=11)
        squares(rows[b], y)
        ax.text(x0 + 12 * cell + 0.3, y + 0.44, captions[b], ha="left", va="center", fontsize=9.5)
    note(fig, f"按 tf.data shuffle 的缓冲区规则模拟（固定随机种子 {SHUFFLE_SEED}）")
    return fig


# ---------------------------------------------------------------- grid vs random search

SEARCH_PEAK, SEARCH_WIDTH = 0.72, 0.08
SEARCH_SEED = 40  # chosen so that one of the 9 random points lands near the peak, as in the lesson


def search_score(x: np.ndarray | float) -> np.ndarray:
    """Validation score as a function of the important hyperparameter only: a sharp peak at 0.72."""
    return np.exp(-(((np.asarray(x) - SEARCH_PEAK) / SEARCH_WIDTH) ** 2))


def grid_points() -> np.ndarray:
    """The 3×3 grid at 0.2 / 0.5 / 0.8 in both axes, (9, 2): columns (important, unimportant)."""
    values = np.array([0.2, 0.5, 0.8])
    xx, yy = np.meshgrid(values, values)
    return np.column_stack([xx.ravel(), yy.ravel()])


def random_points(seed: int = SEARCH_SEED) -> np.ndarray:
    """Nine points uniformly at random in the unit square, (9, 2)."""
    return np.random.default_rng(seed).uniform(size=(9, 2))


@figure("ch05-grid-vs-random")
def grid_vs_random(ctx: FigureContext) -> Figure:
    fig, axes = canvas(10, 7.2, 2, 2, height_ratios=(1, 2.6))
    xs = np.linspace(0, 1, 501)
    for col, (title, pts, colour) in enumerate((("网格搜索", grid_points(), BLUE), ("随机搜索", random_points(), ORANGE))):
        top, ax = axes[0, col], axes[1, col]
        top.plot(xs, search_score(xs), color=GREY, lw=1.6)
        distinct = np.unique(np.round(pts[:, 0], 6))
        top.plot(distinct, search_score(distinct), "o", color=colour, ms=7, zorder=3)
        best = distinct[np.argmax(search_score(distinct))]
        top.set_xlim(0, 1)
        top.set_ylim(-0.08, 1.2)
        top.set_xticks([])
        top.set_yticks([0, 1])
        top.set_ylabel("验证得分")
        top.set_title(f"{title}：重要超参数{'只' if len(distinct) < len(pts) else ''}试了 {len(distinct)} 个不同的值", fontsize=11)
        top.text(0.02, 1.08, f"最好得分 {search_score(best):.2f}", fontsize=9, color=colour, va="top")
        ax.scatter(pts[:, 0], pts[:, 1], s=70, color=colour, zorder=3, edgecolor="white", linewidth=0.8)
        for x in distinct:
            ax.axvline(x, color=colour, lw=0.8, ls=":", alpha=0.8)
            top.axvline(x, ymax=(search_score(x) + 0.08) / 1.28, color=colour, lw=0.8, ls=":", alpha=0.8)
        ax.axvline(SEARCH_PEAK, color=RED, lw=1, alpha=0.35)
        top.axvline(SEARCH_PEAK, color=RED, lw=1, alpha=0.35)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        # Box aspects (not data aspect) keep the curve above exactly as wide as the square below.
        ax.set_box_aspect(1)
        top.set_box_aspect(1 / 2.6)
        ax.set_xlabel("重要超参数")
        ax.set_ylabel("不重要超参数")
    top = axes[0, 0]
    top.text(SEARCH_PEAK + 0.03, 1.0, "峰值 0.72", color=RED, fontsize=9, va="center")
    return fig
