"""JSON API for labeling projects. Thin: validate, check permission, call services/selectors.

A project the user may not see answers 404 (its existence is not revealed); one they see but
may not manage answers 403. Edits that lost a race answer 409 with the object as it is now.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courseware.models import Course
from datasets.importers.base import mib

from . import selectors, services
from .models import LabelBox, LabelImage, LabelProject, ProjectJob

_MULTIPART_SLACK = 256 * 1024
Detail = inline_serializer("LabelingDetail", {"detail": serializers.CharField()})


# --- request bodies ---------------------------------------------------------------------------------


class ProjectCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=LabelProject.Kind.choices, default=LabelProject.Kind.CLASSIFICATION)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    classes = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list, max_length=200)


class ProjectUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ShareSerializer(serializers.Serializer):
    course = serializers.SlugField(max_length=50, allow_blank=True, help_text="course slug; empty to stop sharing")


class ClassSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    colour = serializers.CharField(max_length=7, required=False, allow_blank=True)
    hotkey = serializers.CharField(max_length=1, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class ImageUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the version the change is based on")
    label = serializers.IntegerField(allow_null=True, required=False, help_text="class id, or null to unlabel")
    verified = serializers.BooleanField(required=False)
    split = serializers.ChoiceField(choices=LabelImage.Split.choices, required=False, allow_blank=True)


class BulkSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=5000)
    label = serializers.IntegerField(allow_null=True, required=False)
    verified = serializers.BooleanField(required=False)


class BoxCreateSerializer(serializers.Serializer):
    label = serializers.IntegerField()
    x0 = serializers.FloatField()
    y0 = serializers.FloatField()
    x1 = serializers.FloatField()
    y1 = serializers.FloatField()


class BoxUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    label = serializers.IntegerField(required=False)
    x0 = serializers.FloatField(required=False)
    y0 = serializers.FloatField(required=False)
    x1 = serializers.FloatField(required=False)
    y1 = serializers.FloatField(required=False)


class SplitSerializer(serializers.Serializer):
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    validation_fraction = serializers.FloatField(min_value=0.05, max_value=0.5, required=False)


class ExportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[(f, f) for f in ("class_folders", "voc", "coco")])


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    format = serializers.ChoiceField(choices=[(f, f) for f in ("auto", "images", "class_folders", "voc", "coco")], default="auto")


# --- responses (the serializers document them in the schema; the *_data functions build them) -----------


class ClassOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()
    hotkey = serializers.CharField()
    position = serializers.IntegerField()


class ProjectOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField(help_text="classification or detection")
    owner = serializers.CharField()
    course = serializers.CharField(allow_null=True)
    is_mine = serializers.BooleanField()
    can_manage = serializers.BooleanField()
    image_count = serializers.IntegerField(required=False)
    classes = ClassOutSerializer(many=True, required=False)
    review = serializers.DictField(required=False)
    export_formats = serializers.ListField(child=serializers.CharField(), required=False)
    import_formats = serializers.ListField(child=serializers.CharField(), required=False)
    storage = serializers.DictField(required=False, help_text="used and limit, bytes")
    limits = serializers.DictField(required=False)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BoxOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    image = serializers.IntegerField()
    label = serializers.IntegerField()
    x0 = serializers.IntegerField()
    y0 = serializers.IntegerField()
    x1 = serializers.IntegerField()
    y1 = serializers.IntegerField()
    version = serializers.IntegerField()


class ImageOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    file_url = serializers.CharField()
    thumb_url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    label = serializers.IntegerField(allow_null=True)
    verified = serializers.BooleanField()
    split = serializers.CharField(help_text="train, val or empty")
    version = serializers.IntegerField()
    box_count = serializers.IntegerField(required=False)
    boxes = BoxOutSerializer(many=True, required=False)
    updated_at = serializers.DateTimeField()


class ImagePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = ImageOutSerializer(many=True)


class JobOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    project = serializers.IntegerField()
    direction = serializers.CharField(help_text="export or import")
    format = serializers.CharField()
    source_filename = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    progress = serializers.FloatField()
    message = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)
    file_bytes = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


Review = inline_serializer("LabelingReview", {
    "images": serializers.IntegerField(), "labeled": serializers.IntegerField(), "unlabeled": serializers.IntegerField(),
    "verified": serializers.IntegerField(), "boxes": serializers.IntegerField(), "classes": serializers.ListField(child=serializers.DictField()),
    "splits": serializers.DictField(child=serializers.IntegerField()), "split_seed": serializers.IntegerField(),
    "validation_fraction": serializers.FloatField(), "size_bytes": serializers.IntegerField()})


def project_data(project: LabelProject, user, *, detail: bool = False) -> dict:
    data = {
        "id": project.pk,
        "url": f"/labeling/{project.pk}/",
        "title": project.title,
        "description": project.description,
        "kind": project.kind,
        "owner": project.owner.username,
        "course": project.course.slug if project.course_id else None,
        "is_mine": project.owner_id == user.pk,
        "can_manage": selectors.project_can_manage(user, project),
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }
    if hasattr(project, "image_count"):
        data["image_count"] = project.image_count
    if detail:
        data["classes"] = [class_data(c) for c in selectors.class_list(project)]
        data["review"] = selectors.project_review(project)
        data["export_formats"] = list(services.EXPORT_FORMATS[project.kind])
        data["import_formats"] = list(services.IMPORT_FORMATS[project.kind])
        data["storage"] = {"used": selectors.storage_used(user), "limit": selectors.storage_limit()}
        data["limits"] = {"max_image_bytes": int(settings.LABELING["MAX_IMAGE_BYTES"]),
                          "max_files_per_upload": int(settings.LABELING["MAX_FILES_PER_UPLOAD"])}
    return data


def class_data(label_class) -> dict:
    return {"id": label_class.pk, "name": label_class.name, "colour": label_class.colour, "hotkey": label_class.hotkey,
            "position": label_class.position}


def image_data(image: LabelImage, *, boxes: bool = False) -> dict:
    data = {
        "id": image.pk,
        "name": image.original_name,
        "file_url": f"/api/labeling/images/{image.pk}/file/",
        "thumb_url": f"/api/labeling/images/{image.pk}/thumb/",
        "width": image.width,
        "height": image.height,
        "label": image.label_id,
        "verified": image.verified,
        "split": image.split,
        "version": image.version,
        "updated_at": image.updated_at,
    }
    if hasattr(image, "box_count"):
        data["box_count"] = image.box_count
    if boxes:
        data["boxes"] = [box_data(b) for b in selectors.image_boxes(image)]
        data["box_count"] = len(data["boxes"])
    return data


def box_data(box: LabelBox) -> dict:
    return {"id": box.pk, "image": box.image_id, "label": box.label_id, "x0": box.x0, "y0": box.y0, "x1": box.x1, "y1": box.y1,
            "version": box.version}


def job_data(job: ProjectJob) -> dict:
    done = job.status == ProjectJob.Status.SUCCEEDED and job.direction == ProjectJob.Direction.EXPORT and bool(job.file_relative_path)
    return {
        "id": job.pk,
        "url": f"/api/labeling/jobs/{job.pk}/",
        "project": job.project_id,
        "direction": job.direction,
        "format": job.format,
        "source_filename": job.source_filename,
        "status": job.status,
        "progress": round(job.progress, 3),
        "message": job.message,
        "download_url": f"/api/labeling/jobs/{job.pk}/download/" if done else None,
        "file_bytes": job.file_bytes,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


# --- lookups with permission ---------------------------------------------------------------------------


def _project(request, project_id: int, *, manage: bool = False) -> LabelProject:
    project = selectors.project_get_visible(request.user, project_id)
    if project is None:
        raise Http404(_("No such labeling project."))
    if manage and not selectors.project_can_manage(request.user, project):
        raise PermissionDenied(_("Only the project's owner or an instructor of its course can do this."))
    return project


def _image(request, image_id: int) -> LabelImage:
    image = selectors.image_get_visible(request.user, image_id)
    if image is None:
        raise Http404(_("No such image."))
    return image


def _box(request, box_id: int) -> LabelBox:
    box = LabelBox.objects.select_related("image", "image__project").filter(pk=box_id).first()
    if box is None or selectors.image_get_visible(request.user, box.image_id) is None:
        raise Http404(_("No such box."))
    return box


def _bad(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


def _conflict(exc: services.EditConflict, data) -> Response:
    return Response({"detail": str(exc), "current": data}, status=status.HTTP_409_CONFLICT)


def _too_large(request, limit: int) -> Response | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + _MULTIPART_SLACK:
        return Response({"detail": _("The upload is %(size)s; at most %(limit)s can be sent at once.")
                         % {"size": mib(length), "limit": mib(limit)}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return None


# --- views ------------------------------------------------------------------------------------------------


class ProjectListView(APIView):
    @extend_schema(summary="Labeling projects I can see (mine and my courses' shared ones)", operation_id="labeling_projects_list", responses=ProjectOutSerializer(many=True))
    def get(self, request):
        return Response([project_data(p, request.user) for p in selectors.project_list_for_user(request.user)[:500]])

    @extend_schema(summary="Create a labeling project", request=ProjectCreateSerializer, responses={201: ProjectOutSerializer, 400: Detail})
    def post(self, request):
        payload = ProjectCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            project = services.project_create(user=request.user, **payload.validated_data)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(project_data(project, request.user, detail=True), status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(summary="A project with its classes, review counts and limits", responses=ProjectOutSerializer)
    def get(self, request, project_id: int):
        return Response(project_data(_project(request, project_id), request.user, detail=True))

    @extend_schema(summary="Rename or describe a project (owner / course instructors)", request=ProjectUpdateSerializer, responses={200: ProjectOutSerializer, 400: Detail, 403: Detail})
    def patch(self, request, project_id: int):
        project = _project(request, project_id, manage=True)
        payload = ProjectUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.project_update(project, **payload.validated_data)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(project_data(project, request.user, detail=True))

    @extend_schema(summary="Delete a project with its images (owner / course instructors)", responses={204: None})
    def delete(self, request, project_id: int):
        services.project_delete(_project(request, project_id, manage=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectShareView(APIView):
    @extend_schema(summary="Share a project to a course I teach, or stop sharing", request=ShareSerializer, responses={200: ProjectOutSerializer, 400: Detail, 403: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id, manage=True)
        payload = ShareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = None
        if payload.validated_data["course"]:
            course = Course.objects.filter(slug=payload.validated_data["course"]).first()
            if course is None:
                return Response({"detail": _("There is no course %(course)s.") % {"course": payload.validated_data["course"]}},
                                status=status.HTTP_400_BAD_REQUEST)
        try:
            services.project_share(project, user=request.user, course=course)
        except services.LabelingError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return Response(project_data(project, request.user, detail=True))


class ClassListView(APIView):
    @extend_schema(summary="Add a class (owner / course instructors)", request=ClassSerializer, responses={201: ClassOutSerializer, 400: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id, manage=True)
        payload = ClassSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "name" not in data:
            return Response({"detail": _("A class needs a name.")}, status=status.HTTP_400_BAD_REQUEST)
        try:
            label_class = services.class_create(project, name=data["name"], colour=data.get("colour") or None, hotkey=data.get("hotkey"))
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(class_data(label_class), status=status.HTTP_201_CREATED)


class ClassDetailView(APIView):
    def _get(self, request, project_id: int, class_id: int):
        project = _project(request, project_id, manage=True)
        label_class = project.classes.filter(pk=class_id).first()
        if label_class is None:
            raise Http404(_("No such class."))
        return label_class

    @extend_schema(summary="Rename, recolour, re-key or move a class", request=ClassSerializer, responses={200: ClassOutSerializer, 400: Detail})
    def patch(self, request, project_id: int, class_id: int):
        label_class = self._get(request, project_id, class_id)
        payload = ClassSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.class_update(label_class, **payload.validated_data)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(class_data(label_class))

    @extend_schema(summary="Delete a class; one in use only with ?force=1", parameters=[OpenApiParameter("force", bool)],
                   responses={204: None, 409: Detail})
    def delete(self, request, project_id: int, class_id: int):
        label_class = self._get(request, project_id, class_id)
        try:
            services.class_delete(label_class, force=request.query_params.get("force") in ("1", "true"))
        except services.LabelingError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImageListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="A page of the project's images, filtered", parameters=[
        OpenApiParameter("label", str, description="class id, or 'none' for unlabeled"),
        OpenApiParameter("split", str, description="train, val or none"),
        OpenApiParameter("verified", str, description="yes or no"),
        OpenApiParameter("offset", int), OpenApiParameter("limit", int)], responses={200: ImagePageSerializer, 400: Detail})
    def get(self, request, project_id: int):
        project = _project(request, project_id)
        params = request.query_params
        label = params.get("label", "")
        if label not in ("", "none") and not label.isdigit():
            return Response({"detail": _("“label” is a class id or “none”.")}, status=status.HTTP_400_BAD_REQUEST)
        try:
            offset = max(int(params.get("offset", 0)), 0)
            limit = min(max(int(params.get("limit", 200)), 1), 1000)
        except ValueError:
            return Response({"detail": _("“offset” and “limit” are whole numbers.")}, status=status.HTTP_400_BAD_REQUEST)
        images = selectors.image_list(project, label=label, split=params.get("split", ""), verified=params.get("verified", ""))
        return Response({"count": images.count(), "offset": offset,
                         "results": [image_data(i) for i in images[offset:offset + limit]]})

    @extend_schema(summary="Upload images (many 'files' parts); each is checked on its own",
                   request={"multipart/form-data": inline_serializer("ImageUpload", {"files": serializers.ListField(child=serializers.FileField())})},
                   responses={201: inline_serializer("UploadResult", {"created": ImageOutSerializer(many=True), "errors": serializers.ListField(child=serializers.DictField())}),
                              400: dict, 413: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id)
        conf = settings.LABELING
        refused = _too_large(request, int(conf["MAX_IMAGE_BYTES"]) * int(conf["MAX_FILES_PER_UPLOAD"]))
        if refused:
            return refused
        files = request.FILES.getlist("files")
        if not files:
            return Response({"detail": _("Choose one or more image files to upload.")}, status=status.HTTP_400_BAD_REQUEST)
        if len(files) > int(conf["MAX_FILES_PER_UPLOAD"]):
            return Response({"detail": _("At most %(n)d files can be uploaded at once; pack more into a .zip archive and import it.")
                             % {"n": int(conf["MAX_FILES_PER_UPLOAD"])}}, status=status.HTTP_400_BAD_REQUEST)
        result = services.images_upload(project, user=request.user, files=[(f.name, f, f.size) for f in files])
        body = {"created": [image_data(i) for i in result.created], "errors": result.errors}
        if not result.created:
            body["detail"] = _("No image was added.")
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_400_BAD_REQUEST)


class ImageBulkView(APIView):
    @extend_schema(summary="Give many images one class (or mark them verified)", request=BulkSerializer, responses={200: inline_serializer("BulkResult", {"updated": serializers.IntegerField()}), 400: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id)
        payload = BulkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        changes = {k: data[k] for k in ("label", "verified") if k in data}
        try:
            count = services.images_bulk_update(project, user=request.user, image_ids=data["images"], **changes)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response({"updated": count})


class ImageDetailView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="An image with its boxes", responses=ImageOutSerializer)
    def get(self, request, image_id: int):
        return Response(image_data(_image(request, image_id), boxes=True))

    @extend_schema(summary="Set an image's class, verified mark or split (with the version it is based on)",
                   request=ImageUpdateSerializer, responses={200: ImageOutSerializer, 400: Detail, 409: dict})
    def patch(self, request, image_id: int):
        image = _image(request, image_id)
        payload = ImageUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        try:
            image = services.image_update(image, user=request.user, version=version, **data)
        except services.EditConflict as exc:
            return _conflict(exc, image_data(exc.current, boxes=True))
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(image_data(image, boxes=True))

    @extend_schema(summary="Delete an image (its uploader, the owner or a course instructor)", responses={204: None, 403: Detail})
    def delete(self, request, image_id: int):
        image = _image(request, image_id)
        if image.uploaded_by_id != request.user.pk and not selectors.project_can_manage(request.user, image.project):
            raise PermissionDenied(_("Only the person who uploaded an image, the project's owner or an instructor of its course can delete it."))
        services.image_delete(image)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImageFileView(APIView):
    @extend_schema(summary="The stored image (or its thumbnail)", responses={(200, "image/*"): bytes})
    def get(self, request, image_id: int, which: str):
        image = _image(request, image_id)
        path = image.thumb_path if which == "thumb" else image.path
        if not path.is_file():
            raise Http404(_("The image file is missing."))
        content_type = "image/png" if path.suffix == ".png" else "image/jpeg"
        response = FileResponse(path.open("rb"), content_type=content_type)
        # Stored names are content hashes: a file never changes, so the browser may keep it.
        response["Cache-Control"] = "private, max-age=86400"
        return response


class BoxListView(APIView):
    @extend_schema(summary="Draw a box on an image (image pixels; clipped to the image)", request=BoxCreateSerializer,
                   responses={201: BoxOutSerializer, 400: Detail})
    def post(self, request, image_id: int):
        image = _image(request, image_id)
        payload = BoxCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            box = services.box_create(image, user=request.user, **payload.validated_data)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(box_data(box), status=status.HTTP_201_CREATED)


class BoxDetailView(APIView):
    @extend_schema(summary="Move, resize or relabel a box (with the version it is based on)", request=BoxUpdateSerializer,
                   responses={200: BoxOutSerializer, 400: Detail, 409: dict})
    def patch(self, request, box_id: int):
        box = _box(request, box_id)
        payload = BoxUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        coords_given = [k for k in ("x0", "y0", "x1", "y1") if k in data]
        if coords_given and len(coords_given) != 4:
            return Response({"detail": _("Send all four corners (x0, y0, x1, y1) to move or resize a box.")}, status=status.HTTP_400_BAD_REQUEST)
        changes = {"label": data["label"]} if "label" in data else {}
        try:
            box = services.box_update(box, user=request.user, version=data["version"],
                                      coords=tuple(data[k] for k in ("x0", "y0", "x1", "y1")) if coords_given else None, **changes)
        except services.EditConflict as exc:
            return _conflict(exc, box_data(exc.current) if exc.current is not None else None)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(box_data(box))

    @extend_schema(summary="Delete a box", responses={204: None})
    def delete(self, request, box_id: int):
        services.box_delete(_box(request, box_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SplitView(APIView):
    @extend_schema(summary="Assign a seeded, stratified train/validation split", request=SplitSerializer, responses={200: Review, 400: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id, manage=True)
        payload = SplitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            review = services.split_assign(project, **payload.validated_data)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(review)


class ReviewView(APIView):
    @extend_schema(summary="Counts per class, unlabeled images, images per split", responses=Review)
    def get(self, request, project_id: int):
        return Response(selectors.project_review(_project(request, project_id)))


class ExportView(APIView):
    @extend_schema(summary="Export the project as a .zip with its images (a background job)", request=ExportSerializer,
                   responses={202: JobOutSerializer, 400: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id)
        payload = ExportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            job = services.export_start(project, user=request.user, fmt=payload.validated_data["format"])
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Import a .zip/.tar.gz of images, class folders, VOC or COCO into the project (a background job)",
                   request={"multipart/form-data": ImportSerializer}, responses={202: JobOutSerializer, 400: Detail, 413: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id)
        refused = _too_large(request, int(settings.DATASET_IMPORT["MAX_UPLOAD_BYTES"]))
        if refused:
            return refused
        payload = ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            job = services.import_start(project, user=request.user, upload=payload.validated_data["file"], fmt=payload.validated_data["format"])
        except services.LabelingError as exc:
            return _bad(exc)
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class JobListView(APIView):
    @extend_schema(summary="My exports and imports of this project", responses=JobOutSerializer(many=True))
    def get(self, request, project_id: int):
        project = _project(request, project_id)
        return Response([job_data(j) for j in selectors.job_list(project, request.user)[:50]])


class JobDetailView(APIView):
    @extend_schema(summary="A job's status and progress", responses=JobOutSerializer)
    def get(self, request, job_id: int):
        job = selectors.job_get_for_user(request.user, job_id)
        if job is None:
            raise Http404(_("No such job."))
        return Response(job_data(job))


class JobDownloadView(APIView):
    @extend_schema(summary="Download a finished export", responses={(200, "application/zip"): bytes})
    def get(self, request, job_id: int):
        job = selectors.job_get_for_user(request.user, job_id)
        if job is None or job.direction != ProjectJob.Direction.EXPORT:
            raise Http404(_("No such export."))
        path = job.file_path
        if job.status != ProjectJob.Status.SUCCEEDED or path is None or not path.is_file():
            raise Http404(_("This export is not ready, failed, or was deleted after %(days)d days.")
                          % {"days": int(settings.LABELING["EXPORT_KEEP_DAYS"])})
        name = f"labeling-{job.project_id}-{job.format}-{job.pk}.zip"
        return FileResponse(path.open("rb"), content_type="application/zip", as_attachment=True, filename=name)


class TrainView(APIView):
    @extend_schema(summary="Make a data set from the project, snapshot it and get the lab that trains on it",
                   request=None, responses={200: inline_serializer("TrainTarget", {"dataset": serializers.CharField(), "snapshot": serializers.CharField(), "num_items": serializers.IntegerField(), "class_names": serializers.ListField(child=serializers.CharField()), "lab": serializers.CharField(allow_null=True), "lab_url": serializers.CharField(allow_null=True)}), 400: Detail})
    def post(self, request, project_id: int):
        project = _project(request, project_id)
        try:
            target = services.project_train(project, user=request.user)
        except services.LabelingError as exc:
            return _bad(exc)
        return Response({
            "dataset": target.dataset.slug,
            "snapshot": target.snapshot.content_hash,
            "num_items": target.dataset.num_items,
            "class_names": target.dataset.class_names,
            "lab": f"{target.lab.course.slug}/{target.lab.slug}" if target.lab else None,
            "lab_url": target.url,
        })
