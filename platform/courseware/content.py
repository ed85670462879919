"""Reading and rendering course content files (see docs/content-format.md).

Pure functions: nothing here touches the database. Every problem is raised as ContentError with
the file and line, so an author can fix it without guessing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(Exception):
    """A content file is malformed. ``str()`` names the file and line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class PageSource:
    path: Path
    meta: dict[str, Any]
    body: str


@dataclass
class ChapterSource:
    path: Path
    meta: dict[str, Any]
    pages: list[PageSource] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CourseSource:
    path: Path
    meta: dict[str, Any]
    chapters: list[ChapterSource] = field(default_factory=list)
    labs: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    code_exercises: list[dict[str, Any]] = field(default_factory=list)
    # figure name -> Chinese caption, from figures.yaml (platform-drawn figures and widgets)
    figures: dict[str, str] = field(default_factory=dict)


def _yaml_load(text: str, path: Path, line_offset: int = 0) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(path, f"YAML error: {problem}", line) from exc


def yaml_file_load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, "file is not valid UTF-8") from exc
    return _yaml_load(text, path)


def _require(meta: dict[str, Any], keys: tuple[str, ...], path: Path, line: int | None = None) -> None:
    for key in keys:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ContentError(path, f"missing required field '{key}'", line)


def _check_slug(value: Any, path: Path, line: int | None = None) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ContentError(path, f"slug {value!r} must be lowercase letters, digits and hyphens", line)
    return value


def _check_order(value: Any, path: Path, line: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ContentError(path, f"order {value!r} must be a non-negative integer", line)
    return value


def page_file_parse(path: Path) -> PageSource:
    """Split a lesson file into front matter and Markdown body and validate the front matter."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, "file is not valid UTF-8") from exc
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, "a lesson file must start with a '---' front-matter line", 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(path, "front matter is not closed by a '---' line", 1) from None
    meta = _yaml_load("".join(lines[1:end]), path, line_offset=1)
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter must be a mapping of fields", 2)
    _require(meta, ("slug", "order", "title_zh", "title_en", "summary_en"), path, 2)
    _check_slug(meta["slug"], path, 2)
    _check_order(meta["order"], path, 2)
    for list_field in ("prerequisites", "labs"):
        value = meta.get(list_field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ContentError(path, f"'{list_field}' must be a list of strings", 2)
    body = "".join(lines[end + 1 :])
    if not body.strip():
        raise ContentError(path, "the lesson has no body text", end + 2)
    return PageSource(path=path, meta=meta, body=body)


def _figures_read(path: Path) -> dict[str, str]:
    data = yaml_file_load(path)
    if not isinstance(data, dict):
        raise ContentError(path, "figures.yaml must map figure names to {title_zh, description}", 1)
    titles: dict[str, str] = {}
    for name, entry in data.items():
        line = _line_of(path, f"{name}:")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ContentError(path, f"figure name {name!r} must use lowercase letters, digits, '-' and '_'", line)
        if not isinstance(entry, dict) or not isinstance(entry.get("title_zh"), str) or not isinstance(entry.get("description"), str):
            raise ContentError(path, f"figure '{name}' needs a title_zh and a description", line)
        titles[name] = entry["title_zh"].strip()
    return titles


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _figures_check(page_path: Path, figures: dict[str, str]) -> None:
    """A lesson may only show figures that figures.yaml describes (so the platform draws them)."""
    for number, line in enumerate(page_path.read_text(encoding="utf-8").splitlines(), start=1):
        for name in _FIGURE_RE.findall(line):
            if name not in figures:
                raise ContentError(page_path, f"figure '{name}' is not described in figures.yaml", number)


def course_tree_read(course_dir: Path) -> CourseSource:
    """Read and validate a whole course folder."""
    course_file = course_dir / "course.yaml"
    if not course_file.exists():
        raise ContentError(course_file, "course.yaml is missing")
    meta = yaml_file_load(course_file)
    if not isinstance(meta, dict):
        raise ContentError(course_file, "course.yaml must be a mapping", 1)
    _require(meta, ("slug", "title_zh", "title_en"), course_file)
    _check_slug(meta["slug"], course_file)
    course = CourseSource(path=course_dir, meta=meta)

    orders: dict[int, Path] = {}
    question_ids: dict[str, Path] = {}
    for chapter_dir in sorted(p for p in course_dir.iterdir() if p.is_dir() and (p / "chapter.yaml").exists()):
        chapter_file = chapter_dir / "chapter.yaml"
        cmeta = yaml_file_load(chapter_file)
        if not isinstance(cmeta, dict):
            raise ContentError(chapter_file, "chapter.yaml must be a mapping", 1)
        _require(cmeta, ("slug", "order", "title_zh", "title_en"), chapter_file)
        _check_slug(cmeta["slug"], chapter_file)
        order = _check_order(cmeta["order"], chapter_file)
        if order in orders:
            raise ContentError(chapter_file, f"chapter order {order} is also used by {orders[order]}")
        orders[order] = chapter_file
        chapter = ChapterSource(path=chapter_dir, meta=cmeta)
        page_slugs: dict[str, Path] = {}
        for page_file in sorted(chapter_dir.glob("*.md")):
            page = page_file_parse(page_file)
            slug = page.meta["slug"]
            if slug in page_slugs:
                raise ContentError(page_file, f"page slug '{slug}' is also used by {page_slugs[slug].name}", 2)
            page_slugs[slug] = page_file
            chapter.pages.append(page)
        questions_file = chapter_dir / "questions.yaml"
        if questions_file.exists():
            from exercises.loader import questions_file_read

            chapter.questions = questions_file_read(questions_file, set(page_slugs))
            for question in chapter.questions:
                if question["id"] in question_ids:
                    raise ContentError(questions_file, f"question id '{question['id']}' is also used in {question_ids[question['id']]}")
                question_ids[question["id"]] = questions_file
        course.chapters.append(chapter)

    figures_file = course_dir / "figures.yaml"
    if figures_file.exists():
        course.figures = _figures_read(figures_file)
        for chapter in course.chapters:
            for page in chapter.pages:
                _figures_check(page.path, course.figures)

    from exercises.codeloader import code_exercises_read

    course.code_exercises = code_exercises_read(
        course_dir / "code", {c.meta["slug"]: {p.meta["slug"] for p in c.pages} for c in course.chapters})

    labs_dir = course_dir / "labs"
    if labs_dir.is_dir():
        for lab_file in sorted(labs_dir.glob("*.yaml")):
            lmeta = yaml_file_load(lab_file)
            if not isinstance(lmeta, dict):
                raise ContentError(lab_file, "a lab file must be a mapping", 1)
            _require(lmeta, ("slug", "chapter", "title_zh", "title_en", "datasets"), lab_file)
            _check_slug(lmeta["slug"], lab_file)
            course.labs.append((lab_file, lmeta))
    return course


# --- Markdown rendering -------------------------------------------------------------------------

_FENCE_RE = re.compile(r"(^```.*?^```[ \t]*$)", re.MULTILINE | re.DOTALL)
_DISPLAY_MATH_RE = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")
_FIGURE_RE = re.compile(r"\]\(figure:([a-z0-9][a-z0-9_-]*)\)")
_PLACEHOLDER_RE = re.compile(r"@@MATH(\d+)@@")
# Figures that are interactive widgets: the lesson gets a mount point instead of an image.
WIDGET_FIGURES = {"ch02-shape-explorer": "tensor-shape", "ch06-kernel-explorer": "kernel", "ch08-layer-explainer": "layer-explainer"}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "figure",
    "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align", "style"},
    "th": {"align", "style"},
}


def markdown_render(body: str, figure_url: str = "/courses/figures/{name}.png", figure_titles: dict[str, str] | None = None) -> tuple[str, str]:
    """Render lesson Markdown to sanitized HTML; returns (html, table-of-contents html).

    A figure alone in its paragraph becomes ``<figure>`` with its caption from ``figure_titles``;
    the Markdown alt text (a full description of the picture) stays on the image for screen readers.

    Math is cut out before Markdown runs (so ``_`` and ``*`` inside formulas survive) and put
    back as escaped text in ``.math`` elements that KaTeX renders in the browser.
    """
    maths: list[tuple[bool, str]] = []

    def stash(display: bool):
        def _sub(match: re.Match[str]) -> str:
            maths.append((display, match.group(1).strip()))
            return f"@@MATH{len(maths) - 1}@@"

        return _sub

    parts = _FENCE_RE.split(body)
    for i, part in enumerate(parts):
        if part.startswith("```"):
            continue  # code keeps its dollar signs
        part = _DISPLAY_MATH_RE.sub(stash(True), part)
        part = _INLINE_MATH_RE.sub(stash(False), part)
        part = _FIGURE_RE.sub(lambda m: "](" + figure_url.format(name=m.group(1)) + ")", part)
        parts[i] = part
    md = markdown.Markdown(
        extensions=["fenced_code", "tables", "toc", "codehilite", "sane_lists"],
        extension_configs={"codehilite": {"guess_lang": False, "css_class": "codehilite"}, "toc": {"toc_depth": "2-3"}},
    )
    raw_html = md.convert("".join(parts))
    toc = md.toc if "<li>" in md.toc else ""
    clean = nh3.clean(raw_html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https"})
    clean_toc = nh3.clean(toc, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)

    def unstash(match: re.Match[str]) -> str:
        display, tex = maths[int(match.group(1))]
        if display:
            return f'<div class="math math-display">{html.escape(tex)}</div>'
        return f'<span class="math math-inline">{html.escape(tex)}</span>'

    for name, widget in WIDGET_FIGURES.items():
        src = re.escape(figure_url.format(name=name))
        clean = re.sub(rf'<p>\s*<img[^>]*src="{src}"[^>]*>\s*</p>|<img[^>]*src="{src}"[^>]*>',
                       f'<div class="dlc-widget" data-widget="{widget}"></div>', clean)
    for name, title in (figure_titles or {}).items():
        if name in WIDGET_FIGURES:
            continue
        src = re.escape(figure_url.format(name=name))
        clean = re.sub(
            rf'<p>\s*(<img[^>]*src="{src}"[^>]*?)\s*/?>\s*</p>',
            lambda m, title=title: f'<figure class="lesson-figure">{m.group(1)} loading="lazy"><figcaption>{html.escape(title)}</figcaption></figure>',
            clean,
        )
    # A formula alone in a paragraph is display math; drop the <p> so the <div> is valid HTML.
    clean = re.sub(r"<p>(@@MATH\d+@@)</p>", r"\1", clean)
    return _PLACEHOLDER_RE.sub(unstash, clean), clean_toc
