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


def course_progress(course: Course, user) -> dict:
    """Pages read and questions answered/solved, for the whole course and per chapter."""
    from django.db.models import Count, Q

    from exercises.models import Question

    chapters = {}
    page_rows = (
        Page.objects.filter(chapter__course=course)
        .values("chapter_id")
        .annotate(total=Count("id", distinct=True), read=Count("visits", filter=Q(visits__user=user), distinct=True))
    )
    for row in page_rows:
        chapters[row["chapter_id"]] = {"pages": row["total"], "pages_read": row["read"], "questions": 0, "answered": 0, "solved": 0}
    question_rows = (
        Question.objects.filter(course=course, retired=False)
        .values("chapter_id")
        .annotate(
            total=Count("id", distinct=True),
            answered=Count("id", filter=Q(attempts__user=user), distinct=True),
            solved=Count("id", filter=Q(attempts__user=user, attempts__is_correct=True), distinct=True),
        )
    )
    for row in question_rows:
        entry = chapters.setdefault(row["chapter_id"], {"pages": 0, "pages_read": 0, "questions": 0, "answered": 0, "solved": 0})
        entry.update(questions=row["total"], answered=row["answered"], solved=row["solved"])
    totals = {key: sum(c[key] for c in chapters.values()) for key in ("pages", "pages_read", "questions", "answered", "solved")}
    done = totals["pages_read"] + totals["answered"]
    possible = totals["pages"] + totals["questions"]
    totals["percent"] = round(100 * done / possible) if possible else 0
    return {"chapters": chapters, **totals}
