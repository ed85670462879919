"""Grading pages: the courses I teach, a course's gradebook, one item's submissions, the
free-text grading queue, the course's grading settings and enrolment, a learner's own grades,
and runs side by side.

Every course page answers 404 to anyone who is not an instructor of that course or an admin,
exactly like the JSON API (``grading.api``) the pages' scripts call for every change.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from courseware.models import Course, Enrollment
from training.models import Run
from training.selectors import run_get_for_user

from . import selectors
from .api import grade_data, item_data
from .models import GradedItem, GradingCategory, GradingPolicy


def _course_for_instructor(request: HttpRequest, slug: str) -> Course:
    course = Course.objects.filter(slug=slug).first()
    if course is None or not selectors.course_is_instructor(request.user, course):
        raise Http404(_("No such course, or you do not teach it."))
    return course


def _points(value: float | None) -> str:
    """Points as the gradebook shows them: at most two decimals, no trailing zeros."""
    return "" if value is None else f"{round(value, 2):g}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.courses_taught(request.user))
    return render(request, "grading/course_list.html", {"courses": courses})


@login_required
@require_GET
def gradebook(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = _course_for_instructor(request, course_slug)
    book = selectors.gradebook(course)
    category_names = {c["key"]: c["name"] for c in book["categories"]}
    items = [dict(i, category_name=category_names.get(i["category"], i["category"]), points_text=_points(i["points"])) for i in book["items"]]
    keys = [i["key"] for i in items]
    # The table has a cell per learner × item (10,000 for a big course). Rendering them through
    # template tags costs more than computing the whole gradebook, so the cells of a row are
    # written here as one string: numbers formatted by ``_points`` and translated titles,
    # escaped; nothing a user typed goes into them (names stay in the template, autoescaped).
    late_titles: dict[int, str] = {}
    dropped_title = escape(_("Dropped: among the lowest of its category"))
    rows = []
    for row in book["rows"]:
        dropped = {key for keys_ in row["dropped"].values() for key in keys_}
        cells = []
        for score, late, key in zip(row["scores"], row["late_days"], keys):
            if late:
                if late not in late_titles:
                    late_titles[late] = escape(ngettext("%(days)d day late", "%(days)d days late", late) % {"days": late})
                cells.append(f'<td class="num late{" dropped" if key in dropped else ""}" title="{late_titles[late]}">{_points(score)}</td>')
            elif key in dropped:
                cells.append(f'<td class="num dropped" title="{dropped_title}">{_points(score)}</td>')
            else:
                cells.append(f'<td class="num">{_points(score)}</td>')
        cells.extend(f'<td class="num" data-v="{"" if v is None else repr(v)}">{_percent(v)}</td>' for v in row["categories"])
        rows.append({
            "learner_id": row["learner_id"], "username": row["username"], "name": row["name"], "cells_html": mark_safe("".join(cells)),
            "total": _percent(row["total"]), "total_raw": repr(row["total"]), "letter": row["letter"],
        })
    return render(request, "grading/gradebook.html", {
        "course": course, "items": items, "categories": book["categories"], "policy": book["policy"], "rows": rows,
        "released": sum(1 for i in items if i["released"]), "columns": len(items) + len(book["categories"]) + 3,
    })


@login_required
@require_GET
def item_detail(request: HttpRequest, course_slug: str, item_id: int) -> HttpResponse:
    course = _course_for_instructor(request, course_slug)
    item = GradedItem.objects.select_related("course", "category", "lab", "question", "chapter").filter(pk=item_id, course=course).first()
    if item is None:
        raise Http404(_("No such graded item."))
    entries = selectors.item_submissions(item)
    for entry in entries:
        grade = entry["grade"]
        entry["counted_run"] = grade.run_id if grade else None
        entry["answer"] = entry["attempts"][-1] if entry["attempts"] else None
    return render(request, "grading/item_detail.html", {
        "course": course, "item": item, "entries": entries,
        "categories": GradingCategory.objects.filter(course=course),
        "counts_choices": GradedItem.Counts.choices,
        "item_json": item_data(item),
        "graded": sum(1 for e in entries if e["grade"] is not None and e["grade"].final_score is not None),
    })


@login_required
@require_GET
def queue(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = _course_for_instructor(request, course_slug)
    entries = selectors.grading_queue(course)
    for entry in entries:
        response = entry["attempt"].response
        entry["text"] = response if isinstance(response, str) else str(response)
        entry["prefix"] = f"queue-{entry['attempt'].pk}"
    return render(request, "grading/queue.html", {"course": course, "entries": entries})


@login_required
@require_GET
def course_settings(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = _course_for_instructor(request, course_slug)
    conf = GradingPolicy.objects.get_or_create(course=course)[0]
    categories = list(GradingCategory.objects.filter(course=course))
    enrollments = Enrollment.objects.filter(course=course)
    cutoffs = sorted((conf.cutoffs or {}).items(), key=lambda kv: -kv[1])
    return render(request, "grading/settings.html", {
        "course": course, "conf": conf, "categories": categories, "cutoffs": cutoffs,
        "learner_count": enrollments.filter(role=Enrollment.Role.LEARNER).count(),
        "instructors": [e.user for e in enrollments.filter(role=Enrollment.Role.INSTRUCTOR).select_related("user").order_by("user__username")],
        "items": GradedItem.objects.filter(course=course).count(),
        "released": GradedItem.objects.filter(course=course, released=True).count(),
    })


@login_required
@require_GET
def my_grades(request: HttpRequest) -> HttpResponse:
    """A learner's own grades of released items, per course, with the total over those items."""
    grades = selectors.grades_for_learner(request.user)
    courses: dict[int, dict] = {}
    for grade in grades:
        course = grade.item.course
        courses.setdefault(course.pk, {"course": course, "grades": []})["grades"].append(grade)
    for enrollment in Enrollment.objects.filter(user=request.user, role=Enrollment.Role.LEARNER).select_related("course").order_by("course__slug"):
        courses.setdefault(enrollment.course_id, {"course": enrollment.course, "grades": []})
    for entry in courses.values():
        entry["total"] = selectors.learner_course_total(request.user, entry["course"]) if entry["grades"] else None
        entry["total_text"] = _percent(entry["total"]["percent"]) if entry["total"] else ""
    return render(request, "grading/my_grades.html", {"courses": list(courses.values())})


@login_required
@require_GET
def runs_compare(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("ids", "")
    error = None
    try:
        ids = list(dict.fromkeys(int(part) for part in raw.split(",") if part.strip()))
    except ValueError:
        ids, error = [], _("“ids” is a comma-separated list of run numbers.")
    if error is None and not 2 <= len(ids) <= 4:
        error = _("Compare two to four runs.")
    if error:
        return render(request, "grading/compare.html", {"error": error, "ids": []}, status=400)
    runs = [run_get_for_user(request.user, run_id) for run_id in ids]
    if any(run is None for run in runs):
        raise Http404(_("No such run."))
    return render(request, "grading/compare.html", {"runs": runs, "ids": ids})


def run_grading_panel(run: Run, user) -> dict | None:
    """The run page's grading panel (``training.views.run_detail``): the grade this run feeds and
    the learner's other runs of the lab to compare with, for the course's instructors only."""
    context = selectors.run_grading_context(run, user)
    if context is None:
        return None
    grade = context["grade"]
    others = list(Run.objects.filter(owner_id=run.owner_id, lab_id=run.lab_id, course_id=run.course_id, parent__isnull=True)
                  .exclude(pk=run.pk).order_by("-created_at", "-id").only("id", "status", "created_at")[:10])
    return {
        **context,
        "counts_label": context["item"].get_counts_display(),
        "is_counted": grade is not None and grade.run_id == run.pk,
        "other_runs": others,
        "compare_ids": ",".join(str(pk) for pk in [run.pk, *[o.pk for o in others[:3]]]) if others else "",
        "json": {"item": context["item"].pk, "learner": run.owner_id, "run": run.pk, "points": context["item"].points,
                 "grade": grade_data(grade) if grade is not None else None},
    }
