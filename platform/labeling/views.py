"""Labeling pages. The pages are shells: their scripts talk to the JSON API (labeling.api)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from courseware.models import Enrollment

from . import selectors
from .api import project_data
from .models import LabelProject


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    return render(request, "labeling/project_list.html", {
        "projects": selectors.project_list_for_user(request.user),
        "kinds": LabelProject.Kind.choices,
    })


def _project_or_404(request: HttpRequest, project_id: int) -> LabelProject:
    project = selectors.project_get_visible(request.user, project_id)
    if project is None:
        raise Http404("No such labeling project")
    return project


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    teaching = Enrollment.objects.filter(user=request.user, role=Enrollment.Role.INSTRUCTOR).select_related("course")
    return render(request, "labeling/project_detail.html", {
        "project": project,
        "config": project_data(project, request.user, detail=True),
        "courses_taught": [{"slug": e.course.slug, "title": e.course.title} for e in teaching],
    })


@login_required
def project_label(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    return render(request, "labeling/project_label.html", {
        "project": project,
        "config": project_data(project, request.user, detail=True),
    })
