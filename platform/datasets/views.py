"""The "Data sets" page: what a user can train on, imports with progress, publishing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courseware.models import Enrollment

from . import selectors
from .models import ImportJob


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    teaching = Enrollment.objects.filter(user=request.user, role=Enrollment.Role.INSTRUCTOR).select_related("course")
    return render(request, "datasets/dataset_list.html", {
        "datasets": selectors.dataset_visible_to(request.user).select_related("course", "owner").order_by("kind", "slug"),
        "import_kinds": ImportJob.Kind.choices,
        "courses_taught": [e.course for e in teaching],
        "max_upload_mib": settings.DATASET_IMPORT["MAX_UPLOAD_BYTES"] // (1024 * 1024),
    })
