from django.urls import path

from . import api

urlpatterns = [
    path("datasets/", api.DatasetListView.as_view(), name="api-datasets"),
    # Before <slug>/, so "imports" is never read as a data set's slug.
    path("datasets/imports/", api.ImportListCreateView.as_view(), name="api-dataset-imports"),
    path("datasets/imports/<int:job_id>/", api.ImportDetailView.as_view(), name="api-dataset-import-detail"),
    path("datasets/<slug:slug>/", api.DatasetDetailView.as_view(), name="api-dataset-detail"),
    path("datasets/<slug:slug>/publish/", api.DatasetPublishView.as_view(), name="api-dataset-publish"),
]
