"""Pages for code exercises. Thin: look up, check permission, render; the editor talks to the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from courseware.models import Course

from . import selectors


@login_required
def code_exercise_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        raise Http404("No such course")
    return render(request, "exercises/code_list.html",
                  {"course": course, "exercises": selectors.code_exercises_overview(course, request.user)})


@login_required
def code_exercise_detail(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    exercise = selectors.code_exercise_get(request.user, key)
    if exercise is None or exercise.course.slug != course_slug:
        raise Http404("No such code exercise")
    public = selectors.code_exercise_public(exercise)
    config = {
        "key": exercise.key,
        "user": request.user.pk,
        "starter": exercise.starter,
        "api": reverse("api-code-exercise", args=[exercise.key]),
        "submit_url": reverse("api-code-submissions", args=[exercise.key]),
        "submission_url": reverse("api-code-submission", args=[0]),
        "history": selectors.code_submissions_history(request.user, exercise),
    }
    return render(request, "exercises/code_exercise.html",
                  {"course": exercise.course, "exercise": exercise, "public": public, "config": config})
