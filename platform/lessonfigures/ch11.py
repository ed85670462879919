"""Chapter 11 figures: one-hot vs embeddings, the unrolled RNN, the LSTM cell, the text model.

The numbers printed here are computed: the 2-D projection of the word vectors is a PCA done with
NumPy's SVD, and the text model's shapes and parameter counts come from the Keras formulas
(Dense through the model builder's calculator); the tests compare them with a built Keras model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, Rectangle

from modelspec.calculator import LayerCalc, layer_compute, shape_text

from .registry import FigureContext, figure
from .style import BLACK, BLUE, FILL, GREEN, GREY, LIGHT_GREY, ORANGE, arrow, blank, box, diagram, matrix, note

# ---------------------------------------------------------------- one-hot and embeddings

VOCAB_SIZE = 10000
WORD_IDS: dict[str, int] = {"猫": 3, "狗": 7, "汽车": 15, "卡车": 42, "苹果": 99}
EMBEDDINGS: dict[str, tuple[float, float, float, float]] = {
    "猫": (0.8, 0.1, -0.3, 0.5),
    "狗": (0.7, 0.2, -0.2, 0.6),
    "汽车": (-0.6, 0.9, 0.4, -0.1),
    "卡车": (-0.5, 0.8, 0.5, -0.2),
    "苹果": (0.1, -0.7, 0.9, 0.3),
}


def onehot_prefix(index: int, shown: int = 12) -> tuple[list[int], bool]:
    """The first ``shown`` entries of a one-hot vector, and whether its 1 lies beyond them."""
    return [1 if i == index else 0 for i in range(shown)], index >= shown


def pca_2d(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto the first two principal components (centred SVD).

    Returns (coordinates n × 2, explained variance ratio of the two components). Each component's
    sign is fixed so that its largest-magnitude loading is positive, making the picture deterministic.
    """
    centred = vectors - vectors.mean(axis=0)
    _u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    ratio = singular**2 / np.sum(singular**2)
    return centred @ components.T, ratio[:2]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def nearest_neighbours(points: np.ndarray, names: Sequence[str]) -> dict[str, str]:
    """Each name's nearest other name (Euclidean distance)."""
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    np.fill_diagonal(dist, np.inf)
    return {names[i]: names[int(dist[i].argmin())] for i in range(len(names))}


# ---------------------------------------------------------------- the text classification model


def embedding_params(input_dim: int, output_dim: int) -> int:
    """A lookup table: one output_dim vector per vocabulary entry, no bias."""
    return input_dim * output_dim


def lstm_params(units: int, input_dim: int) -> int:
    """Four gates, each with input weights, recurrent weights and a bias: 4·u·(u + d + 1)."""
    return 4 * units * (units + input_dim + 1)


@dataclass(frozen=True)
class ModelRow:
    layer: str
    output_shape: tuple[int, ...]  # per sample, without the batch axis
    params: int
    formula: str


def text_model_rows(vocab: int = VOCAB_SIZE, seq_len: int = 200, embed_dim: int = 64, units: int = 32) -> list[ModelRow]:
    """Layer-by-layer shapes and parameter counts of the lesson's Embedding → LSTM → Dense model."""
    dense = layer_compute("Dense", {"units": 1, "use_bias": True, "activation": "sigmoid"}, (units,))
    assert isinstance(dense, LayerCalc)
    return [
        ModelRow("TextVectorization", (seq_len,), 0, "0（词表是查找表，不是可训练参数）"),
        ModelRow(f"Embedding({vocab}, {embed_dim})", (seq_len, embed_dim), embedding_params(vocab, embed_dim), f"{vocab} × {embed_dim}"),
        ModelRow(f"LSTM({units})", (units,), lstm_params(units, embed_dim), f"4 × {units} × ({units} + {embed_dim} + 1)"),
        ModelRow("Dense(1, sigmoid)", dense.output_shape, dense.trainable, f"{units} + 1"),
    ]


# ---------------------------------------------------------------- helpers


def _node(ax: Axes, x: float, y: float, text: str, r: float = 0.42, fill: str = "white", fontsize: float = 17) -> None:
    """A pointwise-operation circle (× or +) as in LSTM diagrams."""
    ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor=BLACK, lw=1.3, zorder=4))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)


def _line(ax: Axes, points: Sequence[tuple[float, float]], *, head: bool = True, color: str = BLACK, lw: float = 1.5) -> None:
    """A right-angled connector, with an arrow head on its last segment when ``head``."""
    xs, ys = zip(*points)
    if head:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, zorder=2, solid_capstyle="butt")
        arrow(ax, points[-2], points[-1], color=color, lw=lw)
    else:
        ax.plot(xs, ys, color=color, lw=lw, zorder=2, solid_capstyle="butt")


# ---------------------------------------------------------------- figures


def _signed(v: float) -> str:
    return f"{v:+.1f}".replace("-", "−")


@figure("ch11-onehot-vs-embedding")
def onehot_vs_embedding(ctx: FigureContext) -> Figure:
    words = list(WORD_IDS)
    fig = plt.figure(figsize=(12, 6.6))
    left = fig.add_axes((0.0, 0.0, 0.5, 1.0))
    left.set_xlim(-1.8, 18.6)
    left.set_ylim(-5.6, 8.6)
    blank(left)
    shown = 12
    rows, beyond = zip(*(onehot_prefix(WORD_IDS[w], shown) for w in words))
    fills = [[FILL["orange"] if v else None for v in row] for row in rows]
    left.text(8.3, 7.9, f"one-hot 编码（词表大小 {VOCAB_SIZE}）", ha="center", va="center", fontsize=12)
    for j in range(shown):
        left.text(j + 0.5, 6.35, str(j), ha="center", va="center", fontsize=8.5, color=GREY)
    left.text(shown + 1.1, 6.35, "…", ha="center", va="center", fontsize=9, color=GREY)
    left.text(shown + 2.9, 6.35, str(VOCAB_SIZE - 1), ha="center", va="center", fontsize=8.5, color=GREY)
    matrix(left, rows, 0, 6.0, fills=fills, fontsize=10)
    for i, (word, far) in enumerate(zip(words, beyond)):
        y = 6.0 - i - 0.5
        left.text(-0.3, y, word, ha="right", va="center", fontsize=11)
        left.add_patch(Rectangle((shown, y - 0.5), 2.2, 1, facecolor=FILL["orange"] if far else "white", edgecolor=BLACK, lw=1.0))
        left.text(shown + 1.1, y, "…1…" if far else "…", ha="center", va="center", fontsize=10)
        left.add_patch(Rectangle((shown + 2.2, y - 0.5), 1.4, 1, facecolor="white", edgecolor=BLACK, lw=1.0))
        left.text(shown + 2.9, y, "0", ha="center", va="center", fontsize=10)
        left.text(shown + 3.85, y, f"编号 {WORD_IDS[word]}", ha="left", va="center", fontsize=9, color=GREY)
    left.annotate("", xy=(0, 0.55), xytext=(shown + 3.6, 0.55), arrowprops={"arrowstyle": "<->", "color": BLACK, "lw": 1})
    left.text((shown + 3.6) / 2, 0.25, f"{VOCAB_SIZE} 维：每行只有一个 1，其余都是 0", ha="center", va="top", fontsize=10)
    # Cosine similarities make the contrast concrete: one-hot rows are all orthogonal.
    vectors = np.array([EMBEDDINGS[w] for w in words])
    onehot = np.zeros((len(words), VOCAB_SIZE))
    onehot[np.arange(len(words)), [WORD_IDS[w] for w in words]] = 1.0
    pairs = (("猫", "狗"), ("猫", "汽车"), ("汽车", "卡车"))
    left.text(-1.2, -1.3, "余弦相似度", ha="left", va="center", fontsize=10.5)
    left.text(7.0, -1.3, "one-hot", ha="center", va="center", fontsize=10, color=GREY)
    left.text(11.5, -1.3, "词嵌入", ha="center", va="center", fontsize=10, color=GREY)
    for k, (a, b) in enumerate(pairs):
        y = -2.3 - 0.95 * k
        i, j = words.index(a), words.index(b)
        left.text(-1.2, y, f"{a} 与 {b}", ha="left", va="center", fontsize=10)
        left.text(7.0, y, f"{cosine(onehot[i], onehot[j]):.2f}", ha="center", va="center", fontsize=10)
        left.text(11.5, y, f"{cosine(vectors[i], vectors[j]):.2f}".replace("-", "−"), ha="center", va="center", fontsize=10, color=BLUE)
    left.text(-1.2, -5.3, "one-hot 的任意两行都正交，看不出“猫”和“狗”更相近", ha="left", va="center", fontsize=9.5, color=GREY)

    # Right, top: the dense 4-dimensional vectors, cells coloured by value.
    right = fig.add_axes((0.53, 0.56, 0.45, 0.44))
    right.set_xlim(-2.0, 6.8)
    right.set_ylim(-0.9, 7.0)
    blank(right)
    cmap = plt.get_cmap("RdBu_r")
    fills4 = [[to_hex(cmap(0.5 + 0.4 * v)) for v in row] for row in vectors]
    right.text(2.4, 6.6, "词嵌入（4 维稠密向量）", ha="center", va="center", fontsize=12)
    for j in range(4):
        right.text(0.6 + j * 1.2, 5.75, f"维度 {j + 1}", ha="center", va="center", fontsize=8.5, color=GREY)
    matrix(right, [[_signed(v) for v in row] for row in vectors], 0, 5.4, cell=1.2, fills=fills4, fontsize=10)
    for i, word in enumerate(words):
        right.text(-0.3, 5.4 - 1.2 * i - 0.6, word, ha="right", va="center", fontsize=11)

    # Right, bottom: PCA of the five vectors.
    coords, ratio = pca_2d(vectors)
    ax = fig.add_axes((0.6, 0.08, 0.32, 0.4))
    groups = {"猫": ORANGE, "狗": ORANGE, "汽车": BLUE, "卡车": BLUE, "苹果": GREEN}
    offsets = {"猫": (8, -4), "狗": (-8, 6), "汽车": (-8, 6), "卡车": (8, -6), "苹果": (8, 0)}
    for (x, y), word in zip(coords, words):
        ax.plot(x, y, "o", color=groups[word], ms=8)
        dx, dy = offsets[word]
        ax.annotate(word, (x, y), (dx, dy), textcoords="offset points", fontsize=10.5, ha="left" if dx > 0 else "right", va="center")
    for a, b in (("猫", "狗"), ("汽车", "卡车")):
        pa, pb = coords[words.index(a)], coords[words.index(b)]
        ax.plot([pa[0], pb[0]], [pa[1], pb[1]], color=GREY, lw=1, ls="--")
    ax.set_xlabel(f"主成分 1（{ratio[0]:.0%} 方差）", fontsize=9)
    ax.set_ylabel(f"主成分 2（{ratio[1]:.0%} 方差）", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.2)
    ax.set_title("PCA 投影到二维：相近的词靠在一起", fontsize=10)
    ax.grid(True, color=LIGHT_GREY, lw=0.6)
    ax.set_axisbelow(True)
    return fig


@figure("ch11-rnn-unrolled")
def rnn_unrolled(ctx: FigureContext) -> Figure:
    fig, ax = diagram(24.5, 8.6, scale=0.48)
    bw, bh, y = 2.4, 1.5, 4.3
    # Folded form: one cell with a loop.
    cx = 2.6
    box(ax, cx, y, bw, bh, "RNN 单元", fill=FILL["blue"], fontsize=10.5)
    arrow(ax, (cx, 1.8), (cx, y - bh / 2), "", head=12)
    ax.text(cx, 1.55, "$x_t$", ha="center", va="top", fontsize=13)
    arrow(ax, (cx, y + bh / 2), (cx, 6.9), head=12)
    ax.text(cx, 7.05, "$h_t$", ha="center", va="bottom", fontsize=13)
    # The state leaves the cell and comes back in at the next step.
    loop = FancyArrowPatch((cx + bw / 2, y + 0.5), (cx + bw / 2, y - 0.5), connectionstyle="arc,angleA=0,angleB=0,armA=34,armB=34,rad=10", arrowstyle="-|>", mutation_scale=12, color=BLACK, lw=1.4, shrinkA=0, shrinkB=0)
    ax.add_patch(loop)
    ax.text(cx + bw / 2 + 1.2, y, "$h_{t-1}$", ha="left", va="center", fontsize=13)
    ax.text(6.7, y, "=", ha="center", va="center", fontsize=26)
    # Unrolled: four copies sharing W, U, b.
    xs = [10.0, 14.0, 18.0, 22.0]
    ax.text(7.7, y, "$h_0$", ha="center", va="center", fontsize=13)
    arrow(ax, (8.15, y), (xs[0] - bw / 2, y), head=12)
    for t, x in enumerate(xs, start=1):
        box(ax, x, y, bw, bh, "W, U, b", fill=FILL["blue"], fontsize=10.5)
        ax.text(x, y - bh / 2 - 0.1, f"t = {t}", ha="center", va="top", fontsize=8.5, color=GREY)
        arrow(ax, (x, 1.8), (x, y - bh / 2 - 0.5), head=12)
        ax.text(x, 1.55, f"$x_{t}$", ha="center", va="top", fontsize=13)
        arrow(ax, (x, y + bh / 2), (x, 6.9), head=12)
        ax.text(x, 7.05, f"$h_{t}$", ha="center", va="bottom", fontsize=13)
        if t < len(xs):
            arrow(ax, (x + bw / 2, y), (xs[t] - bw / 2, y), head=12)
            ax.text((x + xs[t]) / 2, y + 0.15, f"$h_{t}$", ha="center", va="bottom", fontsize=11)
    ax.text(12.25, 0.45, r"$h_t = \tanh(W x_t + U h_{t-1} + b)$     每个时间步用的是同一组 W、U、b", ha="center", va="center", fontsize=12)
    return fig


@figure("ch11-lstm-cell")
def lstm_cell(ctx: FigureContext) -> Figure:
    fig, ax = diagram(21.0, 13.4, scale=0.54)
    ytop, ybus, ygate = 9.6, 2.6, 4.7
    ax.add_patch(Rectangle((2.3, 1.5), 15.2, 9.6, facecolor="#F6F6F6", edgecolor=GREY, lw=1.2, zorder=0))
    ax.text(2.5, 10.85, "LSTM 单元", ha="left", va="top", fontsize=10, color=GREY)
    # The cell state: a straight conveyor belt across the top.
    fx, px, ox = 5.9, 10.3, 14.3
    _line(ax, [(0.7, ytop), (fx - 0.42, ytop)])
    _line(ax, [(fx + 0.42, ytop), (px - 0.42, ytop)])
    _line(ax, [(px + 0.42, ytop), (20.0, ytop)])
    ax.text(0.6, ytop + 0.3, "$c_{t-1}$", ha="left", va="bottom", fontsize=13)
    ax.text(20.0, ytop + 0.3, "$c_t$", ha="right", va="bottom", fontsize=13)
    ax.text((fx + px) / 2, ytop + 0.25, "细胞状态（传送带）", ha="center", va="bottom", fontsize=9, color=GREY)
    _node(ax, fx, ytop, "×")
    _node(ax, px, ytop, "+")
    # Inputs: h_{t-1} from the left and x_t from below meet on the bus.
    jx = 3.7
    _line(ax, [(0.7, ybus), (jx, ybus)], head=False)
    ax.text(0.6, ybus + 0.2, "$h_{t-1}$", ha="left", va="bottom", fontsize=13)
    _line(ax, [(jx, 0.2), (jx, ybus)], head=False)
    ax.text(jx + 0.2, 0.35, "$x_t$", ha="left", va="bottom", fontsize=13)
    ax.plot([jx], [ybus], "o", color=BLACK, ms=5, zorder=3)
    ax.text(jx + 0.15, ybus - 0.2, "$[h_{t-1}, x_t]$", ha="left", va="top", fontsize=9.5)
    gates = [(fx, "σ", "遗忘门", FILL["red"]), (8.1, "σ", "输入门", FILL["green"]), (px, "tanh", "候选记忆", FILL["orange"]), (12.5, "σ", "输出门", FILL["blue"])]
    ax.plot([jx, 12.5], [ybus, ybus], color=BLACK, lw=1.5, zorder=2)
    for gx, act, name, fill in gates:
        _line(ax, [(gx, ybus), (gx, ygate - 0.7)])
        box(ax, gx, ygate, 1.8, 1.4, "", fill=fill, fontsize=11)
        ax.text(gx, ygate + 0.28, act, ha="center", va="center", fontsize=12)
        ax.text(gx, ygate - 0.33, name, ha="center", va="center", fontsize=9)
    # Forget gate scales the old state.
    _line(ax, [(fx, ygate + 0.7), (fx, ytop - 0.42)])
    ax.text(fx - 0.15, 7.3, "$f_t$", ha="right", va="center", fontsize=13)
    # Input gate × candidate, added to the state.
    mx, my = px, 7.0
    _line(ax, [(8.1, ygate + 0.7), (8.1, my), (mx - 0.42, my)])
    ax.text(8.0, 6.15, "$i_t$", ha="right", va="center", fontsize=13)
    _line(ax, [(px, ygate + 0.7), (px, my - 0.42)])
    ax.text(px + 0.15, 5.95, r"$\tilde{c}_t$", ha="left", va="center", fontsize=13)
    _node(ax, mx, my, "×")
    _line(ax, [(mx, my + 0.42), (px, ytop - 0.42)])
    # Output: o_t × tanh(c_t) gives h_t, which leaves to the right and upwards.
    hy = 6.2
    ax.plot([ox, ox], [ytop, 8.55], color=BLACK, lw=1.5, zorder=2)
    ax.add_patch(Ellipse((ox, 8.15), 1.5, 0.8, facecolor=FILL["orange"], edgecolor=BLACK, lw=1.2, zorder=4))
    ax.text(ox, 8.15, "tanh", ha="center", va="center", fontsize=10.5, zorder=5)
    _line(ax, [(ox, 7.75), (ox, hy + 0.42)])
    _line(ax, [(12.5, ygate + 0.7), (12.5, hy), (ox - 0.42, hy)])
    ax.text(12.4, 5.85, "$o_t$", ha="right", va="center", fontsize=13)
    _node(ax, ox, hy, "×")
    hx = 16.3
    ax.plot([ox + 0.42, hx], [hy, hy], color=BLACK, lw=1.5, zorder=2)
    _line(ax, [(hx, hy), (hx, ybus), (20.0, ybus)])
    # h_t passes over the cell-state line: a white halo shows it is a crossing, not a junction.
    ax.plot([hx, hx], [hy, 11.9], color=BLACK, lw=1.5, zorder=3, path_effects=[patheffects.Stroke(linewidth=6, foreground="#F6F6F6"), patheffects.Normal()])
    arrow(ax, (hx, 11.8), (hx, 12.3))
    ax.plot([hx], [hy], "o", color=BLACK, ms=5, zorder=3)
    ax.text(20.0, ybus + 0.2, "$h_t$", ha="right", va="bottom", fontsize=13)
    ax.text(hx + 0.2, 12.3, "$h_t$", ha="left", va="top", fontsize=13)
    ax.text(10.0, -0.45, r"$c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t$        $h_t = o_t \odot \tanh(c_t)$", ha="center", va="center", fontsize=12)
    ax.set_ylim(-1.0, 13.4)
    return fig


@figure("ch11-text-model")
def text_model(ctx: FigureContext) -> Figure:
    rows = text_model_rows()
    total = sum(r.params for r in rows)
    seq_len, embed_dim = rows[1].output_shape
    units = rows[2].output_shape[0]
    rng = np.random.default_rng(ctx.seed + 11)
    fig, ax = diagram(25.0, 24.0, scale=0.44)
    lx, px, sx = 3.3, 11.6, 19.3  # columns: layer names, data pictures, shapes and parameters

    def layer(y: float, name: str, fill: str, until: float = px - 0.15) -> None:
        """A layer's name on the left, with a dotted leader to the arrow or picture that is the layer."""
        box(ax, lx, y, 5.6, 1.3, name, fill=fill, fontsize=10.5)
        ax.plot([lx + 2.8, until], [y, y], color=GREY, lw=0.8, ls=":")

    def info(y: float, row: ModelRow | None, shape: str, extra: str = "") -> None:
        ax.text(sx, y + 0.35, shape, ha="left", va="center", fontsize=10.5)
        if row is not None:
            params = f"参数 {row.params:,}" + (f" = {row.formula}" if row.params else "")
            ax.text(sx, y - 0.45, params, ha="left", va="center", fontsize=9.5, color=BLUE if row.params else GREY)
        if extra:
            ax.text(sx, y - 0.85, extra, ha="left", va="top", fontsize=8.5, color=GREY, linespacing=1.4)

    ax.text(px, 23.4, "数据", ha="center", va="center", fontsize=10, color=GREY)
    ax.text(lx, 23.4, "层", ha="center", va="center", fontsize=10, color=GREY)
    ax.text(sx, 23.4, "输出形状 / 参数", ha="left", va="center", fontsize=10, color=GREY)
    # 1. The raw review.
    y = 21.9
    box(ax, px, y, 7.2, 1.2, "“这部电影非常好看……”", fill="white", fontsize=11)
    info(y, None, "一条字符串")
    arrow(ax, (px, y - 0.65), (px, 19.85))
    layer(20.6, rows[0].layer, FILL["grey"])
    # 2. Integer ids, padded with zeros to the sequence length.
    y = 18.7
    ids = ["57", "203", "18", "96", "0", "0", "0", "…", "0"]
    tokens = ["这部", "电影", "非常", "好看", "", "", "", "", ""]
    cell = 0.95
    x0 = px - len(ids) * cell / 2
    for k, (v, tok) in enumerate(zip(ids, tokens)):
        ax.add_patch(Rectangle((x0 + k * cell, y - 0.45), cell, 0.9, facecolor=FILL["orange"] if tok else "white", edgecolor=BLACK, lw=0.9))
        ax.text(x0 + (k + 0.5) * cell, y, v, ha="center", va="center", fontsize=9)
        if tok:
            ax.text(x0 + (k + 0.5) * cell, y + 0.55, tok, ha="center", va="bottom", fontsize=8, color=GREY)
    ax.annotate("", xy=(x0, y - 0.75), xytext=(x0 + len(ids) * cell, y - 0.75), arrowprops={"arrowstyle": "<->", "lw": 0.9})
    ax.text(px, y - 0.9, f"长度 {seq_len}（不足补 0）", ha="center", va="top", fontsize=8.5)
    info(y, rows[0], shape_text(rows[0].output_shape), "整数编号")
    arrow(ax, (px, 17.3), (px, 16.0))
    layer(16.65, rows[1].layer, FILL["purple"])
    # 3. The embedded sequence: one 64-vector per position; the padding positions share one vector.
    y_top, height, width = 15.6, 2.9, 9.0
    values = rng.normal(0, 0.45, (embed_dim, seq_len))
    values[:, 4:] = values[:, [4]]
    ax.imshow(values, extent=(px - width / 2, px + width / 2, y_top - height, y_top), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest", zorder=2)
    ax.add_patch(Rectangle((px - width / 2, y_top - height), width, height, fill=False, edgecolor=BLACK, lw=0.9, zorder=3))
    ax.text(px - width / 2 - 0.2, y_top - height / 2, f"{embed_dim} 维", ha="right", va="center", fontsize=8.5)
    ax.text(px, y_top - height - 0.15, f"{seq_len} 个时间步（每列是一个词的向量）", ha="center", va="top", fontsize=8.5)
    info(y_top - height / 2, rows[1], shape_text(rows[1].output_shape), f"{seq_len}×{embed_dim} 的矩阵\n第 5～{seq_len} 列都是编号 0 的向量")
    arrow(ax, (px, 12.0), (px, 10.55))
    # 4. The LSTM as a chain of cells; only the last state leaves the layer.
    y = 10.0
    steps = ["1", "2", "3", "…", f"{seq_len - 1}", f"{seq_len}"]
    cxs = np.linspace(px - 3.4, px + 3.4, len(steps))
    layer(y, rows[2].layer, FILL["blue"], until=cxs[0] - 0.6)
    for k, (cx, t) in enumerate(zip(cxs, steps)):
        if t == "…":
            ax.text(cx, y, "…", ha="center", va="center", fontsize=12)
            continue
        box(ax, cx, y, 1.0, 0.95, "", fill=FILL["blue"], fontsize=8)
        ax.text(cx, y + 0.6, f"t={t}", ha="center", va="bottom", fontsize=8, color=GREY)
        if k + 1 < len(steps):
            arrow(ax, (cx + 0.5, y), (cxs[k + 1] - 0.5 if steps[k + 1] != "…" else cxs[k + 1] - 0.3, y), head=7, lw=1.0)
        if k > 0 and steps[k - 1] == "…":
            arrow(ax, (cxs[k - 1] + 0.3, y), (cx - 0.5, y), head=7, lw=1.0)
    ax.text(cxs[0] - 0.5, y - 0.75, "每一步更新状态；中间各步的输出不传给下一层", ha="left", va="top", fontsize=8.5, color=GREY)
    info(y, rows[2], shape_text(rows[2].output_shape), f"只输出最后一步的状态 h（{units} 维）")
    # 5. The last state, a 32-vector.
    y = 7.6
    w = 0.22
    vx0 = cxs[-1] + 0.25 - units * w
    arrow(ax, (cxs[-1], 9.5), (cxs[-1], y + 0.32))
    vec = rng.uniform(-1, 1, units)
    for k, v in enumerate(vec):
        ax.add_patch(Rectangle((vx0 + k * w, y - 0.3), w, 0.6, facecolor=plt.get_cmap("RdBu_r")(0.5 + 0.45 * v), edgecolor=BLACK, lw=0.4))
    ax.text(vx0 - 0.2, y, f"h（{units} 维）", ha="right", va="center", fontsize=9)
    arrow(ax, (px, y - 0.32), (px, 5.75))
    # 6. Dense(1, sigmoid) → probability.
    y = 5.1
    layer(y, rows[3].layer, FILL["green"], until=px - 0.65)
    ax.add_patch(Circle((px, y), 0.62, facecolor=FILL["green"], edgecolor=BLACK, lw=1.1))
    ax.text(px, y, "σ", ha="center", va="center", fontsize=12)
    info(y, rows[3], shape_text(rows[3].output_shape))
    arrow(ax, (px, y - 0.65), (px, 3.45))
    box(ax, px, 2.85, 4.6, 1.1, "正面概率 0.93", fill=FILL["yellow"], fontsize=11)
    terms = " + ".join(f"{r.params:,}" for r in rows if r.params)
    ax.text(12.5, 1.35, f"合计参数 {terms} = {total:,}", ha="center", va="center", fontsize=12)
    note(fig, "词编号和输出概率为示意；中文要先分词（用空格隔开）再交给 TextVectorization。")
    return fig
