from django.urls import path

from . import api

urlpatterns = [
    path("runs/", api.RunListCreateView.as_view(), name="api-runs"),
    path("runs/<int:run_id>/", api.RunDetailView.as_view(), name="api-run-detail"),
    path("runs/<int:run_id>/cancel/", api.RunCancelView.as_view(), name="api-run-cancel"),
    path("runs/<int:run_id>/insight/", api.RunInsightView.as_view(), name="api-run-insight"),
    path("runs/<int:run_id>/inferences/", api.InferenceCreateView.as_view(), name="api-run-inferences"),
    path("inferences/<int:job_id>/", api.InferenceDetailView.as_view(), name="api-inference-detail"),
    path("modelspec/check/", api.SpecCheckView.as_view(), name="api-spec-check"),
    path("modelspec/catalog/", api.LayerCatalogView.as_view(), name="api-spec-catalog"),
]
