from django.urls import path

from . import views

app_name = "courseware"
urlpatterns = [
    path("", views.course_list, name="course-list"),
    path("figures/<slug:name>.png", views.figure, name="figure"),
    path("<slug:course_slug>/", views.course_detail, name="course-detail"),
    path("<slug:course_slug>/labs/<slug:lab_slug>/", views.lab_detail, name="lab-detail"),
    path("<slug:course_slug>/<slug:chapter_slug>/<slug:page_slug>/", views.page_detail, name="page-detail"),
]
