"""Chapter 7 figures: classic CNN architectures (LeNet-5, AlexNet, VGG16, Inception, ResNet, MobileNet v2).

Every output shape and parameter count printed on the architecture diagrams is computed by walking
the model's layer list through :func:`modelspec.calculator.layer_compute` — the same calculator the
model builder shows learners — so the figures cannot drift from the platform's own numbers. Only
operations the calculator does not know (channel concatenation, multiplication counts) are computed
here by formula, in small functions the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

from modelspec.calculator import LayerCalc, layer_compute
from modelspec.catalog import LAYERS

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, PURPLE, RED, SKY, arrow, box, diagram

Shape = tuple[int, ...]
LayerList = Sequence[tuple[str, dict[str, Any]]]


# --- numbers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerStep:
    """One layer of a walked model: its type, full arguments, per-sample output shape and parameters."""

    type: str
    args: dict[str, Any]
    input_shape: Shape
    output_shape: Shape
    params: int


def layer_args(layer_type: str, **given: Any) -> dict[str, Any]:
    """The layer's arguments with the catalog's defaults filled in (what ``layer_compute`` expects)."""
    definition = LAYERS[layer_type]
    names = {a.name for a in definition.args}
    unknown = set(given) - names
    if unknown:
        raise KeyError(f"{layer_type} has no argument(s) {sorted(unknown)}")
    args = {a.name: a.default for a in definition.args}
    args.update(given)
    missing = [a.name for a in definition.args if a.required and args[a.name] is None]
    if missing:
        raise KeyError(f"{layer_type} needs {missing}")
    return args


def layers_walk(input_shape: Shape, layers: LayerList) -> list[LayerStep]:
    """Feed ``input_shape`` through the layers with the platform calculator; raises on a shape error."""
    steps: list[LayerStep] = []
    shape = tuple(input_shape)
    for layer_type, given in layers:
        args = layer_args(layer_type, **given)
        calc = layer_compute(layer_type, args, shape)
        if not isinstance(calc, LayerCalc):
            raise ValueError(f"{layer_type} on {shape}: {calc.message}")
        steps.append(LayerStep(layer_type, args, shape, calc.output_shape, calc.trainable + calc.non_trainable))
        shape = calc.output_shape
    return steps


def shape_label(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)


# The chapter's modernised LeNet-5 (lesson 1) and AlexNet-style model (lesson 2), as in the lesson code.
LENET5_INPUT: Shape = (28, 28, 1)
LENET5_LAYERS: LayerList = (
    ("Conv2D", {"filters": 6, "kernel_size": 5, "padding": "same", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 2, "strides": 2}),
    ("Conv2D", {"filters": 16, "kernel_size": 5, "padding": "valid", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 2, "strides": 2}),
    ("Flatten", {}),
    ("Dense", {"units": 120, "activation": "relu"}),
    ("Dense", {"units": 84, "activation": "relu"}),
    ("Dense", {"units": 10, "activation": "softmax"}),
)

ALEXNET_INPUT: Shape = (227, 227, 3)
ALEXNET_LAYERS: LayerList = (
    ("Rescaling", {"scale": 1 / 255}),
    ("Conv2D", {"filters": 96, "kernel_size": 11, "strides": 4, "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2}),
    ("Conv2D", {"filters": 256, "kernel_size": 5, "padding": "same", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2}),
    ("Conv2D", {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("Conv2D", {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("Conv2D", {"filters": 256, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2}),
    ("Flatten", {}),
    ("Dense", {"units": 4096, "activation": "relu"}),
    ("Dropout", {"rate": 0.5}),
    ("Dense", {"units": 4096, "activation": "relu"}),
    ("Dropout", {"rate": 0.5}),
    ("Dense", {"units": 2, "activation": "softmax"}),
)

VGG16_INPUT: Shape = (224, 224, 3)
# (filters, number of 3×3 convolutions) per block.
VGG16_BLOCKS: tuple[tuple[int, int], ...] = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
VGG16_TOP: LayerList = (
    ("Flatten", {}),
    ("Dense", {"units": 4096, "activation": "relu"}),
    ("Dense", {"units": 4096, "activation": "relu"}),
    ("Dense", {"units": 1000, "activation": "softmax"}),
)


def vgg16_conv_layers() -> list[tuple[str, dict[str, Any]]]:
    """VGG16's convolutional base (keras.applications ``include_top=False``): 13 conv + 5 pool layers."""
    layers: list[tuple[str, dict[str, Any]]] = []
    for filters, repeats in VGG16_BLOCKS:
        layers += [("Conv2D", {"filters": filters, "kernel_size": 3, "padding": "same", "activation": "relu"})] * repeats
        layers.append(("MaxPooling2D", {"pool_size": 2, "strides": 2}))
    return layers


def lenet5_steps() -> list[LayerStep]:
    return layers_walk(LENET5_INPUT, LENET5_LAYERS)


def alexnet_steps() -> list[LayerStep]:
    return layers_walk(ALEXNET_INPUT, ALEXNET_LAYERS)


def vgg16_steps() -> list[LayerStep]:
    return layers_walk(VGG16_INPUT, [*vgg16_conv_layers(), *VGG16_TOP])


def vgg16_group_params() -> dict[str, int]:
    """Parameters of each conv block ("block1".."block5") and of "fc1", "fc2", "fc3"."""
    steps = vgg16_steps()
    groups: dict[str, int] = {}
    block = 1
    for step in steps:
        if step.type == "Conv2D":
            groups[f"block{block}"] = groups.get(f"block{block}", 0) + step.params
        elif step.type == "MaxPooling2D":
            block += 1
    dense = [s.params for s in steps if s.type == "Dense"]
    groups.update(fc1=dense[0], fc2=dense[1], fc3=dense[2])
    return groups


def concat_shape(shapes: Sequence[Shape]) -> Shape:
    """``layers.concatenate`` on the channel axis (not in modelspec): heights and widths must agree."""
    spatial = {s[:-1] for s in shapes}
    if len(spatial) != 1:
        raise ValueError(f"cannot concatenate shapes {list(shapes)}: spatial sizes differ")
    return (*shapes[0][:-1], sum(s[-1] for s in shapes))


# Inception module 3a of GoogLeNet: (branch name, layers) on a 28×28×192 input.
INCEPTION_INPUT: Shape = (28, 28, 192)
INCEPTION_3A: tuple[tuple[str, LayerList], ...] = (
    ("1×1", (("Conv2D", {"filters": 64, "kernel_size": 1, "activation": "relu"}),)),
    ("3×3", (("Conv2D", {"filters": 96, "kernel_size": 1, "activation": "relu"}),
             ("Conv2D", {"filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"}))),
    ("5×5", (("Conv2D", {"filters": 16, "kernel_size": 1, "activation": "relu"}),
             ("Conv2D", {"filters": 32, "kernel_size": 5, "padding": "same", "activation": "relu"}))),
    ("pool", (("MaxPooling2D", {"pool_size": 3, "strides": 1, "padding": "same"}),
              ("Conv2D", {"filters": 32, "kernel_size": 1, "activation": "relu"}))),
)


def inception_branches() -> list[list[LayerStep]]:
    return [layers_walk(INCEPTION_INPUT, layers) for _, layers in INCEPTION_3A]


def inception_output_shape() -> Shape:
    return concat_shape([branch[-1].output_shape for branch in inception_branches()])


def conv_multiplications(step: LayerStep) -> int:
    """Multiplications of a Conv2D layer: one kh·kw·C_in dot product per output value."""
    k = step.args["kernel_size"]
    kh, kw = (k, k) if isinstance(k, int) else k
    oh, ow, oc = step.output_shape
    return oh * ow * oc * kh * kw * step.input_shape[-1]


def inception_5x5_multiplications() -> dict[str, int]:
    """The 5×5 branch of module 3a with and without its 1×1 reduction (lesson 4's worked example).

    Keys: "direct" (32 5×5 filters straight on the 192-channel input), "reduce" (the 16 1×1
    filters), "conv5" (the 5×5 filters on the reduced 16 channels) and "reduced" (their sum).
    """
    branch = dict(INCEPTION_3A)["5×5"]
    reduce_step, conv5_step = layers_walk(INCEPTION_INPUT, branch)
    direct_layers = [("Conv2D", {**branch[1][1]})]
    (direct_step,) = layers_walk(INCEPTION_INPUT, direct_layers)
    reduce, conv5 = conv_multiplications(reduce_step), conv_multiplications(conv5_step)
    return {"direct": conv_multiplications(direct_step), "reduce": reduce, "conv5": conv5, "reduced": reduce + conv5}


# Lesson 5's shape-changing residual block: 56×56×64 in, stride-2 main path with 128 filters.
RESNET_INPUT: Shape = (56, 56, 64)
RESNET_MAIN: LayerList = (
    ("Conv2D", {"filters": 128, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False}),
    ("BatchNormalization", {}),
    ("Activation", {"activation": "relu"}),
    ("Conv2D", {"filters": 128, "kernel_size": 3, "padding": "same", "use_bias": False}),
    ("BatchNormalization", {}),
)
RESNET_PROJECTION: LayerList = (
    ("Conv2D", {"filters": 128, "kernel_size": 1, "strides": 2, "use_bias": False}),
    ("BatchNormalization", {}),
)


def residual_projection_shapes() -> dict[str, Shape]:
    """Output shapes of the main path and of the 1×1 stride-2 projection shortcut (must be equal)."""
    return {
        "input": RESNET_INPUT,
        "main": layers_walk(RESNET_INPUT, RESNET_MAIN)[-1].output_shape,
        "shortcut": layers_walk(RESNET_INPUT, RESNET_PROJECTION)[-1].output_shape,
    }


# Channel counts along ResNet's bottleneck block and MobileNet v2's inverted residual block.
BOTTLENECK_CHANNELS = (256, 64, 64, 256)
INVERTED_EXPANSION = 6


def inverted_residual_channels(channels: int = 24, expansion: int = INVERTED_EXPANSION) -> tuple[int, int, int, int]:
    """24 → ×6 → 144 → depthwise (channels unchanged) → 24, walked through the calculator at 56×56."""
    steps = layers_walk(
        (56, 56, channels),
        (
            ("Conv2D", {"filters": channels * expansion, "kernel_size": 1, "use_bias": False, "activation": "relu6"}),
            ("DepthwiseConv2D", {"kernel_size": 3, "padding": "same", "use_bias": False, "activation": "relu6"}),
            ("Conv2D", {"filters": channels, "kernel_size": 1, "use_bias": False}),
        ),
    )
    expanded, depthwise, projected = (s.output_shape[-1] for s in steps)
    return channels, expanded, depthwise, projected


# --- local drawing helpers ---------------------------------------------------------------------


def _stack(ax: Axes, x: float, cy: float, side: float, n: int, step: float, fill: str) -> tuple[float, float, float, float]:
    """n squares (feature maps) offset up-right, vertically centred on cy; returns (left, bottom, right, top)."""
    total = side + (n - 1) * step
    bottom = cy - total / 2
    for i in reversed(range(n)):  # back squares first so the front one covers them
        ax.add_patch(Rectangle((x + i * step, bottom + i * step), side, side, facecolor=fill, edgecolor=BLACK, lw=0.7))
    return x, bottom, x + total, bottom + total


def _cuboid(ax: Axes, x: float, y: float, w: float, h: float, depth: float, fill: str, edge: str = BLACK) -> float:
    """A pseudo-3D block: front face w × h with its bottom-left at (x, y), receding up-right by depth.

    Returns the x of its rightmost point.
    """
    side = [(x + w, y), (x + w + depth, y + depth), (x + w + depth, y + h + depth), (x + w, y + h)]
    ax.add_patch(Polygon([(x, y + h), (x + depth, y + h + depth), (x + w + depth, y + h + depth), (x + w, y + h)], closed=True, facecolor=fill, edgecolor=edge, lw=0.8))
    ax.add_patch(Polygon(side, closed=True, facecolor=fill, edgecolor=edge, lw=0.8))
    # Shade the side face so the block reads as solid.
    ax.add_patch(Polygon(side, closed=True, facecolor="black", alpha=0.09, lw=0))
    ax.add_patch(Rectangle((x, y), w, h, facecolor=fill, edgecolor=edge, lw=0.8))
    return x + w + depth


def _fmt(n: int) -> str:
    return f"{n:,}"


def _pair_text(value: Any) -> str:
    a, b = (value, value) if isinstance(value, int) else value
    return f"{a}×{b}"


def _conv_label(args: dict[str, Any]) -> str:
    stride = args["strides"]
    s_text = f"/{stride}" if stride not in (1, (1, 1), [1, 1]) else ""
    return f"卷积 {args['filters']}@{_pair_text(args['kernel_size'])}{s_text}"


def _pool_label(args: dict[str, Any]) -> str:
    stride = args["strides"] if args["strides"] is not None else args["pool_size"]
    return f"最大池化 {_pair_text(args['pool_size'])}/{stride}"


def _circle_plus(ax: Axes, cx: float, cy: float, r: float = 0.32) -> None:
    ax.add_patch(Circle((cx, cy), r, facecolor="white", edgecolor=BLACK, lw=1.4, zorder=3))
    ax.text(cx, cy, "+", ha="center", va="center", fontsize=15, zorder=4)


# --- figures -----------------------------------------------------------------------------------


@figure("ch07-lenet5")
def lenet5(ctx: FigureContext) -> Figure:
    steps = lenet5_steps()
    fig, ax = diagram(34.6, 7.7, scale=0.35)
    px = 0.1  # drawing units per pixel of a feature map, so square sides are to scale
    cy = 4.3
    gap = 2.5
    shape_y, param_y = cy - 2.3, cy - 3.1

    def under(x: float, text: str, params: int) -> None:
        ax.text(x, shape_y, text, ha="center", va="center", fontsize=10, linespacing=1.2)
        if params:
            ax.text(x, param_y, f"参数 {_fmt(params)}", ha="center", va="center", fontsize=9.5, color=RED)

    def link(x0: float, x1: float, label: str) -> None:
        arrow(ax, (x0 + 0.15, cy), (x1 - 0.15, cy))
        ax.text((x0 + x1) / 2, cy + 0.25, label, ha="center", va="bottom", fontsize=9, linespacing=1.25)

    x = 0.3
    left, _, right, _ = _stack(ax, x, cy, LENET5_INPUT[0] * px, LENET5_INPUT[2], 0.0, FILL["grey"])
    under((left + right) / 2, "输入 " + shape_label(LENET5_INPUT), 0)
    x = right
    fills = {"Conv2D": FILL["blue"], "MaxPooling2D": FILL["green"]}
    for step in steps[:4]:
        if step.type == "Conv2D":
            act = ", ReLU" if step.args["activation"] == "relu" and step is steps[0] else ""
            label = f"{_conv_label(step.args)}\n{step.args['padding']}{act}"
        else:
            label = _pool_label(step.args).replace(" ", "\n", 1)
        oh, _, oc = step.output_shape
        left, _, right, _ = _stack(ax, x + gap, cy, oh * px, oc, 0.15 if oc <= 6 else 0.1, fills[step.type])
        link(x, left, label)
        under((left + right) / 2, shape_label(step.output_shape), step.params)
        x = right
    # Flatten and dense layers: bars whose height grows with √units (400 would not fit linearly).
    bar_w = 0.42
    for step in steps[4:]:
        units = step.output_shape[0]
        bar_h = 0.16 * np.sqrt(units)
        x_next = x + gap - 0.3
        fill = FILL["grey"] if step.type == "Flatten" else FILL["orange"]
        ax.add_patch(Rectangle((x_next, cy - bar_h / 2), bar_w, bar_h, facecolor=fill, edgecolor=BLACK, lw=0.8))
        link(x, x_next, "展平" if step.type == "Flatten" else "全连接")
        text = str(units) + ("\nsoftmax" if step.args.get("activation") == "softmax" else "")
        under(x_next + bar_w / 2, text, step.params)
        x = x_next + bar_w
    total = sum(s.params for s in steps)
    ax.text(x + 0.3, 7.35, f"合计 {_fmt(total)} 个参数", ha="right", va="center", fontsize=11, color=RED)
    ax.text(0.3, 7.35, "特征图画成一叠方块：每块一个通道，边长与高宽成正比；全连接层画成竖条", ha="left", va="center", fontsize=9, color=GREY)
    return fig


@figure("ch07-alexnet")
def alexnet(ctx: FigureContext) -> Figure:
    steps = [s for s in alexnet_steps() if s.type != "Rescaling"]
    fig, ax = diagram(31.2, 15.2, scale=0.385)
    base_y = 9.1
    fills = {"Conv2D": FILL["blue"], "MaxPooling2D": FILL["green"]}
    conv_part = [s for s in steps if len(s.output_shape) == 3]
    dense_part = [s for s in steps if len(s.output_shape) == 1]

    # Row 1, the convolution part: face height ∝ √side, thickness ∝ log2(channels).
    items: list[tuple[str, Shape, int, str]] = [("输入", ALEXNET_INPUT, 0, FILL["grey"])]
    for s in conv_part:
        if s.type == "Conv2D":
            label = _conv_label(s.args).replace(" ", "\n", 1) + (" same" if s.args["padding"] == "same" else "")
        else:
            label = _pool_label(s.args).replace(" ", "\n", 1)
        items.append((label, s.output_shape, s.params, fills[s.type]))
    slot = 3.35
    label_y = base_y + 0.19 * np.sqrt(ALEXNET_INPUT[0]) * 1.35 + 0.35
    prev_right = None
    for i, (label, shape, params, fill) in enumerate(items):
        h = 0.19 * np.sqrt(shape[0])
        w = 0.25 * np.log2(shape[2])
        cx = 0.4 + slot * i + slot / 2
        left = cx - (w + 0.35 * h) / 2
        right = _cuboid(ax, left, base_y, w, h, 0.35 * h, fill)
        ax.text(cx, label_y, label, ha="center", va="bottom", fontsize=9, linespacing=1.2)
        ax.text(cx, base_y - 0.3, shape_label(shape), ha="center", va="top", fontsize=9.5)
        if params:
            ax.text(cx, base_y - 0.95, _fmt(params), ha="center", va="top", fontsize=9, color=RED)
        if prev_right is not None:
            arrow(ax, (prev_right + 0.1, base_y + 0.3), (left - 0.1, base_y + 0.3), lw=0.9, head=7)
        prev_right = right

    # Row 2, flatten and the dense layers: bar height ∝ log2(units).
    base2 = 2.3
    slot2 = 2.75
    x0 = 1.0
    heights = [max(0.26 * np.log2(s.output_shape[0]), 0.5) for s in dense_part]
    label2_y = base2 + max(heights) + 0.3
    for i, (s, h) in enumerate(zip(dense_part, heights)):
        cx = x0 + slot2 * i + slot2 / 2
        if s.type == "Flatten":
            label, fill = "展平", FILL["grey"]
        elif s.type == "Dense":
            label, fill = "全连接\n" + ("softmax" if s.args["activation"] == "softmax" else "ReLU"), FILL["orange"]
        else:
            label, fill = f"Dropout\n{s.args['rate']}", "white"
        box(ax, cx, base2 + h / 2, 0.7, h, fill=fill, dashed=s.type == "Dropout", rounded=False, lw=0.9)
        ax.text(cx, label2_y, label, ha="center", va="bottom", fontsize=9, linespacing=1.2)
        ax.text(cx, base2 - 0.3, str(s.output_shape[0]), ha="center", va="top", fontsize=9.5)
        if s.params:
            ax.text(cx, base2 - 0.95, _fmt(s.params), ha="center", va="top", fontsize=9, color=RED)
        if i:
            arrow(ax, (cx - slot2 + 0.45, base2 + 0.3), (cx - 0.45, base2 + 0.3), lw=0.9, head=7)
    # The last pool feeds Flatten: a connector that snakes from the end of row 1 to the start of row 2.
    turn_x, mid_y = prev_right + 0.5, base_y - 1.8
    first_left = x0 + slot2 / 2 - 0.35
    ax.plot([prev_right + 0.1, turn_x, turn_x, 0.25, 0.25], [base_y + 0.3, base_y + 0.3, mid_y, mid_y, base2 + 0.3], color=BLACK, lw=0.9)
    arrow(ax, (0.25, base2 + 0.3), (first_left - 0.05, base2 + 0.3), lw=0.9, head=7)
    total = sum(s.params for s in steps)
    ax.text(0.3, 0.2, f"方块高 ∝ √边长、厚 ∝ log₂ 通道数；红色数字为各层参数个数，合计 {_fmt(total)}", ha="left", va="bottom", fontsize=9, color=GREY)

    # Inset: overlapping 3×3 windows with stride 2 along one row of a feature map.
    pool = conv_part[1]
    size, window, stride = pool.input_shape[0], pool.args["pool_size"], pool.args["strides"]
    gx, gy, cell, n = 20.2, 4.1, 0.7, 7
    ax.add_patch(FancyBboxPatch((gx - 0.9, 0.9), n * cell + 4.7, 6.0, boxstyle="round,pad=0.1", facecolor="#FAFAFA", edgecolor=LIGHT_GREY, lw=1.0))
    ax.text(gx - 0.6, 6.55, f"重叠池化：窗口 {window}×{window}，步长 {stride}", ha="left", va="center", fontsize=10)
    for j in range(n):
        shared = 0 < j < n - 1 and j % stride == 0
        ax.add_patch(Rectangle((gx + j * cell, gy - cell), cell, cell, facecolor=PURPLE if shared else "white", alpha=1.0, edgecolor=BLACK, lw=0.8))
        ax.text(gx + (j + 0.5) * cell, gy - 1.35 * cell, str(j), ha="center", va="center", fontsize=8, color=GREY)
    for k, colour in enumerate((BLUE, ORANGE, GREEN)):
        start = k * stride
        lift = 0.35 if k % 2 == 0 else 1.35
        y = gy + lift
        ax.plot([gx + start * cell + 0.06, gx + (start + window) * cell - 0.06], [y, y], color=colour, lw=2.2)
        for xe in (gx + start * cell + 0.06, gx + (start + window) * cell - 0.06):
            ax.plot([xe, xe], [y - 0.15, y + 0.15], color=colour, lw=2.2)
        ax.text(gx + (start + window / 2) * cell, y + 0.2, f"窗口 {k + 1}", ha="center", va="bottom", fontsize=8, color=colour)
    ax.text(gx + n * cell + 0.3, gy - 0.5 * cell, "紫色格子\n被两个窗口共用", ha="left", va="center", fontsize=9, color=BLACK, linespacing=1.25)
    ax.text(gx - 0.6, 1.9, f"步长 < 窗口，相邻窗口重叠；输出边长\n⌊({size} − {window})/{stride}⌋ + 1 = {pool.output_shape[0]}", ha="left", va="center", fontsize=9, linespacing=1.35)
    return fig


_VGG_COLOURS = (BLUE, SKY, GREEN, ORANGE, PURPLE)
_VGG_FILLS = (FILL["blue"], FILL["sky"], FILL["green"], FILL["orange"], FILL["purple"])


@figure("ch07-vgg16")
def vgg16(ctx: FigureContext) -> Figure:
    from matplotlib import pyplot as plt

    steps = vgg16_steps()
    groups = vgg16_group_params()
    fig = plt.figure(figsize=(12.0, 5.0))
    width_units, height_units = 13.4, 9.3
    ax = fig.add_axes((0.0, 0.0, 0.6, 1.0))
    ax.set_xlim(0, width_units)
    ax.set_ylim(0, height_units)
    ax.set_aspect("equal")
    ax.axis("off")
    ax_bar = fig.add_axes((0.72, 0.17, 0.27, 0.62))

    base = 1.2
    h_per_px = 6.0 / 224  # block height ∝ spatial size
    w_per_ch = 1.8 / 512  # block width ∝ channels
    x = 0.75
    in_h = VGG16_INPUT[0] * h_per_px
    ax.add_patch(Rectangle((x, base), 0.12, in_h, facecolor=FILL["grey"], edgecolor=BLACK, lw=0.8))
    ax.text(x - 0.12, base + in_h / 2, "输入 " + shape_label(VGG16_INPUT), ha="right", va="center", rotation=90, fontsize=9)
    x += 0.12 + 0.3
    block = 0
    convs: list[LayerStep] = []
    for step in steps:
        if step.type == "Conv2D":
            convs.append(step)
            continue
        if step.type != "MaxPooling2D":
            continue
        side, _, chans = convs[0].output_shape
        bh, bw = side * h_per_px, chans * w_per_ch
        ax.add_patch(Rectangle((x, base), bw, bh, facecolor=_VGG_FILLS[block], edgecolor=_VGG_COLOURS[block], lw=1.4))
        for k in range(1, len(convs)):  # thin lines mark the conv layers inside the block
            ax.plot([x + bw * k / len(convs)] * 2, [base, base + bh], color=_VGG_COLOURS[block], lw=0.6)
        ax.text(x + bw / 2, base - 0.2, f"{len(convs)}×\nconv{chans}", ha="center", va="top", fontsize=9, linespacing=1.15)
        if block == 0:
            ax.text(x + bw / 2, base + bh + 0.1, str(side), ha="center", va="bottom", fontsize=9)
        x += bw + 0.04
        pooled = step.output_shape[0]
        ph = pooled * h_per_px
        ax.add_patch(Rectangle((x, base), 0.1, ph, facecolor=GREY, edgecolor=BLACK, lw=0.6))
        ax.text(x + 0.02, base + ph + 0.1, str(pooled), ha="left", va="bottom", fontsize=9.5, color=RED)
        x += 0.1 + 0.55
        block += 1
        convs = []
    ax.text(0.3, height_units - 0.2, "五个卷积块：3×3 same 卷积 + ReLU，每块后接 2×2/2 最大池化", ha="left", va="top", fontsize=10)
    ax.text(0.3, height_units - 0.85, "块高 ∝ 高宽，块宽 ∝ 通道数；灰条为池化，红色数字为池化后的边长", ha="left", va="top", fontsize=8.5, color=GREY)

    # Flatten and the three fully connected layers (not to scale).
    for step in steps:
        if step.type not in ("Flatten", "Dense"):
            continue
        units = step.output_shape[0]
        if step.type == "Flatten":
            label, fill, bh = f"展平 {units}", FILL["grey"], 4.2
        else:
            label, fill = f"FC {units}" + (" softmax" if step.args["activation"] == "softmax" else ""), FILL["red"]
            bh = 3.4 if units == 4096 else 3.0
        ax.add_patch(Rectangle((x, base), 0.5, bh, facecolor=fill, edgecolor=BLACK, lw=0.8))
        ax.text(x + 0.25, base + bh / 2, label, ha="center", va="center", rotation=90, fontsize=9)
        x += 0.5 + 0.25
    ax.text(x - 0.5, base - 0.2, "1000 类\n概率", ha="center", va="top", fontsize=9, linespacing=1.15)
    # Shrink the drawing area to its content (same inches per unit) so the bar chart sits close by.
    inch_per_unit = 5.0 / height_units
    ax.set_xlim(0, x)
    ax.set_position((0.0, 0.0, x * inch_per_unit / 12.0, 1.0))
    ax_bar.set_position((x * inch_per_unit / 12.0 + 0.1, 0.17, 0.88 - x * inch_per_unit / 12.0, 0.62))

    # Side bar: parameters per group; the conv blocks share one stacked bar in their block colours.
    conv_total = sum(groups[f"block{i}"] for i in range(1, 6))
    dense_units = [s.output_shape[0] for s in steps if s.type == "Dense"]
    labels = ["卷积块 1–5", *(f"FC{i + 1} {u}" for i, u in enumerate(dense_units))]
    values = [conv_total, groups["fc1"], groups["fc2"], groups["fc3"]]
    ypos = np.arange(len(labels))[::-1]
    left = 0.0
    for i in range(5):
        value = groups[f"block{i + 1}"] / 1e6
        ax_bar.barh(ypos[0], value, left=left, color=_VGG_COLOURS[i], height=0.6)
        left += value
    ax_bar.barh(ypos[1:], np.array(values[1:]) / 1e6, color=RED, height=0.6)
    for y, v in zip(ypos, values):
        ax_bar.text(v / 1e6 + 2, y, _fmt(v), va="center", ha="left", fontsize=9)
    ax_bar.text(conv_total / 1e6 + 2, ypos[0] - 0.42, f"≈ {conv_total / 1e6:.1f} M（五块颜色同左图）", va="center", fontsize=8.5, color=GREY)
    ax_bar.set_yticks(ypos, labels)
    ax_bar.set_xlim(0, 150)
    ax_bar.set_xlabel("参数个数（百万）")
    ax_bar.set_title(f"各部分参数（合计 {_fmt(sum(values))}）", fontsize=10)
    return fig


@figure("ch07-inception")
def inception(ctx: FigureContext) -> Figure:
    branches = inception_branches()
    out_shape = inception_output_shape()
    mults = inception_5x5_multiplications()
    fig, ax = diagram(19.0, 12.6, scale=0.52)
    col_x = (2.6, 7.0, 11.4, 15.8)
    y_in, y1, y2, y_cat, y_out = 1.0, 4.3, 7.6, 10.1, 11.7
    bw, bh = 3.6, 1.45
    in_left, in_right = 6.0, 12.4
    box(ax, (in_left + in_right) / 2, y_in, in_right - in_left, 1.0, f"输入（上一层）  {shape_label(INCEPTION_INPUT)}", fill=FILL["grey"], fontsize=10.5)

    def step_text(step: LayerStep) -> str:
        if step.type == "MaxPooling2D":
            return f"{_pair_text(step.args['pool_size'])} 最大池化\n步长 {step.args['strides']}，{step.args['padding']}"
        return f"{_pair_text(step.args['kernel_size'])} 卷积，{step.args['filters']}"

    for bx, steps in zip(col_x, branches):
        ys = [y2] if len(steps) == 1 else [y1, y2]
        # Outer branches leave the input box sideways, inner ones straight up, so no line crosses a box.
        if bx < in_left:
            ax.plot([in_left, bx], [y_in, y_in], color=BLACK, lw=1.1)
            arrow(ax, (bx, y_in), (bx, ys[0] - bh / 2), lw=1.1)
        elif bx > in_right:
            ax.plot([in_right, bx], [y_in, y_in], color=BLACK, lw=1.1)
            arrow(ax, (bx, y_in), (bx, ys[0] - bh / 2), lw=1.1)
        else:
            arrow(ax, (bx, y_in + 0.5), (bx, ys[0] - bh / 2), lw=1.1)
        for k, (step, y) in enumerate(zip(steps, ys)):
            reduction = len(steps) == 2 and k == 0 and step.type == "Conv2D"
            if step.type == "MaxPooling2D":
                fill, edge = FILL["green"], GREEN
            elif reduction:
                fill, edge = FILL["orange"], ORANGE
            else:
                fill, edge = FILL["blue"], BLUE
            box(ax, bx, y, bw, bh, fill=fill, edge=edge, lw=1.8 if reduction else 1.2)
            ax.text(bx, y + 0.22, step_text(step), ha="center", va="center", fontsize=10)
            ax.text(bx, y - 0.4, "→ " + shape_label(step.output_shape), ha="center", va="center", fontsize=8.5, color=GREY)
            if k:
                arrow(ax, (bx, ys[k - 1] + bh / 2), (bx, y - bh / 2), lw=1.1)
        arrow(ax, (bx, y2 + bh / 2), (9.2 + (bx - 9.2) * 0.55, y_cat - 0.45), lw=1.1)
    parts = " + ".join(str(b[-1].output_shape[-1]) for b in branches)
    box(ax, 9.2, y_cat, 9.0, 0.9, f"沿通道拼接  {parts} = {out_shape[-1]}", fill=FILL["purple"], edge=PURPLE, fontsize=10.5)
    arrow(ax, (9.2, y_cat + 0.45), (9.2, y_out - 0.3), lw=1.1)
    ax.text(9.2, y_out, f"输出 {shape_label(out_shape)}", ha="center", va="center", fontsize=11)

    ax.text(0.2, 12.55, f"1×1 降维：5×5 分支乘法 {mults['direct'] / 1e8:.1f} 亿 → {mults['reduced'] / 1e4:.0f} 万", ha="left", va="top", fontsize=11, color=RED)
    ax.text(0.2, 11.85, f"不降维：28·28·32·(5·5·192) = {_fmt(mults['direct'])}\n降维后：{_fmt(mults['reduce'])} + {_fmt(mults['conv5'])} = {_fmt(mults['reduced'])}",
            ha="left", va="top", fontsize=9, linespacing=1.35)
    for y, fill, edge, text in ((11.93, FILL["orange"], ORANGE, "1×1 降维卷积"), (11.33, FILL["blue"], BLUE, "其他卷积（same）"), (10.73, FILL["green"], GREEN, "池化")):
        ax.add_patch(Rectangle((14.6, y - 0.17), 0.5, 0.35, facecolor=fill, edgecolor=edge, lw=1.4))
        ax.text(15.25, y, text, ha="left", va="center", fontsize=9.5)
    return fig


@figure("ch07-residual-block")
def residual_block(ctx: FigureContext) -> Figure:
    shapes = residual_projection_shapes()
    fig, ax = diagram(17.6, 12.9, scale=0.5)
    top = 12.5  # titles; everything else hangs below
    bh = 0.78

    def column(cx: float, labels: list[str], first: float, bw: float, fs: float) -> list[float]:
        ys = [first - i * 1.3 for i in range(len(labels))]
        for i, (label, y) in enumerate(zip(labels, ys)):
            fill = FILL["green"] if label.startswith("BN") else FILL["orange"] if label == "ReLU" else FILL["blue"]
            box(ax, cx, y, bw, bh, label, fill=fill, fontsize=fs)
            if i:
                arrow(ax, (cx, ys[i - 1] - bh / 2), (cx, y + bh / 2))
        return ys

    def tail(cx: float, ys: list[float], bw: float, out_text: str) -> float:
        plus_y = ys[-1] - 1.25
        arrow(ax, (cx, ys[-1] - bh / 2), (cx, plus_y + 0.32))
        _circle_plus(ax, cx, plus_y)
        relu_y = plus_y - 1.2
        arrow(ax, (cx, plus_y - 0.32), (cx, relu_y + bh / 2))
        box(ax, cx, relu_y, bw, bh, "ReLU", fill=FILL["orange"], fontsize=10.5)
        arrow(ax, (cx, relu_y - bh / 2), (cx, relu_y - 1.0))
        ax.text(cx, relu_y - 1.3, out_text, ha="center", va="center", fontsize=12)
        return plus_y

    # Left: identity shortcut.
    cx = 4.4
    x_y = top - 1.0
    ax.text(cx + 1.0, top, "形状相同：恒等捷径", ha="center", va="center", fontsize=12)
    ax.text(cx, x_y, "$x$", ha="center", va="center", fontsize=16)
    ys = column(cx, ["3×3 卷积", "BN", "ReLU", "3×3 卷积", "BN"], x_y - 1.3, 2.6, 10.5)
    arrow(ax, (cx, x_y - 0.3), (cx, ys[0] + bh / 2))
    plus_y = tail(cx, ys, 2.6, "$F(x) + x$")
    bx = cx - 1.65
    ax.plot([bx + 0.2, bx, bx, bx + 0.2], [ys[0] + 0.4, ys[0] + 0.4, ys[-1] - 0.4, ys[-1] - 0.4], color=BLUE, lw=1.4)
    ax.text(bx - 0.2, (ys[0] + ys[-1]) / 2, "$F(x)$", ha="right", va="center", fontsize=13, color=BLUE)
    ax.add_patch(FancyArrowPatch((cx + 0.3, x_y), (cx + 0.34, plus_y), connectionstyle="arc3,rad=-0.5", arrowstyle="-|>", mutation_scale=12, color=RED, lw=1.8, shrinkA=2, shrinkB=1))
    ax.text(cx + 3.3, (x_y + plus_y) / 2, "恒等捷径 $x$", ha="left", va="center", fontsize=11, color=RED)
    ax.text(cx - 0.6, plus_y, "两路形状必须相同", ha="right", va="center", fontsize=10.5, color=PURPLE)

    # Right: projection shortcut when the main path halves the size and doubles the channels.
    cx2 = 12.0
    ax.text(cx2 + 1.0, top, "形状不同：投影捷径", ha="center", va="center", fontsize=12)
    ax.text(cx2, x_y, f"$x$  {shape_label(shapes['input'])}", ha="center", va="center", fontsize=11)
    ys2 = column(cx2, ["3×3 卷积，步长 2", "BN", "ReLU", "3×3 卷积", "BN"], x_y - 1.3, 2.9, 9.5)
    arrow(ax, (cx2, x_y - 0.3), (cx2, ys2[0] + bh / 2))
    plus2 = tail(cx2, ys2, 2.9, f"输出 {shape_label(shapes['main'])}")
    ax.text(cx2 - 0.25, ys2[-1] - 0.8, shape_label(shapes["main"]), ha="right", va="center", fontsize=9, color=BLUE)
    px, py = cx2 + 3.3, (ys2[1] + ys2[3]) / 2
    box(ax, px, py, 2.6, 1.2, "1×1 卷积，步长 2\n+ BN", fill=FILL["red"], edge=RED, fontsize=9.5)
    ax.plot([cx2 + 1.3, px, px], [x_y, x_y, py + 0.6], color=RED, lw=1.6)
    ax.plot([px, px], [py - 0.6, plus2], color=RED, lw=1.6)
    arrow(ax, (px, plus2), (cx2 + 0.33, plus2), color=RED, lw=1.6)
    ax.text(px - 0.1, plus2 + 0.25, shape_label(shapes["shortcut"]), ha="right", va="bottom", fontsize=9, color=RED)
    ax.text(px + 0.25, (x_y + py) / 2 + 0.3, "投影捷径", ha="left", va="center", fontsize=10, color=RED)
    return fig


_SLAB_LIFT = 0.275  # how far a slab's top face rises above its front face


def _slab(ax: Axes, cx: float, top: float, w: float, thickness: float, fill: str, edge: str) -> tuple[float, float]:
    """A flat slab (a feature map seen from the side) whose vertical thickness shows the channel count.

    Returns the x extent (left, right) including the receding side.
    """
    depth = 0.5
    x0 = cx - (w + depth) / 2
    y0 = top - thickness
    lift = _SLAB_LIFT
    side = [(x0 + w, y0), (x0 + w + depth, y0 + lift), (x0 + w + depth, top + lift), (x0 + w, top)]
    ax.add_patch(Polygon([(x0, top), (x0 + depth, top + lift), (x0 + w + depth, top + lift), (x0 + w, top)], closed=True, facecolor=fill, edgecolor=edge, lw=1.0))
    ax.add_patch(Polygon(side, closed=True, facecolor=fill, edgecolor=edge, lw=1.0))
    ax.add_patch(Polygon(side, closed=True, facecolor="black", alpha=0.1, lw=0))
    ax.add_patch(Rectangle((x0, y0), w, thickness, facecolor=fill, edgecolor=edge, lw=1.0))
    return x0, x0 + w + depth


def _bracket(ax: Axes, x: float, y_top: float, y_bottom: float, text: str, colour: str, side: int) -> None:
    """A square bracket from y_top to y_bottom opening towards the slabs (side = +1: text on the right)."""
    tick = 0.18 * side
    ax.plot([x - tick, x, x, x - tick], [y_top, y_top, y_bottom, y_bottom], color=colour, lw=1.3)
    ax.text(x + 0.2 * side, (y_top + y_bottom) / 2, text, ha="left" if side > 0 else "right", va="center", fontsize=9.5, color=colour)


@figure("ch07-inverted-residual")
def inverted_residual(ctx: FigureContext) -> Figure:
    fig, ax = diagram(23.0, 15.6, scale=0.48)
    per_channel = 0.008  # one thickness scale for both blocks, so 256 and 24 compare honestly
    gap = 1.6
    w = 3.4

    def tower(cx: float, channels: Sequence[int], ops: Sequence[str], notes: Sequence[str], fill: str, edge: str, label_side: int) -> list[tuple[float, float]]:
        top = 12.9
        spans = []
        for i, c in enumerate(channels):
            t = c * per_channel
            left, right = _slab(ax, cx, top, w, t, fill, edge)
            spans.append((top, top - t))
            text = f"{c}" + (f" {notes[i]}" if notes[i] else "")
            if label_side > 0:
                ax.text(right + 0.3, top - t / 2, text, ha="left", va="center", fontsize=10.5)
            else:
                ax.text(left - 0.3, top - t / 2, text, ha="right", va="center", fontsize=10.5)
            if i < len(ops):
                arrow(ax, (cx, top - t - 0.06), (cx, top - t - gap + 0.25 + _SLAB_LIFT + 0.04))
                ax.text(cx + 0.2 * label_side, top - t - gap / 2 + 0.12, ops[i], ha="left" if label_side > 0 else "right", va="center", fontsize=9.5)
                top = top - t - gap + 0.25
        return spans

    def shortcut(cx: float, spans: list[tuple[float, float]], side: int, channels_out: int) -> float:
        plus_y = spans[-1][1] - 1.05
        arrow(ax, (cx, spans[-1][1] - 0.04), (cx, plus_y + 0.32))
        _circle_plus(ax, cx, plus_y)
        arrow(ax, (cx, plus_y - 0.32), (cx, plus_y - 1.0))
        ax.text(cx, plus_y - 1.3, f"输出 {channels_out} 通道", ha="center", va="center", fontsize=10)
        sx = cx + side * (w / 2 + 1.3)
        y_from = (spans[0][0] + spans[0][1]) / 2
        ax.plot([cx + side * (w / 2 + 0.45), sx, sx], [y_from, y_from, plus_y], color=RED, lw=1.6)
        arrow(ax, (sx, plus_y), (cx + side * 0.33, plus_y), color=RED, lw=1.6)
        ax.text(sx - side * 0.2, (y_from + plus_y) / 2, "捷径", ha="center", va="center", fontsize=10, color=RED, rotation=90)
        return sx

    lx, rx = 6.3, 16.5
    left_ch = BOTTLENECK_CHANNELS
    right_ch = inverted_residual_channels()
    expansion = right_ch[1] // right_ch[0]
    # Left block: shortcut on the outer (left) side, channel labels towards the middle; mirrored on the right.
    spans_l = tower(lx, left_ch, ["1×1 卷积（压缩）", "3×3 卷积", "1×1 卷积（扩张）"], ["", "ReLU", "ReLU", ""], FILL["blue"], BLUE, +1)
    spans_r = tower(rx, right_ch, [f"1×1 扩张 ×{expansion}", "3×3 深度卷积", "1×1 压缩"], ["", "(ReLU6)", "(ReLU6)", "线性，无激活"], FILL["orange"], ORANGE, -1)
    sx_l = shortcut(lx, spans_l, -1, left_ch[-1])
    sx_r = shortcut(rx, spans_r, +1, right_ch[-1])

    ax.text(lx, 15.1, "ResNet 瓶颈块", ha="center", va="center", fontsize=12.5)
    ax.text(lx, 14.3, f"两头宽（{left_ch[0]}）、中间窄（{left_ch[1]}）：先压缩再扩张", ha="center", va="center", fontsize=9.5, color=BLUE)
    ax.text(rx, 15.1, "MobileNet v2 倒残差块", ha="center", va="center", fontsize=12.5)
    ax.text(rx, 14.3, f"两头窄（{right_ch[0]}）、中间宽（{right_ch[1]}）：先扩张再压缩", ha="center", va="center", fontsize=9.5, color=ORANGE)
    # Brackets on the outer sides name the ends and the middle.
    bl = sx_l - 0.9
    _bracket(ax, bl, spans_l[0][0], spans_l[0][1], "宽端", BLUE, -1)
    _bracket(ax, bl, spans_l[1][0], spans_l[2][1], "窄的中间", BLUE, -1)
    _bracket(ax, bl, spans_l[3][0], spans_l[3][1], "宽端", BLUE, -1)
    br = sx_r + 0.9
    _bracket(ax, br, spans_r[0][0] + 0.12, spans_r[0][1] - 0.12, "窄端", ORANGE, +1)
    _bracket(ax, br, spans_r[1][0], spans_r[2][1], "宽的中间", ORANGE, +1)
    _bracket(ax, br, spans_r[3][0] + 0.12, spans_r[3][1] - 0.12, "窄端", ORANGE, +1)
    ax.text(11.4, 0.3, "板的厚度 ∝ 通道数（两边同一比例）", ha="center", va="bottom", fontsize=9, color=GREY)
    return fig
