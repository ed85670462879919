"""JSON API for runs and model-spec checks. Thin: validate, check permission, call services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler as drf_exception_handler

from courseware.image_ops import ImageOpError, upload_size_check
from courseware.selectors import lab_get
from modelspec import layer_catalog, spec_check, spec_keras_code

from . import selectors, services
from .search import search_submit
from .models import Inference, Run


def exception_handler(exc, context):
    """DRF's handler, but every error body has a human-readable ``detail``."""
    if isinstance(exc, RequestDataTooBig):
        limit_kib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response({"detail": f"The request is too large (the limit is {limit_kib} KiB)."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "The request is not valid; see errors.", "errors": response.data}
    return response


class RunSubmitSerializer(serializers.Serializer):
    course = serializers.SlugField(max_length=50)
    lab = serializers.SlugField(max_length=50)
    dataset = serializers.SlugField(max_length=50)
    spec = serializers.JSONField(required=False, default=None, help_text="model spec (labs with the model builder only)")
    model_code = serializers.CharField(required=False, default=None, allow_blank=True, trim_whitespace=False,
                                       help_text="instead of a spec's layers: Python defining build_model(input_shape, num_classes); the spec then gives only input_shape")
    hyperparameters = serializers.JSONField()
    search = serializers.JSONField(required=False, default=None, help_text="hyper-parameter search labs: method, learning_rates, hidden_layers, units, trials")


class EpochSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    metrics = serializers.DictField(child=serializers.FloatField(allow_null=True))
    duration_s = serializers.FloatField(allow_null=True)


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.ChoiceField(choices=Run.Status.choices)
    status_reason = serializers.CharField()
    lab = serializers.CharField()
    dataset = serializers.CharField()
    class_names = serializers.ListField(child=serializers.CharField())
    hyperparameters = serializers.DictField()
    total_params = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.DictField()
    final_metrics = serializers.DictField()
    model_summary = serializers.CharField()


class RunDetailSerializer(RunSerializer):
    epochs = EpochSerializer(many=True)
    log_tail = serializers.ListField(child=serializers.CharField())


def _run_data(run: Run, detail: bool = False) -> dict:
    data = {**selectors.run_state(run), "url": f"/runs/{run.pk}/"}
    if run.program == "hp_search":
        data["trials"] = selectors.search_results(run)
    if detail:
        history = selectors.run_history(run)
        data["epochs"] = history["epochs"]
        data["log_tail"] = history["log_tail"]
    return data


def _get_run_or_404(request, run_id: int) -> Run:
    run = selectors.run_get_for_user(request.user, run_id)
    if run is None:
        raise Http404("No such run.")
    return run


class RunListCreateView(APIView):
    @extend_schema(summary="List my runs", responses=RunSerializer(many=True))
    def get(self, request):
        runs = selectors.run_list_for_user(request.user)[:100]
        return Response([_run_data(r) for r in runs])

    @extend_schema(
        summary="Submit a run",
        request=RunSubmitSerializer,
        responses={201: RunSerializer, 400: inline_serializer("SubmitErrors", {"detail": serializers.CharField(), "errors": serializers.ListField()})},
        examples=[
            OpenApiExample(
                "Flowers CNN, 1 epoch",
                value={"course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": "shapes-mini",
                       "spec": {"input_shape": [64, 64, 3], "layers": [{"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 3}}]},
                       "hyperparameters": {"epochs": 1, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.001}},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        payload = RunSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        lab = lab_get(data["course"], data["lab"])
        if lab is None:
            raise Http404("No such lab.")
        try:
            if lab.program == "hp_search":
                run = search_submit(user=request.user, lab=lab, dataset_slug=data["dataset"], hyperparameters=data["hyperparameters"], search=data["search"])
            else:
                run = services.run_submit(
                    user=request.user, lab=lab, dataset_slug=data["dataset"], spec=data["spec"], hyperparameters=data["hyperparameters"],
                    model_code=data["model_code"],
                )
        except services.SubmitError as exc:
            return Response({"detail": str(exc), "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_run_data(run), status=status.HTTP_201_CREATED)


class RunDetailView(APIView):
    @extend_schema(summary="Get a run with its epoch history and log tail", responses=RunDetailSerializer)
    def get(self, request, run_id: int):
        return Response(_run_data(_get_run_or_404(request, run_id), detail=True))


class RunCancelView(APIView):
    @extend_schema(summary="Cancel a run", request=None, responses=RunSerializer)
    def post(self, request, run_id: int):
        run = _get_run_or_404(request, run_id)
        if run.owner_id != request.user.pk and not request.user.is_platform_admin:
            return Response({"detail": "Only the run's owner can cancel it."}, status=status.HTTP_403_FORBIDDEN)
        if run.is_finished:
            return Response({"detail": f"The run has already finished ({run.status})."}, status=status.HTTP_409_CONFLICT)
        services.run_cancel(run)
        run.refresh_from_db()
        return Response(_run_data(run))


class LayerCatalogView(APIView):
    """The whitelisted layers and their arguments (types, defaults, ranges, help in zh/en)."""

    @extend_schema(summary="Layer catalog for model specs", responses=dict)
    def get(self, request):
        return Response(layer_catalog())


class SpecCheckSerializer(serializers.Serializer):
    spec = serializers.JSONField()
    num_classes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10000)
    from_logits = serializers.BooleanField(required=False, allow_null=True, default=None)


class SpecCheckView(APIView):
    """Shapes, parameter counts (with formulas), errors and the equivalent Keras code."""

    @extend_schema(summary="Check a model spec", request=SpecCheckSerializer, responses={200: dict})
    def post(self, request):
        payload = SpecCheckSerializer(data=request.data)
        if not payload.is_valid():
            raise ValidationError(payload.errors)
        data = payload.validated_data
        report = spec_check(data["spec"], num_classes=data.get("num_classes"), from_logits=data.get("from_logits"))
        body = report.to_dict()
        body["keras_code"] = spec_keras_code(data["spec"]) if report.valid else ""
        return Response(body)


class RunInsightView(APIView):
    """What a finished classifier learned: confusion matrix, per-class accuracy, validation
    samples with predictions, weight templates, weight histograms per epoch, downloads."""

    @extend_schema(summary="Run insight", responses=dict)
    def get(self, request, run_id: int):
        return Response(selectors.run_insight(_get_run_or_404(request, run_id)))


class InferenceCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Inference.Kind.choices)
    image = serializers.FileField(required=False, help_text="an image to classify (JPEG/PNG/GIF/BMP/WebP, ≤ 2 MB)")
    sample = serializers.IntegerField(required=False, min_value=0, max_value=99, help_text="or: a validation sample of the run")
    layer = serializers.IntegerField(required=False, min_value=1, max_value=200, help_text="feature maps: layer number, from 1")


class InferenceCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="Ask a finished run's model: predict an image or show a layer's feature maps",
                   request={"multipart/form-data": InferenceCreateSerializer, "application/json": InferenceCreateSerializer},
                   responses={202: dict, 400: dict})
    def post(self, request, run_id: int):
        run = _get_run_or_404(request, run_id)
        payload = InferenceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        image = data.get("image")
        if image is not None:
            try:
                upload_size_check(image.size)
            except ImageOpError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        try:
            job = services.inference_request(
                user=request.user, run=run, kind=data["kind"], image_bytes=image.read() if image is not None else None,
                sample=data.get("sample"), layer=data.get("layer"),
            )
        except services.SubmitError as exc:
            return Response({"detail": str(exc), "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.inference_state(job), status=status.HTTP_202_ACCEPTED)


class InferenceDetailView(APIView):
    @extend_schema(summary="A prediction / feature-map job and its result", responses=dict)
    def get(self, request, job_id: int):
        job = selectors.inference_get_for_user(request.user, job_id)
        if job is None:
            raise Http404("No such job.")
        return Response(selectors.inference_state(job))
