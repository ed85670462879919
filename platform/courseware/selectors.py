"""Course reads."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Chapter, Course, Enrollment, Lab, Page


def course_list_for_user(user) -> QuerySet[Course]:
    # The flagship course is open to every signed-in user; enrolment decides who teaches it.
    return Course.objects.order_by("slug")


def course_get_with_outline(slug: str) -> Course | None:
    pages = Page.objects.only("id", "slug", "order", "title_zh", "title_en", "chapter_id").order_by("order")
    return (
        Course.objects.filter(slug=slug)
        .prefetch_related(
            Prefetch("chapters", queryset=Chapter.objects.order_by("order").prefetch_related(Prefetch("pages", queryset=pages))),
            "labs",
        )
        .first()
    )


def page_get(course_slug: str, chapter_slug: str, page_slug: str) -> Page | None:
    return (
        Page.objects.select_related("chapter", "chapter__course")
        .filter(chapter__course__slug=course_slug, chapter__slug=chapter_slug, slug=page_slug)
        .first()
    )


def page_neighbours(page: Page) -> tuple[Page | None, Page | None]:
    """Previous and next page across the whole course, in reading order."""
    ordered = list(
        Page.objects.filter(chapter__course_id=page.chapter.course_id)
        .select_related("chapter")
        .order_by("chapter__order", "order")
        .only("id", "slug", "title_zh", "title_en", "chapter__slug", "chapter__order")
    )
    index = next(i for i, p in enumerate(ordered) if p.id == page.id)
    return (ordered[index - 1] if index > 0 else None, ordered[index + 1] if index + 1 < len(ordered) else None)


def lab_get(course_slug: str, lab_slug: str) -> Lab | None:
    return Lab.objects.select_related("course", "chapter", "page").filter(course__slug=course_slug, slug=lab_slug).first()


def user_is_course_instructor(user, course_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Enrollment.objects.filter(course_id=course_id, user=user, role=Enrollment.Role.INSTRUCTOR).exists()
