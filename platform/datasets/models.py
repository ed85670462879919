from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dlclassroom.jobs import BackgroundJob


class Dataset(models.Model):
    class Kind(models.TextChoices):
        BUNDLED = "bundled", _("Bundled with the platform")
        COURSE = "course", _("Published to a course")
        PERSONAL = "personal", _("Learner's own")

    class Format(models.TextChoices):
        IMAGE_FOLDER = "image_folder", _("Class-per-folder images")
        NPZ = "npz", _("NumPy arrays (x, y)")
        TABULAR = "tabular", _("Table of numbers (x, y, feature_names)")
        VOC = "voc", _("Images with PASCAL VOC boxes")

    slug = models.SlugField(unique=True)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_zh = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BUNDLED)
    format = models.CharField(max_length=16, choices=Format.choices)
    # Relative to DATASET_ROOT; datasets are read-only once created (runs train on them as-is).
    relative_path = models.CharField(max_length=300)
    class_names = models.JSONField(default=list)
    num_items = models.PositiveIntegerField(default=0)
    item_shape = models.JSONField(default=list, help_text=_("stored shape of one item, e.g. [128, 128, 3]; null where items differ"))
    size_bytes = models.PositiveBigIntegerField(default=0)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    # Set for kind "course" only: the members of this course see the set. Deleting the course
    # keeps the files and the owner's access (runs may have trained on them).
    course = models.ForeignKey("courseware.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="datasets")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    @property
    def title(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.title_en if lang.startswith("en") else self.title_zh

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def path(self) -> Path:
        return Path(settings.DATASET_ROOT) / self.relative_path

    def to_public_dict(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "format": self.format,
            "num_classes": self.num_classes,
            "class_names": self.class_names,
            "num_items": self.num_items,
            "item_shape": self.item_shape,
        }

    def __str__(self) -> str:
        return self.slug


class ImportJob(BackgroundJob):
    """One upload of a standard data-set file, turned into a personal data set by a task."""

    class Kind(models.TextChoices):
        MNIST = "mnist", _("Keras MNIST (mnist.npz)")
        FASHION_MNIST = "fashion_mnist", _("Fashion-MNIST in the Keras .npz layout")
        CIFAR = "cifar", _("CIFAR-10 or CIFAR-100, python version (.tar.gz)")
        IMAGE_FOLDER = "image_folder", _("Images in one folder per class (.zip or .tar.gz)")
        VOC = "voc", _("Images with PASCAL VOC annotations (.zip or .tar.gz)")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dataset_imports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    source_filename = models.CharField(max_length=255, help_text=_("the uploaded file's name, as the user's browser sent it"))
    # Where the upload waits for the task, relative to DATASET_ROOT; emptied when the job ends.
    upload_relative_path = models.CharField(max_length=300, blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs")

    @property
    def upload_path(self) -> Path | None:
        return Path(settings.DATASET_ROOT) / self.upload_relative_path if self.upload_relative_path else None

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind}, {self.status})"


class DatasetSnapshot(models.Model):
    """A read-only copy of a data set's files as they were at one moment, named by their hash.
    Runs train on a snapshot, so editing or rebuilding the data set later cannot change what a
    finished run was trained on."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="snapshots")
    content_hash = models.CharField(max_length=64)
    relative_path = models.CharField(max_length=300, help_text=_("relative to DATASET_ROOT"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "content_hash"], name="datasetsnapshot_unique")]

    @property
    def path(self) -> Path:
        return Path(settings.DATASET_ROOT) / self.relative_path

    def __str__(self) -> str:
        return f"{self.dataset.slug}@{self.content_hash[:12]}"
