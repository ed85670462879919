from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from datasets.selectors import dataset_list_for_lab
from quotas.services import quota_meters
from exercises.selectors import code_exercises_for_page, questions_for_page
from modelspec import layer_catalog
from modelspec.codegen import COMPILE_OPTIMIZERS, spec_build_model_code
from training.programs import program_info
from training.selectors import run_list_for_user

from . import selectors
from .services import page_visit_record


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    return render(request, "courseware/course_list.html", {"courses": selectors.course_list_for_user(request.user)})


@login_required
def course_detail(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = selectors.course_get_with_outline(course_slug)
    if course is None:
        raise Http404("No such course")
    progress = selectors.course_progress(course, request.user)
    chapters = [(chapter, progress["chapters"].get(chapter.id, {})) for chapter in course.chapters.all()]
    return render(request, "courseware/course_detail.html", {"course": course, "chapters": chapters, "progress": progress})


@login_required
def page_detail(request: HttpRequest, course_slug: str, chapter_slug: str, page_slug: str) -> HttpResponse:
    page = selectors.page_get(course_slug, chapter_slug, page_slug)
    if page is None:
        raise Http404("No such page")
    page_visit_record(page, request.user)
    previous_page, next_page = selectors.page_neighbours(page)
    labs = page.chapter.course.labs.filter(slug__in=page.lab_slugs)
    questions = questions_for_page(page, request.user)
    return render(
        request,
        "courseware/page_detail.html",
        {"page": page, "chapter": page.chapter, "course": page.chapter.course, "labs": labs,
         "previous_page": previous_page, "next_page": next_page, "questions": questions,
         "code_exercises": code_exercises_for_page(page)},
    )


@login_required
def lab_detail(request: HttpRequest, course_slug: str, lab_slug: str) -> HttpResponse:
    lab = selectors.lab_get(course_slug, lab_slug)
    if lab is None:
        raise Http404("No such lab")
    datasets = dataset_list_for_lab(lab, request.user)
    # "Train on this" (labeling) opens the lab with the new data set chosen.
    wanted = request.GET.get("dataset", "")
    default_dataset = wanted if any(d.slug == wanted for d in datasets) else lab.default_dataset_slug
    takes_code = lab.program == "keras_spec"
    return render(
        request,
        "courseware/lab_detail.html",
        {
            "lab": lab,
            "course": lab.course,
            "datasets": datasets,
            "builder_config": {
                "lab": lab.slug,
                "course": lab.course.slug,
                "spec": lab.spec,
                "compile": lab.compile_config,
                "hyperparameters": lab.hyperparameters,
                "program": lab.program,
                "search": lab.options.get("search"),
                "datasets": [d.to_public_dict() for d in datasets],
                "default_dataset": default_dataset,
                "catalog": layer_catalog(),
                "max_epochs": settings.TRAINING["MAX_EPOCHS"],
                "optimizers": COMPILE_OPTIMIZERS,
                # Keras-code labs: the lab's model as build_model(input_shape, num_classes) to start from.
                "code_template": spec_build_model_code(lab.spec) if takes_code else "",
            },
            "uses_builder": program_info(lab.program).uses_builder,
            "takes_code": takes_code,
            "recent_runs": run_list_for_user(request.user).filter(lab=lab)[:5],
            "meters": quota_meters(request.user, lab.course),
        },
    )


@require_GET
def figure(request: HttpRequest, name: str) -> FileResponse:
    """Figures the platform draws for lessons (generated into the media folder)."""
    path = settings.MEDIA_ROOT / "figures" / f"{name}.png"
    if not path.is_file():
        raise Http404("Figure not generated")
    return FileResponse(path.open("rb"), content_type="image/png")
