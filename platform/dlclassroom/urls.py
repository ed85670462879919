from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from courseware import api as courseware_api
from datasets import views as dataset_views
from ops import api as ops_api
from ops import views as ops_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("courses/", include("exercises.urls")),  # /courses/<course>/code/…, before the lesson pages
    path("courses/", include("courseware.urls")),
    path("runs/", include("training.urls")),
    path("datasets/", dataset_views.dataset_list, name="dataset-list"),
    path("labeling/", include("labeling.urls")),
    path("", include("grading.urls")),  # /grading/…, /grades/, /runs/compare/
    path("api/", include("training.api_urls")),
    path("api/", include("datasets.api_urls")),
    path("api/", include("exercises.api_urls")),
    path("api/", include("labeling.api_urls")),
    path("api/", include("grading.api_urls")),
    path("api/widgets/tensor-shape/", courseware_api.TensorShapeView.as_view(), name="api-tensor-shape"),
    path("api/widgets/kernel/", courseware_api.KernelView.as_view(), name="api-kernel"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("ops/queue/", ops_views.queue_overview, name="ops-queue"),
    path("api/ops/runs/<int:run_id>/requeue/", ops_api.RunRequeueView.as_view(), name="api-ops-run-requeue"),
    path("admin/", admin.site.urls),
]
