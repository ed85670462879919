from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    class Kind(models.TextChoices):
        BUNDLED = "bundled", _("Bundled with the platform")
        COURSE = "course", _("Published to a course")
        PERSONAL = "personal", _("Learner's own")

    class Format(models.TextChoices):
        IMAGE_FOLDER = "image_folder", _("Class-per-folder images")
        NPZ = "npz", _("NumPy arrays (x, y)")

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
    item_shape = models.JSONField(default=list, help_text=_("stored shape of one item, e.g. [128, 128, 3]"))
    size_bytes = models.PositiveBigIntegerField(default=0)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
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
