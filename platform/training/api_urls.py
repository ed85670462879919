from django.urls import path

from . import api

urlpatterns = [
    path("runs/", api.RunListCreateView.as_view(), name="api-runs"),
    path("runs/<int:run_id>/", api.RunDetailView.as_view(), name="api-run-detail"),
    path("runs/<int:run_id>/cancel/", api.RunCancelView.as_view(), name="api-run-cancel"),
    path("modelspec/check/", api.SpecCheckView.as_view(), name="api-spec-check"),
    path("modelspec/catalog/", api.LayerCatalogView.as_view(), name="api-spec-catalog"),
]
