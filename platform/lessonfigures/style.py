"""Shared look and drawing helpers for lesson figures.

Every figure uses the same CJK-capable font, palette and helpers, so the chapters look like one
book. Coordinates in the diagram helpers are data units of an axis made by :func:`diagram`
(x to the right, y upwards, equal aspect), so a 1×1 cell is a square on the page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on workers or CI

import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

# Families tried in order; the first one present is the main font, DejaVu Sans (bundled with
# matplotlib) fills in symbols such as ⊙ ✗ ⌊ ⌈ that the CJK fonts lack.
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "AR PL UMing CN", "AR PL UKai CN")
FONT_PACKAGES_HINT = "sudo apt-get install fonts-wqy-microhei (or fonts-noto-cjk)"

# One palette for the whole course (colour-blind friendly Okabe–Ito, plus greys).
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#222222"
GREY = "#9E9E9E"
LIGHT_GREY = "#E6E6E6"
PALETTE = (BLUE, ORANGE, GREEN, RED, PURPLE, SKY, YELLOW)
# Pale fills for boxes (same hues, mixed with white).
FILL = {"blue": "#D6E9F8", "orange": "#FBECCB", "green": "#CCEFE5", "red": "#F8DCCB", "purple": "#F3DDEA", "grey": "#EEEEEE", "yellow": "#FBF8D0", "sky": "#DDF0FB"}

DPI = 110


class FontMissing(RuntimeError):
    """No font with Chinese glyphs is installed, so labels would render as empty boxes."""


@functools.cache
def cjk_family() -> str:
    """The installed CJK font family used for every label; raises FontMissing if there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    # A new font installed after matplotlib built its cache: look again once.
    for path in font_manager.findSystemFonts():
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise FontMissing(f"No Chinese font found (tried {', '.join(CJK_FAMILIES)}): {FONT_PACKAGES_HINT}")


def style_apply() -> None:
    """Set matplotlib's global style; called before every figure is drawn."""
    plt.rcdefaults()
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [cjk_family(), "DejaVu Sans"],
            "axes.unicode_minus": False,  # CJK fonts lack U+2212; a hyphen reads fine
            "mathtext.fontset": "dejavusans",
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
            "legend.frameon": False,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "image.cmap": "gray",
            "svg.hashsalt": "dlc",
        }
    )


def canvas(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[Figure, np.ndarray]:
    """A figure (size in inches) with a grid of ordinary plot axes; always returns a 2-D array of axes."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained", **subplot_kw)
    return fig, axes


def diagram(width: float, height: float, scale: float = 0.5) -> tuple[Figure, Axes]:
    """A blank drawing area ``width`` × ``height`` data units (each unit ``scale`` inches), no axes."""
    fig = plt.figure(figsize=(max(width * scale, 1.0), max(height * scale, 1.0)))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def blank(ax: Axes) -> Axes:
    """Turn an ordinary axis into a drawing area (no ticks or frame, equal aspect)."""
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def box(
    ax: Axes,
    cx: float,
    cy: float,
    w: float,
    h: float,
    text: str = "",
    *,
    fill: str = FILL["blue"],
    edge: str = BLACK,
    dashed: bool = False,
    fontsize: float = 10,
    color: str = BLACK,
    rounded: bool = True,
    lw: float = 1.2,
    **text_kw,
) -> FancyBboxPatch:
    """A box centred on (cx, cy) with centred (multi-line) text."""
    pad = min(w, h) * 0.08 if rounded else 0.0
    patch = FancyBboxPatch(
        (cx - w / 2 + pad, cy - h / 2 + pad),
        w - 2 * pad,
        h - 2 * pad,
        boxstyle=f"round,pad={pad}" if rounded else "square,pad=0",
        facecolor=fill,
        edgecolor=edge,
        linestyle="--" if dashed else "-",
        linewidth=lw,
    )
    ax.add_patch(patch)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize, color=color, **text_kw)
    return patch


def arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    text: str = "",
    *,
    color: str = BLACK,
    lw: float = 1.3,
    dashed: bool = False,
    curve: float = 0.0,
    fontsize: float = 9,
    text_offset: tuple[float, float] = (0.0, 0.25),
    head: float = 10,
) -> FancyArrowPatch:
    """An arrow from start to end, optionally bent (``curve`` = arc3 radius) and labelled at its middle."""
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=head,
        color=color,
        linewidth=lw,
        linestyle="--" if dashed else "-",
        connectionstyle=f"arc3,rad={curve}",
        shrinkA=1,
        shrinkB=1,
    )
    ax.add_patch(patch)
    if text:
        mx = (start[0] + end[0]) / 2 + text_offset[0]
        my = (start[1] + end[1]) / 2 + text_offset[1]
        ax.text(mx, my, text, ha="center", va="bottom", fontsize=fontsize, color=color)
    return patch


def matrix(
    ax: Axes,
    values: Sequence[Sequence[object]] | np.ndarray,
    x: float,
    y: float,
    *,
    cell: float = 1.0,
    fmt: str = "{:g}",
    fills: Sequence[Sequence[str | None]] | None = None,
    fill: str = "white",
    dashed: Sequence[Sequence[bool]] | None = None,
    fontsize: float = 10,
    text_colors: Sequence[Sequence[str]] | None = None,
    title: str = "",
    title_size: float = 10,
    lw: float = 1.0,
) -> tuple[float, float, float, float]:
    """Draw a grid of numbers with its top-left corner at (x, y); row 0 at the top.

    ``values`` may hold numbers (formatted with ``fmt``), strings, or None (empty cell).
    ``fills`` / ``dashed`` / ``text_colors`` give per-cell overrides. Returns the grid's
    bounding box (left, bottom, right, top) so callers can place arrows next to it.
    """
    rows = [list(r) for r in values]
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            face = fills[i][j] if fills is not None and fills[i][j] else fill
            style = "--" if dashed is not None and dashed[i][j] else "-"
            ax.add_patch(Rectangle((x + j * cell, y - (i + 1) * cell), cell, cell, facecolor=face, edgecolor=BLACK, linewidth=lw, linestyle=style))
            if value is None or value == "":
                continue
            label = value if isinstance(value, str) else fmt.format(value)
            colour = text_colors[i][j] if text_colors is not None else BLACK
            ax.text(x + (j + 0.5) * cell, y - (i + 0.5) * cell, label, ha="center", va="center", fontsize=fontsize, color=colour)
    if title:
        ax.text(x + n_cols * cell / 2, y + 0.25 * cell, title, ha="center", va="bottom", fontsize=title_size)
    return x, y - n_rows * cell, x + n_cols * cell, y


def outline(ax: Axes, x: float, y: float, w: float, h: float, *, color: str = RED, lw: float = 2.2, dashed: bool = False, alpha: float = 1.0) -> Rectangle:
    """An unfilled rectangle with its top-left corner at (x, y) (use with :func:`matrix` cells)."""
    patch = Rectangle((x, y - h), w, h, fill=False, edgecolor=color, linewidth=lw, linestyle="--" if dashed else "-", alpha=alpha)
    ax.add_patch(patch)
    return patch


def illustrative(fig: Figure, text: str = "示意") -> None:
    """Stamp a figure whose numbers are made up to show a pattern (not a measured result)."""
    fig.text(0.995, 0.005, text, ha="right", va="bottom", fontsize=9, color=GREY, style="italic")


def note(fig: Figure, text: str) -> None:
    """A small grey footnote at the bottom-left (data source, assumptions)."""
    fig.text(0.005, 0.005, text, ha="left", va="bottom", fontsize=8, color=GREY)


def room_for_note(fig: Figure, fraction: float) -> None:
    """Keep constrained-layout axes above the bottom ``fraction`` of the figure, where note() writes."""
    fig.get_layout_engine().set(rect=(0, fraction, 1, 1 - fraction))


def vdots(ax: Axes, x: float, y: float, **kw) -> None:
    """A vertical ellipsis: the CJK font has no U+22EE, and a rotated "…" reads the same."""
    ax.text(x, y, "…", rotation=90, ha="center", va="center", **kw)


def sample_photo(name: str = "flower", *, grey: bool = False) -> np.ndarray:
    """One of scikit-learn's two bundled photos ('china' or 'flower', 427×640 RGB, uint8).

    With ``grey=True`` returns float32 luminance in [0, 1] (ITU-R 601 weights, as Pillow's "L").
    """
    from sklearn.datasets import load_sample_image

    image = load_sample_image(f"{name}.jpg")
    if not grey:
        return image
    return (image[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)) / 255.0


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize an RGB uint8 or a [0, 1] float greyscale array with Pillow's bilinear filter."""
    from PIL import Image

    if image.dtype == np.uint8:
        return np.asarray(Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR))
    as_image = Image.fromarray(image.astype(np.float32), mode="F")
    return np.asarray(as_image.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)


def image_files(folder: Path, limit: int | None = None) -> list[Path]:
    """Image files in a class folder, sorted by name (deterministic)."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})
    return files[:limit] if limit else files
