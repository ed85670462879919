"""The figure build: every lesson figure exists, draws cleanly, and rebuilds only when it changed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from courseware.content import WIDGET_FIGURES
from lessonfigures import style
from lessonfigures.build import MANIFEST, FigureBuildError, figures_build
from lessonfigures.registry import FIGURES, FigureContext, FigureSpec, figures_load

COURSE_DIR = Path(settings.COURSE_CONTENT_ROOT) / "deep-learning-tf"
FIGURE_REF = re.compile(r"\]\(figure:([a-z0-9][a-z0-9_-]*)\)")
# Cheap figures (no TensorFlow, no data sets) for the tests that draw on purpose.
CHEAP = ["ch03-activations"]


def lesson_figure_names() -> set[str]:
    names: set[str] = set()
    for page in COURSE_DIR.glob("*/*.md"):
        names |= set(FIGURE_REF.findall(page.read_text(encoding="utf-8")))
    return names


def described_figure_names() -> set[str]:
    return set(yaml.safe_load((COURSE_DIR / "figures.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def all_built(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    results = figures_build(out, FigureContext(dataset_root=None))
    return out, {r.name: r for r in results}


def test_every_figure_a_lesson_shows_is_drawn_by_the_platform_and_every_drawing_is_described():
    registry = figures_load()
    shown = lesson_figure_names() - set(WIDGET_FIGURES)
    assert len(shown) >= 70
    assert sorted(shown - set(registry)) == []
    assert sorted(set(registry) - described_figure_names()) == []
    assert sorted(set(registry) & set(WIDGET_FIGURES)) == []


def test_every_figure_draws_a_readable_png_with_no_missing_glyphs(all_built):
    out, results = all_built
    failed = {name: r.error for name, r in results.items() if r.status != "built"}
    assert failed == {}
    glyphs = {name: r.warnings for name, r in results.items() if r.warnings}
    assert glyphs == {}
    for name in results:
        with Image.open(out / f"{name}.png") as image:
            assert image.format == "PNG"
            assert 300 <= image.width <= 2600 and 150 <= image.height <= 2600, (name, image.size)
            grey = np.asarray(image.convert("L"), dtype=np.float32)
        assert grey.std() > 8, f"{name} looks blank"


def test_a_second_build_skips_figures_that_are_up_to_date(all_built):
    out, _results = all_built
    again = figures_build(out, FigureContext(dataset_root=None))
    assert {r.status for r in again} == {"current"}


def test_forced_rebuild_draws_identical_bytes(tmp_path):
    first = figures_build(tmp_path, names=CHEAP, force=True)
    before = (tmp_path / f"{CHEAP[0]}.png").read_bytes()
    second = figures_build(tmp_path, names=CHEAP, force=True)
    assert [r.status for r in first + second] == ["built", "built"]
    assert (tmp_path / f"{CHEAP[0]}.png").read_bytes() == before


def test_a_figure_whose_source_changed_is_redrawn(tmp_path):
    figures_build(tmp_path, names=CHEAP)
    manifest = tmp_path / MANIFEST
    manifest.write_text(manifest.read_text().replace('"ch03-activations": "', '"ch03-activations": "old'))
    assert [r.status for r in figures_build(tmp_path, names=CHEAP)] == ["built"]


def test_one_failing_figure_is_reported_and_the_others_still_draw(tmp_path, monkeypatch):
    figures_load()

    def broken(ctx):
        raise ValueError("bad data")

    monkeypatch.setitem(FIGURES, "zz-broken", FigureSpec(name="zz-broken", draw=broken, module=FIGURES[CHEAP[0]].module))
    results = {r.name: r for r in figures_build(tmp_path, names=["zz-broken", *CHEAP])}
    assert results["zz-broken"].status == "failed" and "bad data" in results["zz-broken"].error
    assert results[CHEAP[0]].status == "built"
    assert not (tmp_path / "zz-broken.png").exists()


def test_unknown_figure_names_are_refused(tmp_path):
    with pytest.raises(FigureBuildError, match="no-such-figure"):
        figures_build(tmp_path, names=["no-such-figure"])


def test_without_a_chinese_font_the_build_stops_with_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(style, "CJK_FAMILIES", ("No Such Font Family",))
    style.cjk_family.cache_clear()
    try:
        with pytest.raises(style.FontMissing, match="fonts-wqy-microhei"):
            figures_build(tmp_path, names=CHEAP)
    finally:
        monkeypatch.undo()
        style.cjk_family.cache_clear()
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.django_db
def test_the_command_draws_into_media_and_the_lesson_url_serves_it():
    call_command("figures_build", *CHEAP)
    response = Client().get(f"/courses/figures/{CHEAP[0]}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert Client().get("/courses/figures/not-drawn.png").status_code == 404


def test_the_command_names_an_unknown_figure():
    with pytest.raises(CommandError, match="no-such-figure"):
        call_command("figures_build", "no-such-figure")
