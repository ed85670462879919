from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    return render(request, "training/run_list.html", {"runs": selectors.run_list_for_user(request.user)[:200]})


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_for_user(request.user, run_id)
    if run is None:
        raise Http404("No such run")
    return render(
        request,
        "training/run_detail.html",
        {"run": run, "run_state": selectors.run_state(run), "can_cancel": run.owner_id == request.user.pk or request.user.is_platform_admin},
    )
