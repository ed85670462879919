from pathlib import Path

import pytest
from django.conf import settings

from courseware.content import ContentError, markdown_render
from courseware.models import Chapter, Page, PageVisit
from courseware.services import course_load
from tests.factories import UserFactory

COURSE_DIR = Path(settings.COURSE_CONTENT_ROOT) / "deep-learning-tf"

MINI_PAGE = """---
slug: {slug}
order: {order}
title_zh: 页面
title_en: Page
summary_en: A page.
---
# 标题

正文 $a_1 * b_2$ 与公式：

$$
\\text{{out}} = \\lceil R / S \\rceil
$$
"""


def mini_course(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    chapter = root / "ch01-intro"
    chapter.mkdir(parents=True)
    (root / "course.yaml").write_text("slug: mini\ntitle_zh: 迷你\ntitle_en: Mini\n", encoding="utf-8")
    (chapter / "chapter.yaml").write_text("slug: ch01-intro\norder: 1\ntitle_zh: 入门\ntitle_en: Intro\n", encoding="utf-8")
    (chapter / "01-a.md").write_text(MINI_PAGE.format(slug="a", order=1), encoding="utf-8")
    (chapter / "02-b.md").write_text(MINI_PAGE.format(slug="b", order=2), encoding="utf-8")
    return root


@pytest.mark.django_db
def test_the_flagship_course_loads_with_chapter_8_and_the_flowers_lab():
    report = course_load(COURSE_DIR)
    assert report.course.title_zh == "深度学习与 TensorFlow"
    chapter = Chapter.objects.get(course=report.course, slug="ch08-image-classification")
    assert chapter.order == 8 and chapter.pages.count() >= 1
    lab = report.course.labs.get(slug="flowers-cnn")
    types = [layer["type"] for layer in lab.spec["layers"]]
    assert types[:4] == ["RandomFlip", "RandomRotation", "RandomZoom", "Rescaling"]
    assert lab.compile_config["from_logits"] is True


@pytest.mark.django_db
def test_reloading_is_idempotent_and_keeps_learner_progress(tmp_path):
    root = mini_course(tmp_path)
    course_load(root)
    page = Page.objects.get(slug="a")
    learner = UserFactory()
    PageVisit.objects.create(page=page, user=learner)
    (root / "ch01-intro" / "01-a.md").write_text(MINI_PAGE.format(slug="a", order=1).replace("正文", "修改后的正文"), encoding="utf-8")
    course_load(root)
    course_load(root)
    assert Page.objects.filter(slug="a").count() == 1
    page.refresh_from_db()
    assert "修改后的正文" in page.body_html
    assert PageVisit.objects.filter(page=page, user=learner).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename, text, line, words",
    [
        ("03-c.md", "---\nslug: c\norder: 3: 4\n---\nbody\n", 3, "YAML error"),
        ("03-c.md", "---\nslug: Bad Slug\norder: 3\ntitle_zh: x\ntitle_en: x\nsummary_en: x\n---\nbody\n", 2, "slug"),
        ("03-c.md", "no front matter\n", 1, "front-matter"),
        ("03-c.md", "---\nslug: c\norder: 3\ntitle_zh: x\n---\nbody\n", 2, "title_en"),
        ("03-c.md", "---\nslug: a\norder: 3\ntitle_zh: x\ntitle_en: x\nsummary_en: x\n---\nbody\n", 2, "also used"),
    ],
)
def test_a_malformed_file_fails_the_load_naming_file_and_line_and_changes_nothing(tmp_path, filename, text, line, words):
    root = mini_course(tmp_path)
    course_load(root)
    before = list(Page.objects.values_list("slug", "body_html"))
    (root / "ch01-intro" / filename).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        course_load(root)
    assert excinfo.value.path.endswith(filename)
    assert excinfo.value.line == line
    assert words in str(excinfo.value)
    assert list(Page.objects.values_list("slug", "body_html")) == before


def test_markdown_keeps_formulas_intact_and_strips_hostile_html():
    html, _toc = markdown_render(
        "# T\n\n$x_1 * y_2$ and <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "```python\nprice = '$5'\n```\n\n$$\n\\frac{a_1}{b}\n$$\n"
    )
    assert '<span class="math math-inline">x_1 * y_2</span>' in html
    assert '<div class="math math-display">\\frac{a_1}{b}</div>' in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "$5" in html  # code keeps its dollar signs


def test_figures_point_at_the_platforms_figure_view():
    html, _ = markdown_render("![激活函数](figure:activation-relu)")
    assert 'src="/courses/figures/activation-relu.png"' in html


def test_a_figure_alone_in_its_paragraph_gets_its_caption_and_keeps_its_description():
    html, _ = markdown_render("![三条曲线的详细描述](figure:ch03-activations)", figure_titles={"ch03-activations": "常用激活函数<及其导数>"})
    assert html.startswith('<figure class="lesson-figure"><img')
    assert 'alt="三条曲线的详细描述"' in html and 'loading="lazy"' in html
    assert "<figcaption>常用激活函数&lt;及其导数&gt;</figcaption></figure>" in html


@pytest.mark.django_db
def test_a_lesson_showing_an_undescribed_figure_fails_the_load_with_file_and_line(tmp_path):
    root = mini_course(tmp_path)
    (root / "figures.yaml").write_text("known-figure:\n  title_zh: 已知\n  description: A known figure.\n", encoding="utf-8")
    page = root / "ch01-intro" / "01-a.md"
    page.write_text(MINI_PAGE.format(slug="a", order=1) + "\n![好](figure:known-figure)\n\n![坏](figure:unknown-figure)\n", encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        course_load(root)
    assert excinfo.value.path.endswith("01-a.md") and "unknown-figure" in str(excinfo.value)
    assert page.read_text(encoding="utf-8").splitlines()[excinfo.value.line - 1].endswith("(figure:unknown-figure)")


@pytest.mark.django_db
def test_a_figure_entry_without_a_title_fails_the_load_naming_its_line(tmp_path):
    root = mini_course(tmp_path)
    (root / "figures.yaml").write_text("fine:\n  title_zh: 好\n  description: ok\nbroken:\n  description: no title\n", encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        course_load(root)
    assert excinfo.value.path.endswith("figures.yaml") and excinfo.value.line == 4
