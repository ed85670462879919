"""Render registered figures to PNG files, skipping those already up to date."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # a few figures import TensorFlow; keep its start-up chatter out
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib import pyplot as plt

from . import style
from .registry import FigureContext, FigureSpec, figures_load

MANIFEST = "manifest.json"


class FigureBuildError(RuntimeError):
    pass


@dataclass
class FigureResult:
    name: str
    status: str  # "built" | "current" | "failed"
    seconds: float = 0.0
    width: int = 0
    height: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def figure_source_hash(spec: FigureSpec) -> str:
    """Changes when the figure's module or the shared style changes, so edits re-render."""
    digest = hashlib.sha256()
    for module_name in (spec.module, style.__name__, __name__):
        digest.update(inspect.getsource(importlib.import_module(module_name)).encode())
    return digest.hexdigest()[:16]


def _manifest_read(out_dir: Path) -> dict[str, str]:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _manifest_write(out_dir: Path, manifest: dict[str, str]) -> None:
    tmp = out_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, out_dir / MANIFEST)


def figure_render(spec: FigureSpec, ctx: FigureContext, path: Path) -> FigureResult:
    """Draw one figure and write it atomically to ``path``; glyph warnings are collected, not hidden."""
    started = time.perf_counter()
    style.style_apply()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = spec.draw(ctx)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            # Fixed metadata keeps the bytes identical between builds of the same source.
            fig.savefig(tmp, format="png", bbox_inches="tight", pad_inches=0.08, facecolor="white", metadata={"Software": None})
        finally:
            plt.close(fig)
    os.replace(tmp, path)
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    messages = sorted({str(w.message) for w in caught if "Glyph" in str(w.message) or "font" in str(w.message).lower()})
    return FigureResult(spec.name, "built", time.perf_counter() - started, width, height, messages)


def figures_build(out_dir: Path, ctx: FigureContext | None = None, *, names: list[str] | None = None, force: bool = False, progress=None) -> list[FigureResult]:
    """Render the figures (all, or ``names``) into ``out_dir``/NAME.png.

    A figure whose PNG exists and whose source hash matches the manifest is skipped. One figure
    failing does not stop the others; its error is in the result.
    """
    ctx = ctx or FigureContext()
    registry = figures_load()
    unknown = sorted(set(names or []) - set(registry))
    if unknown:
        raise FigureBuildError(f"unknown figure(s): {', '.join(unknown)}")
    style.cjk_family()  # fail once, clearly, before drawing anything
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _manifest_read(out_dir)
    results: list[FigureResult] = []
    for name in sorted(names or registry):
        spec = registry[name]
        path = out_dir / f"{name}.png"
        source_hash = figure_source_hash(spec)
        if not force and path.is_file() and manifest.get(name) == source_hash:
            result = FigureResult(name, "current")
        else:
            try:
                result = figure_render(spec, ctx, path)
                manifest[name] = source_hash
                _manifest_write(out_dir, manifest)
            except Exception as exc:  # noqa: BLE001 - one broken drawing must not block the rest
                plt.close("all")
                result = FigureResult(name, "failed", error=f"{type(exc).__name__}: {exc}")
        results.append(result)
        if progress:
            progress(result)
    return results
