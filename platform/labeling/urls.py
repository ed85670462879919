from django.urls import path

from . import views

app_name = "labeling"
urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("<int:project_id>/", views.project_detail, name="project-detail"),
    path("<int:project_id>/label/", views.project_label, name="project-label"),
]
