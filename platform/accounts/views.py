from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from courseware.selectors import course_list_for_user, course_progress
from training.selectors import run_list_for_user


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return redirect("login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from quotas.services import quota_meters

    courses = [(course, course_progress(course, request.user)) for course in course_list_for_user(request.user)]
    meters = quota_meters(request.user, courses[0][0] if courses else None)
    return render(request, "accounts/dashboard.html", {"courses": courses, "runs": run_list_for_user(request.user)[:10], "meters": meters})
