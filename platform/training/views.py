import io
import zipfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    return render(request, "training/run_list.html", {"runs": selectors.run_list_for_user(request.user)[:200]})


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_for_user(request.user, run_id)
    if run is None:
        raise Http404("No such run")
    template = "training/search_detail.html" if run.program == "hp_search" else "training/run_detail.html"
    from grading.selectors import run_choice_context  # grading builds on training
    from grading.views import run_grading_panel

    return render(
        request,
        template,
        {"run": run, "run_state": selectors.run_state(run), "can_cancel": run.owner_id == request.user.pk or request.user.is_platform_admin,
         # The course's instructors grade the run here (None for everyone else).
         "grading": run_grading_panel(run, request.user),
         # The learner picks which run is graded, where the lab grades the chosen run.
         "grade_choice": run_choice_context(run, request.user)},
    )


def _run_or_404(request: HttpRequest, run_id: int):
    run = selectors.run_get_for_user(request.user, run_id)
    if run is None:
        raise Http404("No such run")
    return run


@login_required
@require_GET
def run_insight_file(request: HttpRequest, run_id: int, kind: str, name: str) -> FileResponse:
    path = selectors.run_insight_file(_run_or_404(request, run_id), f"{kind}/{name}")
    if path is None:
        raise Http404("No such file")
    return FileResponse(path.open("rb"), content_type="image/png")


@login_required
@require_GET
def run_download(request: HttpRequest, run_id: int, name: str) -> HttpResponse:
    run = _run_or_404(request, run_id)
    if name == "tensorboard.zip":
        return _tensorboard_zip(run)
    found = selectors.run_download_path(run, name)
    if found is None:
        raise Http404("Not available for this run")
    path, content_type = found
    return FileResponse(path.open("rb"), content_type=content_type, as_attachment=True, filename=f"run-{run.pk}-{name}")


def _tensorboard_zip(run) -> HttpResponse:
    """The run's TensorBoard event files, zipped on request (they are small: scalars only)."""
    base = run.workspace_dir / "tensorboard"
    files = [p for p in base.rglob("*") if p.is_file() and not p.is_symlink()] if base.is_dir() else []
    if not files:
        raise Http404("No TensorBoard files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"run-{run.pk}/{path.relative_to(base)}")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-tensorboard.zip"'
    return response


@login_required
@require_GET
def inference_file(request: HttpRequest, run_id: int, job_id: int, name: str) -> FileResponse:
    job = selectors.inference_get_for_user(request.user, job_id)
    if job is None or job.run_id != run_id:
        raise Http404("No such result")
    path = selectors.inference_file(job, name)
    if path is None:
        raise Http404("No such file")
    return FileResponse(path.open("rb"), content_type="image/png")
