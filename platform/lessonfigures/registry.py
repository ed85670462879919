"""Name → drawing function for every platform-drawn lesson figure."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from matplotlib.figure import Figure

# Modules that register figures; importing them fills FIGURES.
CHAPTER_MODULES = ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09", "ch10", "ch11")


@dataclass(frozen=True)
class FigureContext:
    """What a drawing function may read: bundled data sets (may be absent) and a seed."""

    dataset_root: Path | None = None
    seed: int = 0

    def dataset_dir(self, slug: str) -> Path | None:
        if self.dataset_root is None:
            return None
        path = self.dataset_root / slug
        return path if path.is_dir() else None


@dataclass(frozen=True)
class FigureSpec:
    name: str
    draw: Callable[[FigureContext], Figure]
    module: str
    # True when drawing needs TensorFlow/Keras (slow import); the rest are NumPy + matplotlib only.
    needs_tensorflow: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)


FIGURES: dict[str, FigureSpec] = {}


def figure(name: str, *, needs_tensorflow: bool = False) -> Callable[[Callable[[FigureContext], Figure]], Callable[[FigureContext], Figure]]:
    """Register ``draw(ctx) -> Figure`` under the figure's name from figures.yaml."""

    def register(draw: Callable[[FigureContext], Figure]) -> Callable[[FigureContext], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure {name!r} registered twice ({FIGURES[name].module} and {draw.__module__})")
        FIGURES[name] = FigureSpec(name=name, draw=draw, module=draw.__module__, needs_tensorflow=needs_tensorflow)
        return draw

    return register


def figures_load() -> dict[str, FigureSpec]:
    """Import every chapter module (idempotent) and return the registry."""
    for module in CHAPTER_MODULES:
        importlib.import_module(f"lessonfigures.{module}")
    return FIGURES
