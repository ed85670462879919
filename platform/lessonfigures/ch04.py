"""Chapter 4 figures: linear regression, NumPy logistic regression, softmax regression on digits.

MNIST cannot be downloaded where figures are built, so the digit figures use scikit-learn's
bundled 8×8 digits (the platform's "digits-images" set) and say so on the figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from .registry import FigureContext, figure
from .style import BLUE, GREY, ORANGE, RED, canvas, image_files, note, room_for_note

# ---------------------------------------------------------------- linear regression


def linreg_run(steps: int = 500, lr: float = 0.01, seed: int = 0) -> dict[str, np.ndarray]:
    """The chapter's GradientTape procedure in NumPy: full-batch SGD on the MSE of y = 0.8x + 0.7.

    Returns ``x``, ``y`` (100 samples), ``loss`` (loss computed at steps 1..steps, before each
    update, as the lesson's loop records it) and ``w``, ``b`` (parameters after 0..steps updates).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 2.0, size=100)
    y = 0.8 * x + 0.7
    w = float(np.random.default_rng(seed).normal(0.0, 1.0))
    b = 0.0
    ws, bs, losses = [w], [b], []
    for _ in range(steps):
        err = w * x + b - y
        losses.append(np.mean(err**2))
        # d/dw mean(err²) = 2·mean(err·x), d/db = 2·mean(err): what tape.gradient returns.
        w, b = w - lr * 2 * np.mean(err * x), b - lr * 2 * np.mean(err)
        ws.append(w)
        bs.append(b)
    return {"x": x, "y": y, "loss": np.array(losses), "w": np.array(ws), "b": np.array(bs)}


def _shades(colour: str, n: int) -> list[tuple[float, float, float]]:
    """``n`` tints of ``colour`` from pale to full, so later steps read darker."""
    rgb = np.array(to_rgb(colour))
    return [tuple(1 - (1 - rgb) * t) for t in np.linspace(0.3, 1.0, n)]


@figure("ch04-linreg-progress")
def linreg_progress(ctx: FigureContext) -> Figure:
    run = linreg_run()
    fig, axes = canvas(10.5, 4.2, 1, 2)
    ax = axes[0, 0]
    steps = np.arange(1, len(run["loss"]) + 1)
    ax.semilogy(steps, run["loss"], color=BLUE, lw=2)
    ax.set_xlabel("训练步数 step")
    ax.set_ylabel("均方误差损失（对数坐标）")
    ax.set_title("损失随步数下降")
    ax.set_xlim(0, len(steps))
    ax.grid(True, which="major", color="#EEEEEE", lw=0.8)

    ax = axes[0, 1]
    ax.scatter(run["x"], run["y"], s=14, color=GREY, alpha=0.8, label="数据 y = 0.8x + 0.7", zorder=3)
    grid = np.linspace(run["x"].min() - 0.5, run["x"].max() + 0.5, 2)
    shown = (0, 20, 100, 500)
    for step, colour in zip(shown, _shades(RED, len(shown))):
        w, b = run["w"][step], run["b"][step]
        ax.plot(grid, w * grid + b, color=colour, lw=2, label=f"第 {step} 步：w = {w:.3f}，b = {b:.3f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("拟合直线逐步逼近数据")
    ax.legend(loc="upper left", fontsize=8.5)
    return fig


# ---------------------------------------------------------------- logistic regression (NumPy)


def logreg_data() -> tuple[np.ndarray, np.ndarray]:
    """Training set of the chapter in its (features, samples) layout: X (5, 350), Y (1, 350)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(n_samples=500, n_features=5, n_classes=2, random_state=0)
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.3, random_state=0)
    return x_train.T, y_train.reshape(1, -1)


def logreg_costs(X: np.ndarray, Y: np.ndarray, learning_rate: float, num_iterations: int = 2000, every: int = 100) -> np.ndarray:
    """The chapter's ``optimize`` loop from zero weights; the cost at iterations 0, every, 2·every, …"""
    m = X.shape[1]
    w = np.zeros((X.shape[0], 1))
    b = 0.0
    costs = []
    for i in range(num_iterations):
        A = 1.0 / (1.0 + np.exp(-(w.T @ X + b)))
        if i % every == 0:
            costs.append(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
        dZ = A - Y
        w = w - learning_rate * (X @ dZ.T) / m
        b = b - learning_rate * np.sum(dZ) / m
    return np.array(costs)


LOGREG_RATES = (0.1, 0.01, 0.0001)


@figure("ch04-logreg-costs")
def logreg_cost_curves(ctx: FigureContext) -> Figure:
    X, Y = logreg_data()
    fig, axes = canvas(8.5, 4.4)
    ax = axes[0, 0]
    for rate, colour, marker in zip(LOGREG_RATES, (BLUE, ORANGE, RED), ("o", "s", "^")):
        costs = logreg_costs(X, Y, rate)
        iterations = np.arange(len(costs)) * 100
        ax.plot(iterations, costs, color=colour, lw=2, marker=marker, ms=4, label=f"学习率 {rate:g}（最终代价 {costs[-1]:.3f}）")
    ax.axhline(np.log(2), color=GREY, lw=0.8, ls=":")
    ax.text(1950, np.log(2) - 0.004, "起点 ln 2 ≈ 0.693（参数全为 0）", ha="right", va="top", fontsize=9, color=GREY)
    ax.set_xlabel("迭代次数（每 100 次记录一次）")
    ax.set_ylabel("代价 J")
    ax.set_xlim(-50, 2000)
    ax.legend(loc="center right", fontsize=9)
    ax.grid(True, color="#EEEEEE", lw=0.8)
    return fig


# ---------------------------------------------------------------- digits (stand-in for MNIST)


DIGITS_NOTE = "图片来自 scikit-learn 自带的 8×8 手写数字（不是 MNIST；本平台无法联网下载 MNIST）"


def digits_first_per_class(folder: Path | None) -> list[np.ndarray]:
    """For each digit 0-9, the first image with that label, as a [0, 1] greyscale array.

    Reads the platform's bundled "digits-images" folder when present (files are numbered in
    data-set order), else scikit-learn's digits directly (the same images at 8×8).
    """
    if folder is not None:
        from PIL import Image

        images = []
        for digit in range(10):
            with Image.open(image_files(folder / str(digit))[0]) as image:
                images.append(np.asarray(image.convert("L"), dtype=np.float32) / 255.0)
        return images
    from sklearn.datasets import load_digits

    digits = load_digits()
    return [digits.images[np.flatnonzero(digits.target == d)[0]] / 16.0 for d in range(10)]


@figure("ch04-mnist-samples")
def mnist_samples(ctx: FigureContext) -> Figure:
    images = digits_first_per_class(ctx.dataset_dir("digits-images"))
    fig, axes = canvas(9, 3.9, 2, 5)
    for digit, (ax, image) in enumerate(zip(axes.flat, images)):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"标签 {digit}", fontsize=11)
        ax.axis("off")
    note(fig, DIGITS_NOTE)
    room_for_note(fig, 0.05)
    return fig


def digits_28() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1797 digits, upscaled to MNIST's 28×28 (Pillow bilinear) and scaled to [0, 1]."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    # Same 0..255 scaling as the bundled data set, so "/ 255" means what the lesson says.
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    big = np.stack([np.asarray(Image.fromarray(im).resize((28, 28), Image.Resampling.BILINEAR)) for im in images])
    return big.astype(np.float32) / 255.0, digits.target.astype(np.int64)


SOFTMAX_EPOCHS = 10
# Keras' default random initialisation leaves noise as large as the learned weights on this small
# data set (pixels that barely vary never move away from it); starting from zeros, which is fine
# for this convex model, the picture shows only what was learned from the data.
SOFTMAX_INIT = "zeros"
SOFTMAX_BATCH = 128


def softmax_train(x: np.ndarray, labels: np.ndarray, *, epochs: int = SOFTMAX_EPOCHS, batch_size: int = SOFTMAX_BATCH, seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """Train the lesson's Flatten + Dense(10, softmax) model (Adam, categorical cross-entropy, seeded).

    Returns the Dense kernel (784, 10), its bias (10,) and the last epoch's training accuracy.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=x.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax", kernel_initializer=SOFTMAX_INIT)])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, keras.utils.to_categorical(labels, 10), epochs=epochs, batch_size=batch_size, verbose=0)
    kernel, bias = model.layers[-1].get_weights()
    return kernel, bias, float(history.history["accuracy"][-1])


@figure("ch04-softmax-weights", needs_tensorflow=True)
def softmax_weights(ctx: FigureContext) -> Figure:
    x, labels = digits_28()
    kernel, _, accuracy = softmax_train(x, labels)
    limit = float(np.abs(kernel).max())
    fig, axes = canvas(10, 4.6, 2, 5)
    for digit, ax in enumerate(axes.flat):
        shown = ax.imshow(kernel[:, digit].reshape(28, 28), cmap="bwr", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(str(digit), fontsize=12)
        ax.axis("off")
    bar = fig.colorbar(shown, ax=axes, shrink=0.8, pad=0.02)
    bar.set_label("权重（红正、蓝负）")
    note(
        fig,
        f"Dense(10, softmax) 的权重 (784, 10)，每列排成 28×28。训练数据：scikit-learn 的 8×8 手写数字放大到 28×28"
        f"（1797 张，不是 MNIST）；\n"
        f"权重从 0 开始训练（Adam，{SOFTMAX_EPOCHS} 个 epoch，batch {SOFTMAX_BATCH}），训练准确率 {accuracy:.1%}",
    )
    room_for_note(fig, 0.09)
    return fig
