"""JSON API for data sets and imports. Thin: validate, check permission, call services/selectors.

Objects a user may not see answer 404 (their existence is not revealed); objects they see but
may not change answer 403.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courseware.models import Course

from . import selectors, services
from .importers import ImportRefused
from .importers.base import mib
from .models import Dataset, ImportJob

# Multipart boundaries and the other form fields come on top of the file itself.
_MULTIPART_SLACK = 64 * 1024


class DatasetSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    # Plain strings in responses: choice fields named "kind"/"status" elsewhere in the API would
    # give drf-spectacular's enums colliding names.
    kind = serializers.CharField(help_text="bundled, personal or course")
    format = serializers.CharField(help_text="image_folder, npz, tabular or voc")
    class_names = serializers.ListField(child=serializers.CharField())
    num_classes = serializers.IntegerField()
    num_items = serializers.IntegerField()
    item_shape = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    size_bytes = serializers.IntegerField()
    course = serializers.CharField(allow_null=True, help_text="slug of the course a course data set is published to")
    is_mine = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class DatasetDetailSerializer(DatasetSerializer):
    description = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    kind = serializers.CharField(help_text="mnist, fashion_mnist, cifar, image_folder or voc")
    title = serializers.CharField()
    source_filename = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    progress = serializers.FloatField()
    message = serializers.CharField()
    dataset = serializers.CharField(allow_null=True, help_text="slug of the imported data set once it succeeded")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ImportStartSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PublishSerializer(serializers.Serializer):
    course = serializers.SlugField(max_length=50)


def _dataset_data(dataset: Dataset, user, detail: bool = False) -> dict:
    data = {
        "slug": dataset.slug,
        "title": dataset.title,
        "kind": dataset.kind,
        "format": dataset.format,
        "class_names": dataset.class_names,
        "num_classes": dataset.num_classes,
        "num_items": dataset.num_items,
        "item_shape": dataset.item_shape,
        "size_bytes": dataset.size_bytes,
        "course": dataset.course.slug if dataset.course_id else None,
        "is_mine": dataset.owner_id == user.pk,
        "created_at": dataset.created_at,
    }
    if detail:
        data["description"] = dataset.description_zh
    return data


def _job_data(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "url": f"/api/datasets/imports/{job.pk}/",
        "kind": job.kind,
        "title": job.title,
        "source_filename": job.source_filename,
        "status": job.status,
        "progress": round(job.progress, 3),
        "message": job.message,
        "dataset": job.dataset.slug if job.dataset_id else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _visible_or_404(request, slug: str) -> Dataset:
    dataset = selectors.dataset_get_visible(request.user, slug)
    if dataset is None:
        raise Http404(_("No such data set."))
    return dataset


class DatasetListView(APIView):
    @extend_schema(summary="Data sets I can use", responses=DatasetSerializer(many=True))
    def get(self, request):
        datasets = selectors.dataset_visible_to(request.user).select_related("course")
        return Response([_dataset_data(d, request.user) for d in datasets])


class DatasetDetailView(APIView):
    @extend_schema(summary="One data set", responses=DatasetDetailSerializer)
    def get(self, request, slug: str):
        return Response(_dataset_data(_visible_or_404(request, slug), request.user, detail=True))


class DatasetPublishView(APIView):
    @extend_schema(summary="Publish a data set to a course (instructors of the course)", request=PublishSerializer,
                   responses={200: DatasetSerializer, 403: dict, 404: dict, 409: dict})
    def post(self, request, slug: str):
        payload = PublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = Course.objects.filter(slug=payload.validated_data["course"]).first()
        dataset = selectors.dataset_get_for_publishing(request.user, slug, course)
        if dataset is None:
            raise Http404(_("No such data set."))
        if course is None:
            return Response({"detail": _("There is no course %(course)s.") % {"course": payload.validated_data["course"]}},
                            status=status.HTTP_400_BAD_REQUEST)
        if not selectors.dataset_can_publish(request.user, dataset, course):
            return Response({"detail": _("Only an instructor of the course can publish a data set to it.")}, status=status.HTTP_403_FORBIDDEN)
        try:
            dataset = services.dataset_publish(dataset=dataset, course=course)
        except services.PublishError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(_dataset_data(dataset, request.user))


class ImportListCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="My imports", responses=ImportJobSerializer(many=True))
    def get(self, request):
        return Response([_job_data(j) for j in selectors.import_job_list_for_user(request.user)[:100]])

    @extend_schema(
        summary="Import a data-set file (MNIST/Fashion-MNIST .npz, CIFAR python .tar.gz, class-folder or VOC .zip/.tar.gz)",
        request={"multipart/form-data": ImportStartSerializer},
        responses={202: ImportJobSerializer, 400: dict, 413: inline_serializer("TooLarge", {"detail": serializers.CharField()})},
    )
    def post(self, request):
        # Refuse an oversized upload from its declared length, before the body is parsed.
        limit = int(settings.DATASET_IMPORT["MAX_UPLOAD_BYTES"])
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + _MULTIPART_SLACK:
            return Response({"detail": _("The file is too large: the largest file that can be imported is %(limit)s.")
                             % {"limit": mib(limit)}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        payload = ImportStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            job = services.dataset_import_start(user=request.user, upload=data["file"], kind=data["kind"], title=data.get("title", ""))
        except ImportRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        return Response(_job_data(job), status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(summary="An import's status and progress", responses=ImportJobSerializer)
    def get(self, request, job_id: int):
        job = selectors.import_job_get_for_user(request.user, job_id)
        if job is None:
            raise Http404(_("No such import."))
        return Response(_job_data(job))
