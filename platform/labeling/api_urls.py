from django.urls import path

from . import api

urlpatterns = [
    path("labeling/projects/", api.ProjectListView.as_view(), name="api-label-projects"),
    path("labeling/projects/<int:project_id>/", api.ProjectDetailView.as_view(), name="api-label-project"),
    path("labeling/projects/<int:project_id>/share/", api.ProjectShareView.as_view(), name="api-label-project-share"),
    path("labeling/projects/<int:project_id>/classes/", api.ClassListView.as_view(), name="api-label-classes"),
    path("labeling/projects/<int:project_id>/classes/<int:class_id>/", api.ClassDetailView.as_view(), name="api-label-class"),
    path("labeling/projects/<int:project_id>/images/", api.ImageListView.as_view(), name="api-label-images"),
    path("labeling/projects/<int:project_id>/images/bulk/", api.ImageBulkView.as_view(), name="api-label-images-bulk"),
    path("labeling/projects/<int:project_id>/split/", api.SplitView.as_view(), name="api-label-split"),
    path("labeling/projects/<int:project_id>/review/", api.ReviewView.as_view(), name="api-label-review"),
    path("labeling/projects/<int:project_id>/exports/", api.ExportView.as_view(), name="api-label-exports"),
    path("labeling/projects/<int:project_id>/imports/", api.ImportView.as_view(), name="api-label-imports"),
    path("labeling/projects/<int:project_id>/jobs/", api.JobListView.as_view(), name="api-label-jobs"),
    path("labeling/projects/<int:project_id>/train/", api.TrainView.as_view(), name="api-label-train"),
    path("labeling/images/<int:image_id>/", api.ImageDetailView.as_view(), name="api-label-image"),
    path("labeling/images/<int:image_id>/boxes/", api.BoxListView.as_view(), name="api-label-boxes"),
    path("labeling/images/<int:image_id>/file/", api.ImageFileView.as_view(), {"which": "file"}, name="api-label-image-file"),
    path("labeling/images/<int:image_id>/thumb/", api.ImageFileView.as_view(), {"which": "thumb"}, name="api-label-image-thumb"),
    path("labeling/boxes/<int:box_id>/", api.BoxDetailView.as_view(), name="api-label-box"),
    path("labeling/jobs/<int:job_id>/", api.JobDetailView.as_view(), name="api-label-job"),
    path("labeling/jobs/<int:job_id>/download/", api.JobDownloadView.as_view(), name="api-label-job-download"),
]
