"""Labeling projects: a learner's (or a course's) own images, classes and annotations.

Files live in the owner's workspace (``WORKSPACE_ROOT/user-<id>/labeling/<project>/``): each image
re-encoded under ``images/`` and a thumbnail under ``thumbs/``, both under names the platform
chose. Rows keep the uploaded name only to show it and to name the image in exports.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dlclassroom.jobs import BackgroundJob


class LabelProject(models.Model):
    class Kind(models.TextChoices):
        CLASSIFICATION = "classification", _("Image classification (one class per image)")
        DETECTION = "detection", _("Object detection (bounding boxes)")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="label_projects")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CLASSIFICATION)
    # Shared projects: every member of the course sees and labels it; its owner and the course's
    # instructors manage it (classes, deleting images, sharing).
    course = models.ForeignKey("courseware.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="label_projects")
    split_seed = models.PositiveIntegerField(default=123)
    validation_fraction = models.FloatField(default=0.2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    @property
    def folder(self) -> Path:
        return Path(settings.WORKSPACE_ROOT) / f"user-{self.owner_id}" / "labeling" / str(self.pk)

    def __str__(self) -> str:
        return f"{self.title} (#{self.pk})"


class LabelClass(models.Model):
    project = models.ForeignKey(LabelProject, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, default="#1f77b4", help_text=_("#rrggbb"))
    hotkey = models.CharField(max_length=1, blank=True, help_text=_("a digit 1–9, or empty"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="labelclass_unique_name"),
            models.UniqueConstraint(fields=["project", "hotkey"], condition=~Q(hotkey=""), name="labelclass_unique_hotkey"),
        ]

    def __str__(self) -> str:
        return self.name


class LabelImage(models.Model):
    class Split(models.TextChoices):
        NONE = "", _("Not assigned")
        TRAIN = "train", _("Training")
        VAL = "val", _("Validation")

    project = models.ForeignKey(LabelProject, on_delete=models.CASCADE, related_name="images")
    original_name = models.CharField(max_length=255, help_text=_("the file's name as it was uploaded"))
    stored_name = models.CharField(max_length=64)
    thumb_name = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    channels = models.PositiveSmallIntegerField(default=3)
    size_bytes = models.PositiveBigIntegerField(default=0, help_text=_("stored image and thumbnail together"))
    sha256 = models.CharField(max_length=64, help_text=_("of the stored pixels' file, to spot the same image uploaded twice"))
    label = models.ForeignKey(LabelClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="images")
    verified = models.BooleanField(default=False)
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.NONE, blank=True)
    # Bumped by every change to the image's own fields; a write naming an older version is a
    # conflict (someone else changed the image meanwhile) instead of a silent overwrite.
    version = models.PositiveIntegerField(default=1)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    labeled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["project", "label"]), models.Index(fields=["project", "split"])]
        constraints = [models.UniqueConstraint(fields=["project", "sha256"], name="labelimage_unique_content")]

    @property
    def path(self) -> Path:
        return self.project.folder / "images" / self.stored_name

    @property
    def thumb_path(self) -> Path:
        return self.project.folder / "thumbs" / self.thumb_name

    def __str__(self) -> str:
        return self.original_name


class LabelBox(models.Model):
    """A bounding box in image pixels: 0-based, half-open (covers columns x0 … x1 − 1), always
    inside the image and at least one pixel wide and high."""

    image = models.ForeignKey(LabelImage, on_delete=models.CASCADE, related_name="boxes")
    label = models.ForeignKey(LabelClass, on_delete=models.CASCADE, related_name="boxes")
    x0 = models.PositiveIntegerField()
    y0 = models.PositiveIntegerField()
    x1 = models.PositiveIntegerField()
    y1 = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(x1__gt=models.F("x0")) & Q(y1__gt=models.F("y0")), name="labelbox_not_empty")]

    def __str__(self) -> str:
        return f"{self.label.name} ({self.x0}, {self.y0}, {self.x1}, {self.y1})"


class ProjectJob(BackgroundJob):
    """An export of a project to an archive, or an import of an archive into it, done by a task."""

    class Direction(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    class Format(models.TextChoices):
        AUTO = "auto", _("Recognise the layout")
        IMAGES = "images", _("Images only (no labels)")
        CLASS_FOLDERS = "class_folders", _("One folder per class (image_dataset_from_directory)")
        VOC = "voc", _("PASCAL VOC XML, as LabelImg writes it")
        COCO = "coco", _("COCO JSON")

    project = models.ForeignKey(LabelProject, on_delete=models.CASCADE, related_name="jobs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="label_jobs")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    format = models.CharField(max_length=16, choices=Format.choices)
    source_filename = models.CharField(max_length=255, blank=True)
    # Import: the upload waiting for the task. Export: the finished archive. Relative to
    # WORKSPACE_ROOT; emptied when the file is gone.
    file_relative_path = models.CharField(max_length=300, blank=True)
    file_bytes = models.PositiveBigIntegerField(default=0)

    @property
    def file_path(self) -> Path | None:
        return Path(settings.WORKSPACE_ROOT) / self.file_relative_path if self.file_relative_path else None

    def __str__(self) -> str:
        return f"{self.direction} {self.pk} ({self.format}, {self.status})"
