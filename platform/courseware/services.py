"""Course writes: loading content files, enrolment, progress."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from exercises.services import code_exercises_sync, questions_sync
from modelspec import spec_check
from training.programs import DEFAULT_PROGRAM, PROGRAMS

from .content import ContentError, course_tree_read, markdown_render
from .models import Chapter, Course, Enrollment, Lab, Page, PageVisit


@dataclass
class LoadReport:
    course: Course
    chapters: int = 0
    pages: int = 0
    labs: int = 0
    questions: int = 0
    code_exercises: int = 0
    removed: list[str] = field(default_factory=list)


def _content_hash(course_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in course_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(course_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@transaction.atomic
def course_load(course_dir: Path) -> LoadReport:
    """Load (or reload) one course folder. Idempotent: rows are matched by slug and updated in
    place, so page visits and runs that point at them survive. Pages and chapters that vanished
    from the files are removed; the whole load is one transaction, so a malformed file leaves the
    database as it was."""
    source = course_tree_read(course_dir)
    meta = source.meta
    course, _ = Course.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "title_zh": meta["title_zh"],
            "title_en": meta["title_en"],
            "summary_zh": meta.get("summary_zh", ""),
            "summary_en": meta.get("summary_en", ""),
            "content_version": _content_hash(course_dir),
            "loaded_at": timezone.now(),
        },
    )
    report = LoadReport(course=course)
    chapters_by_slug: dict[str, Chapter] = {}
    pages_by_key: dict[tuple[str, str], Page] = {}
    for chapter_src in source.chapters:
        cm = chapter_src.meta
        chapter, _ = Chapter.objects.update_or_create(
            course=course,
            slug=cm["slug"],
            defaults={
                "order": cm["order"],
                "title_zh": cm["title_zh"],
                "title_en": cm["title_en"],
                "summary_zh": cm.get("summary_zh", ""),
                "summary_en": cm.get("summary_en", ""),
            },
        )
        chapters_by_slug[chapter.slug] = chapter
        report.chapters += 1
        for page_src in chapter_src.pages:
            pm = page_src.meta
            body_html, toc_html = markdown_render(page_src.body, figure_titles=source.figures)
            page, _ = Page.objects.update_or_create(
                chapter=chapter,
                slug=pm["slug"],
                defaults={
                    "order": pm["order"],
                    "title_zh": pm["title_zh"],
                    "title_en": pm["title_en"],
                    "summary_en": pm.get("summary_en", "").strip(),
                    "source_path": str(page_src.path.relative_to(course_dir)),
                    "body_markdown": page_src.body,
                    "body_html": body_html,
                    "toc_html": toc_html,
                    "lab_slugs": pm.get("labs", []),
                    "prerequisites": pm.get("prerequisites", []),
                },
            )
            pages_by_key[(chapter.slug, page.slug)] = page
            report.pages += 1
        report.questions += questions_sync(
            course, chapter, chapter_src.questions, {slug: page for (ch, slug), page in pages_by_key.items() if ch == chapter.slug}
        )
        stale = Page.objects.filter(chapter=chapter).exclude(slug__in=[p.meta["slug"] for p in chapter_src.pages])
        report.removed += [f"page {chapter.slug}/{slug}" for slug in stale.values_list("slug", flat=True)]
        stale.delete()

    report.code_exercises = code_exercises_sync(course, source.code_exercises, chapters_by_slug, pages_by_key)

    stale_chapters = Chapter.objects.filter(course=course).exclude(slug__in=chapters_by_slug)
    report.removed += [f"chapter {slug}" for slug in stale_chapters.values_list("slug", flat=True)]
    stale_chapters.delete()

    for lab_file, lm in source.labs:
        chapter = chapters_by_slug.get(lm["chapter"])
        if chapter is None:
            raise ContentError(lab_file, f"lab names chapter '{lm['chapter']}', which does not exist")
        page = pages_by_key.get((chapter.slug, lm.get("page", "")))
        if lm.get("page") and page is None:
            raise ContentError(lab_file, f"lab names page '{lm['page']}', which is not in {chapter.slug}")
        program = lm.get("program", DEFAULT_PROGRAM)
        if program not in PROGRAMS:
            raise ContentError(lab_file, f"unknown program '{program}' (known: {', '.join(sorted(PROGRAMS))})")
        if PROGRAMS[program].uses_builder:
            report_spec = spec_check(lm.get("spec"))
            if not report_spec.valid:
                raise ContentError(lab_file, "invalid model spec: " + "; ".join(e.message for e in report_spec.errors))
        if not isinstance(lm.get("options", {}), dict):
            raise ContentError(lab_file, "options must be a mapping")
        Lab.objects.update_or_create(
            course=course,
            slug=lm["slug"],
            defaults={
                "chapter": chapter,
                "page": page,
                "title_zh": lm["title_zh"],
                "title_en": lm["title_en"],
                "description_zh": lm.get("description_zh", ""),
                "program": program,
                "options": lm.get("options", {}),
                "model_code": lm.get("model_code", ""),
                "spec": lm.get("spec", {}),
                "compile_config": lm.get("compile", {}),
                "hyperparameters": lm.get("hyperparameters", {}),
                "resources": lm.get("resources", {}),
                "metric": lm.get("metric", {}),
                "dataset_slugs": lm["datasets"],
                "default_dataset_slug": lm.get("default_dataset", lm["datasets"][0]),
            },
        )
        report.labs += 1
    # Labs are not deleted when their file goes away: runs point at them.
    return report


def enrollment_ensure(course: Course, user, role: str = Enrollment.Role.LEARNER) -> Enrollment:
    enrollment, _ = Enrollment.objects.update_or_create(course=course, user=user, defaults={"role": role})
    return enrollment


def page_visit_record(page: Page, user) -> None:
    if user.is_authenticated:
        PageVisit.objects.get_or_create(page=page, user=user)


def figures_build_all(*, names: list[str] | None = None, force: bool = False, progress=None) -> list:
    """Draw the lesson figures into MEDIA_ROOT/figures, reading bundled data sets where a figure
    shows real samples. Up-to-date figures are skipped, so set-up can call this every time."""
    from django.conf import settings

    # matplotlib (and TensorFlow for a few figures) load only when figures are drawn.
    from lessonfigures.build import figures_build
    from lessonfigures.registry import FigureContext

    ctx = FigureContext(dataset_root=settings.DATASET_ROOT / "bundled")
    return figures_build(settings.MEDIA_ROOT / "figures", ctx, names=names, force=force, progress=progress)
