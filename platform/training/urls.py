from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("<int:run_id>/", views.run_detail, name="run-detail"),
    path("<int:run_id>/insight/<str:kind>/<str:name>", views.run_insight_file, name="run-insight-file"),
    path("<int:run_id>/download/<str:name>", views.run_download, name="run-download"),
    path("<int:run_id>/inference/<int:job_id>/<str:name>", views.inference_file, name="inference-file"),
]
