from django.urls import path

from . import views

app_name = "exercises"
urlpatterns = [
    path("<slug:course_slug>/code/", views.code_exercise_list, name="code-list"),
    path("<slug:course_slug>/code/<slug:key>/", views.code_exercise_detail, name="code-detail"),
]
