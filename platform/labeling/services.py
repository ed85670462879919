"""Labeling writes: projects, classes, images, labels and boxes, splits, exports and imports,
and turning a project into a data set a lab trains on.

Concurrent edits: an image's own fields (class, verified, split) carry a version; a change that
names an older version than the stored one is refused with ``EditConflict`` (it would overwrite
what someone else just did), and the caller gets the image as it is now. Boxes are separate rows
with their own version, so two people drawing on one image never lose each other's boxes.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from django.utils.translation import ngettext

from dlclassroom.jobs import in_platform_language, progress_reporter, task_enqueue, upload_keep

from courseware.models import Course, Enrollment, Lab
from datasets.formats import VocObject, voc_xml
from datasets.importers.base import ImportRefused, mib
from datasets.importers.class_folders import shape_summary
from datasets.models import Dataset, DatasetSnapshot
from datasets.services import dataset_snapshot_create

from . import selectors
from .images import IngestedImage, image_ingest, label_limits
from .models import LabelBox, LabelClass, LabelImage, LabelProject, ProjectJob

logger = logging.getLogger(__name__)

# matplotlib's tab10: ten colours that stay distinguishable, also for most colour-blind people.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
JOB_TIME_LIMIT_S = 1800
_UNSET = object()


class LabelingError(Exception):
    """A request that cannot be done as asked; the message says why, for the person who asked."""


class StorageFull(LabelingError):
    """The user's labeling storage has no room for what is being added."""


class EditConflict(LabelingError):
    """Someone changed the object since the client read it. ``current`` is how it is now."""

    def __init__(self, message: str, current: object):
        super().__init__(message)
        self.current = current



# --- projects and classes ------------------------------------------------------------------------


def _clean_text(value: str, limit: int, what: str) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if not text:
        raise LabelingError(_("The %(what)s is empty.") % {"what": what})
    if len(text) > limit:
        raise LabelingError(_("The %(what)s is longer than %(limit)d characters.") % {"what": what, "limit": limit})
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise LabelingError(_("The %(what)s contains control characters.") % {"what": what})
    return text


def class_name_clean(value: str) -> str:
    """A class name becomes a folder name in class-folder data sets and exports, so it may not
    contain a slash or backslash, or be "." / ".." or start with a dot."""
    name = _clean_text(value, 100, _("class name"))
    if "/" in name or "\\" in name or name.startswith("."):
        raise LabelingError(_("A class name cannot contain “/” or “\\” or start with a dot: “%(name)s”.") % {"name": name})
    return name


def project_create(*, user, title: str, kind: str = LabelProject.Kind.CLASSIFICATION, description: str = "",
                   classes: Iterable[str] = ()) -> LabelProject:
    if kind not in LabelProject.Kind.values:
        raise LabelingError(_("Unknown project kind “%(kind)s”.") % {"kind": kind})
    title = _clean_text(title, 200, _("title"))
    with transaction.atomic():
        project = LabelProject.objects.create(owner=user, title=title, kind=kind, description=str(description or "")[:5000])
        for name in classes:
            class_create(project, name=name)
    project.folder.mkdir(parents=True, exist_ok=True)
    return project


def project_update(project: LabelProject, *, title=_UNSET, description=_UNSET) -> LabelProject:
    if title is not _UNSET:
        project.title = _clean_text(title, 200, _("title"))
    if description is not _UNSET:
        project.description = str(description or "")[:5000]
    project.save()
    return project


def project_delete(project: LabelProject) -> None:
    folder = project.folder
    exports = [job.file_path for job in project.jobs.exclude(file_relative_path="")]
    project.delete()
    shutil.rmtree(folder, ignore_errors=True)
    for path in exports:
        if path is not None:
            path.unlink(missing_ok=True)


def project_share(project: LabelProject, *, user, course: Course | None) -> LabelProject:
    """Share to ``course`` (its members see and label the project) or stop sharing (None). Only
    an instructor of the course (or an admin) shares to it."""
    if course is not None and not user.is_platform_admin and not Enrollment.objects.filter(
            course=course, user=user, role=Enrollment.Role.INSTRUCTOR).exists():
        raise LabelingError(_("Only an instructor of %(course)s can share a project to it.") % {"course": course.title})
    project.course = course
    project.save(update_fields=["course", "updated_at"])
    return project


def _hotkey_clean(project: LabelProject, hotkey, exclude: int | None = None) -> str:
    hotkey = str(hotkey or "").strip()
    if hotkey and hotkey not in "123456789":
        raise LabelingError(_("A hotkey is one of the digits 1 to 9."))
    if hotkey and project.classes.filter(hotkey=hotkey).exclude(pk=exclude).exists():
        raise LabelingError(_("Key %(key)s is already used by another class.") % {"key": hotkey})
    return hotkey


def class_create(project: LabelProject, *, name: str, colour: str | None = None, hotkey=None) -> LabelClass:
    name = class_name_clean(name)
    if project.classes.filter(name=name).exists():
        raise LabelingError(_("There is already a class named “%(name)s”.") % {"name": name})
    count = project.classes.count()
    if colour is None or colour == "":
        colour = PALETTE[count % len(PALETTE)]
    if not _COLOUR.match(str(colour)):
        raise LabelingError(_("A colour is written #rrggbb, for example #1f77b4."))
    if hotkey is None:
        used = set(project.classes.values_list("hotkey", flat=True))
        hotkey = next((k for k in "123456789" if k not in used), "")
    hotkey = _hotkey_clean(project, hotkey)
    position = (project.classes.aggregate(p=Max("position"))["p"] or 0) + 1
    try:
        with transaction.atomic():
            return LabelClass.objects.create(project=project, name=name, colour=str(colour).lower(), hotkey=hotkey, position=position)
    except IntegrityError:  # a parallel request took the name or the key
        raise LabelingError(_("There is already a class named “%(name)s” or with key %(key)s.") % {"name": name, "key": hotkey}) from None


def class_update(label_class: LabelClass, *, name=_UNSET, colour=_UNSET, hotkey=_UNSET, position=_UNSET) -> LabelClass:
    project = label_class.project
    if name is not _UNSET:
        name = class_name_clean(name)
        if project.classes.filter(name=name).exclude(pk=label_class.pk).exists():
            raise LabelingError(_("There is already a class named “%(name)s”.") % {"name": name})
        label_class.name = name
    if colour is not _UNSET:
        if not _COLOUR.match(str(colour or "")):
            raise LabelingError(_("A colour is written #rrggbb, for example #1f77b4."))
        label_class.colour = str(colour).lower()
    if hotkey is not _UNSET:
        label_class.hotkey = _hotkey_clean(project, hotkey, exclude=label_class.pk)
    if position is not _UNSET:
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise LabelingError(_("The position is a whole number from 0."))
        label_class.position = position
    try:
        with transaction.atomic():
            label_class.save()
    except IntegrityError:
        raise LabelingError(_("Another class already has that name or key.")) from None
    return label_class


def class_delete(label_class: LabelClass, *, force: bool = False) -> None:
    """A class in use is only deleted when asked explicitly: its images become unlabeled and its
    boxes are deleted."""
    images, boxes = label_class.images.count(), label_class.boxes.count()
    if (images or boxes) and not force:
        raise LabelingError(_("“%(name)s” is used by %(images)d images and %(boxes)d boxes. Delete it anyway to unlabel them and delete the boxes.")
                            % {"name": label_class.name, "images": images, "boxes": boxes})
    with transaction.atomic():
        LabelImage.objects.filter(label=label_class).update(label=None, version=F("version") + 1, updated_at=timezone.now())
        label_class.delete()


def _class_of(project: LabelProject, label_id) -> LabelClass | None:
    if label_id is None:
        return None
    if isinstance(label_id, bool) or not isinstance(label_id, int):
        raise LabelingError(_("A class is given by its number (id)."))
    label_class = project.classes.filter(pk=label_id).first()
    if label_class is None:
        raise LabelingError(_("This project has no class with id %(id)s.") % {"id": label_id})
    return label_class


# --- images ----------------------------------------------------------------------------------------


@dataclass
class UploadResult:
    created: list[LabelImage] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"name": file name, "detail": why it was not added}


def _storage_check(user, adding: int) -> None:
    used, limit = selectors.storage_used(user), selectors.storage_limit()
    if used + adding > limit:
        raise StorageFull(_("Your labeling storage is full: %(used)s of %(limit)s used. Delete images or old exports first.") % {
            "used": mib(used), "limit": mib(limit)})


def _display_name(name: str) -> str:
    base = Path(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return base[:255] or "image"


def image_store(project: LabelProject, *, user, ingested: IngestedImage, original_name: str,
                label: LabelClass | None = None, split: str = "", verified: bool = False) -> LabelImage:
    """Write an ingested image into the project and create its row. Raises LabelingError for an
    image the project already has (same pixels) or a full project or storage."""
    _storage_check(user, len(ingested.data) + len(ingested.thumb))
    if project.images.count() >= int(settings.LABELING["MAX_IMAGES_PER_PROJECT"]):
        raise LabelingError(_("The project already has %(n)d images, the most a project may have.")
                            % {"n": int(settings.LABELING["MAX_IMAGES_PER_PROJECT"])})
    duplicate = project.images.filter(sha256=ingested.sha256).first()
    if duplicate is not None:
        raise LabelingError(_("The project already has this image (as “%(name)s”).") % {"name": duplicate.original_name})
    folder = project.folder
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "thumbs").mkdir(parents=True, exist_ok=True)
    # The stored name is the content hash: never the uploaded name, and unique in the project.
    stored = ingested.sha256[:32] + ingested.extension
    thumb = ingested.sha256[:32] + ".jpg"
    paths = [(folder / "images" / stored, ingested.data), (folder / "thumbs" / thumb, ingested.thumb)]
    try:
        for path, data in paths:
            with open(path, "wb") as handle:
                handle.write(data)
        with transaction.atomic():
            return LabelImage.objects.create(
                project=project, original_name=_display_name(original_name), stored_name=stored, thumb_name=thumb,
                width=ingested.width, height=ingested.height, channels=ingested.channels,
                size_bytes=len(ingested.data) + len(ingested.thumb), sha256=ingested.sha256,
                label=label, split=split, verified=verified, uploaded_by=user, labeled_by=user if label else None)
    except IntegrityError:
        # The same image arrived in a parallel request; its files are the same bytes, keep them.
        raise LabelingError(_("The project already has this image.")) from None
    except BaseException:
        for path, _data in paths:
            path.unlink(missing_ok=True)
        raise


def images_upload(project: LabelProject, *, user, files: Iterable[tuple[str, BinaryIO, int | None]]) -> UploadResult:
    """Add uploaded files (name, stream, size) to the project. Each file is checked on its own: a
    bad one is reported by name and the others are still added."""
    result = UploadResult()
    from quotas.services import upload_limit

    limit = upload_limit(user, int(settings.LABELING["MAX_IMAGE_BYTES"]))
    for name, stream, size in files:
        shown = _display_name(name)
        try:
            if size is not None and size > limit:
                raise ImportRefused(_("“%(name)s” is %(size)s; an image may be at most %(limit)s.")
                                    % {"name": shown, "size": mib(size), "limit": mib(limit)})
            data = stream.read(limit + 1)
            ingested = image_ingest(data, shown)
            result.created.append(image_store(project, user=user, ingested=ingested, original_name=shown))
        except (ImportRefused, LabelingError) as exc:
            result.errors.append({"name": shown, "detail": str(exc)})
    if result.created:
        LabelProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    return result


def image_update(image: LabelImage, *, user, version: int, label=_UNSET, verified=_UNSET, split=_UNSET) -> LabelImage:
    """Change an image's class, verified mark or split, if nobody changed it since ``version``."""
    changes: dict = {}
    if label is not _UNSET:
        changes["label"] = _class_of(image.project, label)
        changes["labeled_by"] = user
    if verified is not _UNSET:
        if not isinstance(verified, bool):
            raise LabelingError(_("“verified” is true or false."))
        changes["verified"] = verified
    if split is not _UNSET:
        if split not in LabelImage.Split.values:
            raise LabelingError(_("The split is “train”, “val” or empty."))
        changes["split"] = split
    if isinstance(version, bool) or not isinstance(version, int):
        raise LabelingError(_("Send the image's version you changed, as a number."))
    if not changes:
        return image
    updated = LabelImage.objects.filter(pk=image.pk, version=version).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    current = LabelImage.objects.select_related("label", "labeled_by", "project").get(pk=image.pk)
    if not updated:
        who = current.labeled_by.username if current.labeled_by_id else "?"
        raise EditConflict(_("Someone else (%(who)s) changed this image while you were looking at it, so your change was not saved. "
                             "The image now shows their version; change it again if you still want to.") % {"who": who}, current)
    return current


def images_bulk_update(project: LabelProject, *, user, image_ids: list[int], label=_UNSET, verified=_UNSET) -> int:
    """Label (or mark) many images at once, whatever their versions: bulk edits are deliberate."""
    if not isinstance(image_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in image_ids):
        raise LabelingError(_("“images” is a list of image ids."))
    if len(image_ids) > 5000:
        raise LabelingError(_("At most 5000 images can be changed at once."))
    changes: dict = {}
    if label is not _UNSET:
        changes["label"] = _class_of(project, label)
        changes["labeled_by"] = user
    if verified is not _UNSET:
        if not isinstance(verified, bool):
            raise LabelingError(_("“verified” is true or false."))
        changes["verified"] = verified
    if not changes:
        raise LabelingError(_("Say what to change: a class (“label”) or “verified”."))
    return LabelImage.objects.filter(project=project, pk__in=image_ids).update(version=F("version") + 1, updated_at=timezone.now(), **changes)


def image_delete(image: LabelImage) -> None:
    paths = [image.path, image.thumb_path]
    image.delete()
    for path in paths:
        path.unlink(missing_ok=True)


# --- boxes -------------------------------------------------------------------------------------------


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise LabelingError(_("The box's %(what)s is not a number.") % {"what": what})
    return float(value)


def box_clip(image: LabelImage, x0, y0, x1, y1) -> tuple[int, int, int, int]:
    """Whole pixels inside the image, corners in either order; refused when nothing is left."""
    a, b, c, d = (_number(v, k) for v, k in ((x0, "x0"), (y0, "y0"), (x1, "x1"), (y1, "y1")))
    left, right = sorted((round(a), round(c)))
    top, bottom = sorted((round(b), round(d)))
    left, right = min(max(left, 0), image.width), min(max(right, 0), image.width)
    top, bottom = min(max(top, 0), image.height), min(max(bottom, 0), image.height)
    if right - left < 1 or bottom - top < 1:
        raise LabelingError(_("The box is outside the %(w)d×%(h)d image or less than one pixel wide or high.")
                            % {"w": image.width, "h": image.height})
    return left, top, right, bottom


def box_create(image: LabelImage, *, user, label: int, x0, y0, x1, y1) -> LabelBox:
    label_class = _class_of(image.project, label)
    if label_class is None:
        raise LabelingError(_("A box needs a class."))
    left, top, right, bottom = box_clip(image, x0, y0, x1, y1)
    box = LabelBox.objects.create(image=image, label=label_class, x0=left, y0=top, x1=right, y1=bottom, created_by=user)
    LabelImage.objects.filter(pk=image.pk).update(updated_at=timezone.now(), labeled_by=user)
    return box


def box_update(box: LabelBox, *, user, version: int, label=_UNSET, coords: tuple | None = None) -> LabelBox:
    if isinstance(version, bool) or not isinstance(version, int):
        raise LabelingError(_("Send the box's version you changed, as a number."))
    changes: dict = {}
    if label is not _UNSET:
        label_class = _class_of(box.image.project, label)
        if label_class is None:
            raise LabelingError(_("A box needs a class."))
        changes["label"] = label_class
    if coords is not None:
        changes.update(zip(("x0", "y0", "x1", "y1"), box_clip(box.image, *coords), strict=True))
    if not changes:
        return box
    updated = LabelBox.objects.filter(pk=box.pk, version=version).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    current = LabelBox.objects.select_related("label", "image").filter(pk=box.pk).first()
    if current is None:
        raise EditConflict(_("Someone else deleted this box meanwhile."), None)
    if not updated:
        raise EditConflict(_("Someone else moved or relabeled this box while you were editing it, so your change was not saved. "
                             "The box now shows their version."), current)
    LabelImage.objects.filter(pk=box.image_id).update(updated_at=timezone.now(), labeled_by=user)
    return current


def box_delete(box: LabelBox) -> None:
    box.delete()


# --- splits ------------------------------------------------------------------------------------------


def _stratum(project: LabelProject, images: list[LabelImage]) -> dict[int, object]:
    """What each image is stratified by: its class; for boxes, the class of its first box."""
    if project.kind == LabelProject.Kind.CLASSIFICATION:
        return {image.pk: image.label_id for image in images}
    first: dict[int, int] = {}
    for image_id, label_id in LabelBox.objects.filter(image__project=project).order_by("image_id", "id").values_list("image_id", "label_id"):
        first.setdefault(image_id, label_id)
    return {image.pk: first.get(image.pk) for image in images}


def split_assign(project: LabelProject, *, seed: int | None = None, validation_fraction: float | None = None) -> dict:
    """A seeded, stratified train/validation split of the labeled images, stored on each image
    and the seed and fraction on the project: the same seed gives the same split again.

    Per class, ``round(n × fraction)`` images go to validation (at least one when the class has
    two or more, so every class is validated). Unlabeled images get no split."""
    seed = project.split_seed if seed is None else seed
    fraction = project.validation_fraction if validation_fraction is None else validation_fraction
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise LabelingError(_("The seed is a whole number from 0 to 2147483647."))
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.05 <= fraction <= 0.5:
        raise LabelingError(_("The validation share is between 0.05 and 0.5."))
    with transaction.atomic():
        images = list(LabelImage.objects.select_for_update().filter(project=project).order_by("id"))
        strata = _stratum(project, images)
        groups: dict[object, list[int]] = defaultdict(list)
        for image in images:
            if strata[image.pk] is not None:
                groups[strata[image.pk]].append(image.pk)
        rng = random.Random(seed)
        val: set[int] = set()
        for key in sorted(groups, key=str):
            ids = sorted(groups[key])
            rng.shuffle(ids)
            n_val = round(len(ids) * fraction)
            if len(ids) >= 2:
                n_val = min(max(n_val, 1), len(ids) - 1)
            val.update(ids[:n_val])
        labeled = {pk for ids in groups.values() for pk in ids}
        now = timezone.now()
        LabelImage.objects.filter(project=project).exclude(pk__in=labeled).update(split="", version=F("version") + 1, updated_at=now)
        LabelImage.objects.filter(pk__in=val).update(split="val", version=F("version") + 1, updated_at=now)
        LabelImage.objects.filter(pk__in=labeled - val).update(split="train", version=F("version") + 1, updated_at=now)
        LabelProject.objects.filter(pk=project.pk).update(split_seed=seed, validation_fraction=float(fraction), updated_at=now)
    project.refresh_from_db()
    return selectors.project_review(project)


# --- exports and imports (Celery tasks do the work) ------------------------------------------------

EXPORT_FORMATS = {
    LabelProject.Kind.CLASSIFICATION: (ProjectJob.Format.CLASS_FOLDERS,),
    LabelProject.Kind.DETECTION: (ProjectJob.Format.VOC, ProjectJob.Format.COCO),
}
IMPORT_FORMATS = {
    LabelProject.Kind.CLASSIFICATION: (ProjectJob.Format.AUTO, ProjectJob.Format.IMAGES, ProjectJob.Format.CLASS_FOLDERS),
    LabelProject.Kind.DETECTION: (ProjectJob.Format.AUTO, ProjectJob.Format.IMAGES, ProjectJob.Format.VOC, ProjectJob.Format.COCO),
}


@in_platform_language
def _job_enqueue(job: ProjectJob) -> None:
    from .tasks import project_job_run

    task_enqueue(project_job_run, job.pk, on_broker_down=lambda: _job_fail(
        job.pk, _("The job could not be queued because the task queue is not reachable. Try again later.")))


@in_platform_language
def export_start(project: LabelProject, *, user, fmt: str) -> ProjectJob:
    if fmt not in EXPORT_FORMATS[project.kind]:
        allowed = ", ".join(EXPORT_FORMATS[project.kind])
        raise LabelingError(_("A %(kind)s project exports as %(allowed)s, not “%(format)s”.")
                            % {"kind": project.get_kind_display(), "allowed": allowed, "format": fmt})
    with transaction.atomic():
        job = ProjectJob.objects.create(project=project, owner=user, direction=ProjectJob.Direction.EXPORT, format=fmt)
        transaction.on_commit(lambda: _job_enqueue(job))
    return job


@in_platform_language
def import_start(project: LabelProject, *, user, upload, fmt: str = ProjectJob.Format.AUTO) -> ProjectJob:
    """Keep the uploaded archive and queue its import into the project."""
    if fmt not in IMPORT_FORMATS[project.kind]:
        allowed = ", ".join(IMPORT_FORMATS[project.kind])
        raise LabelingError(_("A %(kind)s project imports %(allowed)s archives, not “%(format)s”.")
                            % {"kind": project.get_kind_display(), "allowed": allowed, "format": fmt})
    from quotas.services import upload_limit

    limit = upload_limit(user, label_limits().max_upload_bytes)
    if upload.size is not None and upload.size > limit:
        raise LabelingError(_("The file is %(size)s; the largest archive that can be imported is %(limit)s.")
                            % {"size": mib(upload.size), "limit": mib(limit)})
    _storage_check(user, upload.size or 0)
    with transaction.atomic():
        job = ProjectJob.objects.create(project=project, owner=user, direction=ProjectJob.Direction.IMPORT, format=fmt,
                                        source_filename=_display_name(upload.name))
        kept = upload_keep(upload, Path(settings.WORKSPACE_ROOT) / f"user-{user.pk}" / "labeling-jobs" / str(job.pk))
        job.file_relative_path = str(kept.relative_to(settings.WORKSPACE_ROOT))
        job.save(update_fields=["file_relative_path"])
        transaction.on_commit(lambda: _job_enqueue(job))
    return job


def job_claim(job_id: int) -> bool:
    """queued → running; only one task wins (conditional UPDATE)."""
    return bool(ProjectJob.objects.filter(pk=job_id, status=ProjectJob.Status.QUEUED).update(
        status=ProjectJob.Status.RUNNING, started_at=timezone.now()))


def _job_fail(job_id: int, message: str) -> None:
    ProjectJob.objects.filter(pk=job_id).exclude(status=ProjectJob.Status.SUCCEEDED).update(
        status=ProjectJob.Status.FAILED, message=message[:4000], finished_at=timezone.now())



def export_names(images: list[LabelImage]) -> dict[int, str]:
    """A file name per image for exports: the uploaded name's stem with the stored extension, made
    unique (stems too: VOC names its XML files by them) by adding the image id where needed."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for image in sorted(images, key=lambda i: i.pk):
        stem = Path(image.original_name).stem
        stem = re.sub(r"[\x00-\x1f/\\:*?\"<>|]", "_", stem).strip(" .")[:80] or "image"
        ext = Path(image.stored_name).suffix
        candidate = stem
        if candidate.casefold() in taken:
            candidate = f"{stem}-{image.pk}"
        taken.add(candidate.casefold())
        names[image.pk] = candidate + ext
    return names


def _export_images(project: LabelProject) -> tuple[list[str], list, int]:
    from .formats import Box, ExportImage

    classes = {c.pk: c.name for c in project.classes.all()}
    images = list(project.images.select_related("label").order_by("id"))
    boxes: dict[int, list] = defaultdict(list)
    for box in LabelBox.objects.filter(image__project=project).order_by("id"):
        boxes[box.image_id].append(Box(classes[box.label_id], box.x0, box.y0, box.x1, box.y1))
    names = export_names(images)
    items = [ExportImage(name=names[i.pk], path=i.path, width=i.width, height=i.height, depth=i.channels,
                         label=i.label.name if i.label_id else None, boxes=boxes[i.pk], split=i.split, verified=i.verified)
             for i in images]
    return [c.name for c in selectors.class_list(project)], items, len(items)


@in_platform_language
def export_execute(job_id: int) -> ProjectJob:
    """Write the project as a .zip, images included, then offer it for download. The archive is
    written under a temporary name and renamed when complete, so a download never gets half a file."""
    from .formats import export_write

    job = ProjectJob.objects.select_related("project", "owner").get(pk=job_id)
    folder = Path(settings.WORKSPACE_ROOT) / f"user-{job.owner_id}" / "labeling-exports"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"export-{job.pk}.zip"
    partial = folder / f".export-{job.pk}.zip.part"
    try:
        class_names, items, total = _export_images(job.project)
        summary = export_write(job.format, partial, title=job.project.title, class_names=class_names, images=items,
                               total=total, report=progress_reporter(ProjectJob, job.pk))
        size = partial.stat().st_size
        _storage_check(job.owner, size)
        os.replace(partial, final)
        done = (_("%(images)d images exported with %(boxes)d boxes.") % {"images": summary.images, "boxes": summary.boxes} if summary.boxes
                else ngettext("%(n)d image exported.", "%(n)d images exported.", summary.images) % {"n": summary.images})
        message = " ".join([done, *summary.notes])
        ProjectJob.objects.filter(pk=job.pk).update(status=ProjectJob.Status.SUCCEEDED, progress=1.0, message=message,
                                                    file_relative_path=str(final.relative_to(settings.WORKSPACE_ROOT)),
                                                    file_bytes=size, finished_at=timezone.now())
    except (LabelingError, ImportRefused) as exc:
        _job_fail(job.pk, str(exc))
    except Exception as exc:  # noqa: BLE001 — a crash must still end the job
        logger.exception("labeling export %s crashed", job.pk)
        _job_fail(job.pk, _("The export stopped because of an internal error (%(error)s).") % {"error": type(exc).__name__})
    finally:
        partial.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _classes_ensure(project: LabelProject, names: list[str], notes: list[str]) -> dict[str, LabelClass]:
    """The project's classes by name, creating the archive's missing ones. A name that cannot be
    a class name (a slash in a COCO category) is changed, and the change noted."""
    by_name = {c.name: c for c in project.classes.all()}
    mapping: dict[str, LabelClass] = {}
    for raw in names:
        try:
            name = class_name_clean(raw)
        except LabelingError:
            name = re.sub(r"[/\\]", "_", str(raw)).lstrip(".").strip()[:100] or "class"
            name = class_name_clean(name)
            notes.append(_("The class “%(raw)s” was renamed “%(name)s”.") % {"raw": raw, "name": name})
        if name not in by_name:
            by_name[name] = class_create(project, name=name)
        mapping[raw] = by_name[name]
    return mapping


@in_platform_language
def import_execute(job_id: int) -> ProjectJob:
    """Add an archive's images (and their classes or boxes) to the project. Structural problems
    (not an archive, zip slip, a bomb, broken annotations) refuse the whole archive before any
    image is added; a single bad image is reported by name and the others are still added."""
    from .formats import archive_open

    job = ProjectJob.objects.select_related("project", "owner").get(pk=job_id)
    project = job.project
    errors: list[str] = []
    notes: list[str] = []
    added = boxes_added = 0
    try:
        source = job.file_path
        if source is None or not source.is_file():
            raise LabelingError(_("The uploaded file is no longer on the server; upload it again."))
        with archive_open(source, job.format, label_limits(), label=job.source_filename or "upload") as contents:
            if contents.format not in IMPORT_FORMATS[project.kind]:
                raise LabelingError(_("%(file)s holds %(format)s data, which a %(kind)s project cannot import. "
                                      "Class folders go into a classification project, VOC and COCO into a detection project.")
                                    % {"file": job.source_filename, "format": contents.format, "kind": project.get_kind_display()})
            notes.extend(contents.notes)
            classes = _classes_ensure(project, list(contents.class_names), notes)
            report = progress_reporter(ProjectJob, job.pk)
            for item in contents.items(report):
                try:
                    ingested = image_ingest(item.data, item.name)
                    if item.size and tuple(item.size) != (ingested.width, ingested.height):
                        raise LabelingError(_("The annotation of “%(name)s” is for a %(aw)d×%(ah)d image, but the image is %(w)d×%(h)d.")
                                            % {"name": item.name, "aw": item.size[0], "ah": item.size[1], "w": ingested.width, "h": ingested.height})
                    label = None
                    if item.label is not None:
                        label = classes.get(item.label) or _classes_ensure(project, [item.label], notes)[item.label]
                    with transaction.atomic():
                        image = image_store(project, user=job.owner, ingested=ingested, original_name=item.name,
                                            label=label, split=item.split if item.split in ("train", "val") else "", verified=bool(item.verified))
                        for box in item.boxes:
                            box_class = classes.get(box.label) or _classes_ensure(project, [box.label], notes)[box.label]
                            left, top, right, bottom = box_clip(image, box.x0, box.y0, box.x1, box.y1)
                            LabelBox.objects.create(image=image, label=box_class, x0=left, y0=top, x1=right, y1=bottom, created_by=job.owner)
                            boxes_added += 1
                    added += 1
                except StorageFull as exc:
                    errors.append(f"{_display_name(item.name)}: {exc}")
                    break  # nothing more fits; the rest of the archive is not read
                except (ImportRefused, LabelingError) as exc:
                    errors.append(f"{_display_name(item.name)}: {exc}")
        parts = [_("%(images)d images added with %(boxes)d boxes.") % {"images": added, "boxes": boxes_added} if boxes_added
                 else ngettext("%(n)d image added.", "%(n)d images added.", added) % {"n": added}]
        if errors:
            parts.append(ngettext("%(n)d file was not added:", "%(n)d files were not added:", len(errors)) % {"n": len(errors)})
            parts.extend(errors[:50])
            if len(errors) > 50:
                parts.append(_("… and %(n)d more.") % {"n": len(errors) - 50})
        status = ProjectJob.Status.SUCCEEDED if added or not errors else ProjectJob.Status.FAILED
        ProjectJob.objects.filter(pk=job.pk).update(status=status, progress=1.0, message="\n".join(parts + notes)[:8000],
                                                    finished_at=timezone.now())
        LabelProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    except (ImportRefused, LabelingError) as exc:
        _job_fail(job.pk, str(exc))
    except Exception as exc:  # noqa: BLE001
        logger.exception("labeling import %s crashed", job.pk)
        _job_fail(job.pk, _("The import stopped because of an internal error (%(error)s).") % {"error": type(exc).__name__})
    finally:
        _job_upload_discard(job)
    job.refresh_from_db()
    return job


def _job_upload_discard(job: ProjectJob) -> None:
    if job.direction == ProjectJob.Direction.IMPORT and job.file_path is not None:
        shutil.rmtree(job.file_path.parent, ignore_errors=True)
        ProjectJob.objects.filter(pk=job.pk).update(file_relative_path="")


def job_delete_file(job: ProjectJob) -> None:
    if job.file_path is not None:
        job.file_path.unlink(missing_ok=True)
    ProjectJob.objects.filter(pk=job.pk).update(file_relative_path="", file_bytes=0)


@in_platform_language
def project_jobs_reap(now=None) -> dict:
    """Fail jobs whose worker was lost, and delete export archives older than EXPORT_KEEP_DAYS."""
    now = now or timezone.now()
    stale = list(ProjectJob.objects.filter(status=ProjectJob.Status.RUNNING, started_at__lt=now - timedelta(seconds=JOB_TIME_LIMIT_S + 300)))
    for job in stale:
        _job_fail(job.pk, _("The job was stopped: its worker did not finish it in time. Start it again."))
        _job_upload_discard(job)
    expired = list(ProjectJob.objects.filter(direction=ProjectJob.Direction.EXPORT, finished_at__lt=now - timedelta(days=int(settings.LABELING["EXPORT_KEEP_DAYS"])))
                   .exclude(file_relative_path=""))
    for job in expired:
        job_delete_file(job)
    return {"failed": [j.pk for j in stale], "expired": [j.pk for j in expired]}


# --- "Train on this" -----------------------------------------------------------------------------------


@dataclass
class TrainTarget:
    dataset: Dataset
    snapshot: DatasetSnapshot
    lab: Lab | None
    url: str | None


def _train_lab(project: LabelProject) -> Lab | None:
    slug = settings.LABELING["TRAIN_LABS"][project.kind]
    labs = Lab.objects.filter(slug=slug).select_related("course").order_by("id")
    return (labs.filter(course_id=project.course_id).first() if project.course_id else None) or labs.first()


def _dataset_write(project: LabelProject, out: Path) -> dict:
    """The project's labeled images as a data set folder the trainers read: class folders (with
    split.json) for classification, images/ + annotations/ (VOC, with split.json) for boxes."""
    from .formats import Box

    images = list(project.images.select_related("label").order_by("id"))
    names = export_names(images)
    validation: list[str] = []
    shapes: Counter = Counter()
    if project.kind == LabelProject.Kind.CLASSIFICATION:
        labeled = [i for i in images if i.label_id]
        for image in labeled:
            relative = f"{image.label.name}/{names[image.pk]}"
            (out / image.label.name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image.path, out / relative)
            shapes[(image.height, image.width, image.channels)] += 1
            if image.split == "val":
                validation.append(relative)
        used = {i.label_id for i in labeled}
        class_names = [c.name for c in selectors.class_list(project) if c.pk in used]
        fmt, count = Dataset.Format.IMAGE_FOLDER, len(labeled)
    else:
        classes = {c.pk: c.name for c in project.classes.all()}
        boxes: dict[int, list[Box]] = defaultdict(list)
        for box in LabelBox.objects.filter(image__project=project).order_by("id"):
            boxes[box.image_id].append(Box(classes[box.label_id], box.x0, box.y0, box.x1, box.y1))
        labeled = [i for i in images if boxes[i.pk]]
        (out / "images").mkdir(parents=True)
        (out / "annotations").mkdir(parents=True)
        for image in labeled:
            name = names[image.pk]
            shutil.copyfile(image.path, out / "images" / name)
            objects = [VocObject(b.label, b.x0 + 1, b.y0 + 1, b.x1, b.y1) for b in boxes[image.pk]]
            (out / "annotations" / f"{Path(name).stem}.xml").write_bytes(
                voc_xml(folder="images", filename=name, width=image.width, height=image.height, depth=image.channels, objects=objects))
            shapes[(image.height, image.width, image.channels)] += 1
            if image.split == "val":
                validation.append(Path(name).stem)
        used_names = {b.label for i in labeled for b in boxes[i.pk]}
        class_names = [c.name for c in selectors.class_list(project) if c.name in used_names]
        fmt, count = Dataset.Format.VOC, len(labeled)
    (out / "split.json").write_text(json.dumps({"version": 1, "seed": project.split_seed, "validation_fraction": project.validation_fraction,
                                                "validation": sorted(validation)}, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"format": fmt, "class_names": class_names, "num_items": count, "item_shape": shape_summary(shapes)}


def project_train(project: LabelProject, *, user) -> TrainTarget:
    """Make (or remake) the user's data set from the project as it is now, snapshot it, and say
    which lab trains on it. The data set is the user's own (one per project and user), so it
    shows in their labs' data-set lists like an imported set."""
    review = selectors.project_review(project)
    used = [c for c in review["classes"] if (c["images"] if project.kind == LabelProject.Kind.CLASSIFICATION else c["boxes"])]
    if len(used) < 2:
        raise LabelingError(_("Label images of at least two classes before training: a classifier needs two classes to tell apart."))
    if review["labeled"] < 4:
        raise LabelingError(_("Label at least four images before training (some for training, some for validation)."))
    unassigned = project.images.filter(split="").exclude(label=None).exists() if project.kind == LabelProject.Kind.CLASSIFICATION \
        else project.images.filter(split="", boxes__isnull=False).exists()
    if unassigned:
        split_assign(project)
    root = Path(settings.DATASET_ROOT) / "labeled"
    root.mkdir(parents=True, exist_ok=True)
    slug = f"labeled-p{project.pk}-u{user.pk}"
    scratch = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=root))
    old = None
    try:
        info = _dataset_write(project, scratch)
        if info["num_items"] and not any(True for _ in _validation_entries(scratch)):
            raise LabelingError(_("No labeled image is in the validation split; assign the split again."))
        scratch.chmod(0o755)
        final = root / slug
        if final.exists():
            old = root / f".old-{slug}-{os.getpid()}-{timezone.now().timestamp():.0f}"
            os.rename(final, old)
        os.rename(scratch, final)
        size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
        dataset, _created = Dataset.objects.update_or_create(slug=slug, defaults={
            "title_zh": f"{project.title}（标注）", "title_en": f"{project.title} (labeled)",
            "description_zh": f"由标注项目 #{project.pk} 生成", "kind": Dataset.Kind.PERSONAL, "owner": user,
            "relative_path": str(final.relative_to(settings.DATASET_ROOT)), "size_bytes": size, **info})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    snapshot = dataset_snapshot_create(dataset)
    lab = _train_lab(project)
    url = None
    if lab is not None:
        url = reverse("courseware:lab-detail", args=[lab.course.slug, lab.slug]) + f"?dataset={dataset.slug}"
    return TrainTarget(dataset=dataset, snapshot=snapshot, lab=lab, url=url)


def _validation_entries(folder: Path) -> list[str]:
    return json.loads((folder / "split.json").read_text(encoding="utf-8"))["validation"]
