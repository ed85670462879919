"""Grading pages. Included at the site root (the pages live under /grading/, /grades/ and
/runs/compare/); the JSON API they call is ``grading.api_urls`` under /api/."""

from django.urls import path

from . import views

app_name = "grading"
urlpatterns = [
    path("grading/", views.course_list, name="course-list"),
    path("grading/<slug:course_slug>/", views.gradebook, name="gradebook"),
    path("grading/<slug:course_slug>/items/<int:item_id>/", views.item_detail, name="item-detail"),
    path("grading/<slug:course_slug>/queue/", views.queue, name="queue"),
    path("grading/<slug:course_slug>/settings/", views.course_settings, name="settings"),
    path("grades/", views.my_grades, name="my-grades"),
    path("runs/compare/", views.runs_compare, name="runs-compare"),
]
